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
//! - TLS through rustls (ring) whenever the server offers it (tokio-postgres's `sslmode`:
//!   `prefer` by default, `require` refuses a server without it), verifying the server's
//!   certificate against the bundled Mozilla roots plus `sslrootcert=<PEM file>` from the URL.
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
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{FromSql, IsNull, ToSql, Type};

/// The first `pg_advisory_xact_lock` key of every write transaction ("duct"); the second is
/// the hash of the workspace's schema, so workspaces in different schemas of one database do
/// not wait for each other (a hash collision only makes two of them queue on one lock).
const WRITE_LOCK_CLASS: i32 = 0x6475_6374;
/// How long a transaction is retried while it meets transient failures, in total.
const PATIENCE: Duration = Duration::from_secs(60);
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

/// Takes `sslrootcert=<path>` (libpq's name) out of the URL's query: tokio-postgres does not
/// know it, and it names the CA file to trust besides the bundled roots.
fn split_root_cert(url: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_string(), None);
    };
    let mut root = None;
    let rest: Vec<&str> = query
        .split('&')
        .filter(|kv| match kv.strip_prefix("sslrootcert=") {
            Some(path) => {
                root = Some(path.to_string());
                false
            }
            None => true,
        })
        .collect();
    let url = if rest.is_empty() { base.to_string() } else { format!("{base}?{}", rest.join("&")) };
    (url, root)
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
                tokio_postgres::config::Host::Tcp(h) => h.clone(),
                #[cfg(unix)]
                tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
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

/// Parses a `workspace_url` (without connecting): tokio-postgres's configuration and the
/// `sslrootcert` file, if any.
fn parse(url: &SecretString) -> Result<(tokio_postgres::Config, Option<String>)> {
    let text = url.expose().trim();
    if !(text.starts_with("postgres://") || text.starts_with("postgresql://")) {
        return Err(invalid_url("must start with postgres:// or postgresql://"));
    }
    let (text, root_cert) = split_root_cert(text);
    // tokio-postgres's parse errors name the option, never its value.
    let config = tokio_postgres::Config::from_str(&text).map_err(invalid_url)?;
    if config.get_hosts().is_empty() {
        return Err(invalid_url("names no host (postgres://user:password@host:port/database)"));
    }
    Ok((config, root_cert))
}

/// Checks a `workspace_url` when the options are read (no connection is made).
pub fn check_url(url: &SecretString) -> Result<()> {
    parse(url).map(|_| ())
}

impl Postgres {
    /// Builds the pool for `url` (a `postgres://` URL); connects on first use.
    pub fn open(url: &SecretString) -> Result<Postgres> {
        let (mut config, root_cert) = parse(url)?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let ours = format!(
            "-c statement_timeout={STATEMENT_TIMEOUT_MS} -c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_TIMEOUT_MS}"
        );
        let options = match config.get_options() {
            Some(theirs) if !theirs.trim().is_empty() => format!("{ours} {theirs}"),
            _ => ours,
        };
        config.options(options);
        let location = shown(&config);
        let manager = Manager::from_config(
            config,
            tls(root_cert.as_deref())?,
            ManagerConfig { recycling_method: RecyclingMethod::Fast },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_MAX)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(POOL_WAIT))
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
                    "every connection to the workspace database {} stayed in use for {}s ({POOL_MAX} at most)",
                    self.location,
                    POOL_WAIT.as_secs()
                ),
            )
            .with_details(serde_json::json!({ "pool": "full" }))),
            // Cannot connect (yet): the server restarting, a network blip. Retried as busy.
            Err(PoolError::Backend(e)) => Err(db_error("connect to", classify(&e))),
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

    fn read_tx(&self, f: &mut dyn FnMut(&Connection) -> Result<()>) -> Result<()> {
        let s = self.session()?;
        s.run_batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").map_err(|e| db_error("read", e))?;
        let out = f(&s);
        let end = s.run_batch(if out.is_ok() { "COMMIT" } else { "ROLLBACK" });
        out?;
        end.map_err(|e| db_error("read", e))
    }

    fn write(&self, f: &mut dyn FnMut(&Connection) -> Result<()>) -> Result<()> {
        self.retrying("write", || self.attempt_write(f))
    }

    fn migrate(&self) -> Result<()> {
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
    // No server answer: the connection closed or could not be made (I/O, TLS, timeout).
    DbError::new(DbErrorKind::Busy, e.to_string())
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_cert_parameter_is_taken_out_of_the_url() {
        assert_eq!(
            split_root_cert("postgres://u@h/db?sslmode=require&sslrootcert=/tmp/ca.pem"),
            ("postgres://u@h/db?sslmode=require".to_string(), Some("/tmp/ca.pem".to_string()))
        );
        assert_eq!(
            split_root_cert("postgres://u@h/db?sslrootcert=ca.pem"),
            ("postgres://u@h/db".into(), Some("ca.pem".into()))
        );
        assert_eq!(split_root_cert("postgres://u@h/db"), ("postgres://u@h/db".into(), None));
    }

    #[test]
    fn the_location_never_shows_the_password() {
        let c = tokio_postgres::Config::from_str("postgres://alice:s3cret-pw@db.example:5433/team").unwrap();
        assert_eq!(shown(&c), "postgres://alice@db.example:5433/team");
        let e = Postgres::open(&SecretString::new("mysql://alice:s3cret-pw@h/db")).err().unwrap();
        assert_eq!(e.field.as_deref(), Some("workspace_url"));
        assert!(!e.message.contains("s3cret"), "{}", e.message);
    }
}
