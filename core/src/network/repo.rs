//! SQL of network access: the entries each connection added (`network_synced_ips`), keyed by
//! connection, Atlas project and block. Functions take a connection or transaction from
//! `store::Store`; callers choose the transaction boundaries.

use super::cidr::{self, Net};
use super::plan::{Own, OwnState};
use crate::error::{Error, ErrorCode, Result};
use crate::store::sql::params;
use crate::store::{db_error, Connection};
use chrono::{DateTime, Utc};

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}

pub fn time_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The entries connection `connection_id` recorded for project `project_id`.
pub fn own(conn: &Connection, connection_id: &str, project_id: &str) -> Result<Vec<Own>> {
    let rows = conn
        .query_map(
            "SELECT cidr, comment, source, state, delete_after FROM network_synced_ips \
             WHERE connection_id = ?1 AND project_id = ?2 ORDER BY rowid",
            params![connection_id, project_id],
            |r| {
                Ok((
                    r.get::<String>(0)?,
                    r.get::<Option<String>>(1)?,
                    r.get::<String>(2)?,
                    r.get::<String>(3)?,
                    r.get::<Option<String>>(4)?,
                ))
            },
        )
        .map_err(|e| db_error("read", e))?;
    rows.into_iter()
        .map(|(c, comment, source, state, delete_after)| {
            let net = cidr::parse(&c).map_err(|_| {
                Error::new(ErrorCode::Workspace, format!("the workspace holds a corrupt synced entry '{c}'"))
            })?;
            Ok(Own {
                net,
                comment,
                source,
                state: if state == "intent" { OwnState::Intent } else { OwnState::Confirmed },
                delete_after: delete_after.as_deref().and_then(parse_time),
            })
        })
        .collect()
}

/// Own confirmed entries as text, for replies.
pub fn synced_ips(conn: &Connection, connection_id: &str, project_id: &str) -> Result<Vec<String>> {
    Ok(own(conn, connection_id, project_id)?
        .into_iter()
        .filter(|o| o.state == OwnState::Confirmed)
        .map(|o| o.net.to_string())
        .collect())
}

/// Records (or re-records) an entry as `state`.
#[allow(clippy::too_many_arguments)]
pub fn put(
    conn: &Connection,
    connection_id: &str,
    project_id: &str,
    net: &Net,
    comment: Option<&str>,
    source: &str,
    state: OwnState,
    delete_after: Option<DateTime<Utc>>,
) -> Result<()> {
    let state = match state {
        OwnState::Intent => "intent",
        OwnState::Confirmed => "confirmed",
    };
    conn.execute(
        "INSERT INTO network_synced_ips (connection_id, project_id, cidr, comment, source, state, delete_after, added_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (connection_id, project_id, cidr) DO UPDATE SET \
         comment = excluded.comment, source = excluded.source, \
         state = CASE WHEN network_synced_ips.state = 'confirmed' THEN 'confirmed' ELSE excluded.state END, \
         delete_after = excluded.delete_after",
        params![
            connection_id,
            project_id,
            net.to_string(),
            comment,
            source,
            state,
            delete_after.map(time_text),
            time_text(Utc::now())
        ],
    )
    .map_err(|e| db_error("write", e))?;
    Ok(())
}

pub fn confirm(conn: &Connection, connection_id: &str, project_id: &str, net: &Net) -> Result<()> {
    conn.execute(
        "UPDATE network_synced_ips SET state = 'confirmed' WHERE connection_id = ?1 AND project_id = ?2 AND cidr = ?3",
        params![connection_id, project_id, net.to_string()],
    )
    .map_err(|e| db_error("write", e))?;
    Ok(())
}

pub fn forget(conn: &Connection, connection_id: &str, project_id: &str, net: &Net) -> Result<()> {
    conn.execute(
        "DELETE FROM network_synced_ips WHERE connection_id = ?1 AND project_id = ?2 AND cidr = ?3",
        params![connection_id, project_id, net.to_string()],
    )
    .map_err(|e| db_error("write", e))?;
    Ok(())
}

/// Whether another live connection of this workspace records `net` in project `project_id`
/// (a prune then leaves the entry: it is still someone's).
pub fn owned_by_another(conn: &Connection, connection_id: &str, project_id: &str, net: &Net) -> Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM network_synced_ips s JOIN connections c ON c.id = s.connection_id \
         WHERE s.project_id = ?1 AND s.cidr = ?2 AND s.connection_id <> ?3 AND c.deleted_at IS NULL)",
        params![project_id, net.to_string(), connection_id],
        |r| r.get(0),
    )
    .map_err(|e| db_error("read", e))
}
