//! Database users: create (201, password never echoed), get, update, delete, with the
//! per-project limit and the cluster change status they drive.

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::{link, Ctx, Reply};
use crate::clock::{parse_rfc3339, rfc3339, to_chrono};
use crate::dataplane::scram::Credentials;
use crate::errors::ApiError;
use crate::paging::Page;
use crate::percent::escape_segment;
use crate::state::{password_digest, scope_names, DbUser};

const MIN_PASSWORD: usize = 8;

fn view(base: &str, g: &str, u: &DbUser) -> Value {
    let mut m = Map::new();
    m.insert("awsIAMType".into(), json!(u.aws_iam_type));
    m.insert("databaseName".into(), json!(u.database_name));
    if let Some(t) = u.delete_after {
        m.insert("deleteAfterDate".into(), json!(rfc3339(t)));
    }
    if let Some(d) = &u.description {
        m.insert("description".into(), json!(d));
    }
    m.insert("groupId".into(), json!(g));
    m.insert("labels".into(), json!(u.labels));
    m.insert("ldapAuthType".into(), json!(u.ldap_auth_type));
    m.insert(
        "links".into(),
        json!([link(
            format!(
                "{base}/api/atlas/v2/groups/{g}/databaseUsers/{}/{}",
                escape_segment(&u.database_name),
                escape_segment(&u.username)
            ),
            "self"
        )]),
    );
    m.insert("oidcAuthType".into(), json!(u.oidc_auth_type));
    m.insert("roles".into(), json!(u.roles));
    m.insert("scopes".into(), json!(u.scopes));
    m.insert("username".into(), json!(u.username));
    m.insert("x509Type".into(), json!(u.x509_type));
    Value::Object(m)
}

fn user_not_found(user: &str, db: &str) -> ApiError {
    ApiError::new(404, "USER_NOT_FOUND", format!("No user with username {user} exists."), vec![json!(user), json!(db)])
}

fn body_object(ctx: &Ctx) -> Result<Map<String, Value>, ApiError> {
    let v: Value =
        serde_json::from_slice(ctx.body).map_err(|e| ApiError::invalid_json(format!("Malformed JSON: {e}")))?;
    match v {
        Value::Object(m) => Ok(m),
        _ => Err(ApiError::invalid_json("The request body must be a JSON object.")),
    }
}

fn check_roles(v: &Value) -> Result<Vec<Value>, ApiError> {
    let arr = v.as_array().ok_or_else(|| ApiError::invalid_attribute("roles"))?;
    for r in arr {
        let ok = r.get("databaseName").and_then(Value::as_str).is_some()
            && r.get("roleName").and_then(Value::as_str).is_some();
        if !ok {
            return Err(ApiError::invalid_attribute("roles"));
        }
    }
    Ok(arr.clone())
}

fn check_scopes(ctx: &Ctx, g: &str, v: &Value) -> Result<Vec<Value>, ApiError> {
    let arr = v.as_array().ok_or_else(|| ApiError::invalid_attribute("scopes"))?;
    let w = &ctx.st.world;
    for s in arr {
        let name = s.get("name").and_then(Value::as_str).ok_or_else(|| ApiError::invalid_attribute("scopes"))?;
        let ty = s.get("type").and_then(Value::as_str).ok_or_else(|| ApiError::invalid_attribute("scopes"))?;
        if !matches!(ty, "CLUSTER" | "DATA_LAKE" | "STREAM") {
            return Err(ApiError::invalid_attribute("scopes"));
        }
        if ty == "CLUSTER" && !w.has_cluster(g, name) {
            return Err(ApiError::bad_request(
                "INVALID_ATTRIBUTE",
                format!("Scope cluster {name} does not exist in group {g}."),
                vec![json!("scopes")],
            ));
        }
    }
    Ok(arr.clone())
}

fn check_password(v: &Value) -> Result<String, ApiError> {
    let p = v.as_str().ok_or_else(|| ApiError::invalid_attribute("password"))?;
    if p.chars().count() < MIN_PASSWORD {
        return Err(ApiError::bad_request(
            "INVALID_ATTRIBUTE",
            format!("The password must be at least {MIN_PASSWORD} characters long."),
            vec![json!("password")],
        ));
    }
    Ok(p.to_string())
}

fn check_delete_after(v: &Value, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, ApiError> {
    if v.is_null() {
        return Ok(None);
    }
    let t = v.as_str().and_then(parse_rfc3339).ok_or_else(|| ApiError::invalid_attribute("deleteAfterDate"))?;
    if t <= now {
        return Err(ApiError::invalid_attribute("deleteAfterDate"));
    }
    Ok(Some(t))
}

/// A user change reaches the clusters in its scope (every cluster when unscoped) only after
/// the configured delay; until then their change status is PENDING. Answers when it is applied
/// (the data plane lets the user in with the new credentials from then on).
fn mark_pending(ctx: &mut Ctx, g: &str, scopes: &[Value]) -> DateTime<Utc> {
    let until = ctx.st.now() + to_chrono(ctx.st.config.user_apply_delay);
    let w = &mut ctx.st.world;
    let names: Vec<String> = if scopes.is_empty() {
        w.clusters
            .iter()
            .filter(|c| c.group_id == g)
            .map(|c| c.name.clone())
            .chain(w.flex_clusters.iter().filter(|c| c.group_id == g).map(|c| c.name.clone()))
            .collect()
    } else {
        scope_names(scopes)
    };
    for n in names {
        w.pending_changes.insert((g.to_string(), n), until);
    }
    until
}

pub fn list(ctx: &mut Ctx, g: &str) -> Result<Reply, ApiError> {
    let page = Page::parse(&ctx.query)?;
    let users = ctx.st.world.users.get(g).into_iter().flatten();
    let items = users.map(|u| view(&ctx.base, g, u)).collect();
    Ok(Reply::ok(page.wrap(&format!("{}/api/atlas/v2/groups/{g}/databaseUsers", ctx.base), items)))
}

pub fn create(ctx: &mut Ctx, g: &str) -> Result<Reply, ApiError> {
    let b = body_object(ctx)?;
    let now = ctx.st.now();
    // The spec lists groupId among the body's required fields (a validating proxy with the
    // official spec refuses a body without it); it must name the project of the path.
    match b.get("groupId").and_then(Value::as_str) {
        None => return Err(ApiError::missing_attribute("groupId")),
        Some(id) if id != g => return Err(ApiError::invalid_attribute("groupId")),
        Some(_) => {}
    }
    let username = b
        .get("username")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::missing_attribute("username"))?
        .to_string();
    let database_name = match b.get("databaseName") {
        None | Some(Value::Null) => "admin".to_string(),
        Some(v) => v
            .as_str()
            .filter(|s| *s == "admin" || *s == "$external")
            .ok_or_else(|| ApiError::invalid_attribute("databaseName"))?
            .to_string(),
    };
    let roles = check_roles(b.get("roles").ok_or_else(|| ApiError::missing_attribute("roles"))?)?;
    let scopes = match b.get("scopes") {
        None | Some(Value::Null) => vec![],
        Some(v) => check_scopes(ctx, g, v)?,
    };
    let auth_type = |k: &str| b.get(k).and_then(Value::as_str).unwrap_or("NONE").to_string();
    let (aws, ldap, oidc, x509) =
        (auth_type("awsIAMType"), auth_type("ldapAuthType"), auth_type("oidcAuthType"), auth_type("x509Type"));
    let scram = [&aws, &ldap, &oidc, &x509].iter().all(|t| t.as_str() == "NONE");
    let password = match b.get("password") {
        Some(v) if !v.is_null() => Some(check_password(v)?),
        _ if scram => return Err(ApiError::missing_attribute("password")),
        _ => None,
    };
    let delete_after = match b.get("deleteAfterDate") {
        Some(v) => check_delete_after(v, now)?,
        None => None,
    };
    let limit = ctx.st.config.database_user_limit;
    let list = ctx.st.world.users.entry(g.to_string()).or_default();
    if list.iter().any(|u| u.username == username && u.database_name == database_name) {
        return Err(ApiError::new(
            409,
            "USER_ALREADY_EXISTS",
            format!("The user {username} already exists."),
            vec![json!(username)],
        ));
    }
    if list.len() >= limit {
        return Err(ApiError::new(
            403,
            "DATABASE_USER_LIMIT_EXCEEDED",
            format!("A project can have at most {limit} database users."),
            vec![json!(limit)],
        ));
    }
    let user = DbUser {
        password_digest: password.as_deref().map(|p| password_digest(&username, p)),
        scram: password.as_deref().map(|p| Credentials::new(&username, p)),
        previous_scram: None,
        applied_at: now,
        username,
        database_name,
        roles,
        scopes: scopes.clone(),
        labels: b.get("labels").and_then(Value::as_array).cloned().unwrap_or_default(),
        description: b.get("description").and_then(Value::as_str).map(String::from),
        delete_after,
        aws_iam_type: aws,
        ldap_auth_type: ldap,
        oidc_auth_type: oidc,
        x509_type: x509,
    };
    let out = view(&ctx.base, g, &user);
    list.push(user);
    let until = mark_pending(ctx, g, &scopes);
    if let Some(u) = ctx.st.world.users.get_mut(g).and_then(|l| l.last_mut()) {
        u.applied_at = until;
    }
    Ok(Reply::created(out))
}

fn find_index(ctx: &Ctx, g: &str, db: &str, user: &str) -> Result<usize, ApiError> {
    ctx.st
        .world
        .users
        .get(g)
        .and_then(|l| l.iter().position(|u| u.username == user && u.database_name == db))
        .ok_or_else(|| user_not_found(user, db))
}

pub fn get(ctx: &mut Ctx, g: &str, db: &str, user: &str) -> Result<Reply, ApiError> {
    let i = find_index(ctx, g, db, user)?;
    Ok(Reply::ok(view(&ctx.base, g, &ctx.st.world.users[g][i])))
}

pub fn update(ctx: &mut Ctx, g: &str, db: &str, user: &str) -> Result<Reply, ApiError> {
    let i = find_index(ctx, g, db, user)?;
    let b = body_object(ctx)?;
    let now = ctx.st.now();
    let roles = b.get("roles").map(check_roles).transpose()?;
    let scopes = b.get("scopes").filter(|v| !v.is_null()).map(|v| check_scopes(ctx, g, v)).transpose()?;
    let password = b.get("password").filter(|v| !v.is_null()).map(check_password).transpose()?;
    let delete_after = b.get("deleteAfterDate").map(|v| check_delete_after(v, now)).transpose()?;
    let u = &mut ctx.st.world.users.get_mut(g).expect("found above")[i];
    // Until this change is applied the clusters keep what they had: the credentials of the last
    // applied change (none for a user whose creation is itself still pending).
    if now >= u.applied_at {
        u.previous_scram = u.scram.clone();
    }
    if let Some(r) = roles {
        u.roles = r;
    }
    if let Some(s) = scopes {
        u.scopes = s;
    }
    if let Some(p) = password {
        u.password_digest = Some(password_digest(&u.username, &p));
        u.scram = Some(Credentials::new(&u.username, &p));
    }
    if let Some(d) = delete_after {
        u.delete_after = d;
    }
    if let Some(d) = b.get("description").and_then(Value::as_str) {
        u.description = Some(d.to_string());
    }
    let out = view(&ctx.base, g, u);
    let scopes = u.scopes.clone();
    let until = mark_pending(ctx, g, &scopes);
    ctx.st.world.users.get_mut(g).expect("found above")[i].applied_at = until;
    Ok(Reply::ok(out))
}

pub fn delete(ctx: &mut Ctx, g: &str, db: &str, user: &str) -> Result<Reply, ApiError> {
    let i = find_index(ctx, g, db, user)?;
    let u = ctx.st.world.users.get_mut(g).expect("found above").remove(i);
    mark_pending(ctx, g, &u.scopes);
    Ok(Reply::no_content())
}
