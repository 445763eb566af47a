//! Operation handlers. Each gets a context (state, caller, negotiated version, request parts)
//! and answers a JSON body for the versioned media type, or a raw body for the private APIs.

pub mod access_list;
pub mod clusters;
pub mod keys;
pub mod projects;
pub mod root;
pub mod users;

use serde_json::Value;

use crate::auth::Caller;
use crate::errors::ApiError;
use crate::percent::percent_decode;
use crate::router::Op;
use crate::state::SimState;

pub struct Ctx<'a> {
    pub st: &'a mut SimState,
    pub caller: Option<Caller>,
    pub version: &'static str,
    /// `http://<Host header>`, the base of every link.
    pub base: String,
    pub query: String,
    pub body: &'a [u8],
    pub client_ip: String,
}

/// A versioned JSON answer; `body: None` for 204.
pub struct Reply {
    pub status: u16,
    pub body: Option<Value>,
}

impl Reply {
    pub fn ok(body: Value) -> Reply {
        Reply { status: 200, body: Some(body) }
    }
    pub fn created(body: Value) -> Reply {
        Reply { status: 201, body: Some(body) }
    }
    pub fn no_content() -> Reply {
        Reply { status: 204, body: None }
    }
}

/// An unversioned answer with its own content type.
pub struct Raw {
    pub status: u16,
    pub content_type: String,
    pub body: String,
    pub headers: Vec<(String, String)>,
}

impl Raw {
    pub fn json(status: u16, v: Value) -> Raw {
        Raw { status, content_type: "application/json".into(), body: v.to_string(), headers: vec![] }
    }
}

pub enum Out {
    Versioned(Reply),
    Raw(Raw),
}

pub fn dispatch(op: &Op, ctx: &mut Ctx) -> Result<Out, ApiError> {
    use Op::*;
    let v = |r: Result<Reply, ApiError>| r.map(Out::Versioned);
    match op {
        SystemStatus => v(root::system_status(ctx)),
        IpInfo => Ok(Out::Raw(root::ip_info(ctx))),
        DefaultMongoVersion => Ok(Out::Raw(root::default_mongo_version())),
        // Served before authentication; never dispatched.
        OAuthToken => Err(ApiError::unexpected()),
        GetGroup { g } => v(projects::get_group(ctx, g)),
        ListApiKeys { g } => v(keys::list_group_keys(ctx, g)),
        GetOrgApiKey { org, key_id } => v(keys::get_org_key(ctx, org, key_id)),
        ListAccess { g } => v(access_list::list(ctx, g)),
        CreateAccess { g } => v(access_list::create(ctx, g)),
        GetAccess { g, entry } => v(access_list::get(ctx, g, &decode(entry)?)),
        DeleteAccess { g, entry } => v(access_list::delete(ctx, g, &decode(entry)?)),
        AccessStatus { g, entry } => v(access_list::status(ctx, g, &decode(entry)?)),
        ListClusters { g } => v(clusters::list(ctx, g)),
        GetCluster { g, name } => v(clusters::get(ctx, g, &decode(name)?)),
        ClusterStatus { g, name } => v(clusters::status(ctx, g, &decode(name)?)),
        ListFlex { g } => v(clusters::list_flex(ctx, g)),
        GetFlex { g, name } => v(clusters::get_flex(ctx, g, &decode(name)?)),
        ListUsers { g } => v(users::list(ctx, g)),
        CreateUser { g } => v(users::create(ctx, g)),
        GetUser { g, db, user } => v(users::get(ctx, g, &decode(db)?, &decode(user)?)),
        UpdateUser { g, db, user } => v(users::update(ctx, g, &decode(db)?, &decode(user)?)),
        DeleteUser { g, db, user } => v(users::delete(ctx, g, &decode(db)?, &decode(user)?)),
    }
}

fn decode(seg: &str) -> Result<String, ApiError> {
    percent_decode(seg)
        .ok_or_else(|| ApiError::bad_request("INVALID_PATH", format!("Invalid path segment {seg}."), vec![seg.into()]))
}

pub fn link(href: String, rel: &str) -> Value {
    serde_json::json!({ "href": href, "rel": rel })
}
