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
    /// No server answered within the time allowed (TCP, TLS, server selection).
    Unreachable(String),
    /// The string's host name does not resolve from here: what was looked up, and whether DNS
    /// answered that it has no such record (else the lookup itself failed).
    NoDns { name: String, no_record: bool },
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
    check_userinfo(url.expose())?;
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
        // The resolver's own text is Rust Debug output (`Query { name: Name(..) }`): the name
        // looked up is said from the string instead.
        ErrorKind::DnsResolve { .. } => {
            Failure::NoDns { name: dns_name(url), no_record: message.contains("no records found") }
        }
        ErrorKind::Authentication { .. } => Failure::Refused(message),
        ErrorKind::Command(c) if c.code == AUTHENTICATION_FAILED => Failure::Refused(message),
        ErrorKind::InvalidArgument { .. } | ErrorKind::InvalidTlsConfig { .. } => Failure::Invalid(message),
        _ => Failure::Unreachable(message),
    }
}

/// `message` with the user info of `url` (as written, and percent-decoded) replaced: the whole
/// span, never the password's text alone, which for a short password would redact (and so point
/// out) every matching letter of ordinary words.
pub fn scrub(message: &str, url: &str) -> String {
    let Some(info) = userinfo(url).filter(|i| !i.is_empty()) else {
        return message.to_string();
    };
    let mut out = message.to_string();
    for form in [info.to_string(), percent_decode(info)] {
        out = out.replace(&form, "[redacted]");
    }
    out
}

/// The user info of `url`: from `://` to the last `@`. The last, because the host list holds no
/// `@` while a password with an unescaped `@`, `/`, `?` or `#` may; the first `/` or `?` would
/// cut such a password in two and leave its second half unredacted.
fn userinfo(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    rest.rfind('@').map(|at| &rest[..at])
}

/// Whether a connection string names a user: its [`userinfo`] has one. Hosts and the usual
/// options never hold `@`, so a string without one has no login to verify.
pub fn has_login(url: &str) -> bool {
    userinfo(url).is_some_and(|i| !i.is_empty() && !i.starts_with(':'))
}

/// Refuses user info the driver would read otherwise than [`userinfo`] (it ends the user info at
/// the last `@` before the first `?`, then quotes the pieces as a host, a port or an option in
/// its error), so the driver never sees a password it would split. The message names the rule,
/// never the text.
fn check_userinfo(url: &str) -> Result<(), Failure> {
    let Some(info) = userinfo(url) else { return Ok(()) };
    let escapes_whole =
        info.split('%').skip(1).all(|p| p.as_bytes().get(..2).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)));
    if info.contains(['@', '/', '?', '#', '[', ']']) || info.matches(':').count() > 1 || !escapes_whole {
        return Err(Failure::Invalid(
            "the user name and password must be percent-encoded ('@' as %40, ':' as %3A, '/' as %2F, '?' as %3F, \
             '#' as %23, '%' as %25), and so must an '@' in the options; the string is not repeated here"
                .into(),
        ));
    }
    Ok(())
}

/// The DNS name a driver looks up for `url`: `_mongodb._tcp.<host>` (SRV) for `mongodb+srv://`,
/// else the first host. Taken after the user info, so no credential is in it.
fn dns_name(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("mongodb", url));
    let hosts = userinfo(url).map_or(rest, |info| &rest[info.len() + 1..]);
    let host = hosts.split(['/', '?', ',']).next().unwrap_or_default();
    if scheme == "mongodb+srv" {
        format!("_mongodb._tcp.{host}")
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h).to_string()
    }
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
            Failure::NoDns { name, no_record } => {
                let what = if no_record {
                    format!("DNS has no record for {name}")
                } else {
                    format!("the DNS lookup of {name} failed")
                };
                Error::new(
                    ErrorCode::Network,
                    format!(
                        "could not reach cluster '{cluster}': {what}, so its string does not resolve from here. Check \
                         the name and this machine's DNS (a private endpoint's name resolves only inside its network); \
                         an Atlas stand-in without DNS, such as the bundled simulator, needs connection_type: \
                         \"standard\""
                    ),
                )
                .with_details(serde_json::json!({ "reason": "dns", "name": name }))
            }
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
    fn a_login_is_a_user_before_an_at() {
        assert!(has_login("mongodb+srv://u:p@cluster0.example.net/?tls=true"));
        assert!(has_login("mongodb://u:p/w?@h:27017"), "an unescaped password still counts");
        for no in
            ["mongodb://h:27017/", "mongodb+srv://cluster0.example.net/?tls=true", "mongodb://@h/", "mongodb://:p@h/"]
        {
            assert!(!has_login(no), "{no}");
        }
    }

    #[test]
    fn the_dns_name_is_said_from_the_string_without_its_user_info() {
        assert_eq!(
            dns_name("mongodb+srv://u:p%40w@cluster0.x1y2z.mongodb.net/?tls=true"),
            "_mongodb._tcp.cluster0.x1y2z.mongodb.net"
        );
        assert_eq!(dns_name("mongodb://u:p@h1.example:27017,h2.example:27017/?tls=true"), "h1.example");
        let e = Failure::NoDns { name: "_mongodb._tcp.c0.example".into(), no_record: true }
            .into_error("Cluster0", Duration::from_secs(10));
        assert_eq!(e.code, ErrorCode::Network);
        assert!(
            e.message
                .starts_with("could not reach cluster 'Cluster0': DNS has no record for _mongodb._tcp.c0.example,"),
            "{}",
            e.message
        );
        assert!(!e.message.contains("within") && !e.message.contains("Query {"), "{}", e.message);
    }

    #[test]
    fn scrub_removes_the_user_info_raw_and_decoded() {
        let url = "mongodb://ductape-user:p%40ss-W0rd%2F1@host.example:27017/?tls=true";
        let m = "auth failed for ductape-user:p@ss-W0rd/1 (mongodb://ductape-user:p%40ss-W0rd%2F1@host.example:27017)";
        assert_eq!(scrub(m, url), "auth failed for [redacted] (mongodb://[redacted]@host.example:27017)");
        assert_eq!(scrub("no user info here", "mongodb+srv://c0.example.net"), "no user info here");
    }

    /// Every 3-character piece of `secret`: none may be in a message.
    fn assert_no_piece(message: &str, secret: &str) {
        let chars: Vec<char> = secret.chars().collect();
        for piece in chars.windows(3).map(|w| w.iter().collect::<String>()) {
            assert!(!message.contains(&piece), "'{piece}' of the password is in: {message}");
        }
    }

    /// Passwords whose `?`, `@`, `/`, `#` were not escaped: the user info still ends at the last `@`.
    const MALFORMED: &[&str] = &["Kq7?Vx9Zw", "Kq7@Vx9Zw", "Kq7/Vx9Zw", "Kq7#Vx9Zw", "Kq7?V@x/9#Zw"];

    #[test]
    fn scrub_removes_a_malformed_user_info_whole() {
        for password in MALFORMED {
            let url = format!("mongodb://ductape-user:{password}@host.example:27017/?tls=true");
            let m = format!("could not use {url} now");
            assert_eq!(scrub(&m, &url), "could not use mongodb://[redacted]@host.example:27017/?tls=true now");
        }
    }

    #[test]
    fn scrub_of_a_short_password_keeps_ordinary_words() {
        for password in ["a", "on"] {
            let url = format!("mongodb://u:{password}@cluster.example:27017/");
            let m = format!("SCRAM failure: Authentication failed on a server of {url}");
            assert_eq!(
                scrub(&m, &url),
                "SCRAM failure: Authentication failed on a server of mongodb://[redacted]@cluster.example:27017/"
            );
        }
    }

    #[tokio::test]
    async fn a_malformed_user_info_is_refused_without_the_password_in_the_message() {
        for password in MALFORMED {
            let url = SecretString::new(format!("mongodb://ductape-user:{password}@host.example:27017/?appName=a"));
            let failure = client_options(&url, None, Duration::from_millis(100)).await.err();
            let Some(Failure::Invalid(m)) = failure else { panic!("{password}: not refused as invalid: {failure:?}") };
            assert_no_piece(&m, password);
            assert!(m.contains("percent-encode"), "{m}");
        }
    }
}
