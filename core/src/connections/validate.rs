//! `validate`: checks a connection's credentials against Atlas, one step at a time, and
//! records the outcome.
//!
//! Checks, in order (a failed check ends the run):
//! 1. `credentials` — `GET /api/atlas/v2` answers (401 = wrong public/private key or secret);
//! 2. `api_access_list` — Atlas did not answer 403 `IP_ADDRESS_NOT_ON_ACCESS_LIST` /
//!    `ORG_REQUIRES_ACCESS_LIST` (the key's *API* access list, not the project's Network Access);
//! 3. `project` — `GET /groups/{id}`: the project exists (404 `GROUP_NOT_FOUND`) and the key is
//!    in it (401 `NOT_IN_GROUP`); gives the project name and organization;
//! 4. `role` — the key is Project Owner of the project or Organization Owner of its org.
//!
//! A failure to reach Atlas (network, timeout, rate limit after retries, Atlas 5xx) is the
//! `network` check: reported as such, and it leaves the status unchanged.

use super::model::{now, Status, ValidationFailure};
use super::{repo, resolve};
use crate::atlas::errors::{ip_access_list_message, org_requires_access_list_message};
use crate::atlas::models::{Group, RoleAssignment, SystemStatus};
use crate::atlas::{AtlasClient, AtlasError, Credentials};
use crate::connections::api::TagRequest;
use crate::error::{Error, ErrorCode, Result};
use crate::Ductape;
use serde::Serialize;
use serde_json::{json, Value};

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ValidateReply {
    pub valid: bool,
    pub status: Status,
    pub message: String,
    pub checks: Vec<Check>,
    /// The public error code of the failure (`atlas_unauthorized`, `atlas_forbidden_ip`,
    /// `atlas_missing_role`, `not_found`, `network`, ...); absent when valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<ErrorCode>,
    /// Machine-readable extras (Atlas `errorCode`, the IP to add, the key's roles).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
    pub account_identifier: Option<String>,
}

struct Failure {
    check: &'static str,
    code: ErrorCode,
    message: String,
    details: Option<Value>,
    transient: bool,
}

struct Success {
    group: Group,
    roles: Vec<RoleAssignment>,
    role_note: String,
}

fn ok(checks: &mut Vec<Check>, name: &'static str, detail: String) {
    checks.push(Check { name, ok: true, detail });
}

fn transport_failure(e: &AtlasError) -> Option<Failure> {
    let transient = match e {
        AtlasError::Network { .. } | AtlasError::Timeout { .. } | AtlasError::RateLimited { .. } => true,
        AtlasError::Api { error, .. } => error.status >= 500 || error.status == 429,
        // a 2xx that does not parse: a proxy or captive portal answered, not Atlas
        AtlasError::Decode { .. } | AtlasError::TooLarge { .. } => true,
        // Atlas wants an authentication this client lacks: nothing is known about the credentials
        AtlasError::UnsupportedAuth { .. } => true,
        _ => false,
    };
    transient.then(|| {
        let message = match e {
            AtlasError::Api { error, .. } => format!("Atlas is not answering normally ({} {}); try again later: {e}", error.status, error.code().unwrap_or("")),
            AtlasError::RateLimited { .. } => format!("Atlas is rate-limiting this key; try again later: {e}"),
            AtlasError::TooLarge { .. } | AtlasError::UnsupportedAuth { .. } => format!("{e}; this says nothing about the credentials"),
            AtlasError::Decode { .. } => format!("the answer did not come from Atlas as expected (a proxy in between?); this says nothing about the credentials: {e}"),
            _ => format!("could not reach Atlas; this says nothing about the credentials: {e}"),
        };
        // An unsupported challenge is about how to send the credentials: their check fails.
        let check = if matches!(e, AtlasError::UnsupportedAuth { .. }) { "credentials" } else { "network" };
        Failure { check, code: e.code(), message, details: Some(e.details()), transient: true }
    })
}

fn access_list_failure(e: &AtlasError, ip: Option<String>) -> Option<Failure> {
    let api = e.api()?;
    if !api.is_ip_access_error() {
        return None;
    }
    let (message, ip) = if api.code() == Some("IP_ADDRESS_NOT_ON_ACCESS_LIST") {
        let ip = api.param(0).or(ip);
        (ip_access_list_message(ip.as_deref()), ip)
    } else {
        (org_requires_access_list_message(ip.as_deref()), ip)
    };
    Some(Failure {
        check: "api_access_list",
        code: ErrorCode::AtlasForbiddenIp,
        message,
        details: Some(
            json!({ "atlas_error_code": api.error_code, "ip": ip, "where": "API key access list (Organization Access Manager > Applications > API Keys)" }),
        ),
        transient: false,
    })
}

fn describe_credentials(c: &Credentials) -> String {
    match c {
        Credentials::ApiKey { public_key, .. } => format!("API key '{public_key}'"),
        Credentials::ServiceAccount { client_id, .. } => format!("service account '{client_id}'"),
    }
}

/// Runs the checks in order, each recording its success in `checks`; the first failure ends
/// the run. Pure Atlas I/O, no workspace access.
async fn run_checks(
    client: &AtlasClient,
    credentials: &Credentials,
    project_id: &str,
    checks: &mut Vec<Check>,
) -> Result<Success, Failure> {
    let who = describe_credentials(credentials);
    // One call answers checks 1 and 2: Atlas recognises the credentials before it applies
    // the key's API access list.
    let answer = client.system_status().await;
    check_credentials(&answer, credentials, &who, checks)?;
    let status = check_api_access_list(client, answer, checks).await?;
    let group = check_project(client, project_id, &who, checks).await?;
    let (roles, role_note) = check_role(client, credentials, project_id, &who, &status, &group, checks).await?;
    Ok(Success { group, roles, role_note })
}

/// Check 1, `credentials`: passes when Atlas answered, or refused only for the API access
/// list (it recognised the credentials first). Anything else is a refusal of the credentials.
fn check_credentials(
    answer: &Result<SystemStatus, AtlasError>,
    credentials: &Credentials,
    who: &str,
    checks: &mut Vec<Check>,
) -> Result<(), Failure> {
    let e = match answer {
        Ok(_) => {
            ok(checks, "credentials", format!("Atlas accepted the {who}"));
            return Ok(());
        }
        Err(e) => e,
    };
    if let Some(f) = transport_failure(e) {
        return Err(f);
    }
    if e.api().is_some_and(|a| a.is_ip_access_error()) {
        ok(checks, "credentials", format!("Atlas recognised the {who}"));
        return Ok(());
    }
    let api = e.api();
    let message = match api {
        Some(a) if a.status == 401 => match credentials {
            Credentials::ApiKey { public_key, .. } => format!(
                "Atlas refused the API key: public key '{public_key}' and the private key do not match a valid API key \
                 (Atlas answers the same way for a wrong public or private key). Check both values, or create a new key \
                 under Project Identity & Access > Applications > API Keys."
            ),
            Credentials::ServiceAccount { client_id, .. } => format!(
                "Atlas refused the service account '{client_id}': the client ID or secret is wrong, or the secret expired."
            ),
        },
        _ => format!("Atlas refused the credentials: {}", e.user_message()),
    };
    Err(Failure {
        check: "credentials",
        code: if api.is_some_and(|a| a.status == 401) { ErrorCode::AtlasUnauthorized } else { e.code() },
        message,
        details: Some(e.details()),
        transient: false,
    })
}

/// Check 2, `api_access_list`: the answer [`check_credentials`] let through is either the
/// status or an access-list refusal. The refusal names the IP to add: the one Atlas gave, or
/// else the one Atlas sees this machine as.
async fn check_api_access_list(
    client: &AtlasClient,
    answer: Result<SystemStatus, AtlasError>,
    checks: &mut Vec<Check>,
) -> Result<SystemStatus, Failure> {
    match answer {
        Ok(status) => {
            ok(
                checks,
                "api_access_list",
                "this machine's IP address is allowed by the key's API access list".to_string(),
            );
            Ok(status)
        }
        Err(e) => {
            let ip = match e.api().and_then(|a| a.param(0)) {
                Some(ip) => Some(ip),
                None => client.ip_info().await.ok().and_then(|i| i.current_ipv4_address),
            };
            Err(access_list_failure(&e, ip).expect("an access-list error"))
        }
    }
}

/// Check 3, `project`: `GET /groups/{id}` answers, so the project exists and the key is in it.
async fn check_project(
    client: &AtlasClient,
    project_id: &str,
    who: &str,
    checks: &mut Vec<Check>,
) -> Result<Group, Failure> {
    let group = match client.group(project_id).await {
        Ok(g) => g,
        Err(e) => return Err(project_failure(&e, project_id, who, checks)),
    };
    let org = group.org_id.clone().unwrap_or_default();
    ok(
        checks,
        "project",
        format!("project '{}' ({}) in organization {org} is reachable with this key", group.name, group.id),
    );
    Ok(group)
}

/// Why `GET /groups/{id}` failed. A 401 `USER_UNAUTHORIZED` means the project exists but the
/// key may not read it: that passes `project` and fails `role`.
fn project_failure(e: &AtlasError, project_id: &str, who: &str, checks: &mut Vec<Check>) -> Failure {
    if let Some(f) = transport_failure(e) {
        return f;
    }
    if let Some(f) = access_list_failure(e, None) {
        return f;
    }
    let api = e.api();
    let code = api.and_then(|a| a.code()).unwrap_or("");
    let (check, code_out, message) = match (api.map(|a| a.status), code) {
        (Some(404), _) => (
            "project",
            ErrorCode::NotFound,
            format!("Atlas has no project with ID {project_id}. Copy the Project ID from Atlas > Project Settings (24 hexadecimal characters)."),
        ),
        (Some(401), "NOT_IN_GROUP") => (
            "project",
            ErrorCode::AtlasUnauthorized,
            format!(
                "the {who} is valid but is not a member of project {project_id}. In Atlas, open that project > Project \
                 Identity & Access > Applications > API Keys, and invite the key with the Project Owner role."
            ),
        ),
        (Some(401), "USER_UNAUTHORIZED") => (
            "role",
            ErrorCode::AtlasMissingRole,
            format!("the {who} may not read project {project_id}; give it the Project Owner role on the project."),
        ),
        _ => ("project", e.code(), format!("could not read project {project_id}: {}", e.user_message())),
    };
    if check == "role" {
        ok(checks, "project", format!("project {project_id} exists"));
    }
    Failure { check, code: code_out, message, details: Some(e.details()), transient: false }
}

/// Check 4, `role`: the key is Project Owner of the project or Organization Owner of its
/// organization. Answers the roles found and a note on which one qualifies.
async fn check_role(
    client: &AtlasClient,
    credentials: &Credentials,
    project_id: &str,
    who: &str,
    status: &SystemStatus,
    group: &Group,
    checks: &mut Vec<Check>,
) -> Result<(Vec<RoleAssignment>, String), Failure> {
    let roles = key_roles(client, credentials, project_id, status).await?;
    let owner = roles.iter().any(|r| r.role_name == "GROUP_OWNER" && r.group_id.as_deref() == Some(project_id));
    let org_owner =
        roles.iter().any(|r| r.role_name == "ORG_OWNER" && group.org_id.is_some() && r.org_id == group.org_id);
    let role_note = if owner {
        "Project Owner of the project".to_string()
    } else if org_owner {
        "Organization Owner of the project's organization".to_string()
    } else if matches!(credentials, Credentials::ServiceAccount { .. }) {
        // `GET /api/atlas/v2` answers `apiKey: null` for a service account and no call of the
        // API subset lists its roles: readable project is all that can be checked.
        "able to read the project (Atlas does not report a service account's roles, so Project Owner could not be confirmed)".to_string()
    } else {
        return Err(missing_role_failure(&roles, project_id, who, group));
    };
    ok(checks, "role", format!("the {who} is {role_note}"));
    Ok((roles, role_note))
}

/// The key's roles as `GET /api/atlas/v2` lists them; when it lists none for an API key, as
/// the project's key list shows them. An API key whose roles cannot be read fails the check:
/// passing it would call a key of unknown roles a Project Owner.
async fn key_roles(
    client: &AtlasClient,
    credentials: &Credentials,
    project_id: &str,
    status: &SystemStatus,
) -> Result<Vec<RoleAssignment>, Failure> {
    let roles = status.api_key.as_ref().map(|k| k.roles.clone()).unwrap_or_default();
    if !roles.is_empty() || !matches!(credentials, Credentials::ApiKey { .. }) {
        return Ok(roles);
    }
    let public_key = credentials.identity();
    let keys = client.group_api_keys(project_id).await.map_err(|e| unreadable_roles(&e, public_key, project_id))?;
    Ok(keys.into_iter().find(|k| k.public_key.as_deref() == Some(public_key)).map(|k| k.roles).unwrap_or_default())
}

/// The `role` failure for an API key whose roles neither `GET /api/atlas/v2` nor the project's
/// key list gave. A failure to reach Atlas says nothing about the key: transient, status kept.
fn unreadable_roles(e: &AtlasError, public_key: &str, project_id: &str) -> Failure {
    let transient = transport_failure(e).is_some();
    Failure {
        check: "role",
        code: if transient { e.code() } else { ErrorCode::AtlasMissingRole },
        message: format!(
            "could not read the roles of API key '{public_key}': Atlas reported none with the key and listing project              {project_id}'s API keys failed ({}), so Project Owner could not be confirmed. {}",
            e.user_message(),
            if transient {
                "Try again later."
            } else {
                "Give the key the Project Owner role on the project (which can list the project's API keys)."
            }
        ),
        details: Some(e.details()),
        transient,
    }
}

/// The `role` failure for a key with roles, none of them enough; it names the roles the key
/// has on this project or its organization, and the one to give.
fn missing_role_failure(roles: &[RoleAssignment], project_id: &str, who: &str, group: &Group) -> Failure {
    let relevant: Vec<String> = roles
        .iter()
        .filter(|r| r.group_id.as_deref() == Some(project_id) || (r.org_id.is_some() && r.org_id == group.org_id))
        .map(|r| r.role_name.clone())
        .collect();
    let has = if relevant.is_empty() { "no role".to_string() } else { relevant.join(", ") };
    Failure {
        check: "role",
        code: ErrorCode::AtlasMissingRole,
        message: format!(
            "the {who} has {has} on project '{}' but needs Project Owner (GROUP_OWNER) or Organization Owner (ORG_OWNER). \
             In Atlas: Project Identity & Access > Applications > API Keys > edit the key > Project Permissions > Project Owner.",
            group.name
        ),
        details: Some(json!({ "roles": relevant, "required": ["GROUP_OWNER", "ORG_OWNER"] })),
        transient: false,
    }
}

pub async fn validate(d: &Ductape, req: TagRequest) -> Result<ValidateReply> {
    let resolved = resolve(d, &req.tag).await?;
    let client = d.atlas_client(&resolved.credentials);
    let mut checks = Vec::new();
    let outcome = run_checks(&client, &resolved.credentials, &resolved.project_id, &mut checks).await;
    if let Err(f) = &outcome {
        checks.push(Check { name: f.check, ok: false, detail: f.message.clone() });
    }
    drop(resolved.credentials);

    let id = resolved.row.id.clone();
    let rev = resolved.row.credentials_rev;
    let store = d.store().await?;
    let at = now();
    // What the write below records: the group and roles found, or the failure.
    let (summary, recorded) = match &outcome {
        Ok(s) => {
            let org = s.group.org_id.clone().unwrap_or_default();
            (
                format!("'{}' is valid: {} ({}), {}", resolved.row.tag, s.group.name, org, s.role_note),
                Ok((s.group.clone(), s.roles.clone())),
            )
        }
        Err(f) => (
            f.message.clone(),
            Err(ValidationFailure {
                code: f.code,
                check: f.check.to_string(),
                message: f.message.clone(),
                at: at.clone(),
                transient: f.transient,
            }),
        ),
    };
    let tag = resolved.row.tag.clone();
    let (row, superseded) = store
        .write_async(move |_, tx| {
            let Some(mut row) = repo::by_id(tx, &id)? else {
                return Err(Error::new(
                    ErrorCode::NotFound,
                    format!("cloud connection '{tag}' disappeared during validation"),
                ));
            };
            if row.deleted_at.is_some() {
                return repo::live(tx, &tag).map(|r| (r, true));
            }
            if row.credentials_rev != rev {
                // complete() changed the credentials meanwhile: this result is about the old ones.
                return Ok((row, true));
            }
            match &recorded {
                Ok((group, roles)) => {
                    row.status = Status::Active;
                    row.account_identifier = Some(match &group.org_id {
                        Some(org) => format!("{} (org {org})", group.name),
                        None => group.name.clone(),
                    });
                    row.metadata.project_name = Some(group.name.clone());
                    row.metadata.org_id = group.org_id.clone();
                    row.metadata.roles = Some(roles.iter().map(|r| r.role_name.clone()).collect());
                    row.metadata.validated_at = Some(at.clone());
                    row.metadata.last_validation_error = None;
                }
                Err(f) => {
                    if !f.transient {
                        row.status = Status::Error;
                        row.metadata.validated_at = None;
                    }
                    row.metadata.last_validation_error = Some(f.clone());
                }
            }
            row.updated_at = at.clone();
            repo::save(tx, &row)?;
            Ok((row, false))
        })
        .await?;
    let mut message = summary;
    if superseded {
        message = format!("the credentials changed while this validation ran; validate again ({message})");
    }
    let valid = outcome.is_ok() && !superseded;
    tracing::info!(tag = %row.tag, valid, status = row.status.as_str(), "validated cloud connection");
    let (code, details) = match outcome {
        Ok(_) if superseded => (Some(ErrorCode::Conflict), None),
        Ok(_) => (None, None),
        Err(f) => (Some(f.code), f.details),
    };
    Ok(ValidateReply {
        valid,
        status: row.status,
        message,
        checks,
        code,
        details,
        account_identifier: row.account_identifier.clone(),
    })
}
