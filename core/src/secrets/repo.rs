//! SQL for workspace secrets. Every function takes a connection or transaction from
//! `store::Store`, so callers choose the transaction boundaries. Values are sealed with
//! [`aad`], which binds each ciphertext to its row.

use super::api::{Owner, Record};
use crate::error::{Error, ErrorCode, Result};
use crate::store::sql::{params, Row as SqlRow};
use crate::store::{db_error, Connection, DbError, OptionalExtension};

/// A stored secret without its value.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    pub key: String,
    pub description: Option<String>,
    pub scope: Option<Vec<String>>,
    pub envs: Option<Vec<String>>,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
    /// `(component id, environment id)` of the component env that owns it.
    pub owner_ids: Option<(String, String)>,
    pub owner: Option<Owner>,
    pub created_at: String,
    pub updated_at: String,
    pub last_rotated_at: String,
}

impl Row {
    pub fn expired(&self, now: &str) -> bool {
        self.expires_at.as_deref().is_some_and(|at| at <= now)
    }

    pub fn record(&self, now: &str) -> Record {
        Record {
            key: self.key.clone(),
            description: self.description.clone(),
            scope: self.scope.clone(),
            envs: self.envs.clone(),
            expires_at: self.expires_at.clone(),
            expired: self.expired(now),
            revoked: self.revoked_at.is_some(),
            revoked_at: self.revoked_at.clone(),
            owner: self.owner.clone(),
            created_at: self.created_at.clone(),
            updated_at: self.updated_at.clone(),
            last_rotated_at: self.last_rotated_at.clone(),
        }
    }
}

/// The associated data of a secret's value: its row id.
pub fn aad(id: &str) -> String {
    format!("secret:{id}")
}

const SELECT: &str = "SELECT s.id, s.key, s.description, s.scope, s.envs, s.expires_at, s.revoked_at, \
     s.owner_component, s.owner_env, p.tag, c.tag, e.slug, s.created_at, s.updated_at, s.last_rotated_at \
     FROM secrets s LEFT JOIN components c ON c.id = s.owner_component LEFT JOIN products p ON p.id = c.product_id \
     LEFT JOIN environments e ON e.id = s.owner_env";

fn from_sql(r: &SqlRow) -> Result<Row, DbError> {
    let list = |i: usize| -> Result<Option<Vec<String>>, DbError> {
        let text: Option<String> = r.get(i)?;
        text.map(|t| serde_json::from_str(&t).map_err(|e| DbError::conversion(i, e))).transpose()
    };
    let ids: (Option<String>, Option<String>) = (r.get(7)?, r.get(8)?);
    let tags: (Option<String>, Option<String>, Option<String>) = (r.get(9)?, r.get(10)?, r.get(11)?);
    let owner = match tags {
        (Some(product), Some(component), Some(env)) => Some(Owner { product, component, env }),
        _ => None,
    };
    Ok(Row {
        id: r.get(0)?,
        key: r.get(1)?,
        description: r.get(2)?,
        scope: list(3)?,
        envs: list(4)?,
        expires_at: r.get(5)?,
        revoked_at: r.get(6)?,
        owner_ids: ids.0.zip(ids.1),
        owner,
        created_at: r.get(12)?,
        updated_at: r.get(13)?,
        last_rotated_at: r.get(14)?,
    })
}

fn json_list(v: &Option<Vec<String>>) -> Option<String> {
    v.as_ref().map(|l| serde_json::to_string(l).expect("a list of strings serialises"))
}

pub fn find(conn: &Connection, key: &str) -> Result<Option<Row>> {
    conn.query_row(&format!("{SELECT} WHERE s.key = ?1"), params![key], from_sql)
        .optional()
        .map_err(|e| db_error("read", e))
}

/// The secret with `key`, or `not_found` on `field`.
pub fn get(conn: &Connection, field: &str, key: &str) -> Result<Row> {
    find(conn, key)?.ok_or_else(|| not_found(field, key))
}

pub fn not_found(field: &str, key: &str) -> Error {
    Error::new(ErrorCode::NotFound, format!("Secret '{key}' not found"))
        .with_field(field)
        .with_details(serde_json::json!({ "key": key, "reason": "not_found" }))
}

/// Up to `limit` rows with keys after `after`, by key. Two statements, not `?1 IS NULL OR key > ?1`:
/// that form makes SQLite scan the key index from its start instead of seeking to `after`
/// (a 100-record page from the middle of 10,000 took 6x longer).
pub fn page(conn: &Connection, after: Option<&str>, limit: Option<u32>) -> Result<Vec<Row>> {
    let sql = match after {
        Some(_) => format!("{SELECT} WHERE s.key > ?1 ORDER BY s.key"),
        None => format!("{SELECT} WHERE CAST(?1 AS TEXT) IS NULL ORDER BY s.key"),
    };
    // No LIMIT clause without a limit: SQLite's `LIMIT -1` is an error on PostgreSQL.
    let sql = if limit.is_some() { format!("{sql} LIMIT ?2") } else { sql };
    let rows = match limit {
        Some(n) => conn.query_map(&sql, params![after, i64::from(n)], from_sql),
        None => conn.query_map(&sql, params![after], from_sql),
    };
    rows.map_err(|e| db_error("read", e))
}

pub fn sealed_value(conn: &Connection, id: &str) -> Result<Vec<u8>> {
    conn.query_row("SELECT ciphertext FROM secrets WHERE id = ?1", params![id], |r| r.get(0))
        .map_err(|e| db_error("read", e))
}

pub fn insert(conn: &Connection, r: &Row, sealed: &[u8]) -> Result<()> {
    conn.execute(
        "INSERT INTO secrets (id, key, description, scope, envs, expires_at, revoked_at, ciphertext, owner_component, \
         owner_env, created_at, updated_at, last_rotated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            r.id,
            r.key,
            r.description,
            json_list(&r.scope),
            json_list(&r.envs),
            r.expires_at,
            r.revoked_at,
            sealed,
            r.owner_ids.as_ref().map(|o| &o.0),
            r.owner_ids.as_ref().map(|o| &o.1),
            r.created_at,
            r.updated_at,
            r.last_rotated_at
        ],
    )
    .map_err(|e| {
        if e.is_constraint() {
            Error::new(ErrorCode::Conflict, format!("Secret '{}' already exists", r.key))
                .with_field("key")
                .with_details(serde_json::json!({ "key": r.key }))
        } else {
            db_error("write", e)
        }
    })?;
    Ok(())
}

/// Writes every mutable column of `r` (by id); `sealed` replaces the value when given.
pub fn save(conn: &Connection, r: &Row, sealed: Option<&[u8]>) -> Result<()> {
    conn.execute(
        "UPDATE secrets SET description = ?2, scope = ?3, envs = ?4, expires_at = ?5, revoked_at = ?6, \
         updated_at = ?7, last_rotated_at = ?8, ciphertext = coalesce(?9, ciphertext) WHERE id = ?1",
        params![
            r.id,
            r.description,
            json_list(&r.scope),
            json_list(&r.envs),
            r.expires_at,
            r.revoked_at,
            r.updated_at,
            r.last_rotated_at,
            sealed
        ],
    )
    .map_err(|e| db_error("write", e))?;
    Ok(())
}

pub fn delete(conn: &Connection, id: &str) -> Result<()> {
    conn.execute("DELETE FROM secrets WHERE id = ?1", params![id]).map_err(|e| db_error("write", e))?;
    Ok(())
}

/// Which owned secrets a deletion takes with it.
#[derive(Clone, Copy)]
pub enum Owned<'a> {
    Product(&'a str),
    Component(&'a str),
    Env(&'a str),
}

/// Deletes the secrets owned by the component envs of a product, a component or an
/// environment; answers how many.
pub fn delete_owned(conn: &Connection, of: Owned<'_>) -> Result<usize> {
    let (sql, id) = match of {
        Owned::Product(id) => {
            ("DELETE FROM secrets WHERE owner_component IN (SELECT id FROM components WHERE product_id = ?1)", id)
        }
        Owned::Component(id) => ("DELETE FROM secrets WHERE owner_component = ?1", id),
        Owned::Env(id) => ("DELETE FROM secrets WHERE owner_env = ?1", id),
    };
    conn.execute(sql, params![id]).map_err(|e| db_error("write", e))
}

/// Every `(id, key, ciphertext)`, for re-sealing under a new workspace key.
pub fn all_sealed(conn: &Connection) -> Result<Vec<(String, String, Vec<u8>)>> {
    conn.query_map("SELECT id, key, ciphertext FROM secrets ORDER BY rowid", params![], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })
    .map_err(|e| db_error("read", e))
}

pub fn reseal(conn: &Connection, id: &str, sealed: &[u8]) -> Result<()> {
    conn.execute("UPDATE secrets SET ciphertext = ?2 WHERE id = ?1", params![id, sealed])
        .map_err(|e| db_error("write", e))?;
    Ok(())
}
