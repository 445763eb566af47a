//! Service accounts: OAuth 2 client credentials against `POST /api/oauth/token`.
//! The access token is cached until shortly before it expires; concurrent callers share one
//! token request.

use super::errors::{AtlasApiError, AtlasError};
use super::retry::{parse_retry_after, RetryPolicy};
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
        base: &str,
        timeout: Duration,
        policy: &RetryPolicy,
        stale: Option<&SecretString>,
    ) -> Result<SecretString, AtlasError> {
        let mut guard = self.cached.lock().await;
        if let Some(c) = guard.as_ref() {
            let refused = stale.is_some_and(|s| s == &c.token);
            if !refused && Instant::now() < c.refresh_at {
                return Ok(c.token.clone());
            }
        }
        let (token, lifetime) = self.request_token(http, base, timeout, policy).await?;
        *guard =
            Some(Cached { token: token.clone(), refresh_at: Instant::now() + lifetime - refresh_margin(lifetime) });
        Ok(token)
    }

    async fn request_token(
        &self,
        http: &reqwest::Client,
        base: &str,
        timeout: Duration,
        policy: &RetryPolicy,
    ) -> Result<(SecretString, Duration), AtlasError> {
        let url = format!("{base}{TOKEN_PATH}");
        let basic = SecretString::new(base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            self.client_id,
            self.client_secret.expose()
        )));
        let mut retries = 0u32;
        loop {
            let sent = http
                .post(&url)
                .header(reqwest::header::ACCEPT, "application/json")
                .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(reqwest::header::AUTHORIZATION, super::sensitive(&format!("Basic {}", basic.expose()))?)
                .body("grant_type=client_credentials")
                .timeout(timeout)
                .send()
                .await;
            let attempts = retries + 1;
            let failure = match sent {
                Err(e) => (super::transport_error(&e, base, "POST", TOKEN_PATH, timeout, attempts), None),
                Ok(resp) => {
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
                    let body = resp.bytes().await.unwrap_or_default();
                    if (200..300).contains(&status) {
                        let t: TokenResponse = serde_json::from_slice(&body).map_err(|e| AtlasError::Decode {
                            method: "POST".into(),
                            path: TOKEN_PATH.into(),
                            message: format!("token response: {e}"),
                        })?;
                        let lifetime = Duration::from_secs(t.expires_in.unwrap_or(3600).max(1));
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
