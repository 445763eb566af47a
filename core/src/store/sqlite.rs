//! The embedded engine: one SQLite file (`workspace.db`) in the workspace directory.
//!
//! - WAL journal, `busy_timeout`, and every write in a `BEGIN IMMEDIATE` transaction that is
//!   retried while another thread or process holds the write lock, so callers never see
//!   "database is locked" and read-modify-write sequences never lose an update.
//! - Schema migrations ([`schema::MIGRATIONS`]) run under the write lock on open, so two
//!   processes opening a new workspace at once migrate it once; `PRAGMA user_version` counts them.

use super::schema;
use super::sql::{params, Connection, DbError, DbErrorKind, Param, Row, Session, Value, ValueRef};
use super::{db_error, Engine};
use crate::error::{Error, ErrorCode, Result};
use rusqlite::types::{ToSqlOutput, ValueRef as SqliteRef};
use rusqlite::{ErrorCode as SqliteCode, OpenFlags, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a write waits for the lock, in total, before it fails.
pub const WRITE_LOCK_PATIENCE: Duration = Duration::from_secs(60);
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
const POOL_MAX: usize = 8;

pub struct Sqlite {
    db_path: PathBuf,
    pool: Mutex<Vec<rusqlite::Connection>>,
    /// Serialises this process's writers before they reach SQLite: queued on SQLite's own lock
    /// they would sleep in millisecond steps (8 concurrent writers ran 4x slower per write).
    /// Other processes still meet the lock and the busy retries below.
    writer: Mutex<()>,
}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        let kind = match e.sqlite_error_code() {
            Some(SqliteCode::DatabaseBusy) | Some(SqliteCode::DatabaseLocked) => DbErrorKind::Busy,
            Some(SqliteCode::ConstraintViolation) => DbErrorKind::Constraint,
            _ if matches!(e, rusqlite::Error::QueryReturnedNoRows) => DbErrorKind::NoRows,
            _ => DbErrorKind::Other,
        };
        DbError::new(kind, e.to_string())
    }
}

fn bind(p: &dyn Param) -> ToSqlOutput<'_> {
    ToSqlOutput::Borrowed(match p.value() {
        ValueRef::Null => SqliteRef::Null,
        ValueRef::Int(n) => SqliteRef::Integer(n),
        ValueRef::Text(s) => SqliteRef::Text(s.as_bytes()),
        ValueRef::Blob(b) => SqliteRef::Blob(b),
    })
}

fn owned(v: SqliteRef<'_>) -> std::result::Result<Value, DbError> {
    Ok(match v {
        SqliteRef::Null => Value::Null,
        SqliteRef::Integer(n) => Value::Int(n),
        SqliteRef::Real(f) => return Err(DbError::new(DbErrorKind::Conversion, format!("unexpected real {f}"))),
        SqliteRef::Text(t) => Value::Text(
            std::str::from_utf8(t)
                .map_err(|_| DbError::new(DbErrorKind::Conversion, "text that is not UTF-8"))?
                .to_string(),
        ),
        SqliteRef::Blob(b) => Value::Blob(b.to_vec()),
    })
}

impl Session for rusqlite::Connection {
    fn run(&self, sql: &str, params: &[&dyn Param]) -> std::result::Result<usize, DbError> {
        let mut stmt = self.prepare_cached(sql)?;
        Ok(stmt.execute(rusqlite::params_from_iter(params.iter().map(|p| bind(*p))))?)
    }

    fn fetch(&self, sql: &str, params: &[&dyn Param]) -> std::result::Result<Vec<Row>, DbError> {
        let mut stmt = self.prepare_cached(sql)?;
        let width = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(params.iter().map(|p| bind(*p))))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let values = (0..width).map(|i| owned(r.get_ref(i)?)).collect::<std::result::Result<Vec<_>, DbError>>()?;
            out.push(Row::new(values));
        }
        Ok(out)
    }

    fn run_batch(&self, sql: &str) -> std::result::Result<(), DbError> {
        Ok(self.execute_batch(sql)?)
    }

    fn clock_ms(&self) -> std::result::Result<i64, DbError> {
        // every process of a file workspace runs on this machine
        Ok(chrono::Utc::now().timestamp_millis())
    }
}

impl Sqlite {
    /// Opens (creating if needed) `workspace.db` in `dir`.
    pub fn open(db_path: PathBuf) -> Result<Sqlite> {
        let engine = Sqlite { db_path, pool: Mutex::new(Vec::new()), writer: Mutex::new(()) };
        let conn = engine.connect()?;
        super::private::restrict_file(&engine.db_path);
        engine.give_back(conn);
        Ok(engine)
    }

    pub fn db_path(&self) -> &Path {
        &self.db_path
    }

    fn connect(&self) -> Result<rusqlite::Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = rusqlite::Connection::open_with_flags(&self.db_path, flags).map_err(|e| db_error("open", e))?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| db_error("configure", e))?;
        // Switching to WAL takes a lock; another opener may hold it for a moment.
        retry_while_busy(is_busy, || conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get::<_, String>(0)))
            .map_err(|e| db_error("enable WAL on", e))?;
        // secure_delete: overwrite deleted content, so a removed or rotated secret's ciphertext
        // does not linger in free pages.
        conn.execute_batch("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;")
            .map_err(|e| db_error("configure", e))?;
        Ok(conn)
    }

    fn take(&self) -> Result<rusqlite::Connection> {
        let pooled = self.pool.lock().unwrap_or_else(|p| p.into_inner()).pop();
        match pooled {
            Some(c) => Ok(c),
            None => self.connect(),
        }
    }

    fn give_back(&self, conn: rusqlite::Connection) {
        let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
        if pool.len() < POOL_MAX {
            pool.push(conn);
        }
    }
}

impl Engine for Sqlite {
    fn location(&self) -> String {
        self.db_path.display().to_string()
    }

    fn db_path(&self) -> Option<&Path> {
        Some(&self.db_path)
    }

    /// A read that still meets a lock after `busy_timeout` (WAL recovery by another process)
    /// is retried, so `f` may run more than once.
    fn read(&self, f: &mut dyn FnMut(&Connection) -> Result<()>) -> Result<()> {
        let conn = self.take()?;
        let out = retry_while_busy(super::is_busy_error, || f(&conn));
        self.give_back(conn);
        out
    }

    fn write(&self, f: &mut dyn FnMut(&Connection) -> Result<()>) -> Result<()> {
        // A panic in another writer poisons nothing we rely on: the transaction rolled back.
        let _turn = self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut conn = self.take()?;
        let started = Instant::now();
        let mut pause = Duration::from_millis(2);
        let out = loop {
            match attempt_write(&mut conn, f) {
                Err(Attempt::Busy(e)) => {
                    if started.elapsed() > WRITE_LOCK_PATIENCE {
                        break Err(Error::new(
                            ErrorCode::Workspace,
                            format!(
                                "the workspace {} stayed locked by another writer for {}s: {e}",
                                self.db_path.display(),
                                WRITE_LOCK_PATIENCE.as_secs()
                            ),
                        ));
                    }
                    tracing::debug!("workspace write lock busy; retrying");
                    std::thread::sleep(pause + Duration::from_micros(rand::random::<u64>() % 2000));
                    pause = (pause * 2).min(Duration::from_millis(100));
                }
                Err(Attempt::Failed(e)) => break Err(e),
                Ok(()) => break Ok(()),
            }
        };
        self.give_back(conn);
        out
    }

    fn migrate(&self) -> Result<()> {
        self.write(&mut |tx| {
            let version: i64 =
                tx.query_row("PRAGMA user_version", params![], |r| r.get(0)).map_err(|e| db_error("migrate", e))?;
            let known = schema::MIGRATIONS.len() as i64;
            if version > known {
                return Err(super::newer_schema(&self.location(), version, known));
            }
            for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
                tracing::info!(version = i + 1, "applying workspace migration");
                tx.execute_batch(sql).map_err(|e| db_error("migrate", e))?;
            }
            if version < known {
                tx.execute_batch(&format!("PRAGMA user_version = {known}")).map_err(|e| db_error("migrate", e))?;
            }
            Ok(())
        })
    }
}

enum Attempt {
    Busy(rusqlite::Error),
    Failed(Error),
}

fn attempt_write(
    conn: &mut rusqlite::Connection,
    f: &mut dyn FnMut(&Connection) -> Result<()>,
) -> std::result::Result<(), Attempt> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(classify)?;
    f(&*tx).map_err(Attempt::Failed)?;
    tx.commit().map_err(classify)?;
    Ok(())
}

fn classify(e: rusqlite::Error) -> Attempt {
    if is_busy(&e) {
        Attempt::Busy(e)
    } else {
        Attempt::Failed(db_error("write", e))
    }
}

pub fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(SqliteCode::DatabaseBusy) | Some(SqliteCode::DatabaseLocked))
}

/// Runs `f` again (after a short random pause) while it fails with an error `busy` accepts,
/// for at most [`WRITE_LOCK_PATIENCE`].
pub fn retry_while_busy<T, E>(
    busy: impl Fn(&E) -> bool,
    mut f: impl FnMut() -> std::result::Result<T, E>,
) -> std::result::Result<T, E> {
    let started = Instant::now();
    loop {
        match f() {
            Err(e) if busy(&e) && started.elapsed() < WRITE_LOCK_PATIENCE => {
                std::thread::sleep(Duration::from_millis(5 + rand::random::<u64>() % 20))
            }
            other => return other,
        }
    }
}
