//! Products: a product has environments (`dev`, `stg`, `prd`, ...) and database components
//! (`db-mongo` of type `mongodb`) with one config per environment, whose `connection_url` may be
//! a literal (stored encrypted) or a `$Secret{KEY}` reference. `products.components.resolve` is
//! the one read path an application uses.
//!
//! Deleting a product, environment or component whose configs hold secrets (a literal
//! connection URL, or a secret a config owns, as `cloud.resources.import` makes) is refused
//! unless forced; forced, the secrets go in the same transaction as the rows.

pub mod api;
pub mod components;
pub mod environments;
pub mod repo;

use crate::crypto::Cipher;
use crate::error::{Error, ErrorCode, Result};
use crate::fields::{check_text, description, hyphen_slug, is_hyphen_tag, new_id, now};
use crate::secrets::repo::{delete_owned, Owned};
use crate::store::Connection;
use crate::Ductape;
use api::*;

pub const MAX_TAG_LEN: usize = 64;
pub const MAX_NAME_LEN: usize = 200;

pub async fn create(d: &Ductape, req: CreateRequest) -> Result<Product> {
    let name = check_text("name", &req.name, MAX_NAME_LEN, false)?;
    let tag = match &req.tag {
        Some(t) => check_tag("tag", t)?,
        None => hyphen_slug(&name, MAX_TAG_LEN)
            .ok_or_else(|| Error::invalid("name", "name has no letters or digits to make a tag from; give tag"))?,
    };
    let now = now();
    let row = repo::Product {
        id: new_id(),
        tag,
        name,
        description: description(req.description.as_deref())?,
        created_at: now.clone(),
        updated_at: now,
    };
    let store = d.store().await?;
    let saved = row.clone();
    store.write_async(move |_, tx| repo::insert_product(tx, &saved)).await?;
    tracing::info!(product = %row.tag, "created product");
    Ok(record(&row))
}

pub async fn fetch(d: &Ductape, req: ProductRequest) -> Result<Product> {
    let tag = lookup("product", &req.product)?;
    let store = d.store().await?;
    let row = store.read_async(move |_, c| repo::product(c, &tag)).await?;
    Ok(record(&row))
}

pub async fn list(d: &Ductape, _: ListRequest) -> Result<ListReply> {
    let store = d.store().await?;
    let rows = store.read_async(|_, c| repo::products(c)).await?;
    Ok(ListReply { products: rows.iter().map(record).collect() })
}

pub async fn update(d: &Ductape, req: UpdateRequest) -> Result<Product> {
    let tag = lookup("product", &req.product)?;
    let name = req.name.as_deref().map(|n| check_text("name", n, MAX_NAME_LEN, false)).transpose()?;
    let desc = req.description.map(|d| description(d.as_deref())).transpose()?;
    let store = d.store().await?;
    let row = store
        .write_async(move |_, tx| {
            let mut row = repo::product(tx, &tag)?;
            if let Some(n) = &name {
                row.name = n.clone();
            }
            if let Some(d) = &desc {
                row.description = d.clone();
            }
            row.updated_at = now();
            repo::save_product(tx, &row)?;
            Ok(row)
        })
        .await?;
    Ok(record(&row))
}

pub async fn delete(d: &Ductape, req: DeleteRequest) -> Result<DeleteReply> {
    let tag = lookup("product", &req.product)?;
    let store = d.store().await?;
    let reply = store
        .write_async(move |_, tx| {
            let row = repo::product(tx, &tag)?;
            refuse_while_holding(tx, Owned::Product(&row.id), req.force, &format!("product '{tag}'"))?;
            let secrets_deleted =
                delete_sealed_count(tx, Owned::Product(&row.id))? + delete_owned(tx, Owned::Product(&row.id))?;
            crate::store::debug_pause("products.delete");
            let (environments_deleted, components_deleted) = repo::delete_product(tx, &row.id)?;
            Ok(DeleteReply {
                product: tag.clone(),
                deleted: true,
                environments_deleted,
                components_deleted,
                secrets_deleted,
            })
        })
        .await?;
    tracing::info!(product = %reply.product, secrets = reply.secrets_deleted, "deleted product");
    Ok(reply)
}

/// Refuses while component envs under `of` hold imported Atlas clusters (even with `force`:
/// their database users live in Atlas, which only unlink deletes, and deleting the records alone
/// would leave a live login nobody knows of), and (unless `force`) while they hold secrets.
fn refuse_while_holding(c: &Connection, of: Owned<'_>, force: bool, what: &str) -> Result<()> {
    let imported = repo::holding_imports(c, of)?;
    if !imported.is_empty() {
        return Err(Error::new(
            ErrorCode::FailedPrecondition,
            format!(
                "{what} has imported Atlas clusters ({}); unlink each first (cloud.resources.unlink), which deletes its \
                 database user in Atlas, then delete",
                imported.join(", ")
            ),
        )
        .with_field("force")
        .with_details(serde_json::json!({ "imported": imported })));
    }
    if force {
        return Ok(());
    }
    let holding = repo::holding_secrets(c, of)?;
    if holding.is_empty() {
        return Ok(());
    }
    Err(Error::new(
        ErrorCode::FailedPrecondition,
        format!(
            "{what} has component envs holding secrets ({}); delete them first, or pass force: true to delete their secrets too",
            holding.join(", ")
        ),
    )
    .with_field("force")
    .with_details(serde_json::json!({ "holding": holding })))
}

/// How many sealed connection URLs under `of` go with the rows (the rows' deletion removes them).
fn delete_sealed_count(c: &Connection, of: Owned<'_>) -> Result<usize> {
    let (filter, id) = match of {
        Owned::Product(id) => ("component_id IN (SELECT id FROM components WHERE product_id = ?1)", id),
        Owned::Component(id) => ("component_id = ?1", id),
        Owned::Env(id) => ("env_id = ?1", id),
    };
    let sql = format!("SELECT count(*) FROM component_envs WHERE connection_url_sealed IS NOT NULL AND {filter}");
    let n: i64 = c
        .query_row(&sql, crate::store::sql::params![id], |r| r.get(0))
        .map_err(|e| crate::store::db_error("read", e))?;
    Ok(n as usize)
}

fn record(r: &repo::Product) -> Product {
    Product {
        id: r.id.clone(),
        tag: r.tag.clone(),
        name: r.name.clone(),
        description: r.description.clone(),
        created_at: r.created_at.clone(),
        updated_at: r.updated_at.clone(),
    }
}

const TAG_RULE: &str = "lowercase letters, digits and '-', starting with a letter or digit, at most 64 characters";

/// A new product or component tag.
pub fn check_tag(field: &str, raw: &str) -> Result<String> {
    let t = raw.trim();
    if is_hyphen_tag(t, MAX_TAG_LEN) {
        return Ok(t.to_string());
    }
    let hint = crate::fields::tag_suggestion(t, |s| hyphen_slug(s, MAX_TAG_LEN));
    Err(Error::invalid(field, format!("{field} must be {TAG_RULE} (the value given is not repeated here){hint}")))
}

/// The tag of a product or component to look up: the same rule, never echoed when malformed.
pub fn lookup(field: &str, raw: &str) -> Result<String> {
    let t = raw.trim();
    if is_hyphen_tag(t, MAX_TAG_LEN) {
        return Ok(t.to_string());
    }
    Err(Error::invalid(field, format!("{field} must be a tag: {TAG_RULE}; the value given is not repeated here")))
}

/// Re-seals every sealed connection URL under a new workspace key (`workspace.rotateKey`).
pub fn reseal(tx: &crate::store::Transaction, old: &Cipher, new: &Cipher) -> Result<usize> {
    let all = repo::all_sealed(tx)?;
    for (component, env, sealed) in &all {
        let aad = repo::component_env_aad(component, env);
        let plain = zeroize::Zeroizing::new(old.open(sealed, &aad).map_err(|_| {
            Error::new(
                ErrorCode::Workspace,
                "a stored component connection_url does not decrypt with the current workspace key (damaged?), so the key was not rotated; set it again with products.components.setEnv, then rotate",
            )
        })?);
        repo::reseal(tx, component, env, &new.seal(&plain, &aad)?)?;
    }
    Ok(all.len())
}
