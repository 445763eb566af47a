//! The workspace store: the sealed state of connections, secrets, products and network access,
//! on one of two engines behind one interface.
//!
//! - [`sql::Connection`]: what every feature's repository runs its SQL on (one portable
//!   dialect, `?N` placeholders, owned rows), the same for both engines.
//! - [`Engine`]: how an engine opens a read, a snapshot read and a write transaction, and
//!   migrates its schema. [`sqlite::Sqlite`] is the default (one file, `workspace.db`, in the
//!   workspace directory); [`postgres::Postgres`] is for teams sharing one store from many
//!   machines (`workspace_url: postgres://...`). See docs/postgres.md.
//! - A key check value sealed with the workspace key detects a wrong key on open.
//! - [`Store::rotate_key`] re-seals every secret and the key check under a new key in one write
//!   transaction and then swaps the cipher, while no read or write of this `Store` runs (the
//!   `gate`); a `Store` in another process that still has the old key is refused by
//!   [`Store::cipher`] (its key check no longer matches) instead of writing under the old key.
//!
//! Feature modules keep their SQL in their own folder and use [`Store::read`] /
//! [`Store::write`] (or the `_async` forms from async code); none knows which engine runs it.

pub mod lease;
pub mod postgres;
pub mod private;
pub mod schema;
pub mod sql;
pub mod sqlite;

pub use private::create_private_dir;
pub use sql::{Connection, DbError, OptionalExtension, Transaction};

use crate::crypto::key::{self, KeySource};
use crate::crypto::{Cipher, SecretString, WorkspaceKey};
use crate::error::{Error, ErrorCode, Result};
use crate::runtime;
use sql::{params, DbErrorKind};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

pub const DB_FILE_NAME: &str = "workspace.db";
const KEY_CHECK_PLAINTEXT: &[u8] = b"ductape workspace key check v1";
const KEY_CHECK_AAD: &str = "meta:key_check";

/// How one engine runs transactions. `f` may run more than once (a transient failure retries
/// the whole transaction) and must not have side effects outside it; an error from `f` rolls
/// back.
pub trait Engine: Send + Sync {
    /// Where the workspace is, for messages (a file path, or a URL without its password).
    fn location(&self) -> String;
    /// The SQLite file, for the engine that has one.
    fn db_path(&self) -> Option<&Path>;
    /// `f` outside an explicit transaction (each statement sees what is committed).
    fn read(&self, f: &mut dyn FnMut(&Connection) -> Result<()>) -> Result<()>;
    /// `f` in a write transaction that no other writer of the workspace (thread, process or
    /// machine) overlaps, committed when it returns `Ok`.
    fn write(&self, f: &mut dyn FnMut(&Connection) -> Result<()>) -> Result<()>;
    /// Applies the schema migrations this library knows (under the write lock).
    fn migrate(&self) -> Result<()>;
}

/// Where a workspace lives.
#[derive(Clone)]
pub enum Location {
    /// `workspace.db` in the workspace directory.
    Sqlite,
    /// A PostgreSQL database (the URL may carry a password: never shown).
    Postgres(SecretString),
}

/// The cipher of the current key, the key check value it opens, and where the key came from.
struct Keyring {
    cipher: Arc<Cipher>,
    check: Vec<u8>,
    source: KeySource,
}

/// What [`Store::rotate_key`] did.
#[derive(Debug)]
pub struct Rotated {
    /// How many sealed values `reseal` re-sealed (the key check is not counted).
    pub resealed: usize,
    /// Where the key came from (and, for the workspace's own key file, where the new one went).
    pub source: KeySource,
}

pub struct Store {
    dir: PathBuf,
    location: String,
    /// The workspace's stable id (see [`Store::workspace_id`]).
    id: String,
    engine: Box<dyn Engine>,
    keyring: Mutex<Keyring>,
    /// Held shared by every read and write of this `Store`, exclusively by a key rotation: no
    /// one reads a snapshot under one key and decrypts with the other.
    gate: RwLock<()>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store").field("location", &self.location).finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the SQLite workspace in `dir` with `key`.
    pub fn open(dir: &Path, key: &WorkspaceKey) -> Result<Store> {
        Store::open_at(dir, &Location::Sqlite, key)
    }

    /// Opens (creating and migrating if needed) the workspace at `location` with `key`. `dir`
    /// is the workspace directory (the SQLite file's, and the key file's when the key is there).
    pub fn open_at(dir: &Path, location: &Location, key: &WorkspaceKey) -> Result<Store> {
        create_private_dir(dir)?;
        let engine: Box<dyn Engine> = match location {
            Location::Sqlite => Box::new(sqlite::Sqlite::open(dir.join(DB_FILE_NAME))?),
            Location::Postgres(url) => Box::new(postgres::Postgres::open(url)?),
        };
        let mut store = Store {
            dir: dir.to_path_buf(),
            location: engine.location(),
            id: String::new(),
            engine,
            keyring: Mutex::new(Keyring {
                cipher: Arc::new(Cipher::new(key)),
                check: Vec::new(),
                source: key.source().clone(),
            }),
            gate: RwLock::new(()),
        };
        store.engine.migrate()?;
        store.id = store.check_key(key)?;
        Ok(store)
    }

    /// The workspace's id: made once when the workspace is created, never changed (a key
    /// rotation keeps it). Import marks the Atlas database users it makes with it, so that
    /// another workspace on the same Atlas project never takes them for its own.
    pub fn workspace_id(&self) -> &str {
        &self.id
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The SQLite file (for the embedded engine; the PostgreSQL engine has none and answers
    /// where it would be).
    pub fn db_path(&self) -> PathBuf {
        self.engine.db_path().map(Path::to_path_buf).unwrap_or_else(|| self.dir.join(DB_FILE_NAME))
    }

    /// Where the workspace is, for messages.
    pub fn location(&self) -> &str {
        &self.location
    }

    fn keyring(&self) -> std::sync::MutexGuard<'_, Keyring> {
        self.keyring.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Where the current key came from.
    pub fn key_source(&self) -> KeySource {
        self.keyring().source.clone()
    }

    /// The cipher of the workspace's current key, for sealing or opening secrets on `conn` (a
    /// connection or transaction of this store). When the workspace's key check is not the one
    /// this store opened (another process rotated the key) it is a `workspace` error: nothing is
    /// written under a key the workspace no longer has.
    pub fn cipher(&self, conn: &Connection) -> Result<Arc<Cipher>> {
        let stored = read_key_check(conn)?;
        let ring = self.keyring();
        if stored != ring.check {
            return Err(Error::new(
                ErrorCode::Workspace,
                format!(
                    "the workspace key of {} was rotated since this client opened it (by another process); \
                     open the workspace again with the new key",
                    self.location
                ),
            ));
        }
        Ok(Arc::clone(&ring.cipher))
    }

    fn read_gate(&self) -> std::sync::RwLockReadGuard<'_, ()> {
        self.gate.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` on a connection outside any explicit transaction (each statement sees a
    /// consistent snapshot). A transient failure (a lock, a dropped connection) runs `f`
    /// again, so `f` may run more than once.
    pub fn read<T>(&self, mut f: impl FnMut(&Connection) -> Result<T>) -> Result<T> {
        let _gate = self.read_gate();
        let mut out = None;
        self.engine.read(&mut |c| {
            out = Some(f(c)?);
            Ok(())
        })?;
        Ok(out.expect("the read ran"))
    }

    /// Runs `f` in a write transaction and commits it: on SQLite `BEGIN IMMEDIATE`, on
    /// PostgreSQL a transaction holding the workspace's write lock (see [`Engine::write`]).
    /// While another thread, process or machine holds the write lock the whole transaction is
    /// retried (so `f` may run more than once and must not have side effects outside the
    /// transaction). An error from `f` rolls back.
    pub fn write<T>(&self, f: impl FnMut(&Transaction) -> Result<T>) -> Result<T> {
        let _gate = self.read_gate();
        self.write_in_turn(f)
    }

    /// [`Store::write`] for a caller that already holds the gate.
    fn write_in_turn<T>(&self, mut f: impl FnMut(&Transaction) -> Result<T>) -> Result<T> {
        let mut out = None;
        self.engine.write(&mut |tx| {
            out = Some(f(tx)?);
            Ok(())
        })?;
        Ok(out.expect("the write ran"))
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
    /// to a minute); inline, only the caller that asked for it waits.
    pub async fn write_async<T, F>(self: &Arc<Self>, mut f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnMut(&Store, &Transaction) -> Result<T> + Send + 'static,
    {
        if runtime::caller_may_block() {
            return self.write(|tx| f(self, tx));
        }
        let store = Arc::clone(self);
        run_blocking(move || store.write(|tx| f(&store, tx))).await
    }

    /// Checks `key` against the workspace's key check value (sealing it first on a new
    /// workspace). With the workspace's own key file, a key check that only the pending file
    /// (`workspace.key.new`) opens is a rotation that committed but did not rename its file:
    /// the rename is finished here. A pending file next to a key that still opens the workspace
    /// is one whose rotation never committed: removed, under the write lock (a rotation writes
    /// it only while it holds that lock).
    ///
    /// Answers the workspace's id (made in the same transaction when the workspace is new, so
    /// opening costs one write transaction, not two).
    fn check_key(&self, key: &WorkspaceKey) -> Result<String> {
        let cipher = Cipher::new(key);
        let sealed = cipher.seal(KEY_CHECK_PLAINTEXT, KEY_CHECK_AAD)?;
        let pending = match key.source() {
            KeySource::File(p) => Some(key::pending_key_path(p)),
            _ => None,
        };
        let (stored, id) = self.write(|tx| {
            tx.execute(
                "INSERT INTO meta(key, value) VALUES ('key_check', ?1) ON CONFLICT (key) DO NOTHING",
                params![sealed],
            )
            .map_err(|e| db_error("write", e))?;
            let id = ensure_workspace_id(tx)?;
            let stored = read_key_check(tx)?;
            if let Some(p) = pending.as_ref().filter(|p| p.exists()) {
                if opens_check(&cipher, &stored) {
                    tracing::info!(path = %p.display(), "removing the key file of a rotation that did not commit");
                    let _ = std::fs::remove_file(p);
                }
            }
            Ok((stored, id))
        })?;
        if opens_check(&cipher, &stored) {
            self.install(cipher, stored, key.source().clone());
            return Ok(id);
        }
        if let KeySource::File(path) = key.source() {
            if let Some(found) = self.finish_pending_rotation(path, &stored)? {
                self.install(Cipher::new(&found), stored, key.source().clone());
                return Ok(id);
            }
        }
        if let (true, KeySource::File(path)) = (key.generated(), key.source()) {
            // A key made just now can never open data sealed before: keeping its file would
            // only strand this machine with a key nobody else has.
            let _ = std::fs::remove_file(path);
            return Err(Error::new(
                ErrorCode::Workspace,
                format!(
                    "the workspace {} already holds data sealed with a key this machine does not have (no {} \
                     in {}). Give it the workspace's key: DUCTAPE_WORKSPACE_KEY_FILE (or the workspace_key_file option) \
                     naming a file that holds it, or DUCTAPE_WORKSPACE_KEY",
                    self.location,
                    key::KEY_FILE_NAME,
                    self.dir.display()
                ),
            ));
        }
        Err(Error::new(
            ErrorCode::Workspace,
            format!(
                "the workspace key from {} does not match the workspace {}: it was created with (or rotated to) another \
                 key. Set DUCTAPE_WORKSPACE_KEY (or the workspace_key option) to the workspace's current key, or use \
                 another workspace_dir",
                key.source(),
                self.location
            ),
        ))
    }

    /// A rotation that committed but was stopped before its rename: the pending file holds the
    /// key that opens `stored`. Renames it into place (another opener may have done so already:
    /// then the key file itself has it) and answers that key.
    fn finish_pending_rotation(&self, path: &Path, stored: &[u8]) -> Result<Option<WorkspaceKey>> {
        let pending = key::pending_key_path(path);
        if pending.exists() {
            let found = WorkspaceKey::load_private_file(&pending, KeySource::File(path.to_path_buf()))?;
            if opens_check(&Cipher::new(&found), stored) {
                match key::rename_key_file(&pending, path) {
                    Ok(()) => tracing::info!(path = %path.display(), "finished an interrupted workspace key rotation"),
                    Err(e) if !pending.exists() => tracing::debug!("another opener finished the rotation: {e}"),
                    Err(e) => return Err(e),
                }
                return Ok(Some(found));
            }
        }
        // another opener may have finished it between our key resolution and now
        let current = WorkspaceKey::load_private_file(path, KeySource::File(path.to_path_buf()))?;
        Ok(opens_check(&Cipher::new(&current), stored).then_some(current))
    }

    fn install(&self, cipher: Cipher, check: Vec<u8>, source: KeySource) {
        *self.keyring() = Keyring { cipher: Arc::new(cipher), check, source };
    }

    /// Re-seals the workspace under `new_key` in one write transaction: `reseal(tx, old, new)`
    /// re-seals the features' sealed values (answering how many), then the key check is sealed
    /// anew, then it commits. For the workspace's own key file, the new key is first written
    /// durably to `workspace.key.new` (inside the transaction, before the commit) and renamed
    /// over `workspace.key` after it, so a crash at any point leaves a key that opens the
    /// workspace (see [`Store::check_key`]). Other sources cannot be written: the caller gets
    /// the new key and must keep it. Every read and write of this `Store` waits meanwhile, and
    /// uses the new cipher afterwards.
    pub fn rotate_key(
        &self,
        new_key: &WorkspaceKey,
        new_key_text: &SecretString,
        mut reseal: impl FnMut(&Transaction, &Cipher, &Cipher) -> Result<usize>,
    ) -> Result<Rotated> {
        let _gate = self.gate.write().unwrap_or_else(|p| p.into_inner());
        let (old, check, source) = {
            let ring = self.keyring();
            (Arc::clone(&ring.cipher), ring.check.clone(), ring.source.clone())
        };
        let new = Cipher::new(new_key);
        let key_file = match &source {
            KeySource::File(p) => Some(p.clone()),
            _ => None,
        };
        let pending = key_file.as_deref().map(key::pending_key_path);
        let (resealed, new_check) = self.write_in_turn(|tx| {
            let stored = read_key_check(tx)?;
            if stored != check {
                return Err(Error::new(
                    ErrorCode::Workspace,
                    "the workspace key was rotated by another process since this client opened it; open the \
                     workspace again with the new key",
                ));
            }
            if opens_check(&new, &stored) {
                return Err(Error::invalid("new_key", "new_key is the workspace's current key; give another one"));
            }
            let mut inner = || -> Result<(usize, Vec<u8>)> {
                if let Some(p) = &pending {
                    key::write_key_file(p, new_key_text)?;
                }
                let n = reseal(tx, &old, &new)?;
                let sealed = new.seal(KEY_CHECK_PLAINTEXT, KEY_CHECK_AAD)?;
                tx.execute("UPDATE meta SET value = ?1 WHERE key = 'key_check'", params![sealed])
                    .map_err(|e| db_error("write", e))?;
                debug_pause("before_commit");
                Ok((n, sealed))
            };
            inner().inspect_err(|_| {
                // still under the write lock: nobody else's pending file
                if let Some(p) = &pending {
                    let _ = std::fs::remove_file(p);
                }
            })
        })?;
        debug_pause("after_commit");
        if let (Some(path), Some(pending)) = (&key_file, &pending) {
            // Should the rename fail, the pending file still opens the workspace (check_key).
            key::rename_key_file(pending, path)?;
        }
        self.install(new, new_check, source.clone());
        tracing::info!(resealed, source = source.kind(), "rotated the workspace key");
        Ok(Rotated { resealed, source })
    }

    /// [`Store::rotate_key`] from async code (on the blocking pool, or inline on a foreign
    /// caller's thread, as [`Store::write_async`]).
    pub async fn rotate_key_async<F>(
        self: &Arc<Self>,
        new_key: WorkspaceKey,
        text: SecretString,
        reseal: F,
    ) -> Result<Rotated>
    where
        F: FnMut(&Transaction, &Cipher, &Cipher) -> Result<usize> + Send + 'static,
    {
        if runtime::caller_may_block() {
            return self.rotate_key(&new_key, &text, reseal);
        }
        let store = Arc::clone(self);
        run_blocking(move || store.rotate_key(&new_key, &text, reseal)).await
    }
}

fn opens_check(cipher: &Cipher, stored: &[u8]) -> bool {
    matches!(cipher.open(stored, KEY_CHECK_AAD), Ok(p) if p == KEY_CHECK_PLAINTEXT)
}

/// A test-only stop inside a multi-step change: with `DUCTAPE_DEBUG_PAUSE=<stage>:<marker>`
/// (builds with the `debug-operations` feature only), the change creates `<marker>` when it
/// reaches `<stage>` and then waits to be killed, so a test can kill -9 a process midway.
/// Stages: `before_commit`, `after_commit` (key rotation), `products.delete` (inside its
/// transaction, after the secrets went and before the rows do), `import.after_user` (the Atlas
/// user made, nothing stored), `import.before_commit` (inside the import's transaction).
pub fn debug_pause(stage: &str) {
    #[cfg(feature = "debug-operations")]
    if let Some(v) = std::env::var_os("DUCTAPE_DEBUG_PAUSE") {
        let v = v.to_string_lossy().into_owned();
        if let Some((at, marker)) = v.split_once(':') {
            if at == stage {
                let _ = std::fs::write(marker, stage);
                loop {
                    std::thread::sleep(std::time::Duration::from_secs(1));
                }
            }
        }
    }
    #[cfg(not(feature = "debug-operations"))]
    let _ = stage;
}

fn is_busy_error(e: &Error) -> bool {
    e.code == ErrorCode::Workspace
        && e.details.as_ref().and_then(|d| d.get("busy")).and_then(|b| b.as_bool()) == Some(true)
}

/// The workspace id in `meta`, made now when the workspace has none.
fn ensure_workspace_id(tx: &Connection) -> Result<String> {
    tx.execute(
        "INSERT INTO meta(key, value) VALUES ('workspace_id', ?1) ON CONFLICT (key) DO NOTHING",
        params![crate::fields::new_id().into_bytes()],
    )
    .map_err(|e| db_error("write", e))?;
    let raw: Vec<u8> = tx
        .query_row("SELECT value FROM meta WHERE key = 'workspace_id'", params![], |r| r.get(0))
        .map_err(|e| db_error("read", e))?;
    String::from_utf8(raw).map_err(|_| Error::new(ErrorCode::Workspace, "the workspace's id is damaged (not text)"))
}

/// The workspace's key check value.
fn read_key_check(conn: &Connection) -> Result<Vec<u8>> {
    conn.query_row("SELECT value FROM meta WHERE key = 'key_check'", params![], |r| r.get(0))
        .map_err(|e| db_error("read", e))
}

fn newer_schema(location: &str, version: i64, known: i64) -> Error {
    Error::new(
        ErrorCode::Workspace,
        format!("the workspace {location} has schema version {version}, newer than this library knows ({known}); upgrade ductape"),
    )
}

/// A database failure as a public `workspace` error. Neither engine's messages carry bound
/// values. A transient one says so in `details.busy` (a read retries it).
pub fn db_error(what: &str, e: impl Into<DbError>) -> Error {
    let e = e.into();
    match e.kind {
        DbErrorKind::Busy => {
            Error::new(ErrorCode::Workspace, format!("could not {what} the workspace: it is busy ({e})"))
                .with_details(serde_json::json!({ "busy": true }))
        }
        DbErrorKind::UnknownOutcome => Error::new(
            ErrorCode::Workspace,
            format!(
                "the connection to the workspace database was lost while committing ({e}); the change may or may not \
                 have been stored: read it back before repeating it"
            ),
        )
        .with_details(serde_json::json!({ "outcome": "unknown" })),
        DbErrorKind::Timeout => Error::new(
            ErrorCode::Workspace,
            format!("could not {what} the workspace database: a statement ran past the statement timeout ({e})"),
        )
        .with_details(serde_json::json!({ "timeout": true })),
        _ => Error::new(ErrorCode::Workspace, format!("could not {what} the workspace database: {e}")),
    }
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
        let v: i64 = s
            .read(|c| c.query_row("PRAGMA user_version", params![], |r| r.get(0)).map_err(|e| db_error("read", e)))
            .unwrap();
        assert_eq!(v, schema::MIGRATIONS.len() as i64);
        let mode: String = s
            .read(|c| c.query_row("PRAGMA journal_mode", params![], |r| r.get(0)).map_err(|e| db_error("read", e)))
            .unwrap();
        assert_eq!(mode, "wal");
        drop(s);
        assert!(Store::open(&dir, &key).is_ok());
        let e = Store::open(&dir, &WorkspaceKey::from_bytes([2; 32])).unwrap_err();
        assert_eq!(e.code, ErrorCode::Workspace);
        assert!(e.message.contains("does not match"), "{}", e.message);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    #[cfg(unix)]
    fn sec13_a_rotated_workspace_key_file_is_synced_before_and_after_the_commit() {
        use crate::store::private::tests::DIR_SYNCS;
        let dir = temp_dir("store-rotate-sync");
        create_private_dir(&dir).unwrap();
        let key = WorkspaceKey::resolve(&dir, None, None).unwrap();
        let s = Store::open(&dir, &key).unwrap();
        let text = WorkspaceKey::generate_base64();
        let new = WorkspaceKey::parse(text.expose(), key.source().clone()).unwrap();
        let before = DIR_SYNCS.with(|n| n.get());
        let r = s.rotate_key(&new, &text, |_, _, _| Ok(0)).unwrap();
        assert_eq!(r.resealed, 0);
        assert_eq!(DIR_SYNCS.with(|n| n.get()), before + 2, "the pending file's rename and the final rename");
        let on_disk = std::fs::read_to_string(dir.join(key::KEY_FILE_NAME)).unwrap();
        assert_eq!(on_disk.trim(), text.expose());
        drop(s);
        assert!(Store::open(&dir, &new).is_ok());
        // the old key's bytes are refused (given as an option: from the file, open reads the new key)
        assert!(Store::open(&dir, &WorkspaceKey::from_bytes(*key.bytes())).is_err());
        assert!(Store::open(&dir, &key).is_ok(), "the workspace's own key file now holds the new key");
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
        s.write(|tx| {
            tx.execute("INSERT INTO meta(key, value) VALUES ('n', 0)", params![]).map_err(|e| db_error("w", e))
        })
        .unwrap();
        let threads: Vec<_> = (0..8)
            .map(|_| {
                // separate Store handles behave like separate processes (own connections)
                let s2 = Store::open(&dir, &key).unwrap();
                std::thread::spawn(move || {
                    for _ in 0..50 {
                        s2.write(|tx| {
                            let n: i64 = tx
                                .query_row("SELECT value FROM meta WHERE key='n'", params![], |r| r.get(0))
                                .map_err(|e| db_error("r", e))?;
                            tx.execute("UPDATE meta SET value = ?1 WHERE key='n'", params![n + 1])
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
                c.query_row("SELECT value FROM meta WHERE key='n'", params![], |r| r.get(0))
                    .map_err(|e| db_error("r", e))
            })
            .unwrap();
        assert_eq!(n, 400);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
