//! SQL for connections and their encrypted secrets. Every function takes a connection or a
//! transaction from `store::Store`, so callers choose the transaction boundaries.

use super::model::{Metadata, Row, Status};
use crate::error::{Error, ErrorCode, Result};
use crate::store::sql::{params, Row as SqlRow};
use crate::store::{db_error, Connection, DbError, OptionalExtension};

const COLUMNS: &str = "id, tag, provider, display_name, description, status, scopes, account_identifier, metadata, credentials_rev, created_at, updated_at, deleted_at";

fn from_sql(r: &SqlRow) -> Result<(Row, String, String, String), DbError> {
    let status: String = r.get(5)?;
    let scopes: String = r.get(6)?;
    let metadata: String = r.get(8)?;
    Ok((
        Row {
            id: r.get(0)?,
            tag: r.get(1)?,
            provider: r.get(2)?,
            display_name: r.get(3)?,
            description: r.get(4)?,
            status: Status::Pending,
            scopes: Vec::new(),
            account_identifier: r.get(7)?,
            metadata: Metadata::default(),
            credentials_rev: r.get(9)?,
            created_at: r.get(10)?,
            updated_at: r.get(11)?,
            deleted_at: r.get(12)?,
        },
        status,
        scopes,
        metadata,
    ))
}

fn finish((mut row, status, scopes, metadata): (Row, String, String, String)) -> Result<Row> {
    let corrupt = |what: &str| {
        Error::new(ErrorCode::Workspace, format!("connection '{}' has a corrupt {what} in the workspace", row.tag))
    };
    row.status = Status::parse(&status).ok_or_else(|| corrupt("status"))?;
    row.scopes = serde_json::from_str(&scopes).map_err(|_| corrupt("scopes"))?;
    row.metadata = serde_json::from_str(&metadata).map_err(|_| corrupt("metadata"))?;
    Ok(row)
}

/// What a tag names.
pub enum Lookup {
    Live(Box<Row>),
    /// No live connection; the most recent deleted one had this `deleted_at`.
    Deleted(String),
    Missing,
}

pub fn lookup(conn: &Connection, tag: &str) -> Result<Lookup> {
    let live = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM connections WHERE tag = ?1 AND deleted_at IS NULL"),
            params![tag],
            from_sql,
        )
        .optional()
        .map_err(|e| db_error("read", e))?;
    if let Some(r) = live {
        return Ok(Lookup::Live(Box::new(finish(r)?)));
    }
    let deleted: Option<String> = conn
        .query_row(
            "SELECT max(deleted_at) FROM connections WHERE tag = ?1 AND deleted_at IS NOT NULL",
            params![tag],
            |r| r.get(0),
        )
        .map_err(|e| db_error("read", e))?;
    Ok(deleted.map(Lookup::Deleted).unwrap_or(Lookup::Missing))
}

/// The live connection with `tag`, or `not_found` saying whether it never existed or was deleted.
pub fn live(conn: &Connection, tag: &str) -> Result<Row> {
    match lookup(conn, tag)? {
        Lookup::Live(r) => Ok(*r),
        Lookup::Deleted(at) => {
            Err(Error::new(ErrorCode::NotFound, format!("cloud connection '{tag}' was deleted (at {at}); it is gone"))
                .with_field("tag")
                .with_details(serde_json::json!({ "tag": tag, "deleted_at": at })))
        }
        Lookup::Missing => Err(Error::new(ErrorCode::NotFound, format!("no cloud connection with tag '{tag}'"))
            .with_field("tag")
            .with_details(serde_json::json!({ "tag": tag }))),
    }
}

pub fn by_id(conn: &Connection, id: &str) -> Result<Option<Row>> {
    conn.query_row(&format!("SELECT {COLUMNS} FROM connections WHERE id = ?1"), params![id], from_sql)
        .optional()
        .map_err(|e| db_error("read", e))?
        .map(finish)
        .transpose()
}

pub fn list(conn: &Connection, provider: Option<&str>, status: Option<Status>) -> Result<Vec<Row>> {
    let rows = conn
        .query_map(
            &format!(
                "SELECT {COLUMNS} FROM connections WHERE deleted_at IS NULL AND (CAST(?1 AS TEXT) IS NULL OR provider = ?1) \
                 AND (CAST(?2 AS TEXT) IS NULL OR status = ?2) ORDER BY created_at, rowid"
            ),
            params![provider, status.map(|s| s.as_str())],
            from_sql,
        )
        .map_err(|e| db_error("read", e))?;
    rows.into_iter().map(finish).collect()
}

fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v)
        .map_err(|e| Error::new(ErrorCode::Internal, format!("could not serialise a connection: {e}")))
}

pub fn insert(conn: &Connection, r: &Row) -> Result<()> {
    conn.execute(
        &format!("INSERT INTO connections ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"),
        params![
            r.id,
            r.tag,
            r.provider,
            r.display_name,
            r.description,
            r.status.as_str(),
            json(&r.scopes)?,
            r.account_identifier,
            json(&r.metadata)?,
            r.credentials_rev,
            r.created_at,
            r.updated_at,
            r.deleted_at
        ],
    )
    .map_err(|e| {
        if e.is_constraint() {
            Error::new(ErrorCode::Conflict, format!("a cloud connection with tag '{}' already exists", r.tag))
                .with_field("name")
        } else {
            db_error("write", e)
        }
    })?;
    Ok(())
}

/// Writes every mutable column of `r` (by id).
pub fn save(conn: &Connection, r: &Row) -> Result<()> {
    conn.execute(
        "UPDATE connections SET display_name = ?2, description = ?3, status = ?4, scopes = ?5, account_identifier = ?6, \
         metadata = ?7, credentials_rev = ?8, updated_at = ?9, deleted_at = ?10 WHERE id = ?1",
        params![
            r.id,
            r.display_name,
            r.description,
            r.status.as_str(),
            json(&r.scopes)?,
            r.account_identifier,
            json(&r.metadata)?,
            r.credentials_rev,
            r.updated_at,
            r.deleted_at
        ],
    )
    .map_err(|e| db_error("write", e))?;
    Ok(())
}

pub fn put_secret(conn: &Connection, connection_id: &str, name: &str, ciphertext: &[u8], at: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO connection_secrets (connection_id, name, ciphertext, updated_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (connection_id, name) DO UPDATE SET ciphertext = excluded.ciphertext, updated_at = excluded.updated_at",
        params![connection_id, name, ciphertext, at],
    )
    .map_err(|e| db_error("write", e))?;
    Ok(())
}

pub fn get_secret(conn: &Connection, connection_id: &str, name: &str) -> Result<Option<Vec<u8>>> {
    conn.query_row(
        "SELECT ciphertext FROM connection_secrets WHERE connection_id = ?1 AND name = ?2",
        params![connection_id, name],
        |r| r.get(0),
    )
    .optional()
    .map_err(|e| db_error("read", e))
}

/// One stored secret: `(connection_id, tag, name, ciphertext)`.
pub type StoredSecret = (String, String, String, Vec<u8>);

/// Every stored secret, for re-sealing them all.
pub fn all_secrets(conn: &Connection) -> Result<Vec<StoredSecret>> {
    conn.query_map(
        "SELECT s.connection_id, c.tag, s.name, s.ciphertext FROM connection_secrets s \
         JOIN connections c ON c.id = s.connection_id ORDER BY s.rowid",
        params![],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
    .map_err(|e| db_error("read", e))
}

/// Replaces one secret's ciphertext (its `updated_at` stays: the secret itself did not change).
pub fn reseal_secret(conn: &Connection, connection_id: &str, name: &str, ciphertext: &[u8]) -> Result<()> {
    conn.execute(
        "UPDATE connection_secrets SET ciphertext = ?3 WHERE connection_id = ?1 AND name = ?2",
        params![connection_id, name, ciphertext],
    )
    .map_err(|e| db_error("write", e))?;
    Ok(())
}

pub fn delete_secrets(conn: &Connection, connection_id: &str) -> Result<()> {
    conn.execute("DELETE FROM connection_secrets WHERE connection_id = ?1", params![connection_id])
        .map_err(|e| db_error("write", e))?;
    Ok(())
}

/// The associated data binding a secret's ciphertext to its row and name.
pub fn secret_aad(connection_id: &str, name: &str) -> String {
    format!("connection:{connection_id}:{name}")
}
