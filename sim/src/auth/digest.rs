//! HTTP Digest (RFC 7616, MD5, qop=auth) exactly as Atlas speaks it.

use base64::Engine;
use md5::{Digest, Md5};
use rand::RngCore;

use crate::state::hex;

pub const REALM: &str = "MMS Public API";

/// Atlas's 401 body, byte for byte (pretty-printed with ` : `, 142 bytes).
pub const UNAUTHORIZED_BODY: &str = "{\n  \"error\" : 401,\n  \"reason\" : \"Unauthorized\",\n  \"detail\" : \"You are not authorized for this resource.\",\n  \"errorCode\" : \"UNEXPECTED_ERROR\"\n}";

pub fn challenge(nonce: &str, stale: bool) -> String {
    format!("Digest realm=\"{REALM}\", domain=\"\", nonce=\"{nonce}\", algorithm=MD5, qop=\"auth\", stale={stale}")
}

/// 32 characters of the base64 alphabet, like Atlas's nonces.
pub fn new_nonce() -> String {
    let mut b = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut b);
    base64::engine::general_purpose::STANDARD.encode(b)
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct DigestParams {
    pub username: String,
    pub realm: String,
    pub nonce: String,
    pub uri: String,
    pub response: String,
    pub qop: Option<String>,
    pub nc: Option<String>,
    pub cnonce: Option<String>,
    pub algorithm: Option<String>,
}

/// Parses `Digest k="v", k=v, ...`, with commas allowed inside quoted values.
pub fn parse(header: &str) -> Option<DigestParams> {
    let rest = header.trim();
    let (scheme, rest) = rest.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("digest") {
        return None;
    }
    let mut p = DigestParams::default();
    let mut chars = rest.chars().peekable();
    loop {
        while matches!(chars.peek(), Some(c) if *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' {
                break;
            }
            key.push(c);
            chars.next();
        }
        if key.is_empty() {
            break;
        }
        chars.next()?; // '='
        let mut val = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            let mut escaped = false;
            for c in chars.by_ref() {
                if escaped {
                    val.push(c);
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    break;
                } else {
                    val.push(c);
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                val.push(c);
                chars.next();
            }
            val = val.trim().to_string();
        }
        match key.trim().to_ascii_lowercase().as_str() {
            "username" => p.username = val,
            "realm" => p.realm = val,
            "nonce" => p.nonce = val,
            "uri" => p.uri = val,
            "response" => p.response = val.to_ascii_lowercase(),
            "qop" => p.qop = Some(val),
            "nc" => p.nc = Some(val),
            "cnonce" => p.cnonce = Some(val),
            "algorithm" => p.algorithm = Some(val),
            _ => {}
        }
    }
    if p.username.is_empty() || p.nonce.is_empty() || p.response.is_empty() {
        return None;
    }
    Some(p)
}

fn md5_hex(s: &str) -> String {
    hex(&Md5::digest(s.as_bytes()))
}

#[allow(clippy::too_many_arguments)]
pub fn response(
    user: &str,
    password: &str,
    method: &str,
    uri: &str,
    nonce: &str,
    nc: &str,
    cnonce: &str,
    qop: &str,
) -> String {
    let ha1 = md5_hex(&format!("{user}:{REALM}:{password}"));
    let ha2 = md5_hex(&format!("{method}:{uri}"));
    md5_hex(&format!("{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}"))
}

/// Parses an 8-hex-digit `nc`.
pub fn parse_nc(nc: &str) -> Option<u32> {
    if nc.len() != 8 {
        return None;
    }
    u32::from_str_radix(nc, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_and_challenge_are_verbatim() {
        assert_eq!(UNAUTHORIZED_BODY.len(), 142);
        assert_eq!(
            challenge("abc", false),
            "Digest realm=\"MMS Public API\", domain=\"\", nonce=\"abc\", algorithm=MD5, qop=\"auth\", stale=false"
        );
        let n = new_nonce();
        assert_eq!(n.len(), 32);
        assert!(n.chars().all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/'));
    }

    #[test]
    fn rfc_2617_example() {
        // RFC 2617 section 3.5: Mufasa / Circle Of Life, with its realm swapped for ours is not
        // published, so check against an independent computation of the same formula.
        let r = response(
            "Mufasa",
            "Circle Of Life",
            "GET",
            "/dir/index.html",
            "dcd98b7102dd2f0e8b11d0f600bfb0c093",
            "00000001",
            "0a4f113b",
            "auth",
        );
        let ha1 = md5_hex("Mufasa:MMS Public API:Circle Of Life");
        let ha2 = md5_hex("GET:/dir/index.html");
        assert_eq!(r, md5_hex(&format!("{ha1}:dcd98b7102dd2f0e8b11d0f600bfb0c093:00000001:0a4f113b:auth:{ha2}")));
        // Known MD5 value, so md5_hex itself is checked.
        assert_eq!(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
    }

    #[test]
    fn parses_quoted_and_bare_values() {
        let p = parse(r#"Digest username="awqxqtif", realm="MMS Public API", nonce="a/b+c", uri="/x?a=1,2", response="ABC", qop=auth, nc=00000001, cnonce="xyz", algorithm=MD5"#).unwrap();
        assert_eq!(p.username, "awqxqtif");
        assert_eq!(p.uri, "/x?a=1,2");
        assert_eq!(p.qop.as_deref(), Some("auth"));
        assert_eq!(p.nc.as_deref(), Some("00000001"));
        assert_eq!(p.response, "abc");
        assert!(parse("Basic abc").is_none());
        assert_eq!(parse_nc("00000000"), Some(0));
        assert_eq!(parse_nc("1"), None);
    }
}
