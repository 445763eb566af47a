//! Named leases in the workspace: one holder at a time across threads, processes and machines
//! (the rows live in the workspace, so both engines share them). A holder renews its lease while
//! it works; a crashed holder's lease runs out. Used for the access list of one Atlas project
//! (`access_list:<project>`) and for the import of one target (`import:<target>`).

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
        let holder = new_id();
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
    let mine: bool = conn
        .query_row("SELECT holder = ?2 FROM leases WHERE name = ?1", params![name, holder], |r| r.get(0))
        .map_err(|e| db_error("read", e))?;
    Ok(mine)
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
