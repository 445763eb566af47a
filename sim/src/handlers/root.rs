//! `GET /api/atlas/v2` (who am I), `GET /api/private/ipinfo` and the unauthenticated version probe.

use serde_json::{json, Value};

use super::{link, Ctx, Raw, Reply};
use crate::errors::ApiError;
use crate::ip::IpNet;
use crate::state::Principal;

pub fn access_list_view(p: &Principal) -> Vec<Value> {
    p.access_list
        .iter()
        .map(|n: &IpNet| {
            if n.is_single_host() {
                json!({ "cidrBlock": n.cidr_string(), "ipAddress": n.addr.to_string() })
            } else {
                json!({ "cidrBlock": n.cidr_string(), "ipAddress": null })
            }
        })
        .collect()
}

pub fn system_status(ctx: &mut Ctx) -> Result<Reply, ApiError> {
    let caller = ctx.caller.as_ref().expect("authenticated");
    let p = &caller.principal;
    // Service accounts have no API key; the schema allows `apiKey: null`.
    let api_key = if p.is_service_account || ctx.st.config.hide_api_key_in_system_status {
        Value::Null
    } else {
        json!({ "accessList": access_list_view(p), "id": p.id, "publicKey": p.name, "roles": p.roles })
    };
    Ok(Reply::ok(json!({
        "apiKey": api_key,
        "appName": "MongoDB Atlas",
        "build": concat!("atlas-sim-", env!("CARGO_PKG_VERSION")),
        "links": [link(format!("{}/api/atlas/v2", ctx.base), "self")],
        "throttling": false,
    })))
}

pub fn ip_info(ctx: &mut Ctx) -> Raw {
    Raw::json(200, json!({ "currentIpv4Address": ctx.client_ip }))
}

pub fn default_mongo_version() -> Raw {
    Raw { status: 200, content_type: "text/plain;charset=iso-8859-1".into(), body: "8.0".into(), headers: vec![] }
}
