//! Private access: keeping the platform's egress ("proxy") addresses, and the user's own
//! sources, in the Atlas project's IP access list.
//!
//! - `updateManagedNetworking` checks and stores the settings in `metadata.networking`.
//! - `resolveNetworkingHost` answers a host's IPv4 and IPv6 addresses from DNS.
//! - `syncNetworkAccess` reads the whole list, adds only what is missing in one POST, records
//!   what it added (`network_synced_ips`), never touches other entries, and with `prune` removes
//!   only its own unwanted ones. Writes for one project hold the workspace's lease for that
//!   project (`store::lease`), so they run one at a time across threads and processes.
//! - `allowCurrentIp` adds this machine's address with a `deleteAfterDate`.
//!
//! See `docs/network.md` for the rules and `plan.rs` for the decisions themselves.

pub mod api;
pub mod atlas;
pub mod cidr;
pub mod plan;
pub mod repo;

use crate::atlas::{AtlasClient, AtlasError};
use crate::connections::model::{check_text, lookup_tag, now, Row};
use crate::connections::{self, repo as conn_repo, Resolved};
use crate::error::{Error, ErrorCode, Result};
use crate::progress::report;
use crate::store::lease::Lease;
use crate::store::Store;
use crate::Ductape;
use api::*;
use chrono::{DateTime, Utc};
use cidr::Net;
use plan::{OverLimit, OwnState, Present, Wanted};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The Atlas comment of the platform's egress addresses.
pub const PROXY_COMMENT: &str = "Ductape proxy";
pub const DEFAULT_TEMPORARY_COMMENT: &str = "Ductape temporary access";
/// Atlas's limit of an access-list comment.
pub const MAX_COMMENT: usize = 80;
pub const DEFAULT_TEMPORARY_HOURS: u32 = 4;
/// Atlas keeps a `deleteAfterDate` at most a week ahead.
pub const MAX_TEMPORARY_HOURS: u32 = 7 * 24;
const METADATA_KEY: &str = "networking";
const LOCK_PATIENCE: Duration = Duration::from_secs(300);
const DEFAULT_WAIT_MS: u64 = 300_000;
const MAX_WAIT_MS: u64 = 3_600_000;
const DNS_TIMEOUT: Duration = Duration::from_secs(10);

/// The project's entry limit the plan checks: Atlas's 200. Builds with the `debug-operations`
/// feature read `DUCTAPE_DEBUG_ACCESS_LIST_LIMIT` too, so the benchmark can sync 200 addresses
/// into 100 foreign entries against a simulator configured past Atlas's limit.
fn access_list_limit() -> usize {
    #[cfg(feature = "debug-operations")]
    if let Some(n) = std::env::var("DUCTAPE_DEBUG_ACCESS_LIST_LIMIT").ok().and_then(|v| v.parse().ok()) {
        return n;
    }
    plan::ACCESS_LIST_LIMIT
}

// ---- settings

fn networking_of(row: &Row) -> Result<Option<Networking>> {
    match row.metadata.extra.get(METADATA_KEY) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => serde_json::from_value(v.clone()).map(Some).map_err(|_| {
            Error::new(ErrorCode::Workspace, format!("connection '{}' has corrupt networking settings", row.tag))
        }),
    }
}

fn set_networking(row: &mut Row, n: &Networking) {
    row.metadata.extra.insert(METADATA_KEY.into(), serde_json::to_value(n).expect("networking serialises"));
}

fn parse_field(field: &str, raw: &str) -> Result<Net> {
    cidr::parse(raw).map_err(|m| Error::invalid(field, format!("{field} {m}")))
}

/// A DNS name or an IP literal, lowercase, without a trailing dot.
fn check_host(field: &str, raw: &str) -> Result<String> {
    let h = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    let bare = h.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(ip.to_string());
    }
    let bad = |why: &str| Error::invalid(field, format!("{field} {why}"));
    if h.is_empty() {
        return Err(bad("must not be empty (a DNS name such as egress.example.com, or an IP address)"));
    }
    if h.len() > 253 {
        return Err(bad("is longer than a DNS name may be (253 characters)"));
    }
    for label in h.split('.') {
        let ok = !label.is_empty()
            && label.len() <= 63
            && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !ok {
            return Err(bad(&format!(
                "'{h}' is not a DNS name (labels of letters, digits and '-', 1 to 63 characters, separated by '.')"
            )));
        }
    }
    Ok(h)
}

fn check_label(field: &str, raw: &str) -> Result<String> {
    let v = check_text(field, raw, MAX_COMMENT, false)?;
    if v.contains('\n') || v.contains('\t') {
        return Err(Error::invalid(field, format!("{field} must be one line")));
    }
    Ok(v)
}

pub async fn update_managed_networking(d: &Ductape, req: UpdateNetworkingRequest) -> Result<NetworkingReply> {
    let tag = lookup_tag(&req.tag)?;
    if let Some(m) = &req.mode {
        if m.trim() != "managed" {
            return Err(Error::invalid(
                "mode",
                "mode must be 'managed' (the only mode: syncNetworkAccess keeps the list)",
            ));
        }
    }
    let host = match &req.ductape_proxy_host {
        Some(h) if h.trim().is_empty() => Some(None),
        Some(h) => Some(Some(check_host("ductape_proxy_host", h)?)),
        None => None,
    };
    let addresses = match &req.ductape_proxy_addresses {
        Some(list) => {
            let mut seen = BTreeSet::new();
            let mut out = Vec::new();
            for (i, a) in list.iter().enumerate() {
                let net = parse_field(&format!("ductape_proxy_addresses[{i}]"), a)?;
                if seen.insert(net) {
                    out.push(net.to_string());
                }
            }
            Some(out)
        }
        None => None,
    };
    let sources = match &req.allowed_sources {
        Some(list) => {
            let mut seen: Vec<Net> = Vec::new();
            let mut out = Vec::new();
            for (i, s) in list.iter().enumerate() {
                let field = format!("allowed_sources[{i}].cidr");
                let net = parse_field(&field, &s.cidr)?;
                if let Some(j) = seen.iter().position(|n| *n == net) {
                    return Err(Error::invalid(
                        field.clone(),
                        format!("{field} {net} is the same block as allowed_sources[{j}]; give each block once"),
                    ));
                }
                seen.push(net);
                let label = check_label(&format!("allowed_sources[{i}].label"), &s.label)?;
                out.push(AllowedSource { cidr: net.to_string(), label, source: s.source });
            }
            Some(out)
        }
        None => None,
    };
    let store = d.store().await?;
    store
        .write_async(move |_, tx| {
            let mut row = conn_repo::live(tx, &tag)?;
            let mut n = networking_of(&row)?.unwrap_or_default();
            if let Some(v) = req.include_ductape_proxy {
                n.include_ductape_proxy = v;
            }
            if let Some(h) = &host {
                if n.ductape_proxy_host != *h {
                    n.resolved_at = None;
                }
                n.ductape_proxy_host = h.clone();
            }
            if let Some(a) = &addresses {
                n.ductape_proxy_addresses = a.clone();
            }
            if let Some(s) = &sources {
                n.allowed_sources = s.clone();
            }
            let count = n.allowed_sources.len() + n.ductape_proxy_addresses.len();
            if count > plan::ACCESS_LIST_LIMIT {
                return Err(Error::invalid(
                    "allowed_sources",
                    format!(
                        "allowed_sources and ductape_proxy_addresses hold {count} blocks; an Atlas project's IP access list holds at most {}",
                        plan::ACCESS_LIST_LIMIT
                    ),
                ));
            }
            set_networking(&mut row, &n);
            row.updated_at = now();
            conn_repo::save(tx, &row)?;
            let synced = match &row.metadata.project_id {
                Some(p) => repo::synced_ips(tx, &row.id, p)?,
                None => Vec::new(),
            };
            Ok(NetworkingReply { tag: row.tag.clone(), networking: n, synced_ips: synced })
        })
        .await
}

// ---- DNS

/// The host's addresses: IPv4 first, then IPv6, each once, sorted.
pub async fn resolve_host(field: &str, host: &str) -> Result<Vec<IpAddr>> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![ip]);
    }
    let failed = |why: String| {
        Error::new(ErrorCode::Network, format!("could not resolve {field} '{host}': {why}"))
            .with_field(field)
            .with_details(json!({ "host": host }))
    };
    let found = tokio::time::timeout(DNS_TIMEOUT, tokio::net::lookup_host((host, 0)))
        .await
        .map_err(|_| failed(format!("no answer within {}s", DNS_TIMEOUT.as_secs())))?
        .map_err(|e| failed(e.to_string()))?;
    let mut v4: BTreeSet<IpAddr> = BTreeSet::new();
    let mut v6: BTreeSet<IpAddr> = BTreeSet::new();
    for a in found {
        match a.ip() {
            ip @ IpAddr::V4(_) => v4.insert(ip),
            ip @ IpAddr::V6(_) => v6.insert(ip),
        };
    }
    let all: Vec<IpAddr> = v4.into_iter().chain(v6).collect();
    if all.is_empty() {
        return Err(failed("DNS has no A or AAAA record".into()));
    }
    Ok(all)
}

pub async fn resolve_networking_host(_d: &Ductape, req: ResolveHostRequest) -> Result<ResolveHostReply> {
    let host = check_host("host", &req.host)?;
    let addresses = resolve_host("host", &host).await?;
    Ok(ResolveHostReply { host, addresses: addresses.iter().map(IpAddr::to_string).collect() })
}

// ---- shared by sync and allowCurrentIp

/// A live, active connection with its credentials.
async fn active(d: &Ductape, tag: &str) -> Result<Resolved> {
    let r = connections::resolve(d, tag).await?;
    r.require_active("tag", "the access list is changed only with credentials Atlas accepted")?;
    Ok(r)
}

/// The project's access-list lease, held by one sync or allowCurrentIp at a time across
/// threads and processes (a crashed holder's lease runs out after a minute).
async fn lock_project(store: &Arc<Store>, project_id: &str) -> Result<Lease> {
    Lease::acquire(store, &format!("access_list:{project_id}"), LOCK_PATIENCE, &lock_what(project_id), || {
        report("wait_lock", 0, None, Some(format!("waiting for another change of project {project_id}")))
    })
    .await
}

fn lock_what(project_id: &str) -> String {
    format!("project {project_id}'s access list")
}

/// An Atlas failure of an access-list change, with what users meet most said plainly.
fn atlas_failure(e: AtlasError, project_id: &str) -> Error {
    let api = e.api().cloned();
    match api {
        Some(a) if a.is_missing_role() => Error::new(
            ErrorCode::AtlasMissingRole,
            format!(
                "the key may not change project {project_id}'s IP access list: it needs Project Owner (GROUP_OWNER) \
                 or Project Network Access Manager (GROUP_NETWORK_ACCESS_MANAGER). In Atlas: Project Identity & Access \
                 > Applications > API Keys > edit the key > Project Permissions."
            ),
        )
        .with_details(e.details()),
        Some(a) if a.status == 403 && a.code() == Some("ATLAS_NETWORK_PERMISSIONS_LIMIT_EXCEEDED") => Error::new(
            ErrorCode::LimitExceeded,
            format!(
                "Atlas refused the entries: project {project_id}'s IP access list would pass its limit ({} entries); \
                 nothing was added",
                a.param(0).unwrap_or_else(|| plan::ACCESS_LIST_LIMIT.to_string())
            ),
        )
        .with_details(e.details()),
        _ => Error::from(e),
    }
}

fn over_limit(o: &OverLimit, project_id: &str) -> Error {
    Error::new(
        ErrorCode::LimitExceeded,
        format!(
            "project {project_id}'s IP access list holds {} of at most {} entries; this change needs {} more but only {} \
             are free, so nothing was changed. Remove entries in Atlas (Network Access), or fewer allowed_sources",
            o.present - o.to_remove,
            o.limit,
            o.needed,
            o.free
        ),
    )
    .with_details(json!({
        "limit": o.limit, "present": o.present, "to_add": o.to_add, "to_remove": o.to_remove,
        "needed": o.needed, "free": o.free,
    }))
}

fn with_detail(mut e: Error, key: &str, v: Value) -> Error {
    let mut d = match e.details.take() {
        Some(Value::Object(m)) => m,
        Some(other) => {
            let mut m = serde_json::Map::new();
            m.insert("atlas".into(), other);
            m
        }
        None => serde_json::Map::new(),
    };
    d.insert(key.into(), v);
    e.details = Some(Value::Object(d));
    e
}

async fn read_list(client: &AtlasClient, project_id: &str) -> Result<Vec<Present>> {
    atlas::list_all(client, project_id, |done, total| {
        report("read_access_list", done, total, None);
    })
    .await
    .map_err(|e| atlas_failure(e, project_id))
}

/// After the writes (or a failed one): records match `list`, what Atlas holds. An intent
/// record becomes ours only when Atlas holds the entry with our comment (one someone else
/// added meanwhile, with theirs, stays foreign); other intents are dropped; removed entries
/// still present stay.
async fn settle(store: &Arc<Store>, connection_id: &str, project_id: &str, list: &[Present]) -> Result<Vec<String>> {
    let list = list.to_vec();
    let (c, p) = (connection_id.to_string(), project_id.to_string());
    store
        .write_async(move |_, tx| {
            for o in repo::own(tx, &c, &p)? {
                if o.state != OwnState::Intent {
                    continue;
                }
                if plan::holds_ours(&list, &o) {
                    repo::confirm(tx, &c, &p, &o.net)?;
                } else {
                    repo::forget(tx, &c, &p, &o.net)?;
                }
            }
            repo::synced_ips(tx, &c, &p)
        })
        .await
}

/// A write failed: re-read what Atlas holds and settle the records on it, then answer the
/// failure (saying whether the records could be settled; if not, the next sync settles them).
async fn fail_settled(
    store: &Arc<Store>,
    client: &AtlasClient,
    connection_id: &str,
    project_id: &str,
    e: Error,
) -> Error {
    match atlas::list_all(client, project_id, |_, _| {}).await {
        Ok(list) => match settle(store, connection_id, project_id, &list).await {
            Ok(synced) => with_detail(with_detail(e, "records_settled", json!(true)), "synced_ips", json!(synced)),
            Err(_) => with_detail(e, "records_settled", json!(false)),
        },
        Err(_) => with_detail(e, "records_settled", json!(false)),
    }
}

fn new_entries<'a>(adds: &'a [Wanted]) -> Vec<atlas::NewEntry<'a>> {
    adds.iter()
        .map(|w| atlas::NewEntry {
            net: &w.net,
            comment: &w.comment,
            delete_after: w.delete_after.map(repo::time_text),
        })
        .collect()
}

/// POSTs `adds` (one request, split only past the per-request bound) and answers the list
/// Atlas holds afterwards: the POST's own answer when it holds the whole list, else a re-read.
async fn post_and_confirm(client: &AtlasClient, project_id: &str, adds: &[Wanted]) -> Result<Vec<Present>> {
    let entries = new_entries(adds);
    let mut last = None;
    let chunks: Vec<_> = entries.chunks(plan::MAX_ENTRIES_PER_POST).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        report("add_entries", i as u64, Some(chunks.len() as u64), Some(format!("adding {} entries", chunk.len())));
        last = atlas::post(client, project_id, chunk).await.map_err(|e| atlas_failure(e, project_id))?;
    }
    report("add_entries", chunks.len() as u64, Some(chunks.len() as u64), None);
    match last {
        Some(list) => Ok(list),
        None => read_list(client, project_id).await,
    }
}

// ---- sync

/// What the settings want, with the proxy host resolved now; also answers the resolved proxy
/// blocks (to record) when a host is set.
async fn wanted(n: &Networking) -> Result<(Vec<Wanted>, Option<Vec<String>>)> {
    let mut out = Vec::new();
    let mut resolved = None;
    if n.include_ductape_proxy {
        let nets: Vec<Net> = match &n.ductape_proxy_host {
            Some(host) => {
                let ips = resolve_host("ductape_proxy_host", host).await?;
                let nets: Vec<Net> = ips.into_iter().map(Net::host).collect();
                resolved = Some(nets.iter().map(Net::to_string).collect());
                nets
            }
            None => n.ductape_proxy_addresses.iter().filter_map(|a| cidr::parse(a).ok()).collect(),
        };
        for net in nets {
            out.push(Wanted { net, comment: PROXY_COMMENT.into(), source: "ductape_proxy".into(), delete_after: None });
        }
    }
    for s in &n.allowed_sources {
        let Ok(net) = cidr::parse(&s.cidr) else { continue };
        let comment = if s.source == Source::DuctapeProxy { PROXY_COMMENT.to_string() } else { s.label.clone() };
        out.push(Wanted { net, comment, source: s.source.as_str().into(), delete_after: None });
    }
    Ok((out, resolved))
}

pub async fn sync_network_access(d: &Ductape, req: SyncRequest) -> Result<SyncReply> {
    let tag = lookup_tag(&req.tag)?;
    let wait_ms = match req.wait_timeout_ms {
        Some(ms) if ms == 0 || ms > MAX_WAIT_MS => {
            return Err(Error::invalid("wait_timeout_ms", format!("wait_timeout_ms must be 1 to {MAX_WAIT_MS}")))
        }
        Some(ms) => ms,
        None => DEFAULT_WAIT_MS,
    };
    let r = active(d, &tag).await?;
    let settings = networking_of(&r.row)?.ok_or_else(|| {
        Error::new(
            ErrorCode::FailedPrecondition,
            format!("cloud connection '{tag}' has no networking settings; call cloud.connections.updateManagedNetworking first"),
        )
        .with_field("tag")
    })?;
    if settings.include_ductape_proxy
        && settings.ductape_proxy_host.is_none()
        && settings.ductape_proxy_addresses.is_empty()
        && settings.allowed_sources.is_empty()
    {
        return Err(Error::new(
            ErrorCode::FailedPrecondition,
            format!("cloud connection '{tag}' includes the Ductape proxy but names neither ductape_proxy_host nor ductape_proxy_addresses; set one with updateManagedNetworking"),
        )
        .with_field("tag"));
    }
    let (wanted, resolved) = wanted(&settings).await?;
    let client = d.atlas_client(&r.credentials);
    let store = d.store().await?;
    let project_id = r.project_id.clone();
    let connection_id = r.row.id.clone();
    let own_of = |store: &Arc<Store>| {
        let (c, p) = (connection_id.clone(), project_id.clone());
        let store = Arc::clone(store);
        async move { store.read_async(move |_, conn| repo::own(conn, &c, &p)).await }
    };

    if req.dry_run {
        let present = read_list(&client, &project_id).await?;
        let own = own_of(&store).await?;
        let p = plan::plan(&wanted, &own, &present, req.prune, Utc::now(), access_list_limit())
            .map_err(|o| over_limit(&o, &project_id))?;
        // What it owns now and would keep (in record order, as a sync answers them).
        let owned_after: Vec<String> = own
            .iter()
            .filter(|o| o.state == OwnState::Confirmed || p.adopt.contains(&o.net))
            .map(|o| o.net)
            .filter(|n| !p.forget.contains(n) && !p.remove.contains(n))
            .map(|n| n.to_string())
            .collect();
        return Ok(SyncReply {
            tag,
            project_id,
            dry_run: true,
            added: p.add.iter().map(added_entry).collect(),
            already_present: p.already_present.iter().map(Net::to_string).collect(),
            removed: p.remove.iter().map(Net::to_string).collect(),
            pending: Vec::new(),
            failed: Vec::new(),
            drift: p.drift,
            unwanted: p.unwanted.iter().map(Net::to_string).collect(),
            synced_ips: owned_after,
            entries_in_project: present.len(),
            wait_error: None,
        });
    }

    let lock = lock_project(&store, &project_id).await?;
    let present = read_list(&client, &project_id).await?;
    let own = own_of(&store).await?;
    let p = plan::plan(&wanted, &own, &present, req.prune, Utc::now(), access_list_limit())
        .map_err(|o| over_limit(&o, &project_id))?;
    lock.renew(&lock_what(&project_id)).await?;

    // Before any write: settle intents, record the resolved proxy addresses, and write an
    // intent for every entry about to be added.
    {
        let (c, pid, tag2) = (connection_id.clone(), project_id.clone(), tag.clone());
        let (adopt, forget, adds) = (p.adopt.clone(), p.forget.clone(), p.add.clone());
        let resolved = resolved.clone();
        store
            .write_async(move |_, tx| {
                for n in &adopt {
                    repo::confirm(tx, &c, &pid, n)?;
                }
                for n in &forget {
                    repo::forget(tx, &c, &pid, n)?;
                }
                for w in &adds {
                    repo::put(tx, &c, &pid, &w.net, Some(&w.comment), &w.source, OwnState::Intent, w.delete_after)?;
                }
                if let Some(addrs) = &resolved {
                    let mut row = conn_repo::live(tx, &tag2)?;
                    if let Some(mut n) = networking_of(&row)? {
                        if n.ductape_proxy_addresses != *addrs || n.resolved_at.is_none() {
                            n.ductape_proxy_addresses = addrs.clone();
                            n.resolved_at = Some(now());
                            set_networking(&mut row, &n);
                            conn_repo::save(tx, &row)?;
                        }
                    }
                }
                Ok(())
            })
            .await?;
    }

    // Removals first (they free room), each confirmed by the final list.
    let mut removed = Vec::new();
    for (i, net) in p.remove.iter().enumerate() {
        report("remove_entries", i as u64, Some(p.remove.len() as u64), None);
        let (c, pid, n2) = (connection_id.clone(), project_id.clone(), *net);
        let shared = store.read_async(move |_, conn| repo::owned_by_another(conn, &c, &pid, &n2)).await?;
        if !shared {
            if let Err(e) = atlas::delete(&client, &project_id, net).await {
                let e = atlas_failure(e, &project_id);
                return Err(fail_settled(&store, &client, &connection_id, &project_id, e).await);
            }
        }
        let (c, pid, n2) = (connection_id.clone(), project_id.clone(), *net);
        store.write_async(move |_, tx| repo::forget(tx, &c, &pid, &n2)).await?;
        if !shared {
            removed.push(net.to_string());
        }
    }
    if !p.remove.is_empty() {
        report("remove_entries", p.remove.len() as u64, Some(p.remove.len() as u64), None);
        lock.renew(&lock_what(&project_id)).await?;
    }

    let after = if p.add.is_empty() {
        if removed.is_empty() {
            present.clone()
        } else {
            match read_list(&client, &project_id).await {
                Ok(l) => l,
                Err(e) => return Err(fail_settled(&store, &client, &connection_id, &project_id, e).await),
            }
        }
    } else {
        match post_and_confirm(&client, &project_id, &p.add).await {
            Ok(l) => l,
            Err(e) => return Err(fail_settled(&store, &client, &connection_id, &project_id, e).await),
        }
    };
    let synced = settle(&store, &connection_id, &project_id, &after).await?;
    drop(lock);

    let held: BTreeSet<Net> = after.iter().map(|x| x.net).collect();
    let added: Vec<&Wanted> = p.add.iter().filter(|w| held.contains(&w.net)).collect();
    let mut reply = SyncReply {
        tag,
        project_id: project_id.clone(),
        dry_run: false,
        added: added.iter().map(|w| added_entry(w)).collect(),
        already_present: p.already_present.iter().map(Net::to_string).collect(),
        removed,
        pending: added.iter().map(|w| w.net.to_string()).collect(),
        failed: Vec::new(),
        drift: p.drift,
        unwanted: p.unwanted.iter().map(Net::to_string).collect(),
        synced_ips: synced,
        entries_in_project: after.len(),
        wait_error: None,
    };
    if req.wait && !added.is_empty() {
        let nets: Vec<Net> = added.iter().map(|w| w.net).collect();
        let w = wait_active(&client, &project_id, &nets, Duration::from_millis(wait_ms)).await;
        reply.pending = w.pending.iter().map(Net::to_string).collect();
        reply.failed = w.failed.iter().map(Net::to_string).collect();
        reply.wait_error = w.error;
    }
    Ok(reply)
}

fn added_entry(w: &Wanted) -> AddedEntry {
    AddedEntry {
        cidr: w.net.to_string(),
        comment: w.comment.clone(),
        delete_after_date: w.delete_after.map(repo::time_text),
    }
}

struct Waited {
    pending: Vec<Net>,
    failed: Vec<Net>,
    error: Option<String>,
}

/// Polls each entry's status until every one is `ACTIVE` or `FAILED`, or `timeout` passes;
/// backoff from 200 ms doubling to 5 s. A failed poll stops the wait (the writes are done).
async fn wait_active(client: &AtlasClient, project_id: &str, nets: &[Net], timeout: Duration) -> Waited {
    let total = nets.len() as u64;
    let deadline = Instant::now() + timeout;
    let mut pending: Vec<Net> = nets.to_vec();
    let mut failed = Vec::new();
    let mut delay = Duration::from_millis(200);
    report("wait_active", 0, Some(total), Some(format!("waiting for {total} entries to become ACTIVE")));
    loop {
        let mut still = Vec::new();
        for net in &pending {
            match atlas::status(client, project_id, net).await {
                Ok(s) if s == "ACTIVE" => {}
                Ok(s) if s == "FAILED" => failed.push(*net),
                Ok(_) => still.push(*net),
                Err(e) => {
                    let left: Vec<Net> = pending.iter().filter(|n| !failed.contains(n)).copied().collect();
                    return Waited { pending: left, failed, error: Some(atlas_failure(e, project_id).message) };
                }
            }
        }
        pending = still;
        let done = total - pending.len() as u64;
        report("wait_active", done, Some(total), None);
        let now = Instant::now();
        if pending.is_empty() || now >= deadline {
            return Waited { pending, failed, error: None };
        }
        tokio::time::sleep(delay.min(deadline - now)).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

// ---- temporary access

pub async fn allow_current_ip(d: &Ductape, req: AllowCurrentIpRequest) -> Result<AllowCurrentIpReply> {
    let tag = lookup_tag(&req.tag)?;
    let hours = req.hours.unwrap_or(DEFAULT_TEMPORARY_HOURS);
    if hours == 0 || hours > MAX_TEMPORARY_HOURS {
        return Err(Error::invalid(
            "hours",
            format!("hours must be 1 to {MAX_TEMPORARY_HOURS} (Atlas deletes a temporary entry at most a week ahead)"),
        ));
    }
    let comment = match &req.comment {
        Some(c) => check_label("comment", c)?,
        None => DEFAULT_TEMPORARY_COMMENT.to_string(),
    };
    let r = active(d, &tag).await?;
    let client = d.atlas_client(&r.credentials);
    let project_id = r.project_id.clone();
    let connection_id = r.row.id.clone();
    let info = client.ip_info().await.map_err(|e| atlas_failure(e, &project_id))?;
    let ip = info.current_ipv4_address.as_deref().and_then(|s| s.trim().parse::<IpAddr>().ok()).ok_or_else(|| {
        Error::new(
            ErrorCode::AtlasError,
            "Atlas did not say which address this machine calls from (GET /api/private/ipinfo)",
        )
    })?;
    let net = Net::host(ip);
    let delete_after: DateTime<Utc> = Utc::now() + chrono::Duration::hours(hours as i64);
    let store = d.store().await?;
    let lock = lock_project(&store, &project_id).await?;
    let present = read_list(&client, &project_id).await?;
    let (c, p) = (connection_id.clone(), project_id.clone());
    let own = store.read_async(move |_, conn| repo::own(conn, &c, &p)).await?;
    let mine = own.iter().find(|o| o.net == net && o.state == OwnState::Confirmed);
    let in_atlas = present.iter().any(|x| x.net == net);
    // Someone else's entry, or a permanent one of ours: already allowed, left as it is.
    if in_atlas && mine.is_none_or(|o| o.delete_after.is_none()) {
        let (c, p) = (connection_id.clone(), project_id.clone());
        let synced = store.read_async(move |_, conn| repo::synced_ips(conn, &c, &p)).await?;
        return Ok(AllowCurrentIpReply {
            tag,
            cidr: net.to_string(),
            comment: present.iter().find(|x| x.net == net).and_then(|x| x.comment.clone()).unwrap_or_default(),
            delete_after_date: String::new(),
            added: false,
            already_present: true,
            synced_ips: synced,
        });
    }
    if !in_atlas && present.len() >= plan::ACCESS_LIST_LIMIT {
        let o = OverLimit {
            limit: plan::ACCESS_LIST_LIMIT,
            present: present.len(),
            to_add: 1,
            to_remove: 0,
            free: 0,
            needed: 1,
        };
        return Err(over_limit(&o, &project_id));
    }
    let w = Wanted { net, comment: comment.clone(), source: "temporary".into(), delete_after: Some(delete_after) };
    let (c, pid, w2) = (connection_id.clone(), project_id.clone(), w.clone());
    store
        .write_async(move |_, tx| {
            repo::put(tx, &c, &pid, &w2.net, Some(&w2.comment), &w2.source, OwnState::Intent, w2.delete_after)
        })
        .await?;
    let after = match post_and_confirm(&client, &project_id, std::slice::from_ref(&w)).await {
        Ok(l) => l,
        Err(e) => return Err(fail_settled(&store, &client, &connection_id, &project_id, e).await),
    };
    let synced = settle(&store, &connection_id, &project_id, &after).await?;
    drop(lock);
    Ok(AllowCurrentIpReply {
        tag,
        cidr: net.to_string(),
        comment,
        delete_after_date: repo::time_text(delete_after),
        added: after.iter().any(|x| x.net == net),
        already_present: false,
        synced_ips: synced,
    })
}
