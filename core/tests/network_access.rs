//! Private access against the simulator: `syncNetworkAccess` adds only what is missing in one
//! POST, keeps its own records (`synced_ips`), never touches anyone else's entry, reports drift,
//! prunes only its own, serialises writes per project across threads and processes, survives
//! faults with records matching Atlas, and waits for PENDING to turn ACTIVE.

mod common;

use atlas_sim::seed::SeedAccessListEntry;
use atlas_sim::{Fault, FaultKind, Seed, Sim, SimConfig};
use common::*;
use ductape_core::progress::{Listener, ProgressEvent};
use ductape_core::{runtime, Ductape, ErrorCode};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

const TAG: &str = "prod_atlas";
const P: &str = seed::PROJECT_ID;
const CHILD_ENV: &str = "DUCTAPE_TEST_NETWORK_CHILD";

/// The default seed with `foreign` as the project's access list (comment "team <i>").
fn seed_with(foreign: &[String]) -> Seed {
    let mut s = Seed::default_seed();
    s.access_list = foreign
        .iter()
        .enumerate()
        .map(|(i, c)| SeedAccessListEntry {
            group_id: P.into(),
            ip_address: None,
            cidr_block: Some(c.clone()),
            comment: Some(format!("team {i}")),
        })
        .collect();
    s
}

fn foreign(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("10.{}.{}.0/24", i / 200, i % 200)).collect()
}

fn proxies(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("203.0.{}.{}", 113 + i / 250, 1 + i % 250)).collect()
}

async fn sim_with(foreign: &[String]) -> Sim {
    let sim = Sim::start(SimConfig { seed: seed_with(foreign), ..SimConfig::default() }).await.unwrap();
    sim.configure(|c| c.access_list_activation_delay = std::time::Duration::from_millis(0));
    sim
}

async fn active_connection(d: &Ductape) {
    create(d, TAG).await;
    complete_key(d, TAG, P, seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await;
    assert_eq!(validate(d, TAG).await["valid"], true);
}

async fn set_proxies(d: &Ductape, addrs: &[String]) -> Value {
    call(d, "cloud.connections.updateManagedNetworking", json!({"tag": TAG, "ductape_proxy_addresses": addrs})).await
}

async fn sync(d: &Ductape, extra: Value) -> Value {
    let mut p = json!({"tag": TAG});
    p.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    call(d, "cloud.connections.syncNetworkAccess", p).await
}

fn count(sim: &Sim, method: &str, path_part: &str) -> usize {
    sim.request_log()
        .iter()
        .filter(|r| r.method == method && r.path.contains(path_part) && r.status != 401 && !r.path.contains("/status"))
        .count()
}

fn atlas_keys(sim: &Sim) -> BTreeSet<String> {
    sim.access_list(P).into_iter().map(|(k, _)| k).collect()
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect()
}

fn host(s: &str) -> String {
    if s.contains('/') {
        s.to_string()
    } else {
        format!("{s}/32")
    }
}

#[tokio::test]
async fn syncing_150_into_40_foreign_costs_one_read_and_one_post_and_a_second_sync_reads_only() {
    let sim = sim_with(&foreign(40)).await;
    let dir = temp_workspace("net-150");
    let d = open(&sim.base_url(), &dir);
    active_connection(&d).await;
    let want = proxies(150);
    let settings = set_proxies(&d, &want).await;
    assert_eq!(settings["networking"]["ductape_proxy_addresses"].as_array().unwrap().len(), 150);
    assert_eq!(settings["networking"]["ductape_proxy_addresses"][0], "203.0.113.1/32");

    sim.clear_request_log();
    let r = sync(&d, json!({})).await;
    assert_eq!(r["added"].as_array().unwrap().len(), 150);
    assert_eq!(r["added"][0], json!({"cidr": "203.0.113.1/32", "comment": "Ductape proxy"}));
    assert_eq!(r["already_present"], json!([]));
    assert_eq!(r["entries_in_project"], 190);
    assert_eq!(r["synced_ips"].as_array().unwrap().len(), 150);
    assert_eq!(
        (count(&sim, "GET", "/accessList"), count(&sim, "POST", "/accessList")),
        (1, 1),
        "{:?}",
        sim.request_log()
    );
    assert_eq!(sim.request_log().len(), 2, "nothing else: {:?}", sim.request_log());
    let posts = sim.access_list_posts();
    assert_eq!(posts.len(), 150);
    assert!(posts.iter().all(|p| p.comment.as_deref() == Some("Ductape proxy") && p.accepted));
    assert_eq!(atlas_keys(&sim).len(), 190);

    sim.clear_request_log();
    let r = sync(&d, json!({})).await;
    assert_eq!(r["added"], json!([]));
    assert_eq!(r["already_present"].as_array().unwrap().len(), 150);
    assert_eq!((count(&sim, "GET", "/accessList"), count(&sim, "POST", "/accessList")), (1, 0));
    assert_eq!(sim.access_list_posts().len(), 150, "no entry posted twice");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn foreign_entries_survive_drift_is_reported_and_restored_and_prune_removes_only_its_own() {
    // Someone else added one of the proxy addresses, and a wide-open entry.
    let mut f = foreign(5);
    f.push("203.0.113.2/32".into());
    f.push("0.0.0.0/0".into());
    let sim = sim_with(&f).await;
    let dir = temp_workspace("net-drift");
    let d = open(&sim.base_url(), &dir);
    active_connection(&d).await;
    call(
        &d,
        "cloud.connections.updateManagedNetworking",
        json!({"tag": TAG, "ductape_proxy_addresses": proxies(3),
               "allowed_sources": [{"cidr": "2001:DB8::/48", "label": "office v6", "source": "custom"},
                                   {"cidr": "192.0.2.10", "label": "laptop", "source": "detected"}]}),
    )
    .await;
    let r = sync(&d, json!({})).await;
    let mut added: Vec<(String, String)> = r["added"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["cidr"].as_str().unwrap().into(), a["comment"].as_str().unwrap().into()))
        .collect();
    added.sort();
    let pair = |c: &str, m: &str| (c.to_string(), m.to_string());
    assert_eq!(
        added,
        [
            pair("192.0.2.10/32", "laptop"),
            pair("2001:db8::/48", "office v6"),
            pair("203.0.113.1/32", "Ductape proxy"),
            pair("203.0.113.3/32", "Ductape proxy"),
        ]
    );
    assert_eq!(added.len(), 4);
    assert_eq!(strs(&r["already_present"]), ["203.0.113.2/32"]);
    assert_eq!(r["drift"], json!([{"cidr": "0.0.0.0/0", "kind": "wide_open", "comment": "team 6"}]));
    let synced = strs(&r["synced_ips"]);
    assert!(!synced.contains(&"203.0.113.2/32".to_string()), "someone else's entry is never ours: {synced:?}");
    assert_eq!(synced.len(), 4);
    let comment_of = |k: &str| sim.access_list(P).into_iter().find(|(x, _)| x == k).and_then(|(_, c)| c);
    assert_eq!(comment_of("203.0.113.2/32").as_deref(), Some("team 5"), "its comment is untouched");

    // Someone removes one of ours: a dry run reports it and changes nothing; a sync restores it.
    assert!(sim.remove_access_list_entry(P, "203.0.113.1"));
    let before = atlas_keys(&sim);
    sim.clear_request_log();
    let dry = sync(&d, json!({"dry_run": true})).await;
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["added"], json!([{"cidr": "203.0.113.1/32", "comment": "Ductape proxy"}]));
    assert!(dry["drift"]
        .as_array()
        .unwrap()
        .contains(&json!({"cidr": "203.0.113.1/32", "kind": "removed_by_someone_else", "comment": "Ductape proxy"})));
    assert_eq!(atlas_keys(&sim), before);
    assert_eq!(count(&sim, "POST", "/accessList"), 0);
    let r = sync(&d, json!({})).await;
    assert_eq!(r["added"], json!([{"cidr": "203.0.113.1/32", "comment": "Ductape proxy"}]));
    assert_eq!(r["drift"].as_array().unwrap().len(), 2, "{}", r["drift"]);
    assert!(atlas_keys(&sim).contains("203.0.113.1/32"));

    // Fewer addresses wanted (including the one someone else added): prune removes only ours.
    set_proxies(&d, &proxies(1)).await;
    call(&d, "cloud.connections.updateManagedNetworking", json!({"tag": TAG, "allowed_sources": []})).await;
    let kept = sync(&d, json!({})).await;
    assert_eq!(kept["removed"], json!([]));
    assert_eq!(kept["unwanted"].as_array().unwrap().len(), 3);
    let r = sync(&d, json!({"prune": true})).await;
    let mut removed = strs(&r["removed"]);
    removed.sort();
    assert_eq!(removed, ["192.0.2.10/32", "2001:db8::/48", "203.0.113.3/32"]);
    assert_eq!(strs(&r["synced_ips"]), ["203.0.113.1/32"]);
    let mut expect: BTreeSet<String> = f.iter().map(|s| host(s)).collect();
    expect.insert("203.0.113.1/32".into());
    assert_eq!(atlas_keys(&sim), expect, "every foreign entry survives, 0.0.0.0/0 and 203.0.113.2 included");
    // Nothing of ours left to want: everything goes, foreign entries stay.
    call(&d, "cloud.connections.updateManagedNetworking", json!({"tag": TAG, "include_ductape_proxy": false, "allowed_sources": [{"cidr": "198.18.0.0/15", "label": "lab", "source": "custom"}]})).await;
    let r = sync(&d, json!({"prune": true})).await;
    assert_eq!(strs(&r["removed"]), ["203.0.113.1/32"]);
    let mut expect: BTreeSet<String> = f.iter().map(|s| host(s)).collect();
    expect.insert("198.18.0.0/15".into());
    assert_eq!(atlas_keys(&sim), expect);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn bad_settings_are_refused_naming_the_entry_and_change_nothing() {
    let sim = sim_with(&[]).await;
    let dir = temp_workspace("net-bad");
    let d = open(&sim.base_url(), &dir);
    create(&d, TAG).await;
    let ok = set_proxies(&d, &["198.51.100.1".into()]).await;
    let cases: &[(Value, &str, &str)] = &[
        (
            json!({"ductape_proxy_addresses": ["10.0.0.1/24"]}),
            "ductape_proxy_addresses[0]",
            "host bits set; the block is 10.0.0.0/24",
        ),
        (json!({"ductape_proxy_addresses": ["1.1.1.1", "10.0.0.0/33"]}), "ductape_proxy_addresses[1]", "out of range"),
        (json!({"ductape_proxy_addresses": ["010.0.0.1"]}), "ductape_proxy_addresses[0]", "leading zero"),
        (json!({"ductape_proxy_addresses": ["10.0.0.0/08"]}), "ductape_proxy_addresses[0]", "leading zero"),
        (
            json!({"allowed_sources": [{"cidr": "1.2.3.4", "label": "a", "source": "custom"}, {"cidr": "2001:db8::1/64", "label": "b", "source": "custom"}]}),
            "allowed_sources[1].cidr",
            "host bits",
        ),
        (
            json!({"allowed_sources": [{"cidr": "1.2.3.4", "label": "  ", "source": "custom"}]}),
            "allowed_sources[0].label",
            "must not be empty",
        ),
        (
            json!({"allowed_sources": [{"cidr": "1.2.3.4", "label": "x".repeat(81), "source": "custom"}]}),
            "allowed_sources[0].label",
            "at most 80",
        ),
        (
            json!({"allowed_sources": [{"cidr": "1.2.3.4", "label": "a", "source": "custom"}, {"cidr": "1.2.3.4/32", "label": "b", "source": "detected"}]}),
            "allowed_sources[1].cidr",
            "same block as allowed_sources[0]",
        ),
        (
            json!({"allowed_sources": [{"cidr": "1.2.3.4", "label": "a", "source": "mine"}]}),
            "allowed_sources[0].source",
            "unknown variant",
        ),
        (json!({"ductape_proxy_host": "bad_host!"}), "ductape_proxy_host", "not a DNS name"),
        (json!({"mode": "manual"}), "mode", "managed"),
        (json!({"ductape_proxy_addresses": proxies(201)}), "allowed_sources", "at most 200"),
    ];
    for (input, field, says) in cases {
        let mut p = input.clone();
        p["tag"] = json!(TAG);
        let e = call_err(&d, "cloud.connections.updateManagedNetworking", p).await;
        assert_code(&e, ErrorCode::InvalidArgument);
        assert_eq!(e.field.as_deref(), Some(*field), "{input}: {e:?}");
        assert!(e.message.contains(says), "{input}: {}", e.message);
    }
    let rec = call(&d, "cloud.connections.fetch", json!({"tag": TAG})).await;
    assert_eq!(rec["metadata"]["networking"], ok["networking"], "nothing changed");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_proxy_host_is_resolved_at_every_sync() {
    let sim = sim_with(&[]).await;
    let dir = temp_workspace("net-dns");
    let d = open(&sim.base_url(), &dir);
    let r = call(&d, "cloud.connections.resolveNetworkingHost", json!({"host": "localhost"})).await;
    assert!(strs(&r["addresses"]).contains(&"127.0.0.1".to_string()), "{r}");
    let r = call(&d, "cloud.connections.resolveNetworkingHost", json!({"host": " 2001:DB8::7 "})).await;
    assert_eq!(r, json!({"host": "2001:db8::7", "addresses": ["2001:db8::7"]}));
    let e = call_err(&d, "cloud.connections.resolveNetworkingHost", json!({"host": "no such host"})).await;
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::InvalidArgument, Some("host")));
    let e = call_err(&d, "cloud.connections.resolveNetworkingHost", json!({"host": "nothing.invalid"})).await;
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::Network, Some("host")), "{e:?}");

    active_connection(&d).await;
    call(&d, "cloud.connections.updateManagedNetworking", json!({"tag": TAG, "ductape_proxy_host": "192.0.2.1"})).await;
    let r = sync(&d, json!({})).await;
    assert_eq!(strs(&r["synced_ips"]), ["192.0.2.1/32"]);
    let rec = call(&d, "cloud.connections.fetch", json!({"tag": TAG})).await;
    assert_eq!(rec["metadata"]["networking"]["ductape_proxy_addresses"], json!(["192.0.2.1/32"]));
    // The platform's egress address changes: the next sync picks it up, prune drops the old one.
    call(&d, "cloud.connections.updateManagedNetworking", json!({"tag": TAG, "ductape_proxy_host": "localhost"})).await;
    let r = sync(&d, json!({"prune": true})).await;
    assert!(strs(&r["synced_ips"]).contains(&"127.0.0.1/32".to_string()), "{r}");
    assert_eq!(strs(&r["removed"]), ["192.0.2.1/32"]);
    let rec = call(&d, "cloud.connections.fetch", json!({"tag": TAG})).await;
    assert!(rec["metadata"]["networking"]["resolved_at"].is_string());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn limit_role_api_access_list_and_inactive_connection_fail_with_typed_errors_and_change_nothing() {
    let sim = sim_with(&foreign(190)).await;
    let dir = temp_workspace("net-limits");
    let d = open(&sim.base_url(), &dir);
    create(&d, TAG).await;
    complete_key(&d, TAG, P, seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await;
    set_proxies(&d, &proxies(20)).await;
    let e = call_err(&d, "cloud.connections.syncNetworkAccess", json!({"tag": TAG})).await;
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::FailedPrecondition, Some("tag")));
    assert!(e.message.contains("validate it first"), "{}", e.message);

    assert_eq!(validate(&d, TAG).await["valid"], true);
    sim.clear_request_log();
    let e = call_err(&d, "cloud.connections.syncNetworkAccess", json!({"tag": TAG})).await;
    assert_code(&e, ErrorCode::LimitExceeded);
    let details = e.details.clone().unwrap();
    assert_eq!(
        (details["needed"].as_u64(), details["free"].as_u64(), details["limit"].as_u64()),
        (Some(20), Some(10), Some(200))
    );
    assert!(e.message.contains("needs 20 more but only 10 are free"), "{}", e.message);
    assert_eq!(count(&sim, "POST", "/accessList"), 0);
    assert_eq!(atlas_keys(&sim).len(), 190);

    // Atlas's own limit (here set lower than ours) is the same typed error, records settled.
    set_proxies(&d, &proxies(5)).await;
    sim.configure(|c| c.access_list_limit = 192);
    let e = call_err(&d, "cloud.connections.syncNetworkAccess", json!({"tag": TAG})).await;
    assert_code(&e, ErrorCode::LimitExceeded);
    assert_eq!(e.details.as_ref().unwrap()["records_settled"], true, "{e:?}");
    assert_eq!(e.details.as_ref().unwrap()["synced_ips"], json!([]));
    sim.configure(|c| c.access_list_limit = 200);

    // The key loses its role after validation: Atlas answers 401 USER_UNAUTHORIZED to the POST.
    let mut s = seed_with(&foreign(190));
    for k in &mut s.api_keys {
        if k.public_key == seed::OWNER_PUBLIC_KEY {
            k.roles.retain(|r| r.role_name != "GROUP_OWNER");
            k.roles.push(atlas_sim::seed::RoleAssignment {
                group_id: Some(P.into()),
                org_id: None,
                role_name: "GROUP_READ_ONLY".into(),
            });
        }
    }
    sim.load_seed(&s).unwrap();
    let e = call_err(&d, "cloud.connections.syncNetworkAccess", json!({"tag": TAG})).await;
    assert_code(&e, ErrorCode::AtlasMissingRole);
    assert!(e.message.contains("GROUP_NETWORK_ACCESS_MANAGER"), "{}", e.message);
    assert_eq!(atlas_keys(&sim).len(), 190);

    // The key's API access list does not hold this machine: 403, said to be the key's list.
    let mut s = seed_with(&foreign(190));
    for k in &mut s.api_keys {
        if k.public_key == seed::OWNER_PUBLIC_KEY {
            k.access_list = vec!["203.0.113.0/24".into()];
        }
    }
    sim.load_seed(&s).unwrap();
    let e = call_err(&d, "cloud.connections.syncNetworkAccess", json!({"tag": TAG})).await;
    assert_code(&e, ErrorCode::AtlasForbiddenIp);
    assert!(
        e.message.contains("API key's access list") && e.message.contains("not the project's Network Access"),
        "{}",
        e.message
    );

    sim.load_seed(&seed_with(&foreign(190))).unwrap();
    let r = sync(&d, json!({})).await;
    assert_eq!(r["added"].as_array().unwrap().len(), 5, "nothing half-recorded from the failures: {r}");
    assert_eq!(r["synced_ips"].as_array().unwrap().len(), 5);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn faults_mid_sync_leave_records_matching_atlas() {
    let sim = sim_with(&foreign(3)).await;
    let dir = temp_workspace("net-faults");
    let d = open(&sim.base_url(), &dir);
    active_connection(&d).await;
    set_proxies(&d, &proxies(4)).await;
    let post = "POST /api/atlas/v2/groups/*/accessList";

    // A 429 and a dropped connection are retried: the sync succeeds, each entry accepted once.
    sim.add_fault(Fault::next(post, FaultKind::TooManyRequests { retry_after_secs: 0 }, 1));
    sim.add_fault(Fault::next(post, FaultKind::DropConnection, 1));
    let r = sync(&d, json!({})).await;
    assert_eq!(r["synced_ips"].as_array().unwrap().len(), 4);
    assert_eq!(sim.access_list_posts().iter().filter(|p| p.accepted).count(), 4);

    // 500s past the retries: the sync fails, nothing is recorded, Atlas holds nothing new.
    set_proxies(&d, &proxies(6)).await;
    sim.add_fault(Fault::next(post, FaultKind::InternalError, 10));
    let e = call_err(&d, "cloud.connections.syncNetworkAccess", json!({"tag": TAG})).await;
    assert_code(&e, ErrorCode::AtlasError);
    assert_eq!(e.details.as_ref().unwrap()["records_settled"], true);
    assert_eq!(e.details.as_ref().unwrap()["synced_ips"].as_array().unwrap().len(), 4);
    assert_eq!(atlas_keys(&sim).len(), 7);
    sim.clear_faults();

    // The POST is applied but every answer is lost: the records confirm what Atlas holds, and
    // the next sync only reads.
    sim.add_fault(Fault::next(post, FaultKind::DropAfterHandling, 10));
    let e = call_err(&d, "cloud.connections.syncNetworkAccess", json!({"tag": TAG})).await;
    assert_code(&e, ErrorCode::Network);
    assert_eq!(e.details.as_ref().unwrap()["records_settled"], true, "{e:?}");
    assert_eq!(e.details.as_ref().unwrap()["synced_ips"].as_array().unwrap().len(), 6);
    sim.clear_faults();
    sim.clear_request_log();
    let r = sync(&d, json!({})).await;
    assert_eq!((r["added"].clone(), r["drift"].clone()), (json!([]), json!([])));
    assert_eq!(count(&sim, "POST", "/accessList"), 0);

    // Applied, answer lost, and the re-read fails too: the intents wait for the next sync, which
    // adopts them without posting again.
    set_proxies(&d, &proxies(7)).await;
    // (the first read must pass: the listener adds the GET fault once the POST is under way)
    sim.add_fault(Fault::next(post, FaultKind::DropAfterHandling, 10));
    let listener: Listener = {
        let sim_faults = Arc::new(Mutex::new(Some(())));
        let s = Arc::new(sim_base(&sim));
        Arc::new(move |e: &ProgressEvent| {
            if e.step == "add_entries" && e.done == 0 && sim_faults.lock().unwrap().take().is_some() {
                post_fault(&s, json!({"route": "GET /api/atlas/v2/groups/*/accessList", "kind": "500", "count": 100}));
            }
        })
    };
    let reply = d
        .call_json_with_progress(
            "cloud.connections.syncNetworkAccess",
            &json!({"tag": TAG}).to_string(),
            Some(listener),
        )
        .await;
    let reply: Value = serde_json::from_str(&reply).unwrap();
    assert_eq!(reply["ok"], false, "{reply}");
    assert_eq!(reply["error"]["details"]["records_settled"], false, "{reply}");
    sim.clear_faults();
    let posted_before = sim.access_list_posts().len();
    let r = sync(&d, json!({})).await;
    assert_eq!(r["added"], json!([]), "the intent is adopted, not posted again: {r}");
    assert_eq!(r["synced_ips"].as_array().unwrap().len(), 7);
    assert_eq!(sim.access_list_posts().len(), posted_before);

    // A failed first read changes nothing.
    set_proxies(&d, &proxies(8)).await;
    sim.add_fault(Fault::next("GET /api/atlas/v2/groups/*/accessList", FaultKind::DropConnection, 10));
    let e = call_err(&d, "cloud.connections.syncNetworkAccess", json!({"tag": TAG})).await;
    assert_code(&e, ErrorCode::Network);
    assert_eq!(atlas_keys(&sim).len(), 10);
    sim.clear_faults();
    let r = sync(&d, json!({})).await;
    assert_eq!(r["added"].as_array().unwrap().len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

fn sim_base(sim: &Sim) -> String {
    sim.base_url()
}

/// Adds a fault through the control API from a progress listener (which runs inside the call).
fn post_fault(base: &str, fault: Value) {
    let addr = base.trim_start_matches("http://").to_string();
    let body = fault.to_string();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        write!(
            s,
            "POST /__sim/faults HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
    })
    .join()
    .unwrap();
}

fn recorder() -> (Listener, Arc<Mutex<Vec<ProgressEvent>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    (Arc::new(move |e: &ProgressEvent| s.lock().unwrap().push(e.clone())), seen)
}

#[tokio::test]
async fn wait_sees_pending_turn_active_and_reports_failed_entries_with_progress() {
    let sim = Arc::new(sim_with(&[]).await);
    sim.configure(|c| c.access_list_activation_delay = std::time::Duration::from_millis(700));
    let dir = temp_workspace("net-wait");
    let d = open(&sim.base_url(), &dir);
    active_connection(&d).await;
    set_proxies(&d, &proxies(3)).await;
    let (listener, seen) = recorder();
    let s2 = Arc::clone(&sim);
    let failing: Listener = Arc::new(move |e: &ProgressEvent| {
        listener(e);
        if e.step == "wait_active" && e.done == 0 && e.total == Some(3) {
            assert!(s2.set_access_list_status(P, "203.0.113.3", Some("FAILED")));
        }
    });
    let started = std::time::Instant::now();
    let reply = d
        .call_json_with_progress(
            "cloud.connections.syncNetworkAccess",
            &json!({"tag": TAG, "wait": true}).to_string(),
            Some(failing),
        )
        .await;
    let reply: Value = serde_json::from_str(&reply).unwrap();
    assert_eq!(reply["ok"], true, "{reply}");
    let r = &reply["result"];
    assert_eq!((r["pending"].clone(), r["failed"].clone()), (json!([]), json!(["203.0.113.3/32"])));
    assert!(started.elapsed() >= std::time::Duration::from_millis(600), "it waited for ACTIVE");
    let statuses: Vec<Value> =
        sim.request_log().iter().filter(|l| l.path.ends_with("/status")).map(|l| json!(l.status)).collect();
    assert!(statuses.len() >= 4, "polled more than once: {statuses:?}");
    let seen = seen.lock().unwrap().clone();
    let steps: Vec<&str> = seen.iter().map(|e| e.step.as_str()).collect();
    assert!(steps.contains(&"read_access_list") && steps.contains(&"add_entries"), "{steps:?}");
    let waits: Vec<&ProgressEvent> = seen.iter().filter(|e| e.step == "wait_active").collect();
    assert!(waits.len() >= 3, "{waits:?}");
    assert_eq!((waits.last().unwrap().done, waits.last().unwrap().total), (3, Some(3)));
    assert!(seen.iter().all(|e| e.operation == "cloud.connections.syncNetworkAccess"));
    assert!(seen.windows(2).all(|w| w[0].elapsed_ms <= w[1].elapsed_ms));

    // A short bound: entries still PENDING are reported as pending.
    set_proxies(&d, &proxies(4)).await;
    assert!(sim.set_access_list_status(P, "203.0.113.3", None));
    let r = sync(&d, json!({"wait": true, "wait_timeout_ms": 100})).await;
    assert_eq!(r["pending"], json!(["203.0.113.4/32"]));
    let e = call_err(&d, "cloud.connections.syncNetworkAccess", json!({"tag": TAG, "wait_timeout_ms": 0})).await;
    assert_eq!(e.field.as_deref(), Some("wait_timeout_ms"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn allow_current_ip_adds_a_temporary_entry_once() {
    let sim = sim_with(&foreign(2)).await;
    let dir = temp_workspace("net-current");
    let d = open(&sim.base_url(), &dir);
    active_connection(&d).await;
    let r = call(&d, "cloud.connections.allowCurrentIp", json!({"tag": TAG, "hours": 2})).await;
    assert_eq!(
        (r["cidr"].as_str(), r["added"].as_bool(), r["already_present"].as_bool()),
        (Some("127.0.0.1/32"), Some(true), Some(false))
    );
    assert_eq!(r["comment"], "Ductape temporary access");
    let t = chrono::DateTime::parse_from_rfc3339(r["delete_after_date"].as_str().unwrap()).unwrap();
    let ahead = t.with_timezone(&chrono::Utc) - chrono::Utc::now();
    assert!(ahead > chrono::Duration::minutes(119) && ahead <= chrono::Duration::hours(2), "{ahead}");
    assert_eq!(strs(&r["synced_ips"]), ["127.0.0.1/32"]);
    let state: Value = reqwest::get(format!("{}/__sim/state", sim.base_url())).await.unwrap().json().await.unwrap();
    let mine =
        state["accessList"][P].as_array().unwrap().iter().find(|e| e["entry"] == "127.0.0.1/32").unwrap().clone();
    assert!(mine["deleteAfterDate"].is_string(), "{mine}");
    // Again: its own entry's expiry is renewed.
    let r = call(&d, "cloud.connections.allowCurrentIp", json!({"tag": TAG, "comment": "dev laptop"})).await;
    assert_eq!(r["added"], true);
    // A sync keeps it (wanted until it expires), even with prune, and reports no drift.
    set_proxies(&d, &proxies(1)).await;
    let r = sync(&d, json!({"prune": true})).await;
    assert_eq!(r["removed"], json!([]));
    assert!(strs(&r["synced_ips"]).contains(&"127.0.0.1/32".to_string()));
    // Removed by someone else before it expired: drift, restored with its expiry.
    assert!(sim.remove_access_list_entry(P, "127.0.0.1"));
    let r = sync(&d, json!({})).await;
    assert_eq!(r["added"][0]["cidr"], "127.0.0.1/32");
    assert!(r["added"][0]["delete_after_date"].is_string());
    assert_eq!(r["drift"][0]["kind"], "removed_by_someone_else");
    for (bad, field) in [
        (json!({"hours": 169}), "hours"),
        (json!({"hours": 0}), "hours"),
        (json!({"comment": "x".repeat(81)}), "comment"),
    ] {
        let mut p = bad.clone();
        p["tag"] = json!(TAG);
        let e = call_err(&d, "cloud.connections.allowCurrentIp", p).await;
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::InvalidArgument, Some(field)), "{bad}");
    }
    // Someone else's entry for this address: already present, left alone, not ours.
    let other = temp_workspace("net-current-2");
    let d2 = open(&sim.base_url(), &other);
    create(&d2, "other").await;
    complete_key(&d2, "other", P, seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await;
    validate(&d2, "other").await;
    let r = call(&d2, "cloud.connections.allowCurrentIp", json!({"tag": "other"})).await;
    assert_eq!((r["added"].as_bool(), r["already_present"].as_bool()), (Some(false), Some(true)));
    assert_eq!(r["synced_ips"], json!([]));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&other);
}

// ---- concurrency

fn call_blocking(d: &Arc<Ductape>, op: &str, params: Value) -> Value {
    let reply: Value =
        serde_json::from_str(&runtime::block_on_call(Arc::clone(d), op.to_string(), params.to_string(), None)).unwrap();
    assert_eq!(reply["ok"], true, "{op} {params}: {reply}");
    reply["result"].clone()
}

/// Writes take 30 ms in the simulator, and one arriving meanwhile is refused (409), as Atlas
/// does not take concurrent writes to one list: a sync without the lock would meet it.
fn slow_writes(sim: &Sim) {
    sim.configure(|c| c.access_list_write_duration = std::time::Duration::from_millis(30));
}

fn check_concurrent_outcome(sim: &Sim, foreign_n: usize, want: &[String]) {
    let conflicts = sim.request_log().iter().filter(|r| r.status == 409).count();
    assert_eq!(conflicts, 0, "no write met another one");
    let mut expect: BTreeSet<String> = foreign(foreign_n).into_iter().collect();
    expect.extend(want.iter().map(|s| host(s)));
    assert_eq!(atlas_keys(sim), expect);
    let posts = sim.access_list_posts();
    let posted: BTreeSet<&str> = posts.iter().map(|p| p.entry.as_str()).collect();
    assert_eq!(posts.len(), want.len(), "no entry posted twice: {} posts", posts.len());
    assert_eq!(posted.len(), want.len());
}

#[test]
fn eight_threads_syncing_one_connection_post_each_entry_once() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(sim_with(&foreign(10)));
    let dir = temp_workspace("net-threads");
    let want = proxies(30);
    {
        let d = open(&sim.base_url(), &dir);
        rt.block_on(async {
            active_connection(&d).await;
            set_proxies(&d, &want).await;
        });
    }
    slow_writes(&sim);
    let base = sim.base_url();
    let barrier = Arc::new(std::sync::Barrier::new(8));
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let (dir, base, barrier) = (dir.clone(), base.clone(), Arc::clone(&barrier));
            std::thread::spawn(move || {
                let d = Arc::new(open(&base, &dir));
                // warm up (open the workspace, answer the digest challenge) so that the syncs
                // themselves start together
                call_blocking(&d, "cloud.connections.syncNetworkAccess", json!({"tag": TAG, "dry_run": true}));
                barrier.wait();
                call_blocking(&d, "cloud.connections.syncNetworkAccess", json!({"tag": TAG}))
            })
        })
        .collect();
    let replies: Vec<Value> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let added: usize = replies.iter().map(|r| r["added"].as_array().unwrap().len()).sum();
    assert_eq!(added, 30, "the entries were added once in all: {replies:?}");
    assert!(replies.iter().all(|r| r["synced_ips"].as_array().unwrap().len() == 30));
    check_concurrent_outcome(&sim, 10, &want);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs as a second process (see `two_processes_syncing_one_connection_post_each_entry_once`).
#[test]
fn child_process_sync() {
    let Ok(spec) = std::env::var(CHILD_ENV) else { return };
    let (dir, base) = spec.split_once('|').unwrap();
    let dir = PathBuf::from(dir);
    let d = Arc::new(open(base, &dir));
    call_blocking(&d, "cloud.connections.syncNetworkAccess", json!({"tag": TAG, "dry_run": true}));
    std::fs::write(dir.with_extension(format!("ready-{}", std::process::id())), b"").unwrap();
    while !dir.with_extension("go").exists() {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let d = Arc::clone(&d);
            std::thread::spawn(move || call_blocking(&d, "cloud.connections.syncNetworkAccess", json!({"tag": TAG})))
        })
        .collect();
    let added: usize = threads.into_iter().map(|t| t.join().unwrap()["added"].as_array().unwrap().len()).sum();
    println!("CHILD_ADDED={added}");
}

#[test]
fn two_processes_syncing_one_connection_post_each_entry_once() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(sim_with(&foreign(10)));
    let dir = temp_workspace("net-procs");
    let want = proxies(40);
    {
        let d = open(&sim.base_url(), &dir);
        rt.block_on(async {
            active_connection(&d).await;
            set_proxies(&d, &want).await;
        });
    }
    slow_writes(&sim);
    let children: Vec<_> = (0..2)
        .map(|_| {
            std::process::Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "child_process_sync", "--nocapture", "--test-threads=1"])
                .env(CHILD_ENV, format!("{}|{}", dir.display(), sim.base_url()))
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let ready = children.iter().filter(|c| dir.with_extension(format!("ready-{}", c.id())).exists()).count();
        if ready == children.len() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "children never got ready");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    std::fs::write(dir.with_extension("go"), b"").unwrap();
    let mut added = 0;
    for c in children {
        let id = c.id();
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "a child failed: {}", String::from_utf8_lossy(&out.stdout));
        let text = String::from_utf8_lossy(&out.stdout);
        let n: usize =
            text.lines().find_map(|l| l.split("CHILD_ADDED=").nth(1)).expect("child reported").trim().parse().unwrap();
        added += n;
        let _ = std::fs::remove_file(dir.with_extension(format!("ready-{id}")));
    }
    assert_eq!(added, 40);
    check_concurrent_outcome(&sim, 10, &want);
    let _ = std::fs::remove_file(dir.with_extension("go"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_held_lock_makes_a_sync_wait_and_a_crashed_holders_lease_runs_out() {
    let sim = sim_with(&[]).await;
    let dir = temp_workspace("net-lock");
    let d = Arc::new(open(&sim.base_url(), &dir));
    active_connection(&d).await;
    set_proxies(&d, &proxies(2)).await;
    let db = rusqlite::Connection::open(dir.join("workspace.db")).unwrap();
    let now_ms = chrono::Utc::now().timestamp_millis();
    // A process that crashed while holding the lock: its lease ran out, the sync goes ahead.
    db.execute(
        "INSERT INTO leases (name, holder, expires_at) VALUES (?1, 'crashed', ?2)",
        rusqlite::params![format!("access_list:{P}"), now_ms - 1],
    )
    .unwrap();
    let r = sync(&d, json!({})).await;
    assert_eq!(r["added"].as_array().unwrap().len(), 2);
    let left: i64 = db.query_row("SELECT count(*) FROM leases", [], |r| r.get(0)).unwrap();
    assert_eq!(left, 0, "the sync released its lock");

    // A live holder: the sync waits (reporting wait_lock) and goes ahead once it is released.
    set_proxies(&d, &proxies(3)).await;
    db.execute(
        "INSERT INTO leases (name, holder, expires_at) VALUES (?1, 'busy', ?2)",
        rusqlite::params![format!("access_list:{P}"), now_ms + 60_000],
    )
    .unwrap();
    let (listener, seen) = recorder();
    let d2 = Arc::clone(&d);
    let task = tokio::spawn(async move {
        d2.call_json_with_progress(
            "cloud.connections.syncNetworkAccess",
            &json!({"tag": TAG}).to_string(),
            Some(listener),
        )
        .await
    });
    wait_until("the sync waits for the lock", || seen.lock().unwrap().iter().any(|e| e.step == "wait_lock")).await;
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(!task.is_finished());
    assert_eq!(atlas_keys(&sim).len(), 2, "nothing written while another holds the lock");
    db.execute("DELETE FROM leases WHERE holder = 'busy'", []).unwrap();
    let reply: Value = serde_json::from_str(&task.await.unwrap()).unwrap();
    assert_eq!(reply["result"]["added"], json!([{"cidr": "203.0.113.3/32", "comment": "Ductape proxy"}]), "{reply}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn moving_a_connection_to_another_project_and_back_orphans_no_entry() {
    let sim = sim_with(&[]).await;
    let dir = temp_workspace("net-move");
    let d = open(&sim.base_url(), &dir);
    let (key, secret) = (seed::ORG_OWNER_PUBLIC_KEY, seed::ORG_OWNER_PRIVATE_KEY);
    let point_at = |project: &'static str| {
        let d = &d;
        async move {
            complete_key(d, TAG, project, key, secret).await;
            assert_eq!(validate(d, TAG).await["valid"], true);
        }
    };
    create(&d, TAG).await;
    point_at(P).await;
    set_proxies(&d, &proxies(1)).await;
    assert_eq!(strs(&sync(&d, json!({})).await["synced_ips"]), ["203.0.113.1/32"]);

    // The same block in the other project is a record of its own, not a move of the first one.
    point_at(seed::OTHER_PROJECT_ID).await;
    assert_eq!(strs(&sync(&d, json!({})).await["synced_ips"]), ["203.0.113.1/32"]);
    let in_other: Vec<String> = sim.access_list(seed::OTHER_PROJECT_ID).into_iter().map(|(k, _)| k).collect();
    assert_eq!(in_other, ["203.0.113.1/32"]);

    // Back in the first project the entry is still known as ours, so a prune removes it there,
    // and leaves the other project's alone.
    point_at(P).await;
    call(&d, "cloud.connections.updateManagedNetworking", json!({"tag": TAG, "include_ductape_proxy": false, "allowed_sources": [{"cidr": "198.51.100.99", "label": "office", "source": "custom"}]})).await;
    let r = sync(&d, json!({"prune": true})).await;
    assert_eq!(strs(&r["removed"]), ["203.0.113.1/32"], "{r}");
    assert_eq!(atlas_keys(&sim), BTreeSet::from(["198.51.100.99/32".to_string()]));
    assert_eq!(sim.access_list(seed::OTHER_PROJECT_ID).len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}
