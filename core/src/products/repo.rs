//! SQL for products, their environments and components, and the per-environment component
//! configs. Functions take a connection or transaction from `store::Store`.

use crate::error::{Error, ErrorCode, Result};
use crate::secrets::repo::Owned;
use crate::store::sql::{params, Row as SqlRow};
use crate::store::{db_error, Connection, DbError, OptionalExtension};

#[derive(Debug, Clone)]
pub struct Product {
    pub id: String,
    pub tag: String,
    pub name: String,
    pub description: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone)]
pub struct Env {
    pub id: String,
    pub product_id: String,
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone)]
pub struct Component {
    pub id: String,
    pub product_id: String,
    pub tag: String,
    pub name: String,
    pub kind: String,
    pub created_at: String,
    pub updated_at: String,
}

/// One component's config in one environment.
#[derive(Debug, Clone, Default)]
pub struct ComponentEnv {
    pub component_id: String,
    pub env_id: String,
    /// A bare `$Secret{KEY}` reference (not secret).
    pub connection_url_ref: Option<String>,
    /// Anything else, sealed with [`component_env_aad`].
    pub connection_url_sealed: Option<Vec<u8>>,
    pub cloud: Option<String>,
    pub instance: Option<String>,
    pub auth_mode: Option<String>,
    /// The Atlas database user `cloud.resources.import` made for it.
    pub database_user: Option<String>,
    /// The Atlas project and base URL the user was made in (import records them; links made
    /// before they were recorded have none).
    pub project_id: Option<String>,
    pub atlas_base_url: Option<String>,
    pub updated_at: String,
}

/// The associated data of a sealed connection URL: its component and environment.
pub fn component_env_aad(component_id: &str, env_id: &str) -> String {
    format!("component_env:{component_id}:{env_id}")
}

fn collect<T>(rows: std::result::Result<Vec<T>, DbError>) -> Result<Vec<T>> {
    rows.map_err(|e| db_error("read", e))
}

fn conflict(e: DbError, message: String, field: &str) -> Error {
    if e.is_constraint() {
        Error::new(ErrorCode::Conflict, message).with_field(field)
    } else {
        db_error("write", e)
    }
}

// ---- products

const PRODUCT: &str = "SELECT id, tag, name, description, created_at, updated_at FROM products";

fn product_row(r: &SqlRow) -> Result<Product, DbError> {
    Ok(Product {
        id: r.get(0)?,
        tag: r.get(1)?,
        name: r.get(2)?,
        description: r.get(3)?,
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
    })
}

/// The product with `tag`, or `not_found` on `product`.
pub fn product(c: &Connection, tag: &str) -> Result<Product> {
    c.query_row(&format!("{PRODUCT} WHERE tag = ?1"), params![tag], product_row)
        .optional()
        .map_err(|e| db_error("read", e))?
        .ok_or_else(|| {
            Error::new(ErrorCode::NotFound, format!("no product with tag '{tag}'; create it with products.create"))
                .with_field("product")
                .with_details(serde_json::json!({ "product": tag }))
        })
}

pub fn products(c: &Connection) -> Result<Vec<Product>> {
    collect(c.query_map(&format!("{PRODUCT} ORDER BY created_at, rowid"), params![], product_row))
}

pub fn insert_product(c: &Connection, p: &Product) -> Result<()> {
    c.execute(
        "INSERT INTO products (id, tag, name, description, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![p.id, p.tag, p.name, p.description, p.created_at, p.updated_at],
    )
    .map_err(|e| conflict(e, format!("a product with tag '{}' already exists", p.tag), "tag"))?;
    Ok(())
}

pub fn save_product(c: &Connection, p: &Product) -> Result<()> {
    c.execute(
        "UPDATE products SET name = ?2, description = ?3, updated_at = ?4 WHERE id = ?1",
        params![p.id, p.name, p.description, p.updated_at],
    )
    .map_err(|e| db_error("write", e))?;
    Ok(())
}

/// Deletes a product with its environments, components and their configs (not the secrets:
/// the caller deletes the owned ones first). Answers `(environments, components)` deleted.
pub fn delete_product(c: &Connection, id: &str) -> Result<(usize, usize)> {
    let run = |sql: &str| c.execute(sql, params![id]).map_err(|e| db_error("write", e));
    run("DELETE FROM component_envs WHERE component_id IN (SELECT id FROM components WHERE product_id = ?1)")?;
    let components = run("DELETE FROM components WHERE product_id = ?1")?;
    let envs = run("DELETE FROM environments WHERE product_id = ?1")?;
    run("DELETE FROM products WHERE id = ?1")?;
    Ok((envs, components))
}

// ---- environments

const ENV: &str = "SELECT id, product_id, slug, name, description, created_at, updated_at FROM environments";

fn env_row(r: &SqlRow) -> Result<Env, DbError> {
    Ok(Env {
        id: r.get(0)?,
        product_id: r.get(1)?,
        slug: r.get(2)?,
        name: r.get(3)?,
        description: r.get(4)?,
        created_at: r.get(5)?,
        updated_at: r.get(6)?,
    })
}

/// The environment `slug` of product `p`, or `not_found` on `env` saying what to create.
pub fn env(c: &Connection, p: &Product, slug: &str) -> Result<Env> {
    c.query_row(&format!("{ENV} WHERE product_id = ?1 AND slug = ?2"), params![p.id, slug], env_row)
        .optional()
        .map_err(|e| db_error("read", e))?
        .ok_or_else(|| {
            Error::new(
                ErrorCode::NotFound,
                format!("product '{}' has no environment '{slug}'; create it with products.environments.create", p.tag),
            )
            .with_field("env")
            .with_details(serde_json::json!({ "product": p.tag, "env": slug }))
        })
}

pub fn envs(c: &Connection, product_id: &str) -> Result<Vec<Env>> {
    collect(c.query_map(
        &format!("{ENV} WHERE product_id = ?1 ORDER BY created_at, rowid"),
        params![product_id],
        env_row,
    ))
}

pub fn insert_env(c: &Connection, e: &Env, product_tag: &str) -> Result<()> {
    c.execute(
        "INSERT INTO environments (id, product_id, slug, name, description, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![e.id, e.product_id, e.slug, e.name, e.description, e.created_at, e.updated_at],
    )
    .map_err(|err| conflict(err, format!("product '{product_tag}' already has an environment '{}'", e.slug), "slug"))?;
    Ok(())
}

pub fn save_env(c: &Connection, e: &Env) -> Result<()> {
    c.execute(
        "UPDATE environments SET name = ?2, description = ?3, updated_at = ?4 WHERE id = ?1",
        params![e.id, e.name, e.description, e.updated_at],
    )
    .map_err(|e| db_error("write", e))?;
    Ok(())
}

pub fn delete_env(c: &Connection, id: &str) -> Result<()> {
    c.execute("DELETE FROM component_envs WHERE env_id = ?1", params![id]).map_err(|e| db_error("write", e))?;
    c.execute("DELETE FROM environments WHERE id = ?1", params![id]).map_err(|e| db_error("write", e))?;
    Ok(())
}

// ---- components

const COMPONENT: &str = "SELECT id, product_id, tag, name, type, created_at, updated_at FROM components";

fn component_row(r: &SqlRow) -> Result<Component, DbError> {
    Ok(Component {
        id: r.get(0)?,
        product_id: r.get(1)?,
        tag: r.get(2)?,
        name: r.get(3)?,
        kind: r.get(4)?,
        created_at: r.get(5)?,
        updated_at: r.get(6)?,
    })
}

pub fn find_component(c: &Connection, p: &Product, tag: &str) -> Result<Option<Component>> {
    c.query_row(&format!("{COMPONENT} WHERE product_id = ?1 AND tag = ?2"), params![p.id, tag], component_row)
        .optional()
        .map_err(|e| db_error("read", e))
}

/// The component `tag` of product `p`, or `not_found` on `component`.
pub fn component(c: &Connection, p: &Product, tag: &str) -> Result<Component> {
    find_component(c, p, tag)?.ok_or_else(|| {
        Error::new(
            ErrorCode::NotFound,
            format!("product '{}' has no component '{tag}'; create it with products.components.create", p.tag),
        )
        .with_field("component")
        .with_details(serde_json::json!({ "product": p.tag, "component": tag }))
    })
}

pub fn components(c: &Connection, product_id: &str) -> Result<Vec<Component>> {
    collect(c.query_map(
        &format!("{COMPONENT} WHERE product_id = ?1 ORDER BY created_at, rowid"),
        params![product_id],
        component_row,
    ))
}

pub fn insert_component(c: &Connection, k: &Component, product_tag: &str) -> Result<()> {
    c.execute(
        "INSERT INTO components (id, product_id, tag, name, type, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![k.id, k.product_id, k.tag, k.name, k.kind, k.created_at, k.updated_at],
    )
    .map_err(|e| conflict(e, format!("product '{product_tag}' already has a component '{}'", k.tag), "tag"))?;
    Ok(())
}

/// Removes one component's config in one environment.
pub fn delete_component_env(c: &Connection, component_id: &str, env_id: &str) -> Result<()> {
    c.execute("DELETE FROM component_envs WHERE component_id = ?1 AND env_id = ?2", params![component_id, env_id])
        .map_err(|e| db_error("write", e))?;
    Ok(())
}

pub fn delete_component(c: &Connection, id: &str) -> Result<()> {
    c.execute("DELETE FROM component_envs WHERE component_id = ?1", params![id]).map_err(|e| db_error("write", e))?;
    c.execute("DELETE FROM components WHERE id = ?1", params![id]).map_err(|e| db_error("write", e))?;
    Ok(())
}

// ---- component configs per environment

const COMPONENT_ENV: &str = "SELECT component_id, env_id, connection_url_ref, connection_url_sealed, cloud, instance, \
     auth_mode, database_user, updated_at, project_id, atlas_base_url FROM component_envs";

fn component_env_row(r: &SqlRow) -> Result<ComponentEnv, DbError> {
    Ok(ComponentEnv {
        component_id: r.get(0)?,
        env_id: r.get(1)?,
        connection_url_ref: r.get(2)?,
        connection_url_sealed: r.get(3)?,
        cloud: r.get(4)?,
        instance: r.get(5)?,
        auth_mode: r.get(6)?,
        database_user: r.get(7)?,
        updated_at: r.get(8)?,
        project_id: r.get(9)?,
        atlas_base_url: r.get(10)?,
    })
}

pub fn component_env(c: &Connection, component_id: &str, env_id: &str) -> Result<Option<ComponentEnv>> {
    c.query_row(
        &format!("{COMPONENT_ENV} WHERE component_id = ?1 AND env_id = ?2"),
        params![component_id, env_id],
        component_env_row,
    )
    .optional()
    .map_err(|e| db_error("read", e))
}

/// The environment slugs a component has a config in, in the environments' order.
pub fn configured_envs(c: &Connection, component_id: &str) -> Result<Vec<String>> {
    collect(c.query_map(
        "SELECT e.slug FROM component_envs ce JOIN environments e ON e.id = ce.env_id \
         WHERE ce.component_id = ?1 ORDER BY e.created_at, e.rowid",
        params![component_id],
        |r| r.get(0),
    ))
}

pub fn put_component_env(c: &Connection, ce: &ComponentEnv) -> Result<()> {
    c.execute(
        "INSERT INTO component_envs (component_id, env_id, connection_url_ref, connection_url_sealed, cloud, instance, \
         auth_mode, database_user, updated_at, project_id, atlas_base_url) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) \
         ON CONFLICT (component_id, env_id) \
         DO UPDATE SET connection_url_ref = excluded.connection_url_ref, connection_url_sealed = excluded.connection_url_sealed, \
         cloud = excluded.cloud, instance = excluded.instance, auth_mode = excluded.auth_mode, \
         database_user = excluded.database_user, updated_at = excluded.updated_at, project_id = excluded.project_id, \
         atlas_base_url = excluded.atlas_base_url",
        params![
            ce.component_id,
            ce.env_id,
            ce.connection_url_ref,
            ce.connection_url_sealed,
            ce.cloud,
            ce.instance,
            ce.auth_mode,
            ce.database_user,
            ce.updated_at,
            ce.project_id,
            ce.atlas_base_url
        ],
    )
    .map_err(|e| db_error("write", e))?;
    Ok(())
}

/// The condition on components `k` and environments `e` that selects what is under `of`.
fn filter_of(of: Owned<'_>) -> (&'static str, &str) {
    match of {
        Owned::Product(id) => ("k.product_id = ?1", id),
        Owned::Component(id) => ("k.id = ?1", id),
        Owned::Env(id) => ("e.id = ?1", id),
    }
}

/// What holds secrets under a product, a component or an environment: the component tags
/// (with the env slug) whose config seals a literal connection URL or owns a secret.
pub fn holding_secrets(c: &Connection, of: Owned<'_>) -> Result<Vec<String>> {
    let (filter, id) = filter_of(of);
    let sql = format!(
        "SELECT DISTINCT k.tag || '/' || e.slug FROM components k JOIN environments e ON e.product_id = k.product_id \
         WHERE {filter} AND (EXISTS (SELECT 1 FROM component_envs ce WHERE ce.component_id = k.id AND ce.env_id = e.id \
         AND ce.connection_url_sealed IS NOT NULL) OR EXISTS (SELECT 1 FROM secrets s WHERE s.owner_component = k.id \
         AND s.owner_env = e.id)) ORDER BY 1"
    );
    collect(c.query_map(&sql, params![id], |r| r.get(0)))
}

/// The imported clusters under a product, a component or an environment: `component/env`
/// of each component env whose Atlas database user an import made.
pub fn holding_imports(c: &Connection, of: Owned<'_>) -> Result<Vec<String>> {
    let (filter, id) = filter_of(of);
    let sql = format!(
        "SELECT k.tag || '/' || e.slug FROM component_envs ce JOIN components k ON k.id = ce.component_id \
         JOIN environments e ON e.id = ce.env_id WHERE {filter} AND ce.database_user IS NOT NULL ORDER BY 1"
    );
    collect(c.query_map(&sql, params![id], |r| r.get(0)))
}

/// Every sealed connection URL `(component_id, env_id, ciphertext)`, for re-sealing.
pub fn all_sealed(c: &Connection) -> Result<Vec<(String, String, Vec<u8>)>> {
    collect(c.query_map(
        "SELECT component_id, env_id, connection_url_sealed FROM component_envs WHERE connection_url_sealed IS NOT NULL",
        params![],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    ))
}

pub fn reseal(c: &Connection, component_id: &str, env_id: &str, sealed: &[u8]) -> Result<()> {
    c.execute(
        "UPDATE component_envs SET connection_url_sealed = ?3 WHERE component_id = ?1 AND env_id = ?2",
        params![component_id, env_id, sealed],
    )
    .map_err(|e| db_error("write", e))?;
    Ok(())
}
