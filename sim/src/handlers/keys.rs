//! `GET /groups/{groupId}/apiKeys` and `GET /orgs/{orgId}/apiKeys/{id}`.

use serde_json::{json, Value};

use super::{link, Ctx, Reply};
use crate::errors::ApiError;
use crate::paging::Page;
use crate::seed::RoleAssignment;
use crate::state::Principal;

/// Atlas shows only the last 12 characters of a private key.
fn masked(secret: &str) -> String {
    let tail: String = secret.chars().rev().take(12).collect::<Vec<_>>().into_iter().rev().collect();
    format!("********-****-****-{tail}")
}

fn key_view(base: &str, p: &Principal, roles: Vec<&RoleAssignment>) -> Value {
    json!({
        "desc": p.desc,
        "id": p.id,
        "links": [link(format!("{base}/api/atlas/v2/orgs/{}/apiKeys/{}", p.org_id, p.id), "self")],
        "privateKey": masked(&p.secret),
        "publicKey": p.name,
        "roles": roles,
    })
}

pub fn list_group_keys(ctx: &mut Ctx, g: &str) -> Result<Reply, ApiError> {
    let page = Page::parse(&ctx.query)?;
    let items: Vec<Value> = ctx
        .st
        .world
        .principals
        .iter()
        .filter(|p| !p.is_service_account && p.roles.iter().any(|r| r.group_id.as_deref() == Some(g)))
        .map(|p| {
            let roles = p.roles.iter().filter(|r| r.group_id.as_deref() == Some(g) || r.org_id.is_some()).collect();
            key_view(&ctx.base, p, roles)
        })
        .collect();
    Ok(Reply::ok(page.wrap(&format!("{}/api/atlas/v2/groups/{g}/apiKeys", ctx.base), items)))
}

pub fn get_org_key(ctx: &mut Ctx, org: &str, key_id: &str) -> Result<Reply, ApiError> {
    let p = ctx
        .st
        .world
        .principals
        .iter()
        .find(|p| !p.is_service_account && p.id == key_id && p.org_id == org)
        .ok_or_else(|| {
            ApiError::new(404, "API_KEY_NOT_FOUND", format!("No API key with ID {key_id} exists."), vec![key_id.into()])
        })?;
    Ok(Reply::ok(key_view(&ctx.base, p, p.roles.iter().collect())))
}
