//! Service accounts: `POST /api/oauth/token` (client credentials, HTTP Basic) issuing Bearer tokens.

use base64::Engine;
use rand::RngCore;
use serde_json::json;

use crate::clock::to_chrono;
use crate::handlers::Raw;
use crate::paging::{query_get, query_pairs};
use crate::rate_limit::RateGroup;
use crate::state::{SimState, Token};

fn oauth_error(status: u16, error: &str, description: &str) -> Raw {
    Raw::json(status, json!({ "error": error, "error_description": description }))
}

fn basic_credentials(authorization: Option<&str>) -> Option<(String, String)> {
    let h = authorization?.trim();
    let (scheme, rest) = h.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(rest.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

pub fn token(st: &mut SimState, authorization: Option<&str>, body: &[u8]) -> Raw {
    let form = query_pairs(&String::from_utf8_lossy(body));
    // Basic is what Atlas documents; the form fields are accepted too (client_secret_post).
    let creds = basic_credentials(authorization)
        .or_else(|| Some((query_get(&form, "client_id")?.to_string(), query_get(&form, "client_secret")?.to_string())));
    let Some((id, secret)) = creds else {
        return oauth_error(401, "invalid_client", "Client authentication failed.");
    };
    if st.config.rate_limit {
        let now = st.now();
        let limits = st.config.rate_limits.clone();
        if let Err(retry) = st.rate.take(&limits, RateGroup::OAuth, &id, now) {
            let e =
                crate::errors::ApiError::new(429, "RATE_LIMITED", "Too many token requests. Try again later.", vec![]);
            let mut r = Raw::json(429, e.body());
            r.headers.push(("X-Error-Code".into(), "RATE_LIMITED".into()));
            r.headers.push(("Retry-After".into(), retry.to_string()));
            return r;
        }
    }
    let ok = st.world.principal(&id).is_some_and(|p| p.is_service_account && p.secret == secret);
    if !ok {
        return oauth_error(401, "invalid_client", "Client authentication failed.");
    }
    match query_get(&form, "grant_type") {
        Some("client_credentials") => {}
        Some(_) => return oauth_error(400, "unsupported_grant_type", "Only client_credentials is supported."),
        None => return oauth_error(400, "invalid_request", "grant_type is required."),
    }
    let now = st.now();
    let ttl = st.config.token_ttl;
    let token = new_token(&id, now.timestamp() + ttl.as_secs() as i64);
    st.tokens.insert(token.clone(), Token { client_id: id, expires: now + to_chrono(ttl) });
    Raw::json(200, json!({ "access_token": token, "expires_in": ttl.as_secs(), "token_type": "Bearer" }))
}

/// JWT-shaped (Atlas tokens are JWTs) but opaque to the simulator: only the lookup table counts.
fn new_token(client_id: &str, exp: i64) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = b64.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = b64.encode(json!({ "sub": client_id, "exp": exp, "iss": "atlas-sim" }).to_string());
    let mut sig = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut sig);
    format!("{header}.{payload}.{}", b64.encode(sig))
}
