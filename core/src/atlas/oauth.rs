//! Service accounts: OAuth 2 client credentials against `POST /api/oauth/token`.
//! The access token is cached until shortly before it expires; concurrent callers share one
//! token request.

use super::body::{read_capped, BodyError};
use super::errors::{AtlasApiError, AtlasError};
use super::retry::parse_retry_after;
use super::ClientConfig;
use crate::crypto::SecretString;
use base64::Engine;
use serde::Deserialize;
use std::fmt;
use std::time::{Duration, Instant};

pub const TOKEN_PATH: &str = "/api/oauth/token";

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

struct Cached {
    token: SecretString,
    refresh_at: Instant,
}

pub struct ServiceAccountAuth {
    client_id: String,
    client_secret: SecretString,
    cached: tokio::sync::Mutex<Option<Cached>>,
}

impl fmt::Debug for ServiceAccountAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceAccountAuth")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .finish_non_exhaustive()
    }
}

/// The longest token lifetime believed: `expires_in` is the server's number, and an absurd one
/// (`u64::MAX`) would overflow `Instant + Duration`, or keep a token past any real expiry.
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// The lifetime to cache a token for: `expires_in` (default one hour), between 1 s and
/// [`MAX_TOKEN_LIFETIME`].
fn token_lifetime(expires_in: Option<u64>) -> Duration {
    Duration::from_secs(expires_in.unwrap_or(3600).clamp(1, MAX_TOKEN_LIFETIME.as_secs()))
}

/// Refresh this long before the token expires (or at 90% of a short lifetime).
fn refresh_margin(lifetime: Duration) -> Duration {
    Duration::from_secs(60).min(lifetime / 10)
}

impl ServiceAccountAuth {
    pub fn new(client_id: String, client_secret: SecretString) -> Self {
        ServiceAccountAuth { client_id, client_secret, cached: tokio::sync::Mutex::new(None) }
    }

    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    pub fn client_secret(&self) -> &SecretString {
        &self.client_secret
    }

    /// A valid access token: the cached one, or a new one when it is missing, about to
    /// expire, or `stale` (the one Atlas just refused).
    pub async fn token(
        &self,
        http: &reqwest::Client,
        config: &ClientConfig,
        stale: Option<&SecretString>,
    ) -> Result<SecretString, AtlasError> {
        let mut guard = self.cached.lock().await;
        if let Some(c) = guard.as_ref() {
            let refused = stale.is_some_and(|s| s == &c.token);
            if !refused && Instant::now() < c.refresh_at {
                return Ok(c.token.clone());
            }
        }
        let (token, lifetime) = self.request_token(http, config).await?;
        let now = Instant::now();
        let refresh_at = now.checked_add(lifetime - refresh_margin(lifetime)).unwrap_or(now);
        *guard = Some(Cached { token: token.clone(), refresh_at });
        Ok(token)
    }

    async fn request_token(
        &self,
        http: &reqwest::Client,
        config: &ClientConfig,
    ) -> Result<(SecretString, Duration), AtlasError> {
        let (base, timeout, policy) = (config.base_url.as_str(), config.request_timeout, &config.retry);
        let url = format!("{base}{TOKEN_PATH}");
        let pair = zeroize::Zeroizing::new(format!("{}:{}", self.client_id, self.client_secret.expose()));
        let basic = SecretString::new(base64::engine::general_purpose::STANDARD.encode(pair.as_bytes()));
        let header = zeroize::Zeroizing::new(format!("Basic {}", basic.expose()));
        let mut retries = 0u32;
        loop {
            let sent = http
                .post(&url)
                .header(reqwest::header::ACCEPT, "application/json")
                .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(reqwest::header::AUTHORIZATION, super::sensitive(&header)?)
                .body("grant_type=client_credentials")
                .timeout(timeout)
                .send()
                .await;
            let attempts = retries + 1;
            let failure = match sent {
                Err(e) => (super::transport_error(&e, base, "POST", TOKEN_PATH, timeout, attempts), None),
                Ok(mut resp) => {
                    let status = resp.status().as_u16();
                    let retry_after = resp
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(parse_retry_after);
                    let ctype = resp
                        .headers()
                        .get(reqwest::header::CONTENT_TYPE)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_string();
                    let body = match read_capped(&mut resp, config.max_response_bytes).await {
                        Ok(b) => b,
                        Err(BodyError::TooLarge) => {
                            let limit = config.max_response_bytes;
                            return Err(AtlasError::TooLarge { method: "POST".into(), path: TOKEN_PATH.into(), limit });
                        }
                        Err(BodyError::Transport(_)) => Vec::new(),
                    };
                    if (200..300).contains(&status) {
                        let t: TokenResponse = serde_json::from_slice(&body).map_err(|e| AtlasError::Decode {
                            method: "POST".into(),
                            path: TOKEN_PATH.into(),
                            message: format!("token response: {e}"),
                        })?;
                        let lifetime = token_lifetime(t.expires_in);
                        tracing::debug!(client_id = %self.client_id, lifetime_s = lifetime.as_secs(), "obtained a service account token");
                        return Ok((SecretString::new(t.access_token), lifetime));
                    }
                    let api = AtlasApiError::from_body(status, &ctype, &body, None);
                    let err = if status == 429 {
                        AtlasError::RateLimited {
                            method: "POST".into(),
                            path: TOKEN_PATH.into(),
                            retry_after,
                            attempts,
                        }
                    } else {
                        AtlasError::Api {
                            method: "POST".into(),
                            path: TOKEN_PATH.into(),
                            error: Box::new(api),
                            attempts,
                        }
                    };
                    (err, Some((status, retry_after)))
                }
            };
            // Asking for a token is safe to repeat.
            let (err, answered) = failure;
            let wait = match answered {
                None => Some(policy.backoff(retries + 1)),
                Some((429, ra)) => policy.rate_limit_wait(retries + 1, ra),
                Some((s, _)) if s >= 500 => Some(policy.backoff(retries + 1)),
                Some(_) => None,
            };
            match wait {
                Some(w) if retries < policy.max_retries => {
                    retries += 1;
                    tracing::debug!(
                        retry = retries,
                        wait_ms = w.as_millis() as u64,
                        "retrying the service account token request"
                    );
                    tokio::time::sleep(w).await;
                }
                _ => return Err(err),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sec04_token_lifetime_is_bounded() {
        assert_eq!(token_lifetime(Some(u64::MAX)), MAX_TOKEN_LIFETIME);
        assert_eq!(token_lifetime(Some(0)), Duration::from_secs(1));
        assert_eq!(token_lifetime(None), Duration::from_secs(3600));
        let l = token_lifetime(Some(u64::MAX));
        assert!(Instant::now().checked_add(l - refresh_margin(l)).is_some());
    }
}
