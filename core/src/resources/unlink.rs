//! `cloud.resources.unlink`: import's way back. The workspace's records (the env link and the
//! secret the import made) always go; the Atlas database user goes only when it is certainly
//! ours: the link was made in the project and Atlas the connection points at now, and the user
//! still carries this workspace's marker for this target. Otherwise Atlas is left alone and the
//! reply says why (`user_kept`).

use super::ownership::Marker;
use super::{api::*, atlas, import::lock_target, linked};
use crate::connections::{model::lookup_tag_in, Resolved};
use crate::error::{Error, ErrorCode, Result};
use crate::fields::check_env_slug;
use crate::products::{self, repo as prod_repo};
use crate::secrets::repo as sec_repo;
use crate::store::Connection;
use crate::{progress, Ductape};
use std::time::Duration;

/// How long an unlink waits for an import of the same target to finish.
const LOCK_PATIENCE: Duration = Duration::from_secs(120);

/// The link record of an imported component env.
struct Link {
    user: String,
    instance: String,
    project_id: Option<String>,
    base_url: Option<String>,
}

pub async fn unlink(d: &Ductape, req: UnlinkRequest) -> Result<UnlinkReply> {
    let cloud = lookup_tag_in("cloud", &req.cloud)?;
    let product = products::lookup("product", &req.product)?;
    let component = products::lookup("component", &req.component)?;
    let env = check_env_slug("env", &req.env)?;
    let store = d.store().await?;
    let lease = lock_target(&store, &product, &component, &env, LOCK_PATIENCE).await?;
    let (p, k, e, c) = (product.clone(), component.clone(), env.clone(), cloud.clone());
    let link = store.read_async(move |_, conn| linked_env(conn, &p, &k, &e, &c)).await?;
    let conn = linked(d, &cloud, false).await?;
    let marker = Marker::new(store.workspace_id(), &cloud, &product, &component, &env);
    let user_kept = match elsewhere(&link, &conn, d.atlas_base_url()) {
        Some(kept) => Some(kept),
        None => delete_if_ours(d, &conn, &link, &marker).await?,
    };
    let (p, k, e) = (product.clone(), component.clone(), env.clone());
    let secret_deleted = store.write_async(move |_, tx| forget(tx, &p, &k, &e)).await?;
    drop(lease);
    if let Some(kept) = &user_kept {
        tracing::info!(user = %link.user, code = kept.code, "unlinked; the Atlas database user was left alone");
    }
    Ok(UnlinkReply {
        product,
        component,
        env,
        database_user: link.user,
        user_deleted: user_kept.is_none(),
        user_kept,
        secret_deleted,
    })
}

/// Why the user is not this connection's to delete now, judged from the records alone: the
/// connection was pointed at another project, or this client at another Atlas, since the import.
fn elsewhere(link: &Link, conn: &Resolved, base_url: &str) -> Option<UserKept> {
    if let Some(p) = link.project_id.as_deref().filter(|p| *p != conn.project_id) {
        return Some(kept(
            "project_changed",
            format!(
                "user '{}' was made in Atlas project {p}, but cloud connection '{}' now points at project {}; it was \
                 left alone (delete it in project {p} if no one uses it)",
                link.user, conn.row.tag, conn.project_id
            ),
        ));
    }
    if let Some(u) = link.base_url.as_deref().filter(|u| *u != base_url) {
        return Some(kept(
            "base_url_changed",
            format!(
                "user '{}' was made through Atlas at {}, not {}; it was left alone",
                link.user,
                crate::atlas::redact_url(u),
                crate::atlas::redact_url(base_url)
            ),
        ));
    }
    None
}

/// Deletes the user when Atlas holds it with this workspace's marker for this target.
async fn delete_if_ours(d: &Ductape, conn: &Resolved, link: &Link, marker: &Marker) -> Result<Option<UserKept>> {
    let client = d.atlas_client(&conn.credentials);
    let user = &link.user;
    let found = atlas::find_user(&client, &conn.project_id, user).await.map_err(Error::from)?;
    let Some(description) = found else {
        return Ok(Some(gone(conn, user)));
    };
    if description.as_deref().and_then(Marker::parse).as_ref() != Some(marker) {
        return Ok(Some(kept(
            "not_owned",
            format!(
                "user '{user}' in Atlas does not carry this workspace's marker for this target (someone changed or \
                 replaced it, or an earlier version imported it): it was left alone"
            ),
        )));
    }
    let what = format!("deleting database user '{user}' of cluster '{}'", link.instance);
    progress::report("delete_user", 0, Some(1), Some(what));
    if atlas::delete_user(&client, &conn.project_id, user).await.map_err(Error::from)? {
        return Ok(None);
    }
    Ok(Some(gone(conn, user)))
}

/// Atlas no longer has the user (deleted behind the workspace's back, or meanwhile).
fn gone(conn: &Resolved, user: &str) -> UserKept {
    kept("not_found", format!("Atlas project {} has no user '{user}' any more", conn.project_id))
}

fn kept(code: &'static str, message: String) -> UserKept {
    UserKept { code, message }
}

/// Removes the env link and the secret the import made; answers whether a secret went.
fn forget(tx: &Connection, product: &str, component: &str, env: &str) -> Result<bool> {
    let prod = prod_repo::product(tx, product)?;
    let comp = prod_repo::component(tx, &prod, component)?;
    let env = prod_repo::env(tx, &prod, env)?;
    let owner = (comp.id.clone(), env.id.clone());
    let ce = prod_repo::component_env(tx, &comp.id, &env.id)?;
    let key = ce
        .and_then(|ce| ce.connection_url_ref)
        .and_then(|r| crate::secrets::reference::sole_reference(&r).map(str::to_string));
    let mut deleted = false;
    if let Some(s) = key.map(|k| sec_repo::find(tx, &k)).transpose()?.flatten() {
        if s.owner_ids.as_ref() == Some(&owner) {
            sec_repo::delete(tx, &s.id)?;
            deleted = true;
        }
    }
    prod_repo::delete_component_env(tx, &comp.id, &env.id)?;
    Ok(deleted)
}

/// The link of a component env that `cloud` imported.
fn linked_env(c: &Connection, product: &str, component: &str, env: &str, cloud: &str) -> Result<Link> {
    let p = prod_repo::product(c, product)?;
    let k = prod_repo::component(c, &p, component)?;
    let e = prod_repo::env(c, &p, env)?;
    let ce = prod_repo::component_env(c, &k.id, &e.id)?.unwrap_or_default();
    match (ce.database_user, ce.instance, ce.cloud) {
        (Some(user), Some(instance), Some(linked)) if linked == cloud => {
            Ok(Link { user, instance, project_id: ce.project_id, base_url: ce.atlas_base_url })
        }
        (Some(_), Some(_), Some(linked)) => Err(Error::new(
            ErrorCode::FailedPrecondition,
            format!(
                "component '{component}' env '{env}' was imported through cloud connection '{linked}', not '{cloud}'"
            ),
        )
        .with_field("cloud")),
        _ => Err(Error::new(
            ErrorCode::FailedPrecondition,
            format!("component '{component}' of product '{product}' has no imported cluster in environment '{env}'"),
        )
        .with_field("env")),
    }
}
