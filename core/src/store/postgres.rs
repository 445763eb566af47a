//! The shared engine: a PostgreSQL database that many machines use at once
//! (`workspace_url: postgres://...`, or `$DUCTAPE_WORKSPACE_URL`). See docs/postgres.md.
//!
//! - Writes: `BEGIN` (read committed), then `pg_advisory_xact_lock` on the workspace's write
//!   lock, then the body, then `COMMIT`. Every writer of the database, on any machine, queues
//!   on that lock, so a write transaction sees every write committed before it as SQLite's
//!   `BEGIN IMMEDIATE` does (read committed takes a fresh snapshot per statement, and every
//!   statement of the body runs after the lock was granted). The lock ends with the
//!   transaction, also when its holder's connection drops (a crashed machine holds nothing).
//! - Transient failures (a serialization conflict, the server restarting, a dropped
//!   connection, no connection possible yet) run the whole transaction again for up to a
//!   minute; a connection lost during `COMMIT` is not retried (it may have committed) but
//!   answered as a `workspace` error with `details.outcome = "unknown"`.
//! - Every statement runs under `statement_timeout` (a timed-out one is a `workspace` error
//!   with `details.timeout`); a session idle inside a transaction is ended by the server.
//! - The pool holds at most [`POOL_MAX`] connections; waiting longer than [`POOL_WAIT`] for one
//!   is a `workspace` error with `details.pool = "full"`.
//! - TLS through rustls (ring), verifying the server's certificate against the bundled Mozilla
//!   roots plus `sslrootcert=<PEM file>` from the URL. Required unless the URL says
//!   `sslmode=disable` or every host is loopback (see [`ssl_mode`]).
//!
//! The driver is async (tokio-postgres); the store's transaction bodies are synchronous code,
//! so each statement waits for its future on the calling thread (a blocking-pool thread or a
//! foreign caller's own, as for SQLite), while the connections' I/O tasks run on the core's
//! runtime.

use super::schema;
use super::sql::{
    numbered_placeholders, params, Connection, DbError, DbErrorKind, Param, Row, Session, Value, ValueRef,
};
use super::{db_error, is_busy_error, Engine};
use crate::crypto::SecretString;
use crate::error::{Error, ErrorCode, Result};
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, PoolError, RecyclingMethod, Runtime};
use std::future::Future;
use std::net::IpAddr;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_postgres::config::{Host, SslMode};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{FromSql, IsNull, ToSql, Type};

/// The first `pg_advisory_xact_lock` key of every write transaction ("duct"); the second is
/// the hash of the workspace's schema, so workspaces in different schemas of one database do
/// not wait for each other (a hash collision only makes two of them queue on one lock).
const WRITE_LOCK_CLASS: i32 = 0x6475_6374;
/// How long a transaction is retried while it meets transient failures, in total.
const PATIENCE: Duration = Duration::from_secs(60);
/// The pool's bound and wait by default (the URL's `pool_size` and `pool_timeout` change them).
pub const POOL_MAX: usize = 16;
const POOL_WAIT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Longer than any write the core makes (a key rotation of 100,000 secrets included), shorter
/// than the write patience, so a statement stuck behind a lock ends as a typed error.
const STATEMENT_TIMEOUT_MS: u64 = 60_000;
const IDLE_IN_TRANSACTION_TIMEOUT_MS: u64 = 300_000;

pub struct Postgres {
    pool: Pool,
    location: String,
}

/// Waits for `f` on this thread, inside the core runtime's context (the pool's timers and the
/// connections' I/O tasks live there).
fn wait<F: Future>(f: F) -> F::Output {
    let _runtime = crate::runtime::handle().enter();
    futures_executor::block_on(f)
}

fn invalid_url(message: impl std::fmt::Display) -> Error {
    Error::invalid("workspace_url", format!("workspace_url: {message}"))
}

/// What the URL's query says to the core rather than to the driver (tokio-postgres would refuse
/// these names): `sslrootcert=<PEM file>` (libpq's name: a CA to trust besides the bundled
/// roots), `pool_size=<1..=256>` and `pool_timeout=<seconds>` (the pool's bound and how long a
/// caller waits for a free connection, as SQLAlchemy names them).
#[derive(Debug, PartialEq)]
struct Ours {
    root_cert: Option<String>,
    pool_size: usize,
    pool_timeout: Duration,
    /// Whether the URL names an `sslmode` (which the driver reads too): [`ssl_mode`] needs to
    /// tell `prefer` given from `prefer` by default.
    ssl_mode_given: bool,
}

/// Splits the URL into what goes to the driver and [`Ours`]. The query starts at the first `?`
/// after the `@`: one inside the password is the password's (as tokio-postgres reads it).
fn split_ours(url: &str) -> Result<(String, Ours)> {
    let mut ours = Ours { root_cert: None, pool_size: POOL_MAX, pool_timeout: POOL_WAIT, ssl_mode_given: false };
    let host_start = url.rfind('@').map_or(0, |at| at + 1);
    let Some(q) = url[host_start..].find('?').map(|q| host_start + q) else {
        return Ok((url.to_string(), ours));
    };
    let (base, query) = (&url[..q], &url[q + 1..]);
    let mut rest = Vec::new();
    for kv in query.split('&') {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        match k {
            "sslrootcert" => ours.root_cert = Some(v.to_string()),
            "pool_size" => {
                ours.pool_size =
                    v.parse().ok().filter(|n| (1..=256).contains(n)).ok_or_else(|| {
                        invalid_url(format!("pool_size must be a whole number from 1 to 256, not {v:?}"))
                    })?
            }
            "pool_timeout" => {
                ours.pool_timeout = v
                    .parse::<u64>()
                    .ok()
                    .filter(|s| (1..=3600).contains(s))
                    .map(Duration::from_secs)
                    .ok_or_else(|| invalid_url(format!("pool_timeout must be seconds from 1 to 3600, not {v:?}")))?
            }
            "sslmode" => {
                ours.ssl_mode_given = true;
                rest.push(kv)
            }
            _ => rest.push(kv),
        }
    }
    let url = if rest.is_empty() { base.to_string() } else { format!("{base}?{}", rest.join("&")) };
    Ok((url, ours))
}

fn tls(root_cert: Option<&str>) -> Result<tokio_postgres_rustls::MakeRustlsConnect> {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    if let Some(path) = root_cert {
        let certs = rustls::pki_types::CertificateDer::pem_file_iter(path)
            .and_then(|it| it.collect::<std::result::Result<Vec<_>, _>>())
            .map_err(|e| invalid_url(format!("sslrootcert {path}: {e}")))?;
        if certs.is_empty() {
            return Err(invalid_url(format!("sslrootcert {path} holds no PEM certificate")));
        }
        for c in certs {
            roots.add(c).map_err(|e| invalid_url(format!("sslrootcert {path}: {e}")))?;
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::new(ErrorCode::Internal, format!("TLS setup failed: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// `postgres://user@host:port/db`: where the workspace is, without the password.
fn shown(config: &tokio_postgres::Config) -> String {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let host = match h {
                Host::Tcp(h) => h.clone(),
                #[cfg(unix)]
                Host::Unix(p) => p.display().to_string(),
            };
            match config.get_ports().get(i).or(config.get_ports().first()) {
                Some(p) => format!("{host}:{p}"),
                None => host,
            }
        })
        .collect();
    let user = config.get_user().map(|u| format!("{u}@")).unwrap_or_default();
    format!("postgres://{user}{}/{}", hosts.join(","), config.get_dbname().unwrap_or(""))
}

/// Parses a `workspace_url` (without connecting): tokio-postgres's configuration and [`Ours`].
fn parse(url: &SecretString) -> Result<(tokio_postgres::Config, Ours)> {
    let text = url.expose().trim();
    if !(text.starts_with("postgres://") || text.starts_with("postgresql://")) {
        return Err(invalid_url("must start with postgres:// or postgresql://"));
    }
    // tokio-postgres ends the user name and password at the first '@': after a second one
    // (unescaped in the password, or in a parameter) the rest of the password would be the host,
    // which every message shows.
    if text.matches('@').count() > 1 {
        return Err(invalid_url(
            "holds more than one '@': the one before the host ends the user name and password; write any other \
             (in the password or a parameter) as %40",
        ));
    }
    let (text, ours) = split_ours(text)?;
    // tokio-postgres's parse errors name the option, never its value.
    let mut config = tokio_postgres::Config::from_str(&text).map_err(invalid_url)?;
    if config.get_hosts().is_empty() {
        return Err(invalid_url("names no host (postgres://user:password@host:port/database)"));
    }
    config.ssl_mode(ssl_mode(&config, ours.ssl_mode_given));
    Ok((config, ours))
}

/// The URL's `sslmode=disable` connects in plain text, knowingly. With every host on loopback
/// and no `sslmode`, TLS is used when the server offers it (tokio-postgres's `prefer`, as
/// before). Anywhere else TLS is required, `sslmode=prefer` included: `prefer` goes on in plain
/// text when the server, or anyone in the path, answers that there is no TLS, and the password
/// would follow in clear text. Unix sockets only: no TLS, whatever the URL says (PostgreSQL has
/// none there and libpq ignores `sslmode`; the TLS connector, with no host name to verify, would
/// fail every connection).
fn ssl_mode(config: &tokio_postgres::Config, given: bool) -> SslMode {
    if only_unix_sockets(config) {
        return SslMode::Disable;
    }
    match (given, config.get_ssl_mode()) {
        (true, SslMode::Disable) => SslMode::Disable,
        (true, SslMode::Require) => SslMode::Require,
        _ if on_loopback(config) => SslMode::Prefer,
        _ => SslMode::Require,
    }
}

fn only_unix_sockets(config: &tokio_postgres::Config) -> bool {
    #[cfg(unix)]
    let unix = |h: &Host| matches!(h, Host::Unix(_));
    #[cfg(not(unix))]
    let unix = |_: &Host| false;
    config.get_hostaddrs().is_empty() && config.get_hosts().iter().all(unix)
}

/// Every host is this machine: `localhost`, 127.0.0.0/8, `::1` or a unix socket, and so is
/// every `hostaddr` (the address actually dialled when given).
fn on_loopback(config: &tokio_postgres::Config) -> bool {
    let local = |h: &Host| match h {
        Host::Tcp(name) => {
            name.eq_ignore_ascii_case("localhost") || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
        }
        #[cfg(unix)]
        Host::Unix(_) => true,
    };
    config.get_hosts().iter().all(local) && config.get_hostaddrs().iter().all(IpAddr::is_loopback)
}

/// Checks a `workspace_url` when the options are read (no connection is made).
pub fn check_url(url: &SecretString) -> Result<()> {
    parse(url).map(|_| ())
}

impl Postgres {
    /// Builds the pool for `url` (a `postgres://` URL); connects on first use.
    pub fn open(url: &SecretString) -> Result<Postgres> {
        let (mut config, ours) = parse(url)?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let settings = format!(
            "-c statement_timeout={STATEMENT_TIMEOUT_MS} -c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_TIMEOUT_MS}"
        );
        let options = match config.get_options() {
            Some(theirs) if !theirs.trim().is_empty() => format!("{settings} {theirs}"),
            _ => settings,
        };
        config.options(options);
        let location = shown(&config);
        let recycling = ManagerConfig { recycling_method: RecyclingMethod::Fast };
        // The TLS connector refuses a unix socket's empty host name before the mode is looked at.
        let manager = if only_unix_sockets(&config) {
            Manager::from_config(config, tokio_postgres::NoTls, recycling)
        } else {
            Manager::from_config(config, tls(ours.root_cert.as_deref())?, recycling)
        };
        let pool = Pool::builder(manager)
            .max_size(ours.pool_size)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(ours.pool_timeout))
            .create_timeout(Some(CONNECT_TIMEOUT))
            .recycle_timeout(Some(Duration::from_secs(5)))
            .build()
            .map_err(|e| Error::new(ErrorCode::Internal, format!("could not build the PostgreSQL pool: {e}")))?;
        Ok(Postgres { pool, location })
    }

    fn session(&self) -> Result<PgSession> {
        match wait(self.pool.get()) {
            Ok(client) => Ok(PgSession { client }),
            Err(PoolError::Timeout(deadpool_postgres::TimeoutType::Wait)) => Err(Error::new(
                ErrorCode::Workspace,
                format!(
                    "every connection to the workspace database {} stayed in use for {}s ({} at most; the URL's \
                     pool_size and pool_timeout set these)",
                    self.location,
                    self.pool.timeouts().wait.unwrap_or_default().as_secs(),
                    self.pool.status().max_size
                ),
            )
            .with_details(serde_json::json!({ "pool": "full" }))),
            // Cannot connect (yet): the server restarting, a network blip. Retried as busy.
            Err(PoolError::Backend(e)) => Err(connect_error(&e)),
            Err(e) => Err(db_error("connect to", DbError::new(DbErrorKind::Busy, e.to_string()))),
        }
    }

    /// Runs `attempt` again while it fails transiently, for up to [`PATIENCE`].
    fn retrying(&self, what: &str, mut attempt: impl FnMut() -> Result<()>) -> Result<()> {
        let started = Instant::now();
        let mut pause = Duration::from_millis(5);
        loop {
            match attempt() {
                Err(e) if is_busy_error(&e) => {
                    if started.elapsed() > PATIENCE {
                        return Err(Error::new(
                            ErrorCode::Workspace,
                            format!(
                                "could not {what} the workspace {} for {}s: {}",
                                self.location,
                                PATIENCE.as_secs(),
                                e.message
                            ),
                        ));
                    }
                    tracing::debug!(error = %e.message, "workspace database busy; retrying");
                    std::thread::sleep(pause + Duration::from_micros(rand::random::<u64>() % 5000));
                    pause = (pause * 2).min(Duration::from_millis(500));
                }
                other => return other,
            }
        }
    }

    /// Creates the workspace's schema (the first of the URL's `search_path`) when it does not
    /// exist yet, so a new workspace needs nothing made beforehand. Only then: creating needs
    /// the database's CREATE privilege, which a user of an existing schema may lack.
    fn create_missing_schema(&self) -> Result<()> {
        self.retrying("create", || {
            let session = self.session()?;
            let s: &Connection = &session;
            let m = |e| db_error("create the schema of", e);
            let path: Option<String> = s
                .query_row(
                    "SELECT CASE WHEN current_schema() IS NULL THEN current_setting('search_path') END",
                    params![],
                    |r| r.get(0),
                )
                .map_err(m)?;
            let Some(Some(name)) = path.as_deref().map(first_schema) else { return Ok(()) };
            tracing::info!(schema = %name, "creating the workspace schema");
            // under the write lock its writers will take, so two first openers do not race
            s.run_batch("BEGIN").map_err(m)?;
            let made = s
                .execute("SELECT pg_advisory_xact_lock(?1, hashtext(?2))", params![WRITE_LOCK_CLASS, name.as_str()])
                .and_then(|_| s.run_batch(&format!("CREATE SCHEMA IF NOT EXISTS {}", quoted(&name))))
                .and_then(|_| s.run_batch("COMMIT"));
            if made.is_err() {
                let _ = s.run_batch("ROLLBACK");
            }
            made.map_err(m)
        })
    }

    fn attempt_write(&self, f: &mut dyn FnMut(&Connection) -> Result<()>) -> Result<()> {
        let s = self.session()?;
        s.run_batch("BEGIN").map_err(|e| db_error("write", e))?;
        let body = s
            .run("SELECT pg_advisory_xact_lock(?1, hashtext(current_schema()))", params![WRITE_LOCK_CLASS])
            .map_err(|e| db_error("lock", e))
            .and_then(|_| f(&s));
        if let Err(e) = body {
            // A broken connection rolled back by itself; the pool drops it.
            let _ = s.run_batch("ROLLBACK");
            return Err(e);
        }
        s.run_batch("COMMIT").map_err(|e| {
            if e.kind == DbErrorKind::Busy && s.client.is_closed() {
                db_error("commit", DbError::new(DbErrorKind::UnknownOutcome, e.message))
            } else {
                db_error("commit", e)
            }
        })
    }
}

/// The schema a `search_path` setting names first, as the server spells it (unquoted names
/// fold to lower case); `$user` and an empty path name none.
fn first_schema(search_path: &str) -> Option<String> {
    let first = search_path.split(',').next()?.trim();
    let name = match first.strip_prefix('"').and_then(|f| f.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => first.to_lowercase(),
    };
    (!name.is_empty() && name != "$user").then_some(name)
}

fn quoted(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

impl Engine for Postgres {
    fn location(&self) -> String {
        self.location.clone()
    }

    fn db_path(&self) -> Option<&Path> {
        None
    }

    fn read(&self, f: &mut dyn FnMut(&Connection) -> Result<()>) -> Result<()> {
        self.retrying("read", || f(&self.session()?))
    }

    fn write(&self, f: &mut dyn FnMut(&Connection) -> Result<()>) -> Result<()> {
        self.retrying("write", || self.attempt_write(f))
    }

    fn migrate(&self) -> Result<()> {
        self.create_missing_schema()?;
        self.write(&mut |tx| {
            let m = |e| db_error("migrate", e);
            tx.execute_batch("CREATE TABLE IF NOT EXISTS ductape_schema (version BIGINT NOT NULL)").map_err(m)?;
            let version: Option<i64> =
                tx.query_row("SELECT max(version) FROM ductape_schema", params![], |r| r.get(0)).map_err(m)?;
            let version = version.unwrap_or(0);
            let known = schema::POSTGRES_MIGRATIONS.len() as i64;
            if version > known {
                return Err(super::newer_schema(&self.location, version, known));
            }
            for (i, sql) in schema::POSTGRES_MIGRATIONS.iter().enumerate().skip(version as usize) {
                tracing::info!(version = i + 1, "applying workspace migration (PostgreSQL)");
                tx.execute_batch(sql).map_err(m)?;
            }
            if version < known {
                tx.execute_batch("DELETE FROM ductape_schema").map_err(m)?;
                tx.execute("INSERT INTO ductape_schema (version) VALUES (?1)", params![known]).map_err(m)?;
            }
            Ok(())
        })
    }
}

/// A pooled connection; statements are prepared once per connection (the pool's cache).
struct PgSession {
    client: Object,
}

/// What callers act on, from tokio-postgres's error. Only the server's message and code are
/// kept: its `detail` may quote a row's values.
fn classify(e: &tokio_postgres::Error) -> DbError {
    if let Some(db) = e.as_db_error() {
        let code = db.code();
        let kind = if [
            SqlState::UNIQUE_VIOLATION,
            SqlState::FOREIGN_KEY_VIOLATION,
            SqlState::NOT_NULL_VIOLATION,
            SqlState::CHECK_VIOLATION,
        ]
        .contains(code)
        {
            DbErrorKind::Constraint
        } else if [
            SqlState::T_R_SERIALIZATION_FAILURE,
            SqlState::T_R_DEADLOCK_DETECTED,
            SqlState::ADMIN_SHUTDOWN,
            SqlState::CRASH_SHUTDOWN,
            SqlState::CANNOT_CONNECT_NOW,
            SqlState::TOO_MANY_CONNECTIONS,
        ]
        .contains(code)
        {
            DbErrorKind::Busy
        } else if *code == SqlState::QUERY_CANCELED {
            DbErrorKind::Timeout
        } else {
            DbErrorKind::Other
        };
        return DbError::new(kind, format!("{} ({})", db.message(), code.code()));
    }
    if let Some(why) = tls_refused(e) {
        // the server's certificate or its missing TLS: no retry changes that
        return DbError::new(DbErrorKind::Other, format!("the TLS connection was refused: {why}"));
    }
    // No server answer: the connection closed or could not be made (I/O, timeout).
    DbError::new(DbErrorKind::Busy, e.to_string())
}

/// A failed connection; one the URL's TLS settings refused names `workspace_url`, what changes it.
fn connect_error(e: &tokio_postgres::Error) -> Error {
    let error = db_error("connect to", classify(e));
    match tls_refused(e) {
        Some(_) => error.with_field("workspace_url"),
        None => error,
    }
}

/// Why TLS could not be set up, when the cause is the server's certificate (untrusted, expired,
/// for another name) or a server without TLS where TLS is required; `None` for an I/O
/// failure during the handshake (a restarting server), which a retry may get past.
fn tls_refused(e: &tokio_postgres::Error) -> Option<String> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        // tokio-rustls reports rustls's error inside an io::Error, whose source() skips it
        let inner = err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .map(|i| i as &(dyn std::error::Error + 'static));
        for candidate in std::iter::once(err).chain(inner) {
            if let Some(rustls::Error::InvalidCertificate(why)) = candidate.downcast_ref::<rustls::Error>() {
                return Some(format!("the server's certificate is not trusted ({why:?}); sslrootcert=<PEM file> in the URL names a CA to trust"));
            }
            if candidate.to_string() == "server does not support TLS" {
                return Some(
                    "the server does not offer TLS, which a workspace off this machine's loopback needs so that the \
                     password never travels in clear text (sslmode=require, the default there); sslmode=disable in \
                     workspace_url connects without TLS where the network is trusted"
                        .into(),
                );
            }
        }
        cur = err.source();
    }
    None
}

struct PgParam<'a>(ValueRef<'a>);

impl std::fmt::Debug for PgParam<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // bound values may be ciphertext or other secrets' neighbours: never shown
        f.write_str("PgParam")
    }
}

type BoxError = Box<dyn std::error::Error + Sync + Send>;

impl ToSql for PgParam<'_> {
    fn to_sql(&self, ty: &Type, out: &mut bytes::BytesMut) -> std::result::Result<IsNull, BoxError> {
        match self.0 {
            ValueRef::Null => Ok(IsNull::Yes),
            ValueRef::Int(n) => match *ty {
                Type::INT8 => n.to_sql(ty, out),
                Type::INT4 => i32::try_from(n)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(n)?.to_sql(ty, out),
                Type::BOOL => (n != 0).to_sql(ty, out),
                _ => Err(format!("an integer for a {ty} parameter").into()),
            },
            ValueRef::Text(s) => s.to_sql(ty, out),
            ValueRef::Blob(b) => b.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    tokio_postgres::types::to_sql_checked!();
}

struct PgValue(Value);

impl<'a> FromSql<'a> for PgValue {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> std::result::Result<Self, BoxError> {
        Ok(PgValue(match *ty {
            Type::INT8 => Value::Int(i64::from_sql(ty, raw)?),
            Type::INT4 => Value::Int(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT2 => Value::Int(i64::from(i16::from_sql(ty, raw)?)),
            Type::BOOL => Value::Int(i64::from(bool::from_sql(ty, raw)?)),
            Type::BYTEA => Value::Blob(Vec::<u8>::from_sql(ty, raw)?),
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
                Value::Text(String::from_sql(ty, raw)?)
            }
            _ => return Err(format!("a {ty} column").into()),
        }))
    }

    fn from_sql_null(_: &Type) -> std::result::Result<Self, BoxError> {
        Ok(PgValue(Value::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

impl PgSession {
    async fn statement(&self, sql: &str) -> std::result::Result<tokio_postgres::Statement, DbError> {
        self.client.prepare_cached(&numbered_placeholders(sql)).await.map_err(|e| classify(&e))
    }
}

fn bound<'a>(params: &'a [&'a dyn Param]) -> Vec<PgParam<'a>> {
    params.iter().map(|p| PgParam(p.value())).collect()
}

fn as_sql<'a>(values: &'a [PgParam<'a>]) -> Vec<&'a (dyn ToSql + Sync)> {
    values.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

impl Session for PgSession {
    fn run(&self, sql: &str, params: &[&dyn Param]) -> std::result::Result<usize, DbError> {
        let values = bound(params);
        wait(async {
            let stmt = self.statement(sql).await?;
            let n = self.client.execute(&stmt, &as_sql(&values)).await.map_err(|e| classify(&e))?;
            Ok(n as usize)
        })
    }

    fn fetch(&self, sql: &str, params: &[&dyn Param]) -> std::result::Result<Vec<Row>, DbError> {
        let values = bound(params);
        let rows = wait(async {
            let stmt = self.statement(sql).await?;
            self.client.query(&stmt, &as_sql(&values)).await.map_err(|e| classify(&e))
        })?;
        rows.iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| {
                        r.try_get::<_, PgValue>(i)
                            .map(|v| v.0)
                            .map_err(|e| DbError::new(DbErrorKind::Conversion, format!("column {i}: {e}")))
                    })
                    .collect::<std::result::Result<Vec<_>, _>>()
                    .map(Row::new)
            })
            .collect()
    }

    fn run_batch(&self, sql: &str) -> std::result::Result<(), DbError> {
        wait(self.client.batch_execute(sql)).map_err(|e| classify(&e))
    }

    fn clock_ms(&self) -> std::result::Result<i64, DbError> {
        // The server's clock: machines whose own clocks disagree still agree on a lease.
        let rows = self.fetch("SELECT CAST(floor(extract(epoch FROM clock_timestamp()) * 1000) AS BIGINT)", &[])?;
        rows.first().ok_or_else(|| DbError::new(DbErrorKind::NoRows, "no clock reading"))?.get(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_core_s_parameters_are_taken_out_of_the_url() {
        let (url, ours) = split_ours("postgres://u@h/db?sslmode=require&sslrootcert=/tmp/ca.pem&pool_size=4").unwrap();
        assert_eq!(url, "postgres://u@h/db?sslmode=require");
        assert_eq!(
            ours,
            Ours { root_cert: Some("/tmp/ca.pem".into()), pool_size: 4, pool_timeout: POOL_WAIT, ssl_mode_given: true }
        );
        let (url, ours) = split_ours("postgres://u@h/db?pool_timeout=2").unwrap();
        assert_eq!(
            (url.as_str(), ours.pool_size, ours.pool_timeout),
            ("postgres://u@h/db", POOL_MAX, Duration::from_secs(2))
        );
        assert_eq!(split_ours("postgres://u@h/db").unwrap().0, "postgres://u@h/db");
        for bad in ["pool_size=0", "pool_size=257", "pool_size=x", "pool_timeout=0", "pool_timeout="] {
            let e = split_ours(&format!("postgres://u:pw@h/db?{bad}")).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("workspace_url"), "{bad}");
            assert!(e.message.contains(bad.split('=').next().unwrap()), "{bad}: {}", e.message);
        }
    }

    #[test]
    fn the_first_schema_of_a_search_path_is_spelled_as_the_server_spells_it() {
        assert_eq!(first_schema("team_a"), Some("team_a".into()));
        assert_eq!(first_schema("Team_A, public"), Some("team_a".into()));
        assert_eq!(first_schema("\"Team \"\"A\"\"\", public"), Some("Team \"A\"".into()));
        assert_eq!(first_schema("\"$user\", public"), None);
        assert_eq!(first_schema(""), None);
        assert_eq!(quoted("Team \"A\""), "\"Team \"\"A\"\"\"");
    }

    #[test]
    fn the_location_never_shows_the_password() {
        let c = tokio_postgres::Config::from_str("postgres://alice:s3cret-pw@db.example:5433/team").unwrap();
        assert_eq!(shown(&c), "postgres://alice@db.example:5433/team");
        let e = Postgres::open(&SecretString::new("mysql://alice:s3cret-pw@h/db")).err().unwrap();
        assert_eq!(e.field.as_deref(), Some("workspace_url"));
        assert!(!e.message.contains("s3cret"), "{}", e.message);
    }

    /// Passwords written wrongly (an unescaped `@`, `/`, `#`, `?`), a missing host, an escaped
    /// one: `(url, password as written)`. The password is a canary none of whose pieces is a word.
    const MALFORMED: &[(&str, &str)] = &[
        ("postgres://user:Zj7V@x9Kw@host/db", "Zj7V@x9Kw"),
        ("postgres://user:Zj7V@x9Kw/db@host/db", "Zj7V@x9Kw/db"),
        ("postgres://user:Zj7V/x9Kw@host", "Zj7V/x9Kw"),
        ("postgres://user:Zj7V#x9Kw@host", "Zj7V#x9Kw"),
        ("postgres://user:Zj7V?x9Kw@host/db", "Zj7V?x9Kw"),
        ("postgres://user:Zj7V?pool_size=x9Kw@host/db", "Zj7V?pool_size=x9Kw"),
        ("postgres://user:Zj7V?sslrootcert=x9Kw@host/db", "Zj7V?sslrootcert=x9Kw"),
        ("postgres://user:Zj7V@x9Kw?sslmode=require@host", "Zj7V@x9Kw?sslmode=require"),
        ("postgres://user:Zj7Vx9Kw@/db", "Zj7Vx9Kw"),
        ("postgres://user:Zj7Vx9Kw@", "Zj7Vx9Kw"),
        ("postgres://user:Zj7V%40x9Kw@host/db", "Zj7V%40x9Kw"),
    ];

    /// Every piece of 3 characters of `password` (as written and decoded) holding a character
    /// of the canary (the words around it, `pool_size=` and the like, may be shown).
    fn pieces(password: &str) -> Vec<String> {
        let decoded = password.replace("%40", "@");
        let windows =
            |p: &str| -> Vec<String> { p.chars().collect::<Vec<_>>().windows(3).map(|w| w.iter().collect()).collect() };
        [windows(password), windows(&decoded)]
            .concat()
            .into_iter()
            .filter(|w: &String| w.chars().any(|c| "Zj7Vx9Kw".contains(c)))
            .collect()
    }

    #[test]
    fn the_location_and_errors_of_a_malformed_url_show_no_piece_of_the_password() {
        for (url, password) in MALFORMED {
            let shown = match Postgres::open(&SecretString::new(*url)) {
                Ok(pg) => pg.location(),
                Err(e) => format!("{} {:?} {:?}", e.message, e.details, e),
            };
            for piece in pieces(password) {
                assert!(!shown.contains(&piece), "{url}: '{piece}' of the password is in: {shown}");
            }
        }
    }
    fn ssl_mode(url: &str) -> Result<tokio_postgres::config::SslMode> {
        parse(&SecretString::new(url)).map(|(c, _)| c.get_ssl_mode())
    }

    #[test]
    fn tls_is_required_unless_the_host_is_loopback_or_the_url_says_disable() {
        use tokio_postgres::config::SslMode::{Disable, Prefer, Require};
        for (url, want) in [
            ("postgres://u:pw@db.example/db", Require),
            ("postgres://u:pw@10.0.0.5:5433/db", Require),
            ("postgres://u:pw@db.example/db?sslmode=prefer", Require),
            ("postgres://u:pw@localhost,db.example/db", Require),
            ("postgres://u:pw@localhost/db?hostaddr=10.0.0.5", Require),
            ("postgres://u:pw@127.0.0.2/db?sslmode=require", Require),
            ("postgres://u:pw@db.example/db?sslmode=disable", Disable),
            ("postgres://u:pw@127.0.0.1:5432/db", Prefer),
            ("postgres://u:pw@127.9.8.7/db", Prefer),
            ("postgres://u:pw@LocalHost/db", Prefer),
            ("postgres://u:pw@[::1]:5432/db", Prefer),
            ("postgres://u:pw@%2Frun%2Fpostgresql/db", Disable),
            ("postgres://u:pw@%2Frun%2Fpostgresql/db?sslmode=require", Disable),
            ("postgres://u:pw@localhost/db?sslmode=prefer", Prefer),
            ("postgres://u:pw@db.example/db?hostaddr=127.0.0.1", Require),
        ] {
            assert_eq!(ssl_mode(url).unwrap(), want, "{url}");
        }
    }

    /// A server on loopback that declines TLS (`N`), then asks for the password in clear text
    /// and refuses it: what a stripped handshake looks like. Records what each client sent
    /// after the TLS answer (the startup message and the password message).
    fn declining_server() -> (u16, Arc<std::sync::Mutex<Vec<Vec<u8>>>>) {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for mut s in listener.incoming().flatten() {
                let mut ssl_request = [0u8; 8];
                if s.read_exact(&mut ssl_request).is_err() || s.write_all(b"N").is_err() {
                    continue;
                }
                let mut after = Vec::new();
                let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                let mut buf = [0u8; 4096];
                if let Ok(n) = s.read(&mut buf) {
                    after.extend_from_slice(&buf[..n]);
                }
                if after.is_empty() {
                    log.lock().unwrap().push(after);
                    continue;
                }
                let _ = s.write_all(&[b'R', 0, 0, 0, 8, 0, 0, 0, 3]); // AuthenticationCleartextPassword
                if let Ok(n) = s.read(&mut buf) {
                    after.extend_from_slice(&buf[..n]);
                }
                // Logged before the refusal goes out: the client reads the log once refused.
                log.lock().unwrap().push(after);
                let fields = b"SFATAL\0VFATAL\0C28P01\0Mpassword authentication failed\0\0";
                let mut refusal = vec![b'E'];
                refusal.extend_from_slice(&(fields.len() as u32 + 4).to_be_bytes());
                refusal.extend_from_slice(fields);
                let _ = s.write_all(&refusal);
            }
        });
        (port, seen)
    }

    fn contains(haystack: &[u8], needle: &str) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
    }

    #[test]
    fn a_server_that_declines_tls_gets_no_password_unless_it_is_on_loopback() {
        let (port, seen) = declining_server();
        // A name that is not loopback, reaching the test's server through `hostaddr`.
        let remote = format!("postgres://u:Zj7Vx9Kw-remote@db.example:{port}/db?hostaddr=127.0.0.1");
        let e = Postgres::open(&SecretString::new(remote)).unwrap().read(&mut |_| Ok(())).unwrap_err();
        let sent = seen.lock().unwrap().clone();
        assert!(!sent.iter().any(|s| contains(s, "Zj7Vx9Kw")), "the password went out in clear text");
        assert!(sent.iter().all(Vec::is_empty), "the client went on without TLS: {sent:?}");
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::Workspace, Some("workspace_url")), "{e:?}");
        assert!(e.message.contains("does not offer TLS") && e.message.contains("sslmode=disable"), "{}", e.message);

        // On loopback without sslmode the server may decline TLS (as before): the login goes on.
        // A server of its own, so no late attempt of the first client reaches this one's log.
        let (port, seen) = declining_server();
        let local = format!("postgres://u:Zj7Vx9Kw-local@127.0.0.1:{port}/db");
        let e = Postgres::open(&SecretString::new(local)).unwrap().read(&mut |_| Ok(())).unwrap_err();
        assert!(e.message.contains("password authentication failed"), "{}", e.message);
        assert!(seen.lock().unwrap().iter().any(|s| contains(s, "Zj7Vx9Kw-local")));
    }
}
