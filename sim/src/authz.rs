//! Authorization: the caller's API access list, project membership and roles.

use std::net::IpAddr;

use crate::auth::Caller;
use crate::errors::ApiError;
use crate::state::World;

/// Role requirements, named after the spec's `x-rolesRequirements`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Perm {
    /// "Project Read Only": any project role.
    ProjectReadOnly,
    /// "Project Network Access Manager".
    NetworkAccessManager,
    /// "Project Database Access Admin".
    DatabaseAccessAdmin,
    /// "Organization Member".
    OrgMember,
}

fn role_grants(role: &str, perm: Perm) -> bool {
    match perm {
        Perm::ProjectReadOnly => role.starts_with("GROUP_"),
        Perm::NetworkAccessManager => matches!(role, "GROUP_OWNER" | "GROUP_NETWORK_ACCESS_MANAGER"),
        Perm::DatabaseAccessAdmin => matches!(role, "GROUP_OWNER" | "GROUP_DATABASE_ACCESS_ADMIN"),
        Perm::OrgMember => role.starts_with("ORG_"),
    }
}

/// The API access list is checked on every authenticated request, before anything that
/// depends on the resource. An org that requires a list refuses keys without one.
pub fn check_api_access_list(
    world: &World,
    caller: &Caller,
    ip: Option<IpAddr>,
    ip_text: &str,
) -> Result<(), ApiError> {
    let p = &caller.principal;
    let org_requires = world.org(&p.org_id).is_some_and(|o| o.requires_api_access_list);
    if p.access_list.is_empty() {
        if org_requires {
            return Err(ApiError::org_requires_access_list());
        }
        return Ok(());
    }
    match ip {
        Some(ip) if p.access_list.iter().any(|n| n.contains(ip)) => Ok(()),
        _ => Err(ApiError::ip_not_on_access_list(ip_text)),
    }
}

/// Project roles of the caller, including those implied by organization roles
/// (`ORG_OWNER` owns every project of its org, `ORG_READ_ONLY` reads them).
pub fn project_roles(world: &World, caller: &Caller, group_id: &str) -> Vec<String> {
    let Some(project) = world.project(group_id) else { return vec![] };
    let mut out = Vec::new();
    for r in &caller.principal.roles {
        if r.group_id.as_deref() == Some(group_id) {
            out.push(r.role_name.clone());
        }
        if r.org_id.as_deref() == Some(project.org_id.as_str()) {
            match r.role_name.as_str() {
                "ORG_OWNER" => out.push("GROUP_OWNER".into()),
                "ORG_READ_ONLY" => out.push("GROUP_READ_ONLY".into()),
                _ => {}
            }
        }
    }
    out
}

/// Project checks in Atlas's order: malformed id (400), missing project (404 even for
/// outsiders, as recorded), not a member (401 `NOT_IN_GROUP`), missing role (401).
pub fn check_project(world: &World, caller: &Caller, group_id: &str, perm: Perm) -> Result<(), ApiError> {
    if group_id.len() != 24 || !group_id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) {
        return Err(ApiError::invalid_group_id(group_id));
    }
    if world.project(group_id).is_none() {
        return Err(ApiError::group_not_found(group_id));
    }
    let roles = project_roles(world, caller, group_id);
    if roles.is_empty() {
        return Err(ApiError::not_in_group());
    }
    if !roles.iter().any(|r| role_grants(r, perm)) {
        return Err(ApiError::user_unauthorized());
    }
    Ok(())
}

pub fn check_org(world: &World, caller: &Caller, org_id: &str, perm: Perm) -> Result<(), ApiError> {
    if world.org(org_id).is_none() {
        return Err(ApiError::new(
            404,
            "ORG_NOT_FOUND",
            format!("No organization with ID {org_id} exists."),
            vec![org_id.into()],
        ));
    }
    let ok =
        caller.principal.roles.iter().any(|r| r.org_id.as_deref() == Some(org_id) && role_grants(&r.role_name, perm));
    if !ok {
        return Err(ApiError::user_unauthorized());
    }
    Ok(())
}
