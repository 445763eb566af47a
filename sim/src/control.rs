//! The control API under `/__sim/` (no authentication; Atlas never uses this prefix):
//! reset and seed, faults, clock, request log, state, runtime settings.

use std::time::Duration;

use bytes::Bytes;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::clock::rfc3339;
use crate::faults::Fault;
use crate::seed::Seed;
use crate::server::{build, Resp, Shared};
use crate::state::SimState;

fn reply(status: u16, v: Value) -> Resp {
    build(status, Some("application/json"), Bytes::from(v.to_string()), &[])
}

fn bad(msg: impl Into<String>) -> Resp {
    reply(400, json!({ "error": msg.into() }))
}

#[derive(Deserialize)]
struct ClockBody {
    advance_secs: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigBody {
    rate_limit: Option<bool>,
    rate_limit_headers: Option<bool>,
    nonce_ttl_secs: Option<f64>,
    token_ttl_secs: Option<f64>,
    access_list_activation_delay_ms: Option<u64>,
    access_list_write_ms: Option<u64>,
    /// Entries a project's IP access list may hold (Atlas: 200); benchmarks raise it.
    access_list_limit: Option<usize>,
    user_apply_delay_ms: Option<u64>,
    /// Milliseconds until CREATING clusters turn IDLE; `null` keeps them CREATING.
    #[serde(default, deserialize_with = "some_option")]
    cluster_create_ms: Option<Option<u64>>,
    rate_limit_capacity: Option<u32>,
    rate_limit_refill_per_sec: Option<f64>,
    hide_api_key_in_system_status: Option<bool>,
    deprecated_versions: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VerifyBody {
    group_id: String,
    username: String,
    password: String,
    database_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AccessStatusBody {
    group_id: String,
    /// `1.2.3.4`, `1.2.3.4/32` or `10.0.0.0/24`.
    entry: String,
    /// `FAILED` or `PENDING` to hold it there; `null` goes back to the timed behaviour.
    #[serde(default)]
    status: Option<String>,
}

#[derive(Deserialize)]
struct ClusterBody {
    #[serde(rename = "stateName")]
    state_name: Option<String>,
    paused: Option<bool>,
}

pub fn handle(shared: &Shared, method: &str, path: &str, body: &[u8]) -> Resp {
    let mut st = crate::server::lock(shared);
    let resp = handle_locked(&mut st, method, path, body);
    // Cluster states, seeds and the clock may have changed: the data plane follows.
    st.refresh();
    resp
}

fn data_plane(st: &SimState, ca: bool) -> Resp {
    match (&st.data_plane, ca) {
        (None, _) => reply(404, json!({ "error": "the data plane is disabled (--no-data-plane)" })),
        (Some(dp), true) => build(200, Some("application/x-pem-file"), Bytes::from(dp.tls.ca_pem.clone()), &[]),
        (Some(dp), false) => reply(200, dp.describe()),
    }
}

fn handle_locked(st: &mut SimState, method: &str, path: &str, body: &[u8]) -> Resp {
    let segs: Vec<&str> = path.trim_end_matches('/').split('/').skip(2).collect();
    match (method, segs.as_slice()) {
        ("GET", ["health"]) => reply(200, json!({ "ok": true })),
        ("GET", ["dataplane"]) => data_plane(st, false),
        ("GET", ["dataplane", "ca.pem"]) => data_plane(st, true),
        ("POST", ["reset"]) => {
            let text = String::from_utf8_lossy(body);
            let result = if text.trim().is_empty() {
                st.reset(None)
            } else {
                match Seed::from_json(&text) {
                    Ok(seed) => st.reset(Some(&seed)),
                    Err(e) => return bad(format!("invalid seed: {e}")),
                }
            };
            match result {
                Ok(()) => reply(200, json!({ "reset": true })),
                Err(e) => bad(e),
            }
        }
        ("GET", ["requests"]) => reply(200, serde_json::to_value(&st.log).unwrap_or(Value::Null)),
        ("DELETE", ["requests"]) => {
            st.log.clear();
            build(204, None, Bytes::new(), &[])
        }
        ("GET", ["access-list-posts"]) => reply(200, serde_json::to_value(&st.access_posts).unwrap_or(Value::Null)),
        ("DELETE", ["access-list-posts"]) => {
            st.access_posts.clear();
            build(204, None, Bytes::new(), &[])
        }
        ("POST", ["access-list-status"]) => match serde_json::from_slice::<AccessStatusBody>(body) {
            Ok(b) => match b.status.as_deref() {
                None | Some("FAILED") | Some("PENDING") | Some("ACTIVE") => {
                    if st.set_access_status(&b.group_id, &b.entry, b.status.clone()) {
                        reply(200, json!({ "entry": b.entry, "status": b.status }))
                    } else {
                        reply(404, json!({ "error": "no such access-list entry" }))
                    }
                }
                Some(other) => bad(format!("status must be FAILED, PENDING, ACTIVE or null, not {other}")),
            },
            Err(e) => bad(format!("expected {{groupId, entry, status}}: {e}")),
        },
        ("POST", ["access-list-remove"]) => match serde_json::from_slice::<AccessStatusBody>(body) {
            // someone removing an entry in the Atlas UI (no role, no log entry)
            Ok(b) => {
                if st.remove_access_entry(&b.group_id, &b.entry) {
                    reply(200, json!({ "removed": b.entry }))
                } else {
                    reply(404, json!({ "error": "no such access-list entry" }))
                }
            }
            Err(e) => bad(format!("expected {{groupId, entry}}: {e}")),
        },
        ("GET", ["faults"]) => reply(200, serde_json::to_value(st.faults.list()).unwrap_or(Value::Null)),
        ("POST", ["faults"]) => {
            // One fault object or an array of them.
            let parsed: Result<Vec<Fault>, _> = serde_json::from_slice::<Vec<Fault>>(body)
                .or_else(|_| serde_json::from_slice::<Fault>(body).map(|f| vec![f]));
            match parsed {
                Ok(fs) => {
                    for f in fs {
                        st.faults.add(f);
                    }
                    reply(201, serde_json::to_value(st.faults.list()).unwrap_or(Value::Null))
                }
                Err(e) => bad(format!("invalid fault: {e}")),
            }
        }
        ("DELETE", ["faults"]) => {
            st.faults.clear();
            build(204, None, Bytes::new(), &[])
        }
        ("GET", ["clock"]) => reply(200, json!({ "now": rfc3339(st.now()) })),
        ("POST", ["clock"]) => match serde_json::from_slice::<ClockBody>(body) {
            Ok(c) if c.advance_secs >= 0.0 && c.advance_secs.is_finite() => {
                st.clock.advance(Duration::from_secs_f64(c.advance_secs));
                reply(200, json!({ "now": rfc3339(st.now()) }))
            }
            _ => bad("expected {\"advance_secs\": N} with N >= 0"),
        },
        ("POST", ["config"]) => match serde_json::from_slice::<ConfigBody>(body) {
            Ok(c) => {
                let cfg = &mut st.config;
                if let Some(v) = c.rate_limit {
                    cfg.rate_limit = v;
                }
                if let Some(v) = c.rate_limit_headers {
                    cfg.rate_limit_headers = v;
                }
                if let Some(v) = c.deprecated_versions {
                    cfg.deprecated_versions = v;
                }
                if let Some(v) = c.hide_api_key_in_system_status {
                    cfg.hide_api_key_in_system_status = v;
                }
                if let Some(v) = c.nonce_ttl_secs {
                    cfg.nonce_ttl = Duration::from_secs_f64(v.max(0.0));
                }
                if let Some(v) = c.token_ttl_secs {
                    cfg.token_ttl = Duration::from_secs_f64(v.max(0.0));
                }
                if let Some(v) = c.access_list_activation_delay_ms {
                    cfg.access_list_activation_delay = Duration::from_millis(v);
                }
                if let Some(v) = c.access_list_write_ms {
                    cfg.access_list_write_duration = Duration::from_millis(v);
                }
                if let Some(v) = c.access_list_limit {
                    cfg.access_list_limit = v;
                }
                if let Some(v) = c.user_apply_delay_ms {
                    cfg.user_apply_delay = Duration::from_millis(v);
                }
                if let Some(v) = c.cluster_create_ms {
                    cfg.cluster_create_duration = v.map(Duration::from_millis);
                }
                if c.rate_limit_capacity.is_some() || c.rate_limit_refill_per_sec.is_some() {
                    let cap = c.rate_limit_capacity.unwrap_or(cfg.rate_limits.default.capacity);
                    let refill = c.rate_limit_refill_per_sec.unwrap_or(cfg.rate_limits.default.refill_per_sec);
                    cfg.rate_limits = crate::config::RateLimits::uniform(cap, refill);
                    st.rate = Default::default();
                }
                reply(200, config_view(st))
            }
            Err(e) => bad(format!("invalid config: {e}")),
        },
        ("GET", ["config"]) => reply(200, config_view(st)),
        ("GET", ["state"]) => reply(200, state_view(st)),
        ("POST", ["verify-user"]) => match serde_json::from_slice::<VerifyBody>(body) {
            Ok(v) => {
                let valid = st.world.verify_user(
                    &v.group_id,
                    v.database_name.as_deref().unwrap_or("admin"),
                    &v.username,
                    &v.password,
                );
                let now = st.now();
                let applied = st
                    .world
                    .users
                    .get(&v.group_id)
                    .and_then(|l| l.iter().find(|u| u.username == v.username))
                    .is_some_and(|u| {
                        let names = crate::state::scope_names(&u.scopes);
                        let pending = st.world.pending_changes.iter().any(|((g, n), until)| {
                            *g == v.group_id && now < *until && (names.is_empty() || names.contains(n))
                        });
                        !pending
                    });
                reply(200, json!({ "valid": valid, "applied": valid && applied }))
            }
            Err(e) => bad(format!("expected {{groupId, username, password, databaseName?}}: {e}")),
        },
        ("POST", ["clusters", g, name]) => match serde_json::from_slice::<ClusterBody>(body) {
            Ok(b) => {
                let now = st.now();
                let w = &mut st.world;
                if let Some(c) = w.clusters.iter_mut().find(|c| c.group_id == *g && c.name == *name) {
                    if let Some(s) = b.state_name {
                        c.state_name = s;
                        c.state_since = now;
                    }
                    if let Some(p) = b.paused {
                        c.paused = p;
                    }
                    reply(200, json!({ "name": c.name, "stateName": c.state_name, "paused": c.paused }))
                } else if let Some(f) = w.flex_clusters.iter_mut().find(|c| c.group_id == *g && c.name == *name) {
                    if let Some(s) = b.state_name {
                        f.state_name = s;
                        f.state_since = now;
                    }
                    reply(200, json!({ "name": f.name, "stateName": f.state_name }))
                } else {
                    reply(404, json!({ "error": "no such cluster" }))
                }
            }
            Err(e) => bad(format!("invalid cluster update: {e}")),
        },
        _ => reply(404, json!({ "error": format!("unknown control endpoint {method} {path}") })),
    }
}

/// Tells a present `null` (`Some(None)`) from an absent field (`None`).
fn some_option<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<u64>>, D::Error> {
    Option::<u64>::deserialize(d).map(Some)
}

fn config_view(st: &crate::state::SimState) -> Value {
    let c = &st.config;
    json!({
        "rate_limit": c.rate_limit,
        "rate_limit_headers": c.rate_limit_headers,
        "nonce_ttl_secs": c.nonce_ttl.as_secs_f64(),
        "token_ttl_secs": c.token_ttl.as_secs_f64(),
        "access_list_activation_delay_ms": c.access_list_activation_delay.as_millis() as u64,
        "access_list_write_ms": c.access_list_write_duration.as_millis() as u64,
        "access_list_limit": c.access_list_limit,
        "user_apply_delay_ms": c.user_apply_delay.as_millis() as u64,
        "cluster_create_ms": c.cluster_create_duration.map(|d| d.as_millis() as u64),
        "hide_api_key_in_system_status": c.hide_api_key_in_system_status,
        "deprecated_versions": c.deprecated_versions,
    })
}

/// A summary for debugging and assertions; never includes private keys or passwords.
fn state_view(st: &crate::state::SimState) -> Value {
    let w = &st.world;
    let now = st.now();
    json!({
        "now": rfc3339(now),
        "projects": w.projects.iter().map(|p| json!({ "id": p.id, "name": p.name, "orgId": p.org_id })).collect::<Vec<_>>(),
        "clusters": w.clusters.iter().map(|c| json!({ "groupId": c.group_id, "name": c.name, "stateName": c.state_name, "paused": c.paused })).collect::<Vec<_>>(),
        "flexClusters": w.flex_clusters.iter().map(|c| json!({ "groupId": c.group_id, "name": c.name, "stateName": c.state_name })).collect::<Vec<_>>(),
        "accessList": w.access_lists.iter().map(|(g, l)| (g.clone(), json!(l.iter().map(|e| json!({
            "entry": e.key,
            "comment": e.comment,
            "deleteAfterDate": e.delete_after.map(rfc3339),
            "status": e.status(now),
        })).collect::<Vec<_>>()))).collect::<serde_json::Map<_, _>>(),
        "databaseUsers": w.users.iter().map(|(g, l)| (g.clone(), json!(l.iter().map(|u| json!({
            "username": u.username, "databaseName": u.database_name, "roles": u.roles, "scopes": u.scopes,
            "description": u.description,
        })).collect::<Vec<_>>()))).collect::<serde_json::Map<_, _>>(),
        "faults": st.faults.list(),
        "openNonces": st.nonces.len(),
        "liveTokens": st.tokens.values().filter(|t| t.expires > now).count(),
    })
}
