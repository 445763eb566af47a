//! The embedded workspace: one SQLite file (`workspace.db`) in the workspace directory.
//!
//! - WAL journal, `busy_timeout`, and every write in a `BEGIN IMMEDIATE` transaction that is
//!   retried while another thread or process holds the write lock, so callers never see
//!   "database is locked" and read-modify-write sequences never lose an update.
//! - Schema migrations ([`schema::MIGRATIONS`]) run under the write lock on open, so two
//!   processes opening a new workspace at once migrate it once.
//! - A key check value sealed with the workspace key detects a wrong key on open.
//!
//! Feature modules (connections, later network/resources/products) keep their SQL in their own
//! folder and use [`Store::read`] / [`Store::write`] (or the `_async` forms from async code).

pub mod private;
pub mod schema;

pub use private::create_private_dir;
use private::restrict_file;

use crate::crypto::{Cipher, WorkspaceKey};
use crate::error::{Error, ErrorCode, Result};
use crate::runtime;
use rusqlite::{Connection, ErrorCode as SqliteCode, OpenFlags, Transaction, TransactionBehavior};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const DB_FILE_NAME: &str = "workspace.db";
const KEY_CHECK_PLAINTEXT: &[u8] = b"ductape workspace key check v1";
const KEY_CHECK_AAD: &str = "meta:key_check";
/// How long a write waits for the lock, in total, before it fails.
const WRITE_LOCK_PATIENCE: Duration = Duration::from_secs(60);
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
const POOL_MAX: usize = 8;

pub struct Store {
    dir: PathBuf,
    db_path: PathBuf,
    cipher: Cipher,
    pool: Mutex<Vec<Connection>>,
    /// Serialises this process's writers before they reach SQLite: queued on SQLite's own lock
    /// they would sleep in millisecond steps (8 concurrent writers ran 4x slower per write).
    /// Other processes still meet the lock and the busy retries below.
    writer: Mutex<()>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store").field("db_path", &self.db_path).finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the workspace in `dir` with `key`.
    pub fn open(dir: &Path, key: &WorkspaceKey) -> Result<Store> {
        create_private_dir(dir)?;
        let db_path = dir.join(DB_FILE_NAME);
        let store = Store {
            dir: dir.to_path_buf(),
            db_path,
            cipher: Cipher::new(key),
            pool: Mutex::new(Vec::new()),
            writer: Mutex::new(()),
        };
        let conn = store.connect()?;
        restrict_file(&store.db_path);
        store.give_back(conn);
        store.migrate()?;
        store.check_key(key)?;
        Ok(store)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn db_path(&self) -> &Path {
        &self.db_path
    }

    pub fn cipher(&self) -> &Cipher {
        &self.cipher
    }

    fn connect(&self) -> Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.db_path, flags).map_err(|e| db_error("open", e))?;
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

    fn take(&self) -> Result<Connection> {
        let pooled = self.pool.lock().unwrap_or_else(|p| p.into_inner()).pop();
        match pooled {
            Some(c) => Ok(c),
            None => self.connect(),
        }
    }

    fn give_back(&self, conn: Connection) {
        let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
        if pool.len() < POOL_MAX {
            pool.push(conn);
        }
    }

    /// Runs `f` on a connection outside any explicit transaction (each statement sees a
    /// consistent snapshot; use [`Store::read_tx`] for several statements).
    /// A read that still meets a lock after `busy_timeout` (WAL recovery by another process)
    /// is retried, so `f` may run more than once.
    pub fn read<T>(&self, mut f: impl FnMut(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.take()?;
        let out = retry_while_busy(is_busy_error, || f(&conn));
        self.give_back(conn);
        out
    }

    /// Runs `f` inside a deferred (read) transaction: one snapshot for every statement.
    pub fn read_tx<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.take()?;
        let out = (|| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred).map_err(|e| db_error("read", e))?;
            let v = f(&tx)?;
            tx.finish().map_err(|e| db_error("read", e))?;
            Ok(v)
        })();
        self.give_back(conn);
        out
    }

    /// Runs `f` in a `BEGIN IMMEDIATE` transaction and commits it. While another thread or
    /// process holds the write lock the whole transaction is retried (so `f` may run more than
    /// once and must not have side effects outside the transaction). An error from `f` rolls back.
    pub fn write<T>(&self, mut f: impl FnMut(&Transaction<'_>) -> Result<T>) -> Result<T> {
        // A panic in another writer poisons nothing we rely on: the transaction rolled back.
        let _turn = self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut conn = self.take()?;
        let started = Instant::now();
        let mut pause = Duration::from_millis(2);
        let out = loop {
            match attempt_write(&mut conn, &mut f) {
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
                Ok(v) => break Ok(v),
            }
        };
        self.give_back(conn);
        out
    }

    /// [`Store::read`] from async code: on tokio's blocking pool, or inline when the current
    /// thread is a foreign caller's own, inside `runtime::block_on_call` (see
    /// [`runtime::caller_may_block`]). There blocking delays nothing but the caller, who waits
    /// for this reply anyway, and the hop to the pool would cost two thread wake-ups (tens of
    /// µs, more than the read). On the runtime's workers a blocking read would stall every
    /// other task on that worker, so there it keeps going to the pool.
    pub async fn read_async<T, F>(self: &Arc<Self>, mut f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnMut(&Store, &Connection) -> Result<T> + Send + 'static,
    {
        if runtime::caller_may_block() {
            return self.read(|c| f(self, c));
        }
        let store = Arc::clone(self);
        run_blocking(move || store.read(|c| f(&store, c))).await
    }

    /// [`Store::write`] from async code: on tokio's blocking pool, or inline on a foreign
    /// caller's own thread, as [`Store::read_async`]. A write may wait for the write lock (up
    /// to [`WRITE_LOCK_PATIENCE`]); inline, only the caller that asked for it waits.
    pub async fn write_async<T, F>(self: &Arc<Self>, mut f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnMut(&Store, &Transaction<'_>) -> Result<T> + Send + 'static,
    {
        if runtime::caller_may_block() {
            return self.write(|tx| f(self, tx));
        }
        let store = Arc::clone(self);
        run_blocking(move || store.write(|tx| f(&store, tx))).await
    }

    fn migrate(&self) -> Result<()> {
        self.write(|tx| {
            let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| db_error("migrate", e))?;
            let known = schema::MIGRATIONS.len() as i64;
            if version > known {
                return Err(Error::new(
                    ErrorCode::Workspace,
                    format!(
                        "the workspace {} has schema version {version}, newer than this library knows ({known}); upgrade ductape",
                        self.db_path.display()
                    ),
                ));
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

    fn check_key(&self, key: &WorkspaceKey) -> Result<()> {
        let sealed = self.cipher.seal(KEY_CHECK_PLAINTEXT, KEY_CHECK_AAD)?;
        let stored: Vec<u8> = self.write(|tx| {
            tx.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('key_check', ?1)", [&sealed])
                .map_err(|e| db_error("write", e))?;
            tx.query_row("SELECT value FROM meta WHERE key = 'key_check'", [], |r| r.get(0))
                .map_err(|e| db_error("read", e))
        })?;
        match self.cipher.open(&stored, KEY_CHECK_AAD) {
            Ok(p) if p == KEY_CHECK_PLAINTEXT => Ok(()),
            _ => Err(Error::new(
                ErrorCode::Workspace,
                format!(
                    "the workspace key from {} does not match the workspace {}: it was created with another key. \
                     Set DUCTAPE_WORKSPACE_KEY (or the workspace_key option) to the original key, or use another workspace_dir",
                    key.source(),
                    self.db_path.display()
                ),
            )),
        }
    }
}

enum Attempt {
    Busy(rusqlite::Error),
    Failed(Error),
}

fn attempt_write<T>(conn: &mut Connection, f: &mut impl FnMut(&Transaction<'_>) -> Result<T>) -> Result<T, Attempt> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(classify)?;
    let v = f(&tx).map_err(Attempt::Failed)?;
    tx.commit().map_err(classify)?;
    Ok(v)
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
fn retry_while_busy<T, E>(busy: impl Fn(&E) -> bool, mut f: impl FnMut() -> Result<T, E>) -> Result<T, E> {
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

fn is_busy_error(e: &Error) -> bool {
    e.code == ErrorCode::Workspace
        && e.details.as_ref().and_then(|d| d.get("busy")).and_then(|b| b.as_bool()) == Some(true)
}

/// A SQLite failure as a public `workspace` error. SQLite's messages never carry bound values.
pub fn db_error(what: &str, e: rusqlite::Error) -> Error {
    if is_busy(&e) {
        return Error::new(ErrorCode::Workspace, format!("could not {what} the workspace: it is busy ({e})"))
            .with_details(serde_json::json!({ "busy": true }));
    }
    Error::new(ErrorCode::Workspace, format!("could not {what} the workspace database: {e}"))
}

async fn run_blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    match tokio::task::spawn_blocking(f).await {
        Ok(v) => v,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => Err(Error::new(ErrorCode::Cancelled, "the workspace task was cancelled")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn temp_dir(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("ductape-{name}-{}", rand::random::<u64>()))
    }

    #[test]
    fn opens_migrates_once_and_detects_wrong_key() {
        let dir = temp_dir("store");
        let key = WorkspaceKey::from_bytes([1; 32]);
        let s = Store::open(&dir, &key).unwrap();
        let v: i64 =
            s.read(|c| c.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| db_error("read", e))).unwrap();
        assert_eq!(v, schema::MIGRATIONS.len() as i64);
        let mode: String =
            s.read(|c| c.query_row("PRAGMA journal_mode", [], |r| r.get(0)).map_err(|e| db_error("read", e))).unwrap();
        assert_eq!(mode, "wal");
        drop(s);
        assert!(Store::open(&dir, &key).is_ok());
        let e = Store::open(&dir, &WorkspaceKey::from_bytes([2; 32])).unwrap_err();
        assert_eq!(e.code, ErrorCode::Workspace);
        assert!(e.message.contains("does not match"), "{}", e.message);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn refuses_a_workspace_from_a_newer_version() {
        let dir = temp_dir("store-newer");
        let key = WorkspaceKey::from_bytes([1; 32]);
        let s = Store::open(&dir, &key).unwrap();
        s.write(|tx| tx.execute_batch("PRAGMA user_version = 99").map_err(|e| db_error("w", e))).unwrap();
        drop(s);
        let e = Store::open(&dir, &key).unwrap_err();
        assert!(e.message.contains("newer than this library knows"), "{}", e.message);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn concurrent_increments_lose_nothing() {
        let dir = temp_dir("store-conc");
        let key = WorkspaceKey::from_bytes([1; 32]);
        let s = Arc::new(Store::open(&dir, &key).unwrap());
        s.write(|tx| tx.execute("INSERT INTO meta(key, value) VALUES ('n', 0)", []).map_err(|e| db_error("w", e)))
            .unwrap();
        let threads: Vec<_> = (0..8)
            .map(|_| {
                // separate Store handles behave like separate processes (own connections)
                let s2 = Store::open(&dir, &key).unwrap();
                std::thread::spawn(move || {
                    for _ in 0..50 {
                        s2.write(|tx| {
                            let n: i64 = tx
                                .query_row("SELECT value FROM meta WHERE key='n'", [], |r| r.get(0))
                                .map_err(|e| db_error("r", e))?;
                            tx.execute("UPDATE meta SET value = ?1 WHERE key='n'", [n + 1])
                                .map_err(|e| db_error("w", e))?;
                            Ok(())
                        })
                        .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let n: i64 = s
            .read(|c| {
                c.query_row("SELECT value FROM meta WHERE key='n'", [], |r| r.get(0)).map_err(|e| db_error("r", e))
            })
            .unwrap();
        assert_eq!(n, 400);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
