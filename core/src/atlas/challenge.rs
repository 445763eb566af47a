//! `WWW-Authenticate` parsing (RFC 9110 section 11.6.1): one header may carry several
//! challenges (`Digest realm="a", nonce="x", algorithm=SHA-256, Digest realm="a", nonce="y"`),
//! and a 401 may carry several headers. [`choose`] picks the Digest challenge this client can
//! answer: MD5 (or MD5-sess) with `qop=auth`, else an RFC 2069 challenge offering no qop at all.

/// A Digest challenge this client can answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub realm: String,
    pub nonce: String,
    pub opaque: Option<String>,
    /// `auth` when offered; `None` only for RFC 2069 servers, which offer no qop.
    pub qop: Option<String>,
    /// `MD5` or `MD5-sess`, as the server spelt it.
    pub algorithm: String,
    pub stale: bool,
}

/// What a 401's challenges offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offer {
    Digest(Challenge),
    /// Digest challenges only for algorithms or qops this client does not speak, described
    /// (`algorithm=SHA-256 qop=auth-int`) for the error.
    Unsupported(String),
    /// No Digest challenge at all.
    None,
}

struct Raw {
    scheme: String,
    params: Vec<(String, String)>,
}

impl Raw {
    fn get(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Picks the challenge to answer among every challenge of every header.
pub fn choose<'a>(headers: impl IntoIterator<Item = &'a str>) -> Offer {
    let digests: Vec<Raw> =
        headers.into_iter().flat_map(parse).filter(|c| c.scheme.eq_ignore_ascii_case("digest")).collect();
    let usable: Vec<Challenge> = digests.iter().filter_map(supported).collect();
    // qop=auth binds the response to a client nonce and a count; RFC 2069 only when nothing better
    if let Some(c) = usable.iter().find(|c| c.qop.is_some()).or(usable.first()) {
        return Offer::Digest(c.clone());
    }
    if digests.is_empty() {
        return Offer::None;
    }
    let offered: Vec<String> = digests
        .iter()
        .map(|c| format!("algorithm={} qop={}", c.get("algorithm").unwrap_or("MD5"), c.get("qop").unwrap_or("none")))
        .collect();
    Offer::Unsupported(offered.join(", "))
}

/// The challenge when its algorithm and qop are ones this client speaks.
fn supported(c: &Raw) -> Option<Challenge> {
    let algorithm = c.get("algorithm").unwrap_or("MD5");
    if !algorithm.eq_ignore_ascii_case("MD5") && !algorithm.eq_ignore_ascii_case("MD5-sess") {
        return None;
    }
    let qop = match c.get("qop") {
        None => None,
        Some(list) => Some(list.split(',').map(str::trim).find(|q| q.eq_ignore_ascii_case("auth"))?.to_string()),
    };
    Some(Challenge {
        realm: c.get("realm")?.to_string(),
        nonce: c.get("nonce")?.to_string(),
        opaque: c.get("opaque").map(str::to_string),
        qop: qop.map(|_| "auth".to_string()),
        algorithm: algorithm.to_string(),
        stale: c.get("stale").is_some_and(|s| s.eq_ignore_ascii_case("true")),
    })
}

/// The parameters of the first challenge (or credentials) in a header, for tests.
#[cfg(test)]
pub(crate) fn params_of(header: &str) -> Vec<(String, String)> {
    parse(header).into_iter().next().map(|c| c.params).unwrap_or_default()
}

/// Splits one header into challenges: a token not followed by `=` starts a new challenge,
/// `name=value` (token or quoted string) adds a parameter to the current one.
fn parse(header: &str) -> Vec<Raw> {
    let mut out: Vec<Raw> = Vec::new();
    let mut chars = header.chars().peekable();
    loop {
        while chars.next_if(|c| *c == ',' || c.is_whitespace()).is_some() {}
        let mut token = String::new();
        while let Some(c) = chars.next_if(|c| *c != '=' && *c != ',' && !c.is_whitespace()) {
            token.push(c);
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if token.is_empty() {
            // a stray `=`, or the end
            if chars.next().is_none() {
                return out;
            }
            continue;
        }
        if chars.next_if_eq(&'=').is_none() {
            out.push(Raw { scheme: token, params: Vec::new() });
            continue;
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let value = if chars.next_if_eq(&'"').is_some() { quoted(&mut chars) } else { bare(&mut chars) };
        if let Some(current) = out.last_mut() {
            current.params.push((token, value));
        }
    }
}

fn quoted(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> String {
    let mut value = String::new();
    while let Some(c) = chars.next() {
        match c {
            '\\' => value.extend(chars.next()),
            '"' => break,
            c => value.push(c),
        }
    }
    value
}

fn bare(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> String {
    let mut value = String::new();
    while let Some(c) = chars.next_if(|c| *c != ',') {
        value.push(c);
    }
    value.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORDED: &str = r#"Digest realm="MMS Public API", domain="", nonce="669gyxpgL6MGDuSZvQ80Spv3k+Jc99ed", algorithm=MD5, qop="auth", stale=false"#;

    fn digest(header: &str) -> Challenge {
        match choose([header]) {
            Offer::Digest(c) => c,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn parses_the_recorded_challenge() {
        let c = digest(RECORDED);
        assert_eq!(c.realm, "MMS Public API");
        assert_eq!(c.nonce, "669gyxpgL6MGDuSZvQ80Spv3k+Jc99ed");
        assert_eq!(c.qop.as_deref(), Some("auth"));
        assert_eq!(c.algorithm, "MD5");
        assert!(!c.stale);
        assert!(digest(&RECORDED.replace("stale=false", "stale=true")).stale);
        assert_eq!(choose(["Basic realm=\"x\""]), Offer::None);
    }

    #[test]
    fn sec07_picks_the_md5_challenge_among_several_in_one_header() {
        let h = r#"Digest realm="a", nonce="sha", algorithm=SHA-256, qop="auth", Basic realm="b", Digest realm="a", nonce="md5, with comma", algorithm=MD5, qop="auth-int, auth""#;
        let c = digest(h);
        assert_eq!(
            (c.nonce.as_str(), c.qop.as_deref(), c.algorithm.as_str()),
            ("md5, with comma", Some("auth"), "MD5")
        );
        // across headers too, and qop=auth preferred to RFC 2069
        let c = match choose([r#"Digest realm="a", nonce="old""#, r#"Digest realm="a", nonce="new", qop=auth"#]) {
            Offer::Digest(c) => c,
            o => panic!("{o:?}"),
        };
        assert_eq!(c.nonce, "new");
    }

    #[test]
    fn sec07_unsupported_algorithms_and_qops_are_named_not_downgraded() {
        match choose([r#"Digest realm="a", nonce="n", algorithm=SHA-256, qop="auth""#]) {
            Offer::Unsupported(d) => assert!(d.contains("SHA-256"), "{d}"),
            o => panic!("{o:?}"),
        }
        // auth-int only: not answered with RFC 2069
        match choose([r#"Digest realm="a", nonce="n", qop="auth-int""#]) {
            Offer::Unsupported(d) => assert!(d.contains("qop=auth-int"), "{d}"),
            o => panic!("{o:?}"),
        }
    }
}
