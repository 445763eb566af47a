//! Verifying a connection string the way the application will use it: MongoDB's official Rust
//! driver connects (SRV and TXT lookups, TLS, SCRAM, topology discovery) and runs `ping`.
//!
//! A login the cluster refuses is retried with backoff for a while: Atlas reports a user
//! `APPLIED` per cluster, and a node can still be catching up. A cluster that cannot be reached
//! at all (no DNS, this machine not in the project's IP access list, a private endpoint) is
//! reported as such, which an import in its default mode treats as "not verified from here".

use crate::crypto::SecretString;
use crate::error::{Error, ErrorCode};
use crate::progress;
use mongodb::bson::doc;
use mongodb::error::ErrorKind;
use mongodb::options::{ClientOptions, Tls};
use std::path::Path;
use std::time::{Duration, Instant};

/// A command error's code for a refused login (MongoDB's `AuthenticationFailed`).
const AUTHENTICATION_FAILED: i32 = 18;
const FIRST_RETRY: Duration = Duration::from_millis(100);
const MAX_RETRY: Duration = Duration::from_secs(1);

/// What a verification found when it did not get an answer to `ping`. Messages carry no
/// credentials: the driver's text is scrubbed of the string's user info.
#[derive(Debug)]
pub enum Failure {
    /// No server answered within the time allowed (DNS, TCP, TLS).
    Unreachable(String),
    /// A server answered and refused the login, until the patience ran out.
    Refused(String),
    /// The driver did not accept the string or the CA file.
    Invalid(String),
}

#[derive(Debug)]
pub struct Pinged {
    /// The first server of the string (after SRV lookup), `host:port`.
    pub server: String,
    pub attempts: u32,
    pub elapsed: Duration,
}

/// Pings through `url` until a server answers; a refused login is retried until `patience`.
/// Each attempt waits at most `reach` for a server.
pub async fn ping(
    url: &SecretString,
    ca_file: Option<&Path>,
    reach: Duration,
    patience: Duration,
) -> Result<Pinged, Failure> {
    let started = Instant::now();
    // Parsed (and an SRV name looked up) once: a refused login's retries reuse the hosts.
    let options = client_options(url, ca_file, reach).await?;
    let mut pause = FIRST_RETRY;
    for attempt in 1u32.. {
        progress::report("verify", u64::from(attempt), None, Some(format!("ping, attempt {attempt}")));
        match ping_once(url, options.clone()).await {
            Ok(server) => return Ok(Pinged { server, attempts: attempt, elapsed: started.elapsed() }),
            Err(Failure::Refused(m)) if started.elapsed() + pause < patience => {
                tracing::debug!(attempt, "login refused, retrying: {m}");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(MAX_RETRY);
            }
            Err(f) => return Err(f),
        }
    }
    unreachable!("the loop returns")
}

async fn client_options(url: &SecretString, ca_file: Option<&Path>, reach: Duration) -> Result<ClientOptions, Failure> {
    let mut options = ClientOptions::parse(url.expose()).await.map_err(|e| classify(e, url.expose()))?;
    options.app_name = Some(concat!("ductape/", env!("CARGO_PKG_VERSION")).to_string());
    options.server_selection_timeout = Some(reach);
    options.connect_timeout = Some(reach);
    if let (Some(ca), Some(Tls::Enabled(tls))) = (ca_file, options.tls.as_mut()) {
        tls.ca_file_path = Some(ca.to_path_buf());
    }
    Ok(options)
}

async fn ping_once(url: &SecretString, options: ClientOptions) -> Result<String, Failure> {
    let scrub = |e: mongodb::error::Error| classify(e, url.expose());
    let server = options.hosts.first().map(ToString::to_string).unwrap_or_default();
    let client = mongodb::Client::with_options(options).map_err(scrub)?;
    let answer = client.database("admin").run_command(doc! { "ping": 1 }).await;
    // Closes the pool's sockets now instead of in the background after the call answered.
    client.shutdown().await;
    answer.map(|_| server).map_err(scrub)
}

fn classify(e: mongodb::error::Error, url: &str) -> Failure {
    // The kind's own message: the error's Display adds labels and nested sources around it.
    let message = match e.kind.as_ref() {
        ErrorKind::Authentication { message, .. }
        | ErrorKind::ServerSelection { message, .. }
        | ErrorKind::DnsResolve { message, .. }
        | ErrorKind::InvalidArgument { message, .. }
        | ErrorKind::InvalidTlsConfig { message, .. } => message.clone(),
        _ => e.to_string(),
    };
    let message = scrub(&message, url);
    match e.kind.as_ref() {
        ErrorKind::Authentication { .. } => Failure::Refused(message),
        ErrorKind::Command(c) if c.code == AUTHENTICATION_FAILED => Failure::Refused(message),
        ErrorKind::InvalidArgument { .. } | ErrorKind::InvalidTlsConfig { .. } => Failure::Invalid(message),
        _ => Failure::Unreachable(message),
    }
}

/// `message` with the password of `url` (as written, and percent-decoded) replaced.
pub fn scrub(message: &str, url: &str) -> String {
    let authority = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = authority.split(['/', '?']).next().unwrap_or_default();
    let Some((_, password)) = authority.rsplit_once('@').and_then(|(userinfo, _)| userinfo.split_once(':')) else {
        return message.to_string();
    };
    let mut out = message.to_string();
    for form in [password.to_string(), percent_decode(password)] {
        if !form.is_empty() {
            out = out.replace(&form, "[redacted]");
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Failure {
    /// The typed error a required verification answers, naming the cluster.
    pub fn into_error(self, cluster: &str, reach: Duration) -> Error {
        match self {
            Failure::Unreachable(m) => Error::new(
                ErrorCode::Network,
                format!(
                    "could not reach cluster '{cluster}' within {} s to verify its connection string ({m}); is this \
                     machine's address in the project's IP access list (cloud.connections.syncNetworkAccess)?",
                    reach.as_secs_f64()
                ),
            ),
            Failure::Refused(m) => Error::new(
                ErrorCode::FailedPrecondition,
                format!("cluster '{cluster}' refused the connection string's login ({m})"),
            )
            .with_details(serde_json::json!({ "reason": "authentication_failed" })),
            Failure::Invalid(m) => Error::new(
                ErrorCode::FailedPrecondition,
                format!("the driver did not accept the connection string of cluster '{cluster}' ({m})"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_removes_the_password_raw_and_decoded() {
        let url = "mongodb://ductape-user:p%40ss-W0rd%2F1@host.example:27017/?tls=true";
        let m = "auth failed for ductape-user with p@ss-W0rd/1 (p%40ss-W0rd%2F1) at host.example:27017";
        assert_eq!(scrub(m, url), "auth failed for ductape-user with [redacted] ([redacted]) at host.example:27017");
        assert_eq!(scrub("no user info here", "mongodb+srv://c0.example.net"), "no user info here");
    }
}
