//! HTTP Digest authentication (RFC 7616, MD5, qop=auth) with nonce reuse.
//!
//! After the first challenge every request carries credentials for the cached nonce with the
//! next `nc`, so a sequence of calls costs one round trip each. A new challenge is taken only
//! when Atlas answers 401 with `stale=true`, or a 401 to a request that reused an older nonce
//! (the server may have forgotten it). The state sits behind a mutex, so concurrent calls share
//! one nonce, each with its own `nc`.

use crate::secrets::SecretString;
use md5::{Digest as _, Md5};
use std::fmt;
use std::sync::Mutex;

/// A parsed `WWW-Authenticate: Digest ...` challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub realm: String,
    pub nonce: String,
    pub opaque: Option<String>,
    /// `auth` when offered (the only qop we speak); `None` for RFC 2069 servers.
    pub qop: Option<String>,
    pub algorithm: String,
    pub stale: bool,
}

/// Parses a Digest challenge; `None` for other schemes or when realm/nonce are missing.
pub fn parse_challenge(header: &str) -> Option<Challenge> {
    let header = header.trim();
    let (scheme, rest) = header.split_once(char::is_whitespace)?;
    if !scheme.eq_ignore_ascii_case("digest") {
        return None;
    }
    let params = parse_params(rest);
    let get = |k: &str| params.iter().find(|(n, _)| n.eq_ignore_ascii_case(k)).map(|(_, v)| v.clone());
    let qop = get("qop").and_then(|q| q.split(',').map(str::trim).find(|q| q.eq_ignore_ascii_case("auth")).map(|_| "auth".to_string()));
    Some(Challenge {
        realm: get("realm")?,
        nonce: get("nonce")?,
        opaque: get("opaque"),
        qop,
        algorithm: get("algorithm").unwrap_or_else(|| "MD5".to_string()),
        stale: get("stale").map(|s| s.eq_ignore_ascii_case("true")).unwrap_or(false),
    })
}

fn parse_params(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while matches!(chars.peek(), Some(c) if *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c == ',' {
                break;
            }
            name.push(c);
            chars.next();
        }
        if name.is_empty() {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'=') {
            chars.next();
            if chars.peek() == Some(&'"') {
                chars.next();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some(n) = chars.next() {
                                value.push(n)
                            }
                        }
                        '"' => break,
                        c => value.push(c),
                    }
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c == ',' {
                        break;
                    }
                    value.push(c);
                    chars.next();
                }
                value = value.trim().to_string();
            }
        }
        out.push((name.trim().to_string(), value));
    }
    out
}

fn md5_hex(data: &str) -> String {
    let d = Md5::digest(data.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `Authorization` header value for one request.
pub fn authorization(user: &str, password: &SecretString, ch: &Challenge, method: &str, uri: &str, nc: u32, cnonce: &str) -> String {
    let sess = ch.algorithm.eq_ignore_ascii_case("MD5-sess");
    let mut ha1 = md5_hex(&format!("{user}:{}:{}", ch.realm, password.expose()));
    if sess {
        ha1 = md5_hex(&format!("{ha1}:{}:{cnonce}", ch.nonce));
    }
    let ha2 = md5_hex(&format!("{method}:{uri}"));
    let nc_text = format!("{nc:08x}");
    let mut h = match &ch.qop {
        Some(qop) => {
            let response = md5_hex(&format!("{ha1}:{}:{nc_text}:{cnonce}:{qop}:{ha2}", ch.nonce));
            format!(
                "Digest username=\"{user}\", realm=\"{}\", nonce=\"{}\", uri=\"{uri}\", algorithm={}, qop={qop}, nc={nc_text}, cnonce=\"{cnonce}\", response=\"{response}\"",
                ch.realm, ch.nonce, ch.algorithm
            )
        }
        None => {
            let response = md5_hex(&format!("{ha1}:{}:{ha2}", ch.nonce));
            format!(
                "Digest username=\"{user}\", realm=\"{}\", nonce=\"{}\", uri=\"{uri}\", algorithm={}, response=\"{response}\"",
                ch.realm, ch.nonce, ch.algorithm
            )
        }
    };
    if let Some(o) = &ch.opaque {
        h.push_str(&format!(", opaque=\"{o}\""));
    }
    h
}

struct State {
    challenge: Challenge,
    nc: u32,
}

/// Digest credentials plus the shared nonce state.
pub struct DigestAuth {
    username: String,
    password: SecretString,
    state: Mutex<Option<State>>,
}

impl fmt::Debug for DigestAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DigestAuth").field("username", &self.username).field("password", &"[redacted]").finish_non_exhaustive()
    }
}

/// What one request was signed with, to decide what a 401 means.
#[derive(Debug, Clone)]
pub struct Signed {
    pub header: String,
    pub nonce: String,
    pub nc: u32,
}

impl DigestAuth {
    pub fn new(username: String, password: SecretString) -> Self {
        DigestAuth { username, password, state: Mutex::new(None) }
    }

    pub fn username(&self) -> &str {
        &self.username
    }

    pub fn password(&self) -> &SecretString {
        &self.password
    }

    pub fn has_nonce(&self) -> bool {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).is_some()
    }

    /// Signs a request with the cached nonce and the next `nc`; `None` before any challenge.
    pub fn sign(&self, method: &str, uri: &str) -> Option<Signed> {
        let mut guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let state = guard.as_mut()?;
        state.nc = state.nc.wrapping_add(1).max(1);
        let cnonce = format!("{:016x}", rand::random::<u64>());
        let header = authorization(&self.username, &self.password, &state.challenge, method, uri, state.nc, &cnonce);
        Some(Signed { header, nonce: state.challenge.nonce.clone(), nc: state.nc })
    }

    /// Takes a new challenge (nc restarts at 1). Keeps a newer nonce another call already took.
    pub fn accept_challenge(&self, challenge: Challenge, replacing: Option<&str>) {
        let mut guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let current = guard.as_ref().map(|s| s.challenge.nonce.as_str());
        if current.is_none() || current == replacing || replacing.is_none() {
            if current != Some(challenge.nonce.as_str()) {
                *guard = Some(State { challenge, nc: 0 });
            }
        }
    }

    /// True when another request signed `nonce` with a higher `nc` than ours: a 401 to ours
    /// may then be the server refusing an `nc` that arrived out of order, not bad credentials.
    pub fn used_after(&self, nonce: &str, nc: u32) -> bool {
        let guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        guard.as_ref().map_or(true, |s| s.challenge.nonce != nonce || s.nc > nc)
    }

    /// Forgets the nonce (e.g. after the server refused it outright).
    pub fn forget(&self, nonce: &str) {
        let mut guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if guard.as_ref().map(|s| s.challenge.nonce.as_str()) == Some(nonce) {
            *guard = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORDED: &str = r#"Digest realm="MMS Public API", domain="", nonce="669gyxpgL6MGDuSZvQ80Spv3k+Jc99ed", algorithm=MD5, qop="auth", stale=false"#;

    #[test]
    fn parses_the_recorded_challenge() {
        let c = parse_challenge(RECORDED).unwrap();
        assert_eq!(c.realm, "MMS Public API");
        assert_eq!(c.nonce, "669gyxpgL6MGDuSZvQ80Spv3k+Jc99ed");
        assert_eq!(c.qop.as_deref(), Some("auth"));
        assert_eq!(c.algorithm, "MD5");
        assert!(!c.stale);
        let s = parse_challenge(&RECORDED.replace("stale=false", "stale=true")).unwrap();
        assert!(s.stale);
        assert!(parse_challenge("Basic realm=\"x\"").is_none());
    }

    #[test]
    fn rfc2617_example_response() {
        // RFC 2617 section 3.5 example.
        let ch = Challenge {
            realm: "testrealm@host.com".into(),
            nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093".into(),
            opaque: Some("5ccc069c403ebaf9f0171e9517f40e41".into()),
            qop: Some("auth".into()),
            algorithm: "MD5".into(),
            stale: false,
        };
        let h = authorization("Mufasa", &SecretString::new("Circle Of Life"), &ch, "GET", "/dir/index.html", 1, "0a4f113b");
        assert!(h.contains("response=\"6629fae49393a05397450978507c4ef1\""), "{h}");
        assert!(h.contains("nc=00000001"));
        assert!(!h.contains("Circle Of Life"));
    }

    #[test]
    fn nc_increases_and_new_challenges_reset_it() {
        let d = DigestAuth::new("awqxqtif".into(), SecretString::new("secret"));
        assert!(d.sign("GET", "/").is_none());
        d.accept_challenge(parse_challenge(RECORDED).unwrap(), None);
        assert_eq!(d.sign("GET", "/").unwrap().nc, 1);
        let s2 = d.sign("GET", "/").unwrap();
        assert_eq!(s2.nc, 2);
        // a stale answer to an old nonce does not clobber a newer one
        let mut newer = parse_challenge(RECORDED).unwrap();
        newer.nonce = "newnonce".into();
        d.accept_challenge(newer.clone(), Some(&s2.nonce));
        assert_eq!(d.sign("GET", "/").unwrap().nc, 1);
        let mut other = newer.clone();
        other.nonce = "third".into();
        d.accept_challenge(other, Some("not-current"));
        assert_eq!(d.sign("GET", "/").unwrap().nonce, "newnonce");
        assert!(!format!("{d:?}").contains("secret"));
    }
}
