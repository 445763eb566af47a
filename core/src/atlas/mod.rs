//! The Atlas Administration API v2 client, shared by every feature that talks to Atlas
//! (connections now; network access lists, cluster import later).
//!
//! - [`AtlasClient::execute`] is the one request path: versioned media type
//!   ([`media`]), authentication ([`digest`] or [`oauth`]), bounded retries ([`retry`]), typed
//!   errors ([`errors`]). [`paging`] adds list helpers on top.
//! - One client per credential; keep it (see `client::Ductape::atlas_client`) so the digest nonce
//!   and the service-account token are reused across calls.
//! - `http://` base URLs are refused unless the host is loopback (the simulator).

mod body;
pub mod challenge;
pub mod digest;
pub mod errors;
pub mod media;
pub mod models;
pub mod oauth;
pub mod paging;
pub mod retry;

pub use errors::{AtlasApiError, AtlasError};
pub use retry::RetryPolicy;

use crate::crypto::SecretString;
use crate::error::{Error, Result};
use reqwest::header::{HeaderMap, ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use reqwest::Method;
use serde::de::DeserializeOwned;
use std::fmt;
use std::time::{Duration, Instant};

pub const DEFAULT_BASE_URL: &str = "https://cloud.mongodb.com";
pub const BASE_URL_ENV: &str = "MONGODB_ATLAS_BASE_URL";
pub const API_PREFIX: &str = "/api/atlas/v2";
/// The default cap of one answer's body (`max_response_bytes`): 16 MiB, far above any Admin API page.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// How the client authenticates.
#[derive(Clone)]
pub enum Credentials {
    /// Programmatic API key (HTTP Digest).
    ApiKey { public_key: String, private_key: SecretString },
    /// Service account (OAuth client credentials).
    ServiceAccount { client_id: String, client_secret: SecretString },
}

impl Credentials {
    /// The non-secret identity (public key or client id).
    pub fn identity(&self) -> &str {
        match self {
            Credentials::ApiKey { public_key, .. } => public_key,
            Credentials::ServiceAccount { client_id, .. } => client_id,
        }
    }

    pub fn secret(&self) -> &SecretString {
        match self {
            Credentials::ApiKey { private_key, .. } => private_key,
            Credentials::ServiceAccount { client_secret, .. } => client_secret,
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::ApiKey { public_key, .. } => write!(f, "ApiKey({public_key}, [redacted])"),
            Credentials::ServiceAccount { client_id, .. } => write!(f, "ServiceAccount({client_id}, [redacted])"),
        }
    }
}

enum Auth {
    Digest(digest::DigestAuth),
    Bearer(oauth::ServiceAccountAuth),
}

/// Client settings shared by every credential of one `Ductape` handle.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Normalised base URL without a trailing slash.
    pub base_url: String,
    pub request_timeout: Duration,
    pub retry: RetryPolicy,
    /// The largest body read from one answer (see [`DEFAULT_MAX_RESPONSE_BYTES`]).
    pub max_response_bytes: usize,
}

/// A raw answer.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

pub struct AtlasClient {
    http: reqwest::Client,
    config: ClientConfig,
    auth: Auth,
}

impl fmt::Debug for AtlasClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let identity = match &self.auth {
            Auth::Digest(d) => d.username().to_string(),
            Auth::Bearer(s) => s.client_id().to_string(),
        };
        f.debug_struct("AtlasClient")
            .field("base_url", &self.config.base_url)
            .field("identity", &identity)
            .finish_non_exhaustive()
    }
}

/// Checks and normalises a base URL: `https://`, or `http://` on a loopback host only.
pub fn parse_base_url(raw: &str) -> Result<String> {
    // Messages show the URL without user info, query or fragment: a connection string
    // (`mongodb+srv://user:password@...`) pasted here must not come back in an error.
    let shown = redact_url(raw);
    let bad = |m: String| Error::invalid("atlas_base_url", m);
    let url =
        reqwest::Url::parse(raw.trim()).map_err(|e| bad(format!("atlas_base_url '{shown}' is not a URL: {e}")))?;
    let host = url.host_str().unwrap_or("").to_string();
    match url.scheme() {
        "https" => {}
        "http" => {
            if !is_loopback_host(&host) {
                return Err(bad(format!(
                    "atlas_base_url '{shown}' uses http:// on a non-loopback host; use https:// (plain http is only allowed for a local simulator)"
                )));
            }
        }
        // Not the parsed scheme: in `user:password@host` that is the user name.
        _ => return Err(bad(format!("atlas_base_url '{shown}' is not an https:// URL; use https://"))),
    }
    if host.is_empty() {
        return Err(bad(format!("atlas_base_url '{shown}' has no host")));
    }
    // A fragment is never sent: `https://host#x/api` would send every request to `/`.
    if url.query().is_some() || url.fragment().is_some() || url.username() != "" || url.password().is_some() {
        return Err(bad(
            "atlas_base_url must be a plain scheme://host[:port][/path] without credentials, query or fragment"
                .to_string(),
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// A URL as messages may show it: everything up to the last `@` (user info, whatever the
/// characters in the password) becomes `[redacted]`, and the query and fragment are dropped.
pub fn redact_url(raw: &str) -> String {
    let raw = raw.trim();
    let (scheme, rest) = match raw.find("://") {
        Some(i) => raw.split_at(i + 3),
        None => ("", raw),
    };
    let (hidden, rest) = match rest.rfind('@') {
        Some(i) => ("[redacted]@", &rest[i + 1..]),
        None => ("", rest),
    };
    let rest = rest.find(['?', '#']).map_or(rest, |i| &rest[..i]);
    format!("{scheme}{hidden}{rest}")
}

/// True when the URL's host is `localhost` or a loopback address.
pub fn is_loopback_url(url: &str) -> bool {
    reqwest::Url::parse(url).ok().and_then(|u| u.host_str().map(is_loopback_host)).unwrap_or(false)
}

fn is_loopback_host(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost") || h.parse::<std::net::IpAddr>().map(|ip| ip.is_loopback()).unwrap_or(false)
}

/// Percent-escapes one path segment (e.g. `10.0.0.0/24` -> `10.0.0.0%2F24`).
pub fn path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The error for a request that got no complete answer: a timeout, or a network failure.
pub(crate) fn transport_error(
    e: &reqwest::Error,
    base: &str,
    method: &str,
    path: &str,
    timeout: Duration,
    attempts: u32,
) -> AtlasError {
    let (method, path) = (method.to_string(), path.to_string());
    if e.is_timeout() {
        AtlasError::Timeout { method, path, after: timeout, attempts }
    } else {
        AtlasError::Network { base: base.to_string(), method, path, message: describe_reqwest(e), attempts }
    }
}

fn describe_reqwest(e: &reqwest::Error) -> String {
    use std::error::Error as _;
    // The innermost cause says most ("connection refused", "connection reset").
    let mut msg = if e.is_connect() {
        "connection failed".to_string()
    } else if e.is_body() || e.is_decode() {
        "reading the response failed".to_string()
    } else {
        "request failed".to_string()
    };
    let mut source = e.source();
    let mut last = None;
    while let Some(s) = source {
        last = Some(s.to_string());
        source = s.source();
    }
    if let Some(l) = last {
        msg.push_str(": ");
        msg.push_str(&l);
    }
    if msg.contains("certificate") {
        msg.push_str(
            " (a TLS-inspecting proxy or a private CA? trust its CA with the ca_file option or $DUCTAPE_CA_FILE, \
             or the system's trust store with tls_roots: \"system\")",
        );
    }
    msg
}

/// A header value marked sensitive, so HTTP-layer `Debug` and logs print it as `Sensitive`.
pub(crate) fn sensitive(value: &str) -> Result<reqwest::header::HeaderValue, AtlasError> {
    let mut v = reqwest::header::HeaderValue::from_str(value).map_err(|_| {
        AtlasError::Config("credentials contain characters that cannot be sent in an HTTP header".into())
    })?;
    v.set_sensitive(true);
    Ok(v)
}

/// One request.
pub struct Call<'a> {
    pub method: Method,
    /// Path and query, starting with `/` (e.g. `/api/atlas/v2/groups/x?pageNum=1`), escaped.
    pub target: &'a str,
    pub version: &'static str,
    pub body: Option<Vec<u8>>,
    /// Safe to send again after a 5xx or a dropped connection. Defaults to the method's nature.
    pub idempotent: bool,
}

impl<'a> Call<'a> {
    pub fn new(method: Method, target: &'a str, version: &'static str) -> Self {
        let idempotent = retry::idempotent_method(&method);
        Call { method, target, version, body: None, idempotent }
    }

    pub fn json_body(mut self, body: &serde_json::Value) -> Self {
        self.body = Some(serde_json::to_vec(body).unwrap_or_default());
        self
    }

    /// Marks a non-idempotent method as safe to repeat (e.g. an access-list POST, where
    /// re-adding an entry is a no-op).
    pub fn idempotent(mut self, yes: bool) -> Self {
        self.idempotent = yes;
        self
    }
}

/// Where one call goes, worked out once for all its attempts.
struct Target {
    url: reqwest::Url,
    /// The digest `uri`: the request target exactly as sent.
    uri: String,
    method: String,
    /// The target without its query, as logs and errors name it.
    path: String,
    /// The versioned media type of the call's API version.
    media: String,
}

impl Target {
    fn new(base_url: &str, call: &Call<'_>) -> Result<Self, AtlasError> {
        let url = reqwest::Url::parse(&format!("{base_url}{}", call.target))
            .map_err(|e| AtlasError::Config(format!("bad Atlas request target {}: {e}", call.target)))?;
        let uri = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        Ok(Target {
            url,
            uri,
            method: call.method.as_str().to_string(),
            path: call.target.split('?').next().unwrap_or(call.target).to_string(),
            media: media::media_type(call.version),
        })
    }

    /// The error for an answer Atlas gave.
    fn api_error(&self, error: AtlasApiError, attempts: u32) -> AtlasError {
        AtlasError::Api { method: self.method.clone(), path: self.path.clone(), error: Box::new(error), attempts }
    }
}

/// What one call carries from attempt to attempt. Retries (no answer, 429, 5xx) and
/// authentication rounds (digest challenges, token refreshes) have separate bounds: answering
/// a challenge spends no retry, and the attempt count in errors counts retries only.
struct CallState<'a> {
    /// Retries so far, bounded by `RetryPolicy::max_retries`.
    retries: u32,
    /// Authentication rounds so far (see `answer_challenge` and `refuse_token` for the bounds).
    auth_rounds: u32,
    /// The token Atlas refused, so the next attempt asks for a new one instead of the cached one.
    refused_token: Option<SecretString>,
    /// Whether a refused pooled nonce has already been given its one retry in this call.
    retried_pooled: bool,
    /// Whether the held nonce came from a challenge answered during this call.
    fetched_here: bool,
    /// The digest nonce this call signs with; `Held` checks it back into the pool when the call
    /// ends (even when cancelled), so the next call needs no challenge.
    held: Option<digest::Held<'a>>,
}

impl<'a> CallState<'a> {
    fn new(auth: &'a Auth) -> Self {
        let held = match auth {
            Auth::Digest(d) => Some(digest::Held::new(d)),
            Auth::Bearer(_) => None,
        };
        CallState { retries: 0, auth_rounds: 0, refused_token: None, retried_pooled: false, fetched_here: false, held }
    }

    /// The number of the attempt being made, as errors report it.
    fn attempt(&self) -> u32 {
        self.retries + 1
    }

    /// A digest 401 for the credentials: keeps the nonce it brings and says whether to sign
    /// again with it. Challenges only for algorithms or qops this client does not speak are an
    /// `unsupported` error (never a downgrade, never blamed on the credentials).
    fn answer_challenge(&mut self, target: &Target, headers: &HeaderMap) -> Result<bool, AtlasError> {
        let offer = challenge::choose(headers.get_all(WWW_AUTHENTICATE).iter().filter_map(|v| v.to_str().ok()));
        let held = self.held.as_mut().expect("digest calls hold a nonce slot");
        let ch = match offer {
            challenge::Offer::Digest(ch) => ch,
            challenge::Offer::Unsupported(offered) => {
                held.state = None;
                let (method, path) = (target.method.clone(), target.path.clone());
                return Err(AtlasError::UnsupportedAuth { method, path, offered });
            }
            // Nothing to answer with; the refused nonce is dropped, not pooled.
            challenge::Offer::None => {
                held.state = None;
                return Ok(false);
            }
        };
        let used = held.state.take();
        let again = match &used {
            // no credentials sent yet: this is the challenge
            None => self.auth_rounds < 2,
            // the nonce expired
            Some(_) if ch.stale => self.auth_rounds < 3,
            // a pooled nonce: the server may have forgotten it (restart, another
            // node); try once with the fresh one
            Some(_) if !self.fetched_here => !std::mem::replace(&mut self.retried_pooled, true),
            // refused on the nonce this very call was just given: wrong credentials
            Some(_) => false,
        };
        tracing::debug!(method = %target.method, path = %target.path, stale = ch.stale, again, "digest challenge");
        // Every 401 carries an unused nonce: this call's retry, or the next call's.
        held.state = Some(digest::NonceState::fresh(ch));
        if again {
            self.auth_rounds += 1;
            self.fetched_here = true;
        }
        Ok(again)
    }

    /// A 401 to a bearer token: ask for a new token once (the cached one may have been revoked
    /// or expired early); a second refusal means the service account itself is refused.
    fn refuse_token(&mut self, bearer: Option<SecretString>) -> bool {
        if self.auth_rounds > 0 {
            return false;
        }
        self.auth_rounds += 1;
        self.refused_token = bearer;
        true
    }
}

/// What one attempt sends as `Authorization` (none for a digest call's first, unsigned
/// request), and the bearer token behind it, so a 401 can mark that token refused.
struct Authorization {
    /// Wiped when dropped: a Bearer header is the token itself.
    header: Option<zeroize::Zeroizing<String>>,
    bearer: Option<SecretString>,
}

/// An attempt that got no complete answer (timeout, network failure), and whether sending it
/// again is safe.
struct Unanswered {
    error: AtlasError,
    repeatable: bool,
}

/// What `execute` does after one attempt.
enum Next {
    /// A 2xx: the call's answer.
    Done(Response),
    /// Send again at once with the credentials the refusal brought (a fresh nonce or token).
    Reauthenticate,
    /// Send again after this wait; counts as a retry.
    Retry(Duration),
    Fail(AtlasError),
}

/// Atlas marks an API version it will remove with `Deprecation` (and `Sunset`) headers; the
/// warning is the only place that shows, so the version pin can move before the sunset.
fn log_deprecation(call: &Call<'_>, target: &Target, headers: &HeaderMap) {
    if let Some(dep) = headers.get("deprecation").and_then(|v| v.to_str().ok()) {
        let sunset = headers.get("sunset").and_then(|v| v.to_str().ok()).unwrap_or("unknown");
        let (method, path) = (&target.method, &target.path);
        crate::warnings::emit(crate::warnings::Warning {
            code: "atlas_api_deprecated",
            message: format!(
                "Atlas reports API version {} of {method} {path} as deprecated since {dep} (sunset {sunset}); \
                 upgrade ductape before the sunset",
                call.version
            ),
            details: Some(serde_json::json!({"method": method.to_string(), "path": path, "version": call.version,
                "deprecation": dep, "sunset": sunset})),
        });
    }
}

impl AtlasClient {
    pub fn new(http: reqwest::Client, config: ClientConfig, credentials: Credentials) -> Self {
        let auth = match credentials {
            Credentials::ApiKey { public_key, private_key } => {
                Auth::Digest(digest::DigestAuth::new(public_key, private_key))
            }
            Credentials::ServiceAccount { client_id, client_secret } => {
                Auth::Bearer(oauth::ServiceAccountAuth::new(client_id, client_secret))
            }
        };
        AtlasClient { http, config, auth }
    }

    pub fn base_url(&self) -> &str {
        &self.config.base_url
    }

    /// True when this client was built from exactly these credentials.
    pub fn has_credentials(&self, c: &Credentials) -> bool {
        match (&self.auth, c) {
            (Auth::Digest(d), Credentials::ApiKey { public_key, private_key }) => {
                d.username() == public_key && d.password() == private_key
            }
            (Auth::Bearer(s), Credentials::ServiceAccount { client_id, client_secret }) => {
                s.client_id() == client_id && s.client_secret() == client_secret
            }
            _ => false,
        }
    }

    /// Sends one call with authentication and retries; answers any 2xx, or a typed error.
    ///
    /// Each turn of the loop is one attempt: authorise it, send it, and let [`Self::classify`]
    /// say whether the call is done, needs another authentication round, waits for a retry or
    /// fails. Everything an attempt leaves for the next one lives in [`CallState`].
    pub async fn execute(&self, call: Call<'_>) -> Result<Response, AtlasError> {
        let target = Target::new(&self.config.base_url, &call)?;
        let mut state = CallState::new(&self.auth);
        loop {
            let attempt = state.attempt();
            let authorization = self.authorize(&target, &mut state).await?;
            let request = self.request(&call, &target, authorization.header.as_deref().map(String::as_str))?;
            let outcome = self.send(&call, &target, request, attempt).await;
            match self.classify(&call, &target, &mut state, outcome, authorization.bearer) {
                Next::Done(response) => return Ok(response),
                Next::Reauthenticate => {}
                Next::Retry(wait) => {
                    state.retries += 1;
                    tokio::time::sleep(wait).await;
                }
                Next::Fail(error) => return Err(error),
            }
        }
    }

    /// Credentials for one attempt.
    ///
    /// Digest signs with the nonce this call holds, taking one from the pool when it holds none,
    /// so sequential calls reuse one nonce (N calls, N+1 requests). With an empty pool the
    /// attempt goes out unsigned: its 401 brings the challenge. A service account sends the
    /// cached token, or a new one when Atlas just refused the cached one.
    async fn authorize(&self, target: &Target, state: &mut CallState<'_>) -> Result<Authorization, AtlasError> {
        match &self.auth {
            Auth::Digest(d) => {
                let held = state.held.as_mut().expect("digest calls hold a nonce slot");
                if held.state.is_none() {
                    held.state = d.checkout();
                    state.fetched_here = false;
                }
                let header = held
                    .state
                    .as_mut()
                    .map(|nonce| zeroize::Zeroizing::new(d.sign(nonce, &target.method, &target.uri)));
                Ok(Authorization { header, bearer: None })
            }
            Auth::Bearer(sa) => {
                let token = sa.token(&self.http, &self.config, state.refused_token.as_ref()).await?;
                let header = zeroize::Zeroizing::new(format!("Bearer {}", token.expose()));
                Ok(Authorization { header: Some(header), bearer: Some(token) })
            }
        }
    }

    /// The request for one attempt: the versioned media type as `Accept` (and as `Content-Type`
    /// when there is a body), the credentials as a sensitive header, the per-request timeout.
    fn request(
        &self,
        call: &Call<'_>,
        target: &Target,
        authorization: Option<&str>,
    ) -> Result<reqwest::RequestBuilder, AtlasError> {
        let mut rb = self
            .http
            .request(call.method.clone(), target.url.clone())
            .header(ACCEPT, &target.media)
            .timeout(self.config.request_timeout);
        if let Some(b) = &call.body {
            rb = rb.header(CONTENT_TYPE, &target.media).body(b.clone());
        }
        if let Some(a) = authorization {
            rb = rb.header(AUTHORIZATION, sensitive(a)?);
        }
        Ok(rb)
    }

    /// Sends one attempt and reads the whole answer, whatever its status, logging it with its
    /// timing. The body is read here so that a connection dropped mid-body counts as no answer.
    async fn send(
        &self,
        call: &Call<'_>,
        target: &Target,
        request: reqwest::RequestBuilder,
        attempt: u32,
    ) -> Result<Response, Unanswered> {
        let started = Instant::now();
        let outcome = async {
            let mut resp = request.send().await.map_err(body::BodyError::Transport)?;
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            let body = body::read_capped(&mut resp, self.config.max_response_bytes).await?;
            Ok::<_, body::BodyError>(Response { status, headers, body })
        }
        .await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        let (method, path) = (&target.method, &target.path);
        match outcome {
            Ok(response) => {
                tracing::debug!(%method, %path, status = response.status, attempt, elapsed_ms, "atlas request");
                log_deprecation(call, target, &response.headers);
                Ok(response)
            }
            Err(body::BodyError::TooLarge) => {
                let limit = self.config.max_response_bytes;
                tracing::debug!(%method, %path, attempt, elapsed_ms, limit, "atlas answer too large");
                let error = AtlasError::TooLarge { method: method.clone(), path: path.clone(), limit };
                Err(Unanswered { error, repeatable: false })
            }
            Err(body::BodyError::Transport(e)) => {
                let config = &self.config;
                let error = transport_error(&e, &config.base_url, method, path, config.request_timeout, attempt);
                tracing::debug!(%method, %path, attempt, elapsed_ms, error = %error, "atlas request failed");
                // A refused connection never carried the request: always safe to retry.
                Err(Unanswered { error, repeatable: e.is_connect() || call.idempotent })
            }
        }
    }

    /// What an attempt's outcome means for the call: a 2xx ends it; no answer is retried when
    /// sending again is safe (see [`retry`]); any other status goes to [`Self::after_error_status`].
    fn classify(
        &self,
        call: &Call<'_>,
        target: &Target,
        state: &mut CallState<'_>,
        outcome: Result<Response, Unanswered>,
        bearer: Option<SecretString>,
    ) -> Next {
        match outcome {
            Ok(response) if (200..300).contains(&response.status) => Next::Done(response),
            Ok(response) => self.after_error_status(call, target, state, response, bearer),
            Err(Unanswered { error, repeatable }) => match self.config.retry.retry_wait(state.retries, repeatable) {
                Some(wait) => Next::Retry(wait),
                None => Next::Fail(error),
            },
        }
    }

    /// An answer outside 2xx. A 401 for the credentials may earn another authentication round
    /// (a digest challenge, a refreshed token); 429, and 5xx for calls safe to repeat, are
    /// retried within the policy; anything else is the call's error.
    fn after_error_status(
        &self,
        call: &Call<'_>,
        target: &Target,
        state: &mut CallState<'_>,
        response: Response,
        bearer: Option<SecretString>,
    ) -> Next {
        let Response { status, headers, body } = response;
        let ctype = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        let header_code = headers.get("x-error-code").and_then(|v| v.to_str().ok());
        let api = AtlasApiError::from_body(status, ctype, &body, header_code);
        let attempts = state.attempt();
        let policy = &self.config.retry;
        let (method, path) = (&target.method, &target.path);
        match status {
            401 if api.is_bad_credentials() => {
                let again = match &self.auth {
                    Auth::Digest(_) => state.answer_challenge(target, &headers),
                    Auth::Bearer(_) => Ok(state.refuse_token(bearer)),
                };
                match again {
                    Ok(true) => Next::Reauthenticate,
                    Ok(false) => Next::Fail(target.api_error(api, attempts)),
                    Err(unsupported) => Next::Fail(unsupported),
                }
            }
            429 => {
                let retry_after =
                    headers.get(RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(retry::parse_retry_after);
                match policy.rate_limit_retry(state.retries, retry_after) {
                    Some(wait) => {
                        tracing::debug!(%method, %path, wait_ms = wait.as_millis() as u64, "rate limited; retrying");
                        Next::Retry(wait)
                    }
                    None => Next::Fail(AtlasError::RateLimited {
                        method: method.clone(),
                        path: path.clone(),
                        retry_after,
                        attempts,
                    }),
                }
            }
            s if s >= 500 => match policy.retry_wait(state.retries, call.idempotent) {
                Some(wait) => {
                    tracing::debug!(%method, %path, status = s, wait_ms = wait.as_millis() as u64, "server error; retrying");
                    Next::Retry(wait)
                }
                None => Next::Fail(target.api_error(api, attempts)),
            },
            _ => Next::Fail(target.api_error(api, attempts)),
        }
    }

    fn decode<T: DeserializeOwned>(method: &str, target: &str, body: &[u8]) -> Result<T, AtlasError> {
        let body: &[u8] = if body.is_empty() { b"null" } else { body };
        serde_json::from_slice(body).map_err(|e| AtlasError::Decode {
            method: method.into(),
            path: target.split('?').next().unwrap_or(target).into(),
            message: e.to_string(),
        })
    }

    pub async fn get_json<T: DeserializeOwned>(&self, target: &str, version: &'static str) -> Result<T, AtlasError> {
        let r = self.execute(Call::new(Method::GET, target, version)).await?;
        Self::decode("GET", target, &r.body)
    }

    pub async fn post_json<T: DeserializeOwned>(
        &self,
        target: &str,
        version: &'static str,
        body: &serde_json::Value,
        idempotent: bool,
    ) -> Result<T, AtlasError> {
        let r = self.execute(Call::new(Method::POST, target, version).json_body(body).idempotent(idempotent)).await?;
        Self::decode("POST", target, &r.body)
    }

    pub async fn delete(&self, target: &str, version: &'static str) -> Result<(), AtlasError> {
        self.execute(Call::new(Method::DELETE, target, version)).await.map(|_| ())
    }

    // --- typed calls

    /// `GET /api/atlas/v2`: whether the credentials work, and the key's roles.
    pub async fn system_status(&self) -> Result<models::SystemStatus, AtlasError> {
        self.get_json(API_PREFIX, media::versions::SYSTEM_STATUS).await
    }

    /// `GET /groups/{id}`.
    pub async fn group(&self, project_id: &str) -> Result<models::Group, AtlasError> {
        self.get_json(&format!("{API_PREFIX}/groups/{}", path_segment(project_id)), media::versions::GROUPS).await
    }

    /// `GET /groups/{id}/apiKeys`, every page.
    pub async fn group_api_keys(&self, project_id: &str) -> Result<Vec<models::ApiKey>, AtlasError> {
        self.get_all(
            &format!("{API_PREFIX}/groups/{}/apiKeys", path_segment(project_id)),
            media::versions::GROUP_API_KEYS,
            500,
        )
        .await
    }

    /// `GET /api/private/ipinfo`: the caller's public IPv4 address as Atlas sees it.
    pub async fn ip_info(&self) -> Result<models::IpInfo, AtlasError> {
        self.get_json("/api/private/ipinfo", media::versions::IP_INFO).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_rules() {
        assert_eq!(parse_base_url("https://cloud.mongodb.com/").unwrap(), "https://cloud.mongodb.com");
        assert_eq!(parse_base_url("http://127.0.0.1:8080").unwrap(), "http://127.0.0.1:8080");
        assert!(parse_base_url("http://localhost:1").is_ok());
        assert!(parse_base_url("http://[::1]:1").is_ok());
        let e = parse_base_url("http://cloud.mongodb.com").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("atlas_base_url"));
        assert!(parse_base_url("ftp://x").is_err());
        assert!(parse_base_url("nonsense").is_err());
    }

    #[test]
    fn sec06_refuses_a_base_url_with_a_fragment() {
        for raw in ["https://cloud.mongodb.com#x", "https://cloud.mongodb.com/#", "http://127.0.0.1:1/#/api"] {
            let e = parse_base_url(raw).unwrap_err();
            assert_eq!(e.code, crate::error::ErrorCode::InvalidArgument, "{raw}");
            assert_eq!(e.field.as_deref(), Some("atlas_base_url"), "{raw}");
            assert!(e.message.contains("fragment"), "{}", e.message);
        }
    }

    #[test]
    fn base_url_errors_never_show_credentials() {
        // A connection string pasted into the base URL, credentials in each position a check
        // can refuse them from (scheme, plain http, no host, unparsable, query, no scheme).
        let secret = "hunter2-s3cret";
        for raw in [
            format!("mongodb+srv://admin:{secret}@cluster0.abcde.mongodb.net/?retryWrites=true"),
            format!("http://admin:{secret}@cloud.example.com"),
            format!("https://admin:{secret}@"),
            format!("https://admin:{secret}@host:99999"),
            format!("https://cloud.mongodb.com/?apiKey={secret}"),
            format!("http://cloud.example.com/?token={secret}"),
            format!("admin:{secret}@cluster0.abcde.mongodb.net"),
            format!("https://admin:{secret}/x@cloud.mongodb.com"),
        ] {
            let e = parse_base_url(&raw).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("atlas_base_url"));
            assert!(!e.message.contains(secret) && !e.message.contains("admin"), "{raw} -> {}", e.message);
        }
        let e = parse_base_url("http://cloud.example.com/v2").unwrap_err();
        assert!(e.message.contains("'http://cloud.example.com/v2'"), "{}", e.message);
        assert_eq!(redact_url("mongodb+srv://u:p@h.net/db?x=1"), "mongodb+srv://[redacted]@h.net/db");
    }

    #[test]
    fn escapes_segments() {
        assert_eq!(path_segment("10.0.0.0/24"), "10.0.0.0%2F24");
        assert_eq!(path_segment("Cluster0"), "Cluster0");
    }

    #[test]
    fn credentials_debug_is_redacted() {
        let c = Credentials::ApiKey { public_key: "awqxqtif".into(), private_key: SecretString::new("canary-pk") };
        assert!(!format!("{c:?}").contains("canary"));
    }
}
