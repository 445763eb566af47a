//! HTTP Digest authentication (RFC 7616, MD5, qop=auth) with nonce reuse.
//!
//! After the first challenge every request carries credentials for the cached nonce with the
//! next `nc`, so a sequence of calls costs one round trip each. A new challenge is taken only
//! when Atlas answers 401 with `stale=true`, or a 401 to a request that reused an older nonce
//! (the server may have forgotten it). The state sits behind a mutex, so concurrent calls share
//! one nonce, each with its own `nc`.

pub use super::challenge::Challenge;
use crate::crypto::SecretString;
use md5::{Digest as _, Md5};
use std::fmt;
use std::sync::Mutex;
use zeroize::Zeroizing;

fn md5_hex(data: &str) -> String {
    let d = Md5::digest(data.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// A quoted-string (RFC 9110 section 5.6.4): every value that came from the server or the
/// caller is escaped, so a `"` in an `opaque` or `realm` cannot close the quote and add a
/// parameter of its own.
fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
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
    // HA1 and its input stand for the password: both are wiped when dropped.
    let input = Zeroizing::new(format!("{user}:{}:{}", ch.realm, password.expose()));
    let mut ha1 = Zeroizing::new(md5_hex(&input));
    if sess {
        ha1 = Zeroizing::new(md5_hex(&format!("{}:{}:{cnonce}", ha1.as_str(), ch.nonce)));
    }
    let ha1 = ha1.as_str();
    let ha2 = md5_hex(&format!("{method}:{uri}"));
    let nc_text = format!("{nc:08x}");
    let (username, realm, nonce, uri_q) = (quote(user), quote(&ch.realm), quote(&ch.nonce), quote(uri));
    let mut h =
        format!("Digest username={username}, realm={realm}, nonce={nonce}, uri={uri_q}, algorithm={}", ch.algorithm);
    match &ch.qop {
        Some(qop) => {
            let response = md5_hex(&format!("{ha1}:{}:{nc_text}:{cnonce}:{qop}:{ha2}", ch.nonce));
            h.push_str(&format!(", qop={qop}, nc={nc_text}, cnonce={}, response=\"{response}\"", quote(cnonce)));
        }
        None => {
            let response = md5_hex(&format!("{ha1}:{}:{ha2}", ch.nonce));
            h.push_str(&format!(", response=\"{response}\""));
        }
    }
    if let Some(o) = &ch.opaque {
        h.push_str(&format!(", opaque={}", quote(o)));
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

    fn parse_challenge(h: &str) -> Option<Challenge> {
        match super::super::challenge::choose([h]) {
            super::super::challenge::Offer::Digest(c) => Some(c),
            _ => None,
        }
    }

    const RECORDED: &str = r#"Digest realm="MMS Public API", domain="", nonce="669gyxpgL6MGDuSZvQ80Spv3k+Jc99ed", algorithm=MD5, qop="auth", stale=false"#;

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
    fn sec07_quoted_values_are_escaped() {
        let ch = Challenge {
            realm: r#"r"x"#.into(),
            nonce: "n".into(),
            opaque: Some(r#"o", x="y"#.into()),
            qop: Some("auth".into()),
            algorithm: "MD5".into(),
            stale: false,
        };
        let h = authorization("u", &SecretString::new("p"), &ch, "GET", "/", 1, "c");
        assert!(h.ends_with(r#", opaque="o\", x=\"y""#), "{h}");
        assert!(h.contains(r#"realm="r\"x""#), "{h}");
        // read back as a header parser would: one opaque, no injected parameter
        let params = super::super::challenge::params_of(&h);
        assert_eq!(params.iter().filter(|(n, _)| n == "x").count(), 0, "{params:?}");
        assert!(params.contains(&("opaque".to_string(), r#"o", x="y"#.to_string())), "{params:?}");
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
