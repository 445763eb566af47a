//! Workspace secrets: values encrypted at rest, referenced as `$Secret{KEY}` from other values
//! (a component env's `connection_url`) and resolved with the product's checks, in order:
//! it exists, it is not revoked, it is in scope for the app, it is allowed in the environment,
//! it has not expired; then it is decrypted.
//!
//! Records never carry a value; `secrets.fetch` and `secrets.resolve` are the only replies that
//! do (as `RevealedSecret`). A value is sealed bound to its row id, so a ciphertext copied to
//! another row does not open.

pub mod api;
pub mod reference;
pub mod repo;

use crate::crypto::{Cipher, RevealedSecret, SecretString};
use crate::error::{Error, ErrorCode, Result};
use crate::fields::{check_env_slug, check_list, check_timestamp, description, new_id, now};
use crate::store::Connection;
use crate::Ductape;
use api::*;
use reference::{check_key, Part};
use std::collections::HashMap;

/// The longest value, in bytes: a connection string or a certificate fits with room to spare.
pub const MAX_VALUE_LEN: usize = 64 * 1024;
const MAX_LIST: usize = 100;

pub async fn create(d: &Ductape, req: CreateRequest) -> Result<Record> {
    let key = check_key("key", &req.key)?;
    let value = check_value("value", &req.value)?;
    let now = now();
    let row = repo::Row {
        id: new_id(),
        key,
        description: description(req.description.as_deref())?,
        scope: req.scope.as_deref().map(check_scope).transpose()?,
        envs: req.envs.as_deref().map(check_envs).transpose()?,
        expires_at: req.expires_at.as_deref().map(|t| check_timestamp("expires_at", t)).transpose()?,
        revoked_at: None,
        owner_ids: None,
        owner: None,
        created_at: now.clone(),
        updated_at: now.clone(),
        last_rotated_at: now.clone(),
    };
    let store = d.store().await?;
    let saved = row.clone();
    store
        .write_async(move |store, tx| {
            let sealed = store.cipher(tx)?.seal_secret(&value, &repo::aad(&saved.id))?;
            repo::insert(tx, &saved, &sealed)
        })
        .await?;
    tracing::info!(key = %row.key, "created workspace secret");
    Ok(row.record(&now))
}

pub async fn fetch_all(d: &Ductape, req: FetchAllRequest) -> Result<FetchAllReply> {
    if let Some(l) = req.limit {
        if !(1..=10_000).contains(&l) {
            return Err(Error::invalid("limit", "limit must be between 1 and 10000"));
        }
    }
    let after = req.after.as_deref().map(|a| check_key("after", a)).transpose()?;
    let store = d.store().await?;
    let rows = store.read_async(move |_, c| repo::page(c, after.as_deref(), req.limit)).await?;
    let now = now();
    let full = req.limit.is_some_and(|l| rows.len() == l as usize);
    let next_after = full.then(|| rows.last().map(|r| r.key.clone())).flatten();
    Ok(FetchAllReply { secrets: rows.iter().map(|r| r.record(&now)).collect(), next_after })
}

pub async fn fetch(d: &Ductape, req: KeyRequest) -> Result<FetchReply> {
    let key = check_key("key", &req.key)?;
    let store = d.store().await?;
    let (row, value) = store
        .read_async(move |store, c| {
            let row = repo::get(c, "key", &key)?;
            refuse_revoked(&row, "key")?;
            let value = open(&*store.cipher(c)?, c, &row)?;
            Ok((row, value))
        })
        .await?;
    Ok(FetchReply { record: row.record(&now()), value: RevealedSecret(value) })
}

pub async fn update(d: &Ductape, req: UpdateRequest) -> Result<Record> {
    let key = check_key("key", &req.key)?;
    let value = req.value.as_ref().map(|v| check_value("value", v)).transpose()?;
    let change = Change {
        description: req.description.map(|d| description(d.as_deref())).transpose()?,
        scope: req.scope.map(|s| s.as_deref().map(check_scope).transpose()).transpose()?,
        envs: req.envs.map(|e| e.as_deref().map(check_envs).transpose()).transpose()?,
        expires_at: req
            .expires_at
            .map(|t| t.as_deref().map(|t| check_timestamp("expires_at", t)).transpose())
            .transpose()?,
    };
    let store = d.store().await?;
    let row = store
        .write_async(move |store, tx| {
            let mut row = repo::get(tx, "key", &key)?;
            if row.revoked_at.is_some() {
                let mut e = revoked(&row.key, "key");
                e.message.push_str("; a revoked secret cannot change (delete it and create it again)");
                return Err(e);
            }
            change.apply(&mut row);
            row.updated_at = now();
            let sealed = match &value {
                Some(v) => {
                    row.last_rotated_at = row.updated_at.clone();
                    Some(store.cipher(tx)?.seal_secret(v, &repo::aad(&row.id))?)
                }
                None => None,
            };
            repo::save(tx, &row, sealed.as_deref())?;
            Ok(row)
        })
        .await?;
    tracing::info!(key = %row.key, rotated = row.last_rotated_at == row.updated_at, "updated workspace secret");
    Ok(row.record(&now()))
}

/// The metadata changes of an update: `Some(None)` clears, `None` keeps.
struct Change {
    description: Option<Option<String>>,
    scope: Option<Option<Vec<String>>>,
    envs: Option<Option<Vec<String>>>,
    expires_at: Option<Option<String>>,
}

impl Change {
    fn apply(&self, row: &mut repo::Row) {
        if let Some(d) = &self.description {
            row.description = d.clone();
        }
        if let Some(s) = &self.scope {
            row.scope = s.clone();
        }
        if let Some(e) = &self.envs {
            row.envs = e.clone();
        }
        if let Some(t) = &self.expires_at {
            row.expires_at = t.clone();
        }
    }
}

pub async fn delete(d: &Ductape, req: KeyRequest) -> Result<DeleteReply> {
    let key = check_key("key", &req.key)?;
    let store = d.store().await?;
    let k = key.clone();
    store
        .write_async(move |_, tx| {
            let row = repo::get(tx, "key", &k)?;
            if let Some(owner) = &row.owner {
                return Err(Error::new(
                    ErrorCode::FailedPrecondition,
                    format!(
                        "Secret '{k}' belongs to component '{}' env '{}' of product '{}'; unlink that component env (or delete the component) instead",
                        owner.component, owner.env, owner.product
                    ),
                )
                .with_field("key"));
            }
            repo::delete(tx, &row.id)
        })
        .await?;
    tracing::info!(key = %key, "deleted workspace secret");
    Ok(DeleteReply { key, deleted: true })
}

pub async fn revoke(d: &Ductape, req: KeyRequest) -> Result<Record> {
    let key = check_key("key", &req.key)?;
    let store = d.store().await?;
    let row = store
        .write_async(move |_, tx| {
            let mut row = repo::get(tx, "key", &key)?;
            if row.revoked_at.is_none() {
                let at = now();
                row.revoked_at = Some(at.clone());
                row.updated_at = at;
                repo::save(tx, &row, None)?;
            }
            Ok(row)
        })
        .await?;
    tracing::info!(key = %row.key, "revoked workspace secret");
    Ok(row.record(&now()))
}

pub async fn resolve(d: &Ductape, req: ResolveRequest) -> Result<ResolveReply> {
    let ctx = Context::check(req.app.as_deref(), req.env.as_deref())?;
    let template = req.value;
    let store = d.store().await?;
    let (value, references) = store.read_async(move |store, c| resolve_in(store, c, "value", &template, &ctx)).await?;
    Ok(ResolveReply { value: RevealedSecret(value), references })
}

/// Who resolves: the app and the environment, both optional.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub app: Option<String>,
    pub env: Option<String>,
}

impl Context {
    pub fn check(app: Option<&str>, env: Option<&str>) -> Result<Context> {
        Ok(Context {
            app: app.map(|a| check_app("app", a)).transpose()?,
            env: env.map(|e| check_env_slug("env", e)).transpose()?,
        })
    }
}

/// Resolves every reference in `template` (checked as `field`) on `c`; answers the text and
/// the keys it referenced. A template without references comes back unchanged (and needs no
/// key check: nothing is decrypted).
pub fn resolve_in(
    store: &crate::store::Store,
    c: &Connection,
    field: &str,
    template: &SecretString,
    ctx: &Context,
) -> Result<(SecretString, Vec<String>)> {
    // The limit of a secret's value: also what bounds the parse's work and the parts it keeps.
    if template.expose().len() > MAX_VALUE_LEN {
        return Err(Error::invalid(field, format!("{field} must be at most {MAX_VALUE_LEN} bytes")));
    }
    let parts = reference::parse(field, template.expose())?;
    let keys = reference::keys(&parts);
    if keys.is_empty() {
        return Ok((template.clone(), Vec::new()));
    }
    let cipher = store.cipher(c)?;
    let mut values: HashMap<&str, SecretString> = HashMap::with_capacity(keys.len());
    for key in &keys {
        let row = repo::find(c, key)?.ok_or_else(|| repo::not_found(field, key))?;
        check_usable(&row, field, ctx)?;
        values.insert(key, open(&cipher, c, &row)?);
    }
    Ok((joined(&parts, &values), keys.iter().map(|k| k.to_string()).collect()))
}

/// The parts with each reference replaced by its value, written into a buffer of the exact size
/// (growing a buffer would free copies of the values without wiping them).
fn joined(parts: &[Part], values: &HashMap<&str, SecretString>) -> SecretString {
    let text = |p: &Part| -> usize {
        match p {
            Part::Text(t) => t.len(),
            Part::Ref(k) => values[k].expose().len(),
        }
    };
    let mut out = zeroize::Zeroizing::new(String::with_capacity(parts.iter().map(text).sum()));
    for part in parts {
        match part {
            Part::Text(t) => out.push_str(t),
            Part::Ref(k) => out.push_str(values[k].expose()),
        }
    }
    SecretString::new(out.as_str())
}

/// The product's checks after existence, in its order, with its messages.
fn check_usable(row: &repo::Row, field: &str, ctx: &Context) -> Result<()> {
    let key = &row.key;
    refuse_revoked(row, field)?;
    if let Some(scope) = &row.scope {
        match &ctx.app {
            Some(app) if scope.contains(app) => {}
            Some(app) => {
                return Err(denied(
                    field,
                    key,
                    "out_of_scope",
                    format!("Secret '{key}' is not accessible by app '{app}'"),
                ))
            }
            None => {
                return Err(denied(
                    field,
                    key,
                    "out_of_scope",
                    format!("Secret '{key}' is not accessible without an app: it is scoped to {}", scope.join(", ")),
                ))
            }
        }
    }
    if let Some(envs) = &row.envs {
        match &ctx.env {
            Some(env) if envs.contains(env) => {}
            Some(env) => {
                return Err(denied(
                    field,
                    key,
                    "wrong_env",
                    format!("Secret '{key}' is not available in environment '{env}'"),
                ))
            }
            None => {
                return Err(denied(
                    field,
                    key,
                    "wrong_env",
                    format!(
                        "Secret '{key}' is not available without an environment: it is limited to {}",
                        envs.join(", ")
                    ),
                ))
            }
        }
    }
    if row.expired(&now()) {
        return Err(Error::new(ErrorCode::FailedPrecondition, format!("Secret '{key}' has expired"))
            .with_field(field)
            .with_details(serde_json::json!({ "key": key, "reason": "expired", "expires_at": row.expires_at })));
    }
    Ok(())
}

fn denied(field: &str, key: &str, reason: &str, message: String) -> Error {
    Error::new(ErrorCode::PermissionDenied, message)
        .with_field(field)
        .with_details(serde_json::json!({ "key": key, "reason": reason }))
}

fn revoked(key: &str, field: &str) -> Error {
    Error::new(ErrorCode::FailedPrecondition, format!("Secret '{key}' has been revoked"))
        .with_field(field)
        .with_details(serde_json::json!({ "key": key, "reason": "revoked" }))
}

fn refuse_revoked(row: &repo::Row, field: &str) -> Result<()> {
    match row.revoked_at {
        Some(_) => Err(revoked(&row.key, field)),
        None => Ok(()),
    }
}

fn open(cipher: &Cipher, c: &Connection, row: &repo::Row) -> Result<SecretString> {
    cipher.open_secret(&repo::sealed_value(c, &row.id)?, &repo::aad(&row.id)).map_err(|_| {
        Error::new(
            ErrorCode::Workspace,
            format!("the value of secret '{}' does not decrypt with the workspace key (damaged?); set it again with secrets.update", row.key),
        )
    })
}

fn check_value(field: &str, v: &SecretString) -> Result<SecretString> {
    if v.expose().is_empty() {
        return Err(Error::invalid(field, format!("{field} must not be empty")));
    }
    if v.expose().len() > MAX_VALUE_LEN {
        return Err(Error::invalid(field, format!("{field} must be at most {MAX_VALUE_LEN} bytes")));
    }
    Ok(v.clone())
}

/// An app tag: lowercase letters, digits, `-` and `_`, starting with a letter or digit, at most 64.
pub fn check_app(field: &str, raw: &str) -> Result<String> {
    let s = raw.trim();
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.as_bytes()[0].is_ascii_alphanumeric()
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        return Ok(s.to_string());
    }
    Err(Error::invalid(
        field,
        format!("{field} must be an app tag: lowercase letters, digits, '-' and '_', at most 64 characters"),
    ))
}

fn check_scope(apps: &[String]) -> Result<Vec<String>> {
    check_list("scope", apps, MAX_LIST, "app", check_app)
}

fn check_envs(envs: &[String]) -> Result<Vec<String>> {
    check_list("envs", envs, MAX_LIST, "environment", check_env_slug)
}

/// Re-seals every secret value under a new workspace key (`workspace.rotateKey`).
pub fn reseal(tx: &crate::store::Transaction, old: &Cipher, new: &Cipher) -> Result<usize> {
    let all = repo::all_sealed(tx)?;
    for (id, key, sealed) in &all {
        let aad = repo::aad(id);
        let plain = zeroize::Zeroizing::new(old.open(sealed, &aad).map_err(|_| {
            Error::new(
                ErrorCode::Workspace,
                format!("the value of secret '{key}' does not decrypt with the current workspace key (damaged?), so the key was not rotated; set it again with secrets.update, then rotate"),
            )
        })?);
        repo::reseal(tx, id, &new.seal(&plain, &aad)?)?;
    }
    Ok(all.len())
}
