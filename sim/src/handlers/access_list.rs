//! Project IP access list: who may reach the clusters (not to be confused with a key's API access list).

use std::collections::HashSet;

use chrono::Duration;
use serde_json::{json, Map, Value};

use super::{link, Ctx, Reply};
use crate::clock::{parse_rfc3339, rfc3339, to_chrono};
use crate::errors::ApiError;
use crate::ip::{parse_ip, CidrError, IpNet};
use crate::paging::Page;
use crate::percent::escape_segment;
use crate::state::{AccessEntry, PostedAccessEntry};

const MAX_COMMENT: usize = 80;
const MAX_DELETE_AFTER_DAYS: i64 = 7;

fn entry_view(base: &str, g: &str, e: &AccessEntry) -> Value {
    let mut m = Map::new();
    if let Some(v) = &e.aws_security_group {
        m.insert("awsSecurityGroup".into(), json!(v));
    }
    if let Some(v) = &e.cidr_block {
        m.insert("cidrBlock".into(), json!(v));
    }
    if let Some(v) = &e.comment {
        m.insert("comment".into(), json!(v));
    }
    if let Some(t) = e.delete_after {
        m.insert("deleteAfterDate".into(), json!(rfc3339(t)));
    }
    m.insert("groupId".into(), json!(g));
    if let Some(v) = &e.ip_address {
        m.insert("ipAddress".into(), json!(v));
    }
    m.insert(
        "links".into(),
        json!([link(format!("{base}/api/atlas/v2/groups/{g}/accessList/{}", escape_segment(&e.key)), "self")]),
    );
    Value::Object(m)
}

fn list_body(ctx: &mut Ctx, g: &str, page: Page) -> Value {
    let entries = ctx.st.world.access_lists.get(g).into_iter().flatten();
    let items = entries.map(|e| entry_view(&ctx.base, g, e)).collect();
    page.wrap(&format!("{}/api/atlas/v2/groups/{g}/accessList", ctx.base), items)
}

pub fn list(ctx: &mut Ctx, g: &str) -> Result<Reply, ApiError> {
    let page = Page::parse(&ctx.query)?;
    Ok(Reply::ok(list_body(ctx, g, page)))
}

fn invalid_ip(v: &str) -> ApiError {
    ApiError::bad_request(
        "INVALID_IP_ADDRESS_OR_CIDR_NOTATION",
        format!("IP address or CIDR notation {v} is invalid."),
        vec![json!(v)],
    )
}

/// Validates one posted entry into its stored form (activation time set by the caller).
fn parse_entry(v: &Value, now: chrono::DateTime<chrono::Utc>) -> Result<AccessEntry, ApiError> {
    let o = v.as_object().ok_or_else(|| ApiError::invalid_json("Each access-list entry must be a JSON object."))?;
    let text = |k: &str| o.get(k).filter(|x| !x.is_null());
    let fields: Vec<&str> =
        ["ipAddress", "cidrBlock", "awsSecurityGroup"].into_iter().filter(|k| text(k).is_some()).collect();
    if fields.len() > 1 {
        return Err(ApiError::bad_request(
            "MULTIPLE_VALUES_SPECIFIED_FOR_ONE_NETWORK_PERMISSION_ENTRY",
            "Only one of ipAddress, cidrBlock or awsSecurityGroup may be specified for one access-list entry.",
            vec![],
        ));
    }
    let field = *fields.first().ok_or_else(|| invalid_ip(""))?;
    let value = text(field).expect("a field named in `fields` is present");
    let (key, ip_address, cidr_block, aws_security_group) = match field {
        "ipAddress" => {
            let raw = value.as_str().ok_or_else(|| invalid_ip(&value.to_string()))?;
            let ip = parse_ip(raw).ok_or_else(|| invalid_ip(raw))?;
            let net = IpNet::host(ip);
            (net.cidr_string(), Some(ip.to_string()), Some(net.cidr_string()), None)
        }
        "cidrBlock" => {
            let raw = value.as_str().ok_or_else(|| invalid_ip(&value.to_string()))?;
            let net = IpNet::parse_cidr(raw).map_err(|err| match err {
                CidrError::Syntax => invalid_ip(raw),
                CidrError::Block => ApiError::bad_request(
                    "INVALID_CIDR_BLOCK",
                    format!("CIDR block {raw} is invalid."),
                    vec![json!(raw)],
                ),
            })?;
            // A /32 block is the same entry as the bare address, shown with both fields.
            (net.cidr_string(), net.is_single_host().then(|| net.addr.to_string()), Some(net.cidr_string()), None)
        }
        _ => {
            let raw = value.as_str().unwrap_or("");
            if !raw.starts_with("sg-") {
                return Err(ApiError::bad_request(
                    "INVALID_AWS_SECURITY_GROUP",
                    format!("AWS security group {raw} is invalid."),
                    vec![json!(raw)],
                ));
            }
            (raw.to_string(), None, None, Some(raw.to_string()))
        }
    };
    let mut e = AccessEntry {
        key,
        ip_address,
        cidr_block,
        aws_security_group,
        comment: None,
        delete_after: None,
        active_at: now,
        forced_status: None,
    };
    if let Some(c) = text("comment") {
        let c = c.as_str().ok_or_else(|| ApiError::invalid_attribute("comment"))?;
        if c.chars().count() > MAX_COMMENT {
            return Err(ApiError::bad_request(
                "INVALID_NETWORK_PERMISSION_COMMENT",
                format!("The comment is too long; the maximum is {MAX_COMMENT} characters."),
                vec![],
            ));
        }
        e.comment = Some(c.to_string());
    }
    if let Some(d) = text("deleteAfterDate") {
        let t = d.as_str().and_then(parse_rfc3339).ok_or_else(|| ApiError::invalid_attribute("deleteAfterDate"))?;
        if t <= now || t > now + Duration::days(MAX_DELETE_AFTER_DAYS) {
            return Err(ApiError::bad_request(
                "INVALID_DELETE_AFTER_DATE",
                "deleteAfterDate must be in the future and at most 7 days from now.",
                vec![json!(d)],
            ));
        }
        e.delete_after = Some(t);
    }
    Ok(e)
}

pub fn create(ctx: &mut Ctx, g: &str) -> Result<Reply, ApiError> {
    let page = Page::parse(&ctx.query)?;
    let body: Value =
        serde_json::from_slice(ctx.body).map_err(|e| ApiError::invalid_json(format!("Malformed JSON: {e}")))?;
    let arr = body
        .as_array()
        .ok_or_else(|| ApiError::invalid_json("The request body must be a JSON array of access-list entries."))?;
    let now = ctx.st.now();
    let mut parsed = Vec::with_capacity(arr.len());
    let mut seen = HashSet::new();
    for v in arr {
        let e = parse_entry(v, now)?;
        if !seen.insert(e.key.clone()) {
            return Err(ApiError::bad_request(
                "DUPLICATE_ADDRESSES_IN_INPUT",
                format!("Duplicate address {} in the request.", e.key),
                vec![json!(e.key)],
            ));
        }
        parsed.push(e);
    }
    let limit = ctx.st.config.access_list_limit;
    let delay = to_chrono(ctx.st.config.access_list_activation_delay);
    let list = ctx.st.world.access_lists.entry(g.to_string()).or_default();
    let new_count = parsed.iter().filter(|e| !list.iter().any(|x| x.key == e.key)).count();
    let over = list.len() + new_count > limit;
    let posted = parsed.iter().map(|e| PostedAccessEntry {
        group_id: g.to_string(),
        entry: e.key.clone(),
        comment: e.comment.clone(),
        accepted: !over,
    });
    ctx.st.access_posts.extend(posted.collect::<Vec<_>>());
    let list = ctx.st.world.access_lists.entry(g.to_string()).or_default();
    if over {
        return Err(ApiError::new(
            403,
            "ATLAS_NETWORK_PERMISSIONS_LIMIT_EXCEEDED",
            format!("The project IP access list cannot have more than {limit} entries."),
            vec![json!(limit)],
        ));
    }
    // Re-adding an entry updates it in place (no 409), keeping its activation time.
    for mut e in parsed {
        if let Some(x) = list.iter_mut().find(|x| x.key == e.key) {
            if e.comment.is_some() {
                x.comment = e.comment;
            }
            x.delete_after = e.delete_after;
        } else {
            e.active_at = now + delay;
            list.push(e);
        }
    }
    Ok(Reply::created(list_body(ctx, g, page)))
}

/// The stored key for an addressed entry: `1.2.3.4`, `1.2.3.4/32`, `10.0.0.0/24` or `sg-...`.
fn entry_key(entry: &str) -> Result<String, ApiError> {
    if entry.starts_with("sg-") {
        return Ok(entry.to_string());
    }
    if let Some(ip) = parse_ip(entry) {
        return Ok(IpNet::host(ip).cidr_string());
    }
    match IpNet::parse_cidr(entry) {
        Ok(n) => Ok(n.cidr_string()),
        // Host bits set: a well-formed block that can never be stored, so simply not found.
        Err(CidrError::Block) => Ok(entry.to_string()),
        Err(CidrError::Syntax) => Err(invalid_ip(entry)),
    }
}

fn not_found(g: &str, entry: &str) -> ApiError {
    ApiError::new(
        404,
        "ATLAS_NETWORK_PERMISSION_ENTRY_NOT_FOUND",
        format!("IP Address {entry} not on Atlas access list for group {g}."),
        vec![json!(entry), json!(g)],
    )
}

fn find<'a>(ctx: &'a Ctx, g: &str, entry: &str) -> Result<&'a AccessEntry, ApiError> {
    let key = entry_key(entry)?;
    ctx.st.world.access_lists.get(g).and_then(|l| l.iter().find(|e| e.key == key)).ok_or_else(|| not_found(g, entry))
}

pub fn get(ctx: &mut Ctx, g: &str, entry: &str) -> Result<Reply, ApiError> {
    let e = find(ctx, g, entry)?;
    Ok(Reply::ok(entry_view(&ctx.base, g, e)))
}

pub fn status(ctx: &mut Ctx, g: &str, entry: &str) -> Result<Reply, ApiError> {
    let now = ctx.st.now();
    let e = find(ctx, g, entry)?;
    Ok(Reply::ok(json!({ "STATUS": e.status(now) })))
}

pub fn delete(ctx: &mut Ctx, g: &str, entry: &str) -> Result<Reply, ApiError> {
    let key = entry_key(entry)?;
    let list = ctx.st.world.access_lists.entry(g.to_string()).or_default();
    let before = list.len();
    list.retain(|e| e.key != key);
    if list.len() == before {
        return Err(not_found(g, entry));
    }
    Ok(Reply::no_content())
}
