//! Named leases in the workspace: one holder at a time across threads, processes and machines
//! (the rows live in the workspace, so both engines share them). A holder renews its lease while
//! it works; a crashed holder's lease runs out. Used for the access list of one Atlas project
//! (`access_list:<project>`) and for the import of one target (`import:<target>`).
//!
//! A holder is named `<host>/<pid>/<random>`: a lease whose holder was a process of this machine
//! that no longer runs (killed midway) is taken over at once instead of after its minute.

use super::sql::params;
use super::{db_error, Connection, Store};
use crate::error::{Error, ErrorCode, Result};
use crate::fields::new_id;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a lease lasts without renewal.
const LEASE_MS: i64 = 60_000;

/// A lease held until dropped.
pub struct Lease {
    store: Arc<Store>,
    name: String,
    holder: String,
}

impl Lease {
    /// Waits (up to `patience`) for the lease `name`; `what` says in messages what it guards.
    /// `waiting` is called once, when the lease is found taken.
    pub async fn acquire(
        store: &Arc<Store>,
        name: &str,
        patience: Duration,
        what: &str,
        waiting: impl FnOnce(),
    ) -> Result<Lease> {
        let holder = format!("{}/{}/{}", host(), std::process::id(), new_id());
        let started = Instant::now();
        let mut waiting = Some(waiting);
        loop {
            let (n, h) = (name.to_string(), holder.clone());
            if store.write_async(move |_, tx| try_take(tx, &n, &h)).await? {
                return Ok(Lease { store: Arc::clone(store), name: name.to_string(), holder });
            }
            if started.elapsed() > patience {
                return Err(Error::new(
                    ErrorCode::Conflict,
                    format!("{what} was held by another call for over {} s; try again", patience.as_secs()),
                )
                .with_details(serde_json::json!({ "lease": name })));
            }
            if let Some(w) = waiting.take() {
                w();
            }
            tokio::time::sleep(Duration::from_millis(10 + rand::random::<u64>() % 40)).await;
        }
    }

    /// Extends the lease; a `conflict` when it was lost (it ran out and someone else took it).
    pub async fn renew(&self, what: &str) -> Result<()> {
        let (n, h) = (self.name.clone(), self.holder.clone());
        if self.store.write_async(move |_, tx| extend(tx, &n, &h)).await? {
            return Ok(());
        }
        Err(Error::new(
            ErrorCode::Conflict,
            format!("the lock on {what} ran out before this change was made; try again"),
        )
        .with_details(serde_json::json!({ "lease": self.name })))
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        let (n, h) = (self.name.clone(), self.holder.clone());
        if let Err(e) = self.store.write(|tx| release(tx, &n, &h)) {
            tracing::warn!(lease = %n, error = %e, "could not release a lease; it runs out by itself");
        }
    }
}

/// Takes the lease for `holder` when it is free or ran out; answers whether `holder` has it.
fn try_take(conn: &Connection, name: &str, holder: &str) -> Result<bool> {
    let now_ms = conn.clock_ms().map_err(|e| db_error("read", e))?;
    conn.execute("DELETE FROM leases WHERE name = ?1 AND expires_at < ?2", params![name, now_ms])
        .map_err(|e| db_error("write", e))?;
    conn.execute(
        "INSERT INTO leases (name, holder, expires_at) VALUES (?1, ?2, ?3) ON CONFLICT (name) DO NOTHING",
        params![name, holder, now_ms + LEASE_MS],
    )
    .map_err(|e| db_error("write", e))?;
    let current: String = conn
        .query_row("SELECT holder FROM leases WHERE name = ?1", params![name], |r| r.get(0))
        .map_err(|e| db_error("read", e))?;
    if current == holder {
        return Ok(true);
    }
    if gone(&current) {
        conn.execute(
            "UPDATE leases SET holder = ?2, expires_at = ?3 WHERE name = ?1 AND holder = ?4",
            params![name, holder, now_ms + LEASE_MS, current],
        )
        .map_err(|e| db_error("write", e))?;
        return Ok(true);
    }
    Ok(false)
}

/// This machine's name, as holders record it.
fn host() -> String {
    static HOST: once_cell::sync::Lazy<String> = once_cell::sync::Lazy::new(|| {
        std::fs::read_to_string("/proc/sys/kernel/hostname")
            .or_else(|_| std::fs::read_to_string("/etc/hostname"))
            .map(|h| h.trim().to_string())
            .unwrap_or_default()
    });
    HOST.clone()
}

/// Whether `holder` was a process of this machine that no longer runs.
fn gone(holder: &str) -> bool {
    let mut parts = holder.splitn(3, '/');
    let (Some(h), Some(pid)) = (parts.next(), parts.next().and_then(|p| p.parse::<i32>().ok())) else {
        return false;
    };
    if h.is_empty() || h != host() || pid <= 0 || pid == std::process::id() as i32 {
        return false;
    }
    process_gone(pid)
}

#[cfg(unix)]
fn process_gone(pid: i32) -> bool {
    // Signal 0 checks existence only. ESRCH: no such process; EPERM: it exists (another user's).
    // SAFETY: kill with signal 0 sends nothing and has no memory effects.
    let r = unsafe { libc::kill(pid, 0) };
    r == -1 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH)
}

#[cfg(not(unix))]
fn process_gone(_pid: i32) -> bool {
    false
}

fn extend(conn: &Connection, name: &str, holder: &str) -> Result<bool> {
    let now_ms = conn.clock_ms().map_err(|e| db_error("read", e))?;
    let n = conn
        .execute(
            "UPDATE leases SET expires_at = ?3 WHERE name = ?1 AND holder = ?2",
            params![name, holder, now_ms + LEASE_MS],
        )
        .map_err(|e| db_error("write", e))?;
    Ok(n == 1)
}

fn release(conn: &Connection, name: &str, holder: &str) -> Result<()> {
    conn.execute("DELETE FROM leases WHERE name = ?1 AND holder = ?2", params![name, holder])
        .map_err(|e| db_error("write", e))?;
    Ok(())
}
