//! Who is calling: Digest-authenticated API keys and Bearer-authenticated service accounts.

pub mod digest;
pub mod oauth;

use crate::clock::to_chrono;
use crate::state::{NonceEntry, Principal, SimState};

#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    pub scheme: &'static str,
}

/// Why a request is answered with the 401 challenge.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Challenge {
    pub stale: bool,
}

/// A plain refusal: no or bad credentials (the client must answer a new challenge).
const REFUSED: Challenge = Challenge { stale: false };

/// Checks the `Authorization` header. `force_stale` is the stale-nonce fault: a correct
/// Digest answer is refused as stale anyway.
pub fn authenticate(
    st: &mut SimState,
    method: &str,
    raw_target: &str,
    authorization: Option<&str>,
    force_stale: bool,
) -> Result<Caller, Challenge> {
    let header = authorization.ok_or(REFUSED)?;
    let scheme = header.split_whitespace().next().unwrap_or("");
    if scheme.eq_ignore_ascii_case("bearer") {
        let token = header[scheme.len()..].trim();
        let now = st.now();
        let t = st.tokens.get(token).ok_or(REFUSED)?;
        if t.expires <= now {
            return Err(REFUSED);
        }
        let p = st.world.principal(&t.client_id).filter(|p| p.is_service_account).ok_or(REFUSED)?;
        return Ok(Caller { principal: p.clone(), scheme: "Bearer" });
    }
    if !scheme.eq_ignore_ascii_case("digest") {
        return Err(REFUSED);
    }
    let p = digest::parse(header).ok_or(REFUSED)?;
    // Unknown users and wrong keys must look identical to the caller.
    let principal = st.world.principal(&p.username).filter(|k| !k.is_service_account).cloned().ok_or(REFUSED)?;
    if p.realm != digest::REALM || p.uri != raw_target {
        return Err(REFUSED);
    }
    if p.algorithm.as_deref().is_some_and(|a| !a.eq_ignore_ascii_case("MD5")) {
        return Err(REFUSED);
    }
    let (qop, nc_s, cnonce) = match (&p.qop, &p.nc, &p.cnonce) {
        (Some(q), Some(n), Some(c)) if q == "auth" => (q.clone(), n.clone(), c.clone()),
        _ => return Err(REFUSED),
    };
    let nc = digest::parse_nc(&nc_s).ok_or(REFUSED)?;
    let expected = digest::response(&p.username, &principal.secret, method, raw_target, &p.nonce, &nc_s, &cnonce, &qop);
    if expected != p.response {
        return Err(REFUSED);
    }
    let now = st.now();
    let ttl = to_chrono(st.config.nonce_ttl);
    // A correct answer on a nonce we no longer know (pruned, or issued before a reset) is
    // stale too, so well-behaved clients recover with the fresh nonce instead of giving up.
    let entry = st.nonces.get_mut(&p.nonce).ok_or(Challenge { stale: true })?;
    // A correct answer on an old nonce is "stale": the client should retry with a new nonce.
    if now - entry.issued > ttl || force_stale {
        return Err(Challenge { stale: true });
    }
    // nc must start at 1 and grow on every reuse of a nonce; replays are refused.
    if nc <= entry.last_nc {
        return Err(REFUSED);
    }
    entry.last_nc = nc;
    Ok(Caller { principal, scheme: "Digest" })
}

/// Issues and remembers a fresh nonce for a 401 challenge.
pub fn issue_nonce(st: &mut SimState) -> String {
    let now = st.now();
    if st.nonces.len() > 10_000 {
        let keep = to_chrono(st.config.nonce_ttl) * 2;
        st.nonces.retain(|_, e| now - e.issued <= keep);
    }
    let n = digest::new_nonce();
    st.nonces.insert(n.clone(), NonceEntry { issued: now, last_nc: 0 });
    n
}
