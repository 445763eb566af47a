//! The credentialed connection string: the cluster's string with the user and password in its
//! authority, percent-escaped, and `authSource=admin` where Atlas's string lacks it.

use crate::crypto::SecretString;
use crate::error::{Error, ErrorCode, Result};
use serde_json::Value;

/// The kinds of string a cluster may have, and where Atlas puts each in `connectionStrings`.
pub const TYPES: &[(&str, &str)] = &[
    ("standard_srv", "standardSrv"),
    ("standard", "standard"),
    ("private", "private"),
    ("private_srv", "privateSrv"),
    ("private_endpoint", "privateEndpoint"),
];

pub const DEFAULT_TYPE: &str = "standard_srv";

/// RFC 3986 userinfo: everything but the unreserved characters is escaped.
pub fn escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The string of `kind` in a cluster's `connectionStrings` (a private endpoint's SRV string
/// first, else its standard one), or `failed_precondition` saying which kinds it has.
pub fn pick(strings: &Value, cluster: &str, kind: &str) -> Result<String> {
    let key = TYPES.iter().find(|(k, _)| *k == kind).map(|(_, v)| *v).unwrap_or("standardSrv");
    let found = match key {
        "privateEndpoint" => strings.get(key).and_then(Value::as_array).and_then(|eps| eps.first()).and_then(|ep| {
            ep.get("srvConnectionString").or_else(|| ep.get("connectionString")).and_then(Value::as_str)
        }),
        _ => strings.get(key).and_then(Value::as_str),
    };
    found.map(str::to_string).ok_or_else(|| {
        let have: Vec<&str> = TYPES.iter().filter(|(_, v)| strings.get(*v).is_some()).map(|(k, _)| *k).collect();
        Error::new(
            ErrorCode::FailedPrecondition,
            format!(
                "cluster '{cluster}' has no {kind} connection string; it has: {}",
                if have.is_empty() { "none yet".to_string() } else { have.join(", ") }
            ),
        )
        .with_field("connection_type")
    })
}

/// `scheme://user:password@hosts/path?query` with `authSource=admin` added when missing.
pub fn with_credentials(uri: &str, user: &str, password: &SecretString) -> Result<SecretString> {
    let bad = || {
        Error::new(
            ErrorCode::AtlasError,
            "Atlas answered a connection string that is not a mongodb:// or mongodb+srv:// URI",
        )
    };
    let (scheme, rest) = uri.split_once("://").ok_or_else(bad)?;
    if scheme != "mongodb" && scheme != "mongodb+srv" || rest.contains('@') {
        return Err(bad());
    }
    let (hosts, tail) = match rest.find(['/', '?']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let (path, query) = match tail.split_once('?') {
        Some((p, q)) => (p, q),
        None => (tail, ""),
    };
    let path = if path.is_empty() { "/" } else { path };
    let has_auth_source =
        query.split('&').any(|kv| kv.split('=').next().is_some_and(|k| k.eq_ignore_ascii_case("authSource")));
    let query = match (query.is_empty(), has_auth_source) {
        (_, true) => query.to_string(),
        (true, false) => "authSource=admin".to_string(),
        (false, false) => format!("{query}&authSource=admin"),
    };
    let text = zeroize::Zeroizing::new(format!(
        "{scheme}://{}:{}@{hosts}{path}?{query}",
        escape(user),
        escape(password.expose())
    ));
    Ok(SecretString::new(text.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn credentials_go_into_the_authority_escaped() {
        let pw = SecretString::new("p@ss:w/rd%");
        let cases = [
            (
                "mongodb+srv://cluster0.x1y2z.mongodb.net",
                "mongodb+srv://u-1:p%40ss%3Aw%2Frd%25@cluster0.x1y2z.mongodb.net/?authSource=admin",
            ),
            (
                "mongodb://h0:27017,h1:27017/?ssl=true&authSource=admin&replicaSet=rs0",
                "mongodb://u-1:p%40ss%3Aw%2Frd%25@h0:27017,h1:27017/?ssl=true&authSource=admin&replicaSet=rs0",
            ),
            ("mongodb://h0:27017/?tls=true", "mongodb://u-1:p%40ss%3Aw%2Frd%25@h0:27017/?tls=true&authSource=admin"),
            (
                "mongodb://h0:27017/app?authsource=other",
                "mongodb://u-1:p%40ss%3Aw%2Frd%25@h0:27017/app?authsource=other",
            ),
        ];
        for (given, want) in cases {
            assert_eq!(with_credentials(given, "u-1", &pw).unwrap().expose(), want, "{given}");
        }
        assert!(with_credentials("http://x", "u", &pw).is_err());
        assert!(with_credentials("mongodb://a:b@h/", "u", &pw).is_err());
    }

    #[test]
    fn picks_the_kind_asked_for() {
        let s = json!({"standard": "mongodb://h/", "standardSrv": "mongodb+srv://c.x.mongodb.net",
                       "privateEndpoint": [{"srvConnectionString": "mongodb+srv://pe.x.mongodb.net"}]});
        assert_eq!(pick(&s, "c", "standard_srv").unwrap(), "mongodb+srv://c.x.mongodb.net");
        assert_eq!(pick(&s, "c", "private_endpoint").unwrap(), "mongodb+srv://pe.x.mongodb.net");
        let e = pick(&s, "c", "private").unwrap_err();
        assert_eq!(
            e.message,
            "cluster 'c' has no private connection string; it has: standard_srv, standard, private_endpoint"
        );
        assert!(pick(&json!({}), "c", "standard").unwrap_err().message.ends_with("none yet"));
    }
}
