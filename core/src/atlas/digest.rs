//! HTTP Digest authentication (RFC 7616, MD5, qop=auth) with nonce reuse.
//!
//! After the first challenge every request carries credentials for the cached nonce with the
//! next `nc`, so a sequence of calls costs one round trip each. A new challenge is taken only
//! when Atlas answers 401 with `stale=true`, or a 401 to a request that reused an older nonce
//! (the server may have forgotten it). The state sits behind a mutex, so concurrent calls share
//! one nonce, each with its own `nc`.

use crate::crypto::SecretString;
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
    let qop = get("qop")
        .and_then(|q| q.split(',').map(str::trim).find(|q| q.eq_ignore_ascii_case("auth")).map(|_| "auth".to_string()));
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
pub fn authorization(
    user: &str,
    password: &SecretString,
    ch: &Challenge,
    method: &str,
    uri: &str,
    nc: u32,
    cnonce: &str,
) -> String {
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

/// One server nonce and the last `nc` sent with it.
#[derive(Debug, Clone)]
pub struct NonceState {
    pub challenge: Challenge,
    pub nc: u32,
}

impl NonceState {
    pub fn fresh(challenge: Challenge) -> Self {
        NonceState { challenge, nc: 0 }
    }
}

/// Most nonces kept for reuse (one per concurrent request is enough).
const POOL_MAX: usize = 64;

/// Digest credentials plus a pool of server nonces.
///
/// A request checks a nonce out, signs with the next `nc`, and checks it back in when done,
/// so no two requests in flight share a nonce: Atlas (and the simulator) refuse an `nc` that
/// is not above the last one seen, which concurrent requests on one nonce could not promise.
/// Sequential calls reuse one nonce (N calls, N+1 requests); k concurrent calls fetch up to k.
pub struct DigestAuth {
    username: String,
    password: SecretString,
    pool: Mutex<Vec<NonceState>>,
}

impl fmt::Debug for DigestAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DigestAuth")
            .field("username", &self.username)
            .field("password", &"[redacted]")
            .finish_non_exhaustive()
    }
}

impl DigestAuth {
    pub fn new(username: String, password: SecretString) -> Self {
        DigestAuth { username, password, pool: Mutex::new(Vec::new()) }
    }

    pub fn username(&self) -> &str {
        &self.username
    }

    pub fn password(&self) -> &SecretString {
        &self.password
    }

    /// How many nonces wait for reuse.
    pub fn pooled(&self) -> usize {
        self.pool.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Takes a nonce for one request (the most recently used first); `None` when the pool is empty.
    pub fn checkout(&self) -> Option<NonceState> {
        self.pool.lock().unwrap_or_else(|p| p.into_inner()).pop()
    }

    /// Returns a nonce for later requests.
    pub fn checkin(&self, state: NonceState) {
        let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
        if pool.len() < POOL_MAX && !pool.iter().any(|s| s.challenge.nonce == state.challenge.nonce) {
            pool.push(state);
        }
    }

    /// The `Authorization` value for one request on `state`, with the next `nc`.
    pub fn sign(&self, state: &mut NonceState, method: &str, uri: &str) -> String {
        state.nc = state.nc.wrapping_add(1).max(1);
        let cnonce = format!("{:016x}", rand::random::<u64>());
        authorization(&self.username, &self.password, &state.challenge, method, uri, state.nc, &cnonce)
    }
}

/// Holds a checked-out nonce for one call and checks it back in when the call ends, even
/// when the call is cancelled.
pub struct Held<'a> {
    auth: &'a DigestAuth,
    pub state: Option<NonceState>,
}

impl<'a> Held<'a> {
    pub fn new(auth: &'a DigestAuth) -> Self {
        Held { auth, state: None }
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        if let Some(s) = self.state.take() {
            self.auth.checkin(s);
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
        let h =
            authorization("Mufasa", &SecretString::new("Circle Of Life"), &ch, "GET", "/dir/index.html", 1, "0a4f113b");
        assert!(h.contains("response=\"6629fae49393a05397450978507c4ef1\""), "{h}");
        assert!(h.contains("nc=00000001"));
        assert!(!h.contains("Circle Of Life"));
    }

    #[test]
    fn nonces_are_checked_out_exclusively_and_reused() {
        let d = DigestAuth::new("awqxqtif".into(), SecretString::new("secret"));
        assert!(d.checkout().is_none());
        let mut s = NonceState::fresh(parse_challenge(RECORDED).unwrap());
        let h1 = d.sign(&mut s, "GET", "/");
        assert!(h1.contains("nc=00000001"));
        {
            let mut held = Held::new(&d);
            held.state = Some(s);
        }
        assert_eq!(d.pooled(), 1);
        let mut s = d.checkout().unwrap();
        assert!(d.checkout().is_none(), "one request at a time per nonce");
        assert!(d.sign(&mut s, "GET", "/").contains("nc=00000002"));
        d.checkin(s.clone());
        d.checkin(s);
        assert_eq!(d.pooled(), 1, "no duplicates");
        assert!(!format!("{d:?}").contains("secret"));
    }
}
