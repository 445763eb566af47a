//! `products.components.*`: database components, their config per environment, and `resolve`,
//! the one read path an application uses for its connection string.

use super::api::*;
use super::{check_tag, delete_sealed_count, lookup, refuse_while_holding, repo, MAX_NAME_LEN};
use crate::connections::repo::{self as conn_repo, Lookup};
use crate::crypto::{Cipher, RevealedSecret, SecretString};
use crate::error::{Error, ErrorCode, Result};
use crate::fields::{check_cluster_name, check_env_slug, check_text, new_id, now};
use crate::secrets::repo::{delete_owned, Owned};
use crate::secrets::{self, reference, Context};
use crate::store::Connection;
use crate::store::Store;
use crate::Ductape;

/// Component types of the product; only `mongodb` links to cloud connections here.
pub const TYPES: &[&str] = &["mongodb", "postgresql", "mysql", "dynamodb"];
pub const LINKED_TYPE: &str = "mongodb";
pub const AUTH_MODES: &[&str] = &["cloud_connection", "connection_url"];
const MAX_URL_LEN: usize = 16 * 1024;

pub async fn create(d: &Ductape, req: ComponentCreateRequest) -> Result<Component> {
    let product = lookup("product", &req.product)?;
    let tag = check_tag("tag", &req.tag)?;
    let kind = check_type(&req.kind)?;
    let name = match &req.name {
        Some(n) => check_text("name", n, MAX_NAME_LEN, false)?,
        None => tag.clone(),
    };
    let store = d.store().await?;
    let p = product.clone();
    let row = store
        .write_async(move |_, tx| {
            let prod = repo::product(tx, &p)?;
            let now = now();
            let row = repo::Component {
                id: new_id(),
                product_id: prod.id,
                tag: tag.clone(),
                name: name.clone(),
                kind: kind.clone(),
                created_at: now.clone(),
                updated_at: now,
            };
            repo::insert_component(tx, &row, &prod.tag)?;
            Ok(row)
        })
        .await?;
    Ok(record(&product, &row, Vec::new()))
}

pub async fn fetch(d: &Ductape, req: ComponentRequest) -> Result<Component> {
    let (product, tag) = (lookup("product", &req.product)?, lookup("component", &req.component)?);
    let store = d.store().await?;
    let p = product.clone();
    let (row, envs) = store
        .read_async(move |_, c| {
            let row = repo::component(c, &repo::product(c, &p)?, &tag)?;
            let envs = repo::configured_envs(c, &row.id)?;
            Ok((row, envs))
        })
        .await?;
    Ok(record(&product, &row, envs))
}

pub async fn list(d: &Ductape, req: OfProductRequest) -> Result<ComponentListReply> {
    let product = lookup("product", &req.product)?;
    let store = d.store().await?;
    let p = product.clone();
    let rows = store
        .read_async(move |_, c| {
            let rows = repo::components(c, &repo::product(c, &p)?.id)?;
            rows.into_iter().map(|r| Ok((repo::configured_envs(c, &r.id)?, r))).collect::<Result<Vec<_>>>()
        })
        .await?;
    Ok(ComponentListReply { components: rows.into_iter().map(|(envs, r)| record(&product, &r, envs)).collect() })
}

pub async fn delete(d: &Ductape, req: ComponentDeleteRequest) -> Result<ComponentDeleteReply> {
    let (product, tag) = (lookup("product", &req.product)?, lookup("component", &req.component)?);
    let store = d.store().await?;
    let (p, t) = (product.clone(), tag.clone());
    let secrets_deleted = store
        .write_async(move |_, tx| {
            let row = repo::component(tx, &repo::product(tx, &p)?, &t)?;
            let what = format!("component '{t}' of product '{p}'");
            refuse_while_holding(tx, Owned::Component(&row.id), req.force, &what)?;
            let n = delete_sealed_count(tx, Owned::Component(&row.id))? + delete_owned(tx, Owned::Component(&row.id))?;
            repo::delete_component(tx, &row.id)?;
            Ok(n)
        })
        .await?;
    Ok(ComponentDeleteReply { product, component: tag, deleted: true, secrets_deleted })
}

/// The three names of a component env, checked.
#[derive(Clone)]
struct Target {
    product: String,
    component: String,
    env: String,
}

impl Target {
    fn check(product: &str, component: &str, env: &str) -> Result<Target> {
        Ok(Target {
            product: lookup("product", product)?,
            component: lookup("component", component)?,
            env: check_env_slug("env", env)?,
        })
    }

    fn find(&self, c: &Connection) -> Result<(repo::Component, repo::Env)> {
        let p = repo::product(c, &self.product)?;
        let component = repo::component(c, &p, &self.component)?;
        let env = repo::env(c, &p, &self.env)?;
        Ok((component, env))
    }
}

pub async fn set_env(d: &Ductape, req: SetEnvRequest) -> Result<ComponentEnv> {
    let target = Target::check(&req.product, &req.component, &req.env)?;
    let url = req.connection_url.map(|u| u.as_ref().map(check_url).transpose()).transpose()?;
    let cloud = req.cloud.map(|t| t.as_deref().map(check_cloud_tag).transpose()).transpose()?;
    let instance =
        req.instance.map(|i| i.as_deref().map(|n| check_cluster_name("instance", n)).transpose()).transpose()?;
    let auth_mode = req.auth_mode.map(|m| m.as_deref().map(check_auth_mode).transpose()).transpose()?;
    let store = d.store().await?;
    let t = target.clone();
    let config = store
        .write_async(move |store, tx| {
            let (component, env) = t.find(tx)?;
            if component.kind != LINKED_TYPE && (matches!(cloud, Some(Some(_))) || matches!(instance, Some(Some(_)))) {
                return Err(not_linked(&component, if matches!(cloud, Some(Some(_))) { "cloud" } else { "instance" }));
            }
            let mut ce = repo::component_env(tx, &component.id, &env.id)?.unwrap_or(repo::ComponentEnv {
                component_id: component.id.clone(),
                env_id: env.id.clone(),
                ..Default::default()
            });
            refuse_imported(&ce, &t)?;
            if let Some(u) = &url {
                set_url(&*store.cipher(tx)?, &mut ce, u.as_ref())?;
            }
            if let Some(t) = &cloud {
                if let Some(tag) = t {
                    live_connection(tx, tag)?;
                }
                ce.cloud = t.clone();
            }
            if let Some(i) = &instance {
                ce.instance = i.clone();
            }
            if let Some(m) = &auth_mode {
                ce.auth_mode = m.clone();
            }
            if ce.auth_mode.as_deref() == Some("cloud_connection") && ce.cloud.is_none() {
                return Err(Error::invalid(
                    "auth_mode",
                    "auth_mode cloud_connection needs cloud: the tag of the cloud connection",
                ));
            }
            ce.updated_at = now();
            repo::put_component_env(tx, &ce)?;
            Ok(ce)
        })
        .await?;
    Ok(env_record(&target, Some(&config)))
}

/// An env that `cloud.resources.import` linked is changed only by import and unlink: replacing
/// its reference here would strand the secret the import owns and the Atlas user behind it (a
/// live login with no record), and releasing them would need Atlas, which setEnv never calls.
fn refuse_imported(ce: &repo::ComponentEnv, t: &Target) -> Result<()> {
    let Some(user) = &ce.database_user else { return Ok(()) };
    Err(Error::new(
        ErrorCode::FailedPrecondition,
        format!(
            "component '{}' of product '{}' in env '{}' holds an imported Atlas cluster (database user '{user}' through \
             cloud connection '{}'); unlink it first (cloud.resources.unlink), then set the env",
            t.component,
            t.product,
            t.env,
            ce.cloud.as_deref().unwrap_or("?")
        ),
    )
    .with_field("env")
    .with_details(serde_json::json!({ "database_user": user, "cloud": ce.cloud })))
}

pub async fn get_env(d: &Ductape, req: GetEnvRequest) -> Result<ComponentEnv> {
    let target = Target::check(&req.product, &req.component, &req.env)?;
    let store = d.store().await?;
    let t = target.clone();
    let config = store
        .read_async(move |_, c| {
            let (component, env) = t.find(c)?;
            repo::component_env(c, &component.id, &env.id)
        })
        .await?;
    Ok(env_record(&target, config.as_ref()))
}

pub async fn resolve(d: &Ductape, req: ResolveRequest) -> Result<ResolveReply> {
    let target = Target::check(&req.product, &req.component, &req.env)?;
    let ctx = Context::check(req.app.as_deref(), Some(&target.env))?;
    let store = d.store().await?;
    store.read_async(move |store, c| resolve_in(store, c, &target, &ctx)).await
}

fn resolve_in(store: &Store, c: &Connection, target: &Target, ctx: &Context) -> Result<ResolveReply> {
    let (component, env) = target.find(c)?;
    let ce = repo::component_env(c, &component.id, &env.id)?.unwrap_or_default();
    let template = match (&ce.connection_url_ref, &ce.connection_url_sealed) {
        (Some(r), _) => SecretString::new(r.as_str()),
        (None, Some(sealed)) => store
            .cipher(c)?
            .open_secret(sealed, &repo::component_env_aad(&component.id, &env.id))
            .map_err(|_| {
                Error::new(
                    ErrorCode::Workspace,
                    format!("the connection_url of component '{}' in '{}' does not decrypt with the workspace key (damaged?); set it again", target.component, target.env),
                )
            })?,
        (None, None) => {
            return Err(Error::new(
                ErrorCode::FailedPrecondition,
                format!(
                    "component '{}' of product '{}' has no connection_url in environment '{}'; set one with products.components.setEnv (or import a cluster)",
                    target.component, target.product, target.env
                ),
            )
            .with_field("env"))
        }
    };
    let (url, references) = secrets::resolve_in(store, c, "connection_url", &template, ctx)?;
    let cloud = ce.cloud.as_deref().map(|tag| cloud_link(c, tag)).transpose()?;
    Ok(ResolveReply {
        connection_url: RevealedSecret(url),
        references,
        cloud,
        instance: ce.instance,
        auth_mode: ce.auth_mode,
    })
}

/// The linked connection as it stands now; a deleted or inactive one is said, not refused: the
/// stored string may still work.
fn cloud_link(c: &Connection, tag: &str) -> Result<CloudLink> {
    let (status, message) = match conn_repo::lookup(c, tag)? {
        Lookup::Live(row) if row.status.as_str() == "active" => ("active".to_string(), None),
        Lookup::Live(row) => {
            let s = row.status.as_str().to_string();
            let m = format!("cloud connection '{tag}' is {s}, not active: the stored connection string still answers, but the connection cannot manage it until validated");
            (s, Some(m))
        }
        Lookup::Deleted(at) => (
            "deleted".to_string(),
            Some(format!("cloud connection '{tag}' was deleted (at {at}); it is gone: the stored connection string may stop working")),
        ),
        Lookup::Missing => ("missing".to_string(), Some(format!("no cloud connection with tag '{tag}'"))),
    };
    Ok(CloudLink { tag: tag.to_string(), status, message })
}

/// Sets or clears the URL: one bare reference is kept as text, anything else sealed.
fn set_url(cipher: &Cipher, ce: &mut repo::ComponentEnv, url: Option<&SecretString>) -> Result<()> {
    ce.connection_url_ref = None;
    ce.connection_url_sealed = None;
    if let Some(u) = url {
        match reference::sole_reference(u.expose()) {
            Some(_) => ce.connection_url_ref = Some(u.expose().to_string()),
            None => {
                let aad = repo::component_env_aad(&ce.component_id, &ce.env_id);
                ce.connection_url_sealed = Some(cipher.seal_secret(u, &aad)?);
            }
        }
    }
    Ok(())
}

fn live_connection(c: &Connection, tag: &str) -> Result<()> {
    conn_repo::live(c, tag).map(|_| ()).map_err(|mut e| {
        e.field = Some("cloud".into());
        e
    })
}

fn not_linked(component: &repo::Component, field: &str) -> Error {
    Error::new(
        ErrorCode::Unsupported,
        format!(
            "component '{}' is of type {}, which is not linked to cloud connections here (only {LINKED_TYPE} is); {field} is not supported for it yet",
            component.tag, component.kind
        ),
    )
    .with_field(field)
}

fn check_type(raw: &str) -> Result<String> {
    let t = raw.trim();
    if TYPES.contains(&t) {
        return Ok(t.to_string());
    }
    Err(Error::invalid("type", format!("type must be one of {}", TYPES.join(", "))))
}

fn check_url(u: &SecretString) -> Result<SecretString> {
    let text = u.expose().trim();
    if text.is_empty() {
        return Err(Error::invalid("connection_url", "connection_url must not be empty; null clears it"));
    }
    if text.len() > MAX_URL_LEN {
        return Err(Error::invalid("connection_url", format!("connection_url must be at most {MAX_URL_LEN} bytes")));
    }
    if text.chars().any(char::is_control) {
        return Err(Error::invalid("connection_url", "connection_url must not contain control characters"));
    }
    reference::parse("connection_url", text)?;
    Ok(SecretString::new(text))
}

fn check_cloud_tag(raw: &str) -> Result<String> {
    crate::connections::model::lookup_tag_in("cloud", raw)
}

fn check_auth_mode(raw: &str) -> Result<String> {
    let m = raw.trim();
    if AUTH_MODES.contains(&m) {
        return Ok(m.to_string());
    }
    Err(Error::invalid("auth_mode", format!("auth_mode must be one of {}", AUTH_MODES.join(", "))))
}

fn record(product: &str, r: &repo::Component, envs: Vec<String>) -> Component {
    Component {
        product: product.to_string(),
        tag: r.tag.clone(),
        name: r.name.clone(),
        kind: r.kind.clone(),
        envs,
        created_at: r.created_at.clone(),
        updated_at: r.updated_at.clone(),
    }
}

fn env_record(t: &Target, ce: Option<&repo::ComponentEnv>) -> ComponentEnv {
    let kind = ce.and_then(|ce| match (&ce.connection_url_ref, &ce.connection_url_sealed) {
        (Some(_), _) => Some("reference".to_string()),
        (None, Some(_)) => Some("literal".to_string()),
        _ => None,
    });
    ComponentEnv {
        product: t.product.clone(),
        component: t.component.clone(),
        env: t.env.clone(),
        connection_url: ce.and_then(|ce| ce.connection_url_ref.clone()),
        connection_url_kind: kind,
        cloud: ce.and_then(|ce| ce.cloud.clone()),
        instance: ce.and_then(|ce| ce.instance.clone()),
        auth_mode: ce.and_then(|ce| ce.auth_mode.clone()),
        updated_at: ce.map(|ce| ce.updated_at.clone()),
    }
}
