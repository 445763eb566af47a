//! The access-list sync against the in-process simulator: time and Atlas request count of one
//! `syncNetworkAccess` of 200 addresses into a project holding 100 foreign entries, against adding
//! one entry per request the way per-entry tools do it (Terraform's `project_ip_access_list`
//! resource: one POST per entry, then a GET of the entry to read it back). Also a case within
//! Atlas's 200-entry limit (100 into 100).
//!
//! 300 entries pass Atlas's limit: the simulator is configured to 400 and the core's plan reads
//! `DUCTAPE_DEBUG_ACCESS_LIST_LIMIT` (debug-operations builds only), set here.
//!
//!   cargo bench -p ductape-core --features debug-operations --bench network
//! (`BENCH_ROUNDS=N` for more rounds; the figures are in BENCHMARKS.md section 2.)

use atlas_sim::seed::{self, SeedAccessListEntry};
use atlas_sim::{Seed, Sim, SimConfig};
use ductape_core::atlas::Credentials;
use ductape_core::crypto::SecretString;
use ductape_core::network::{atlas as net_atlas, cidr};
use ductape_core::{runtime, Ductape};
use serde_json::json;
use std::time::{Duration, Instant};

const TEST_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

fn seed(foreign: usize) -> Seed {
    let mut s = Seed::default_seed();
    s.access_list = (0..foreign)
        .map(|i| SeedAccessListEntry {
            group_id: seed::PROJECT_ID.into(),
            ip_address: None,
            cidr_block: Some(format!("10.{}.{}.0/24", i / 200, i % 200)),
            comment: Some(format!("team {i}")),
        })
        .collect();
    s
}

fn addresses(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("203.0.{}.{}", 113 + i / 250, 1 + i % 250)).collect()
}

struct Run {
    elapsed: Duration,
    requests: usize,
    posts: usize,
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// One sync of `n` addresses on a fresh workspace and a freshly seeded simulator.
fn one_sync(sim: &Sim, foreign: usize, n: usize, round: usize) -> Run {
    one_sync_with(sim, foreign, n, round, &|| {})
}

fn per_entry(sim: &Sim, foreign: usize, n: usize) -> Run {
    per_entry_with(sim, foreign, n, &|| {})
}

/// [`one_sync`] with `before` run just before the timed sync (after the seed is loaded).
fn one_sync_with(sim: &Sim, foreign: usize, n: usize, round: usize, before: &dyn Fn()) -> Run {
    sim.load_seed(&seed(foreign)).unwrap();
    let dir = std::env::temp_dir().join(format!("ductape-bench-net-{}-{round}-{n}", std::process::id()));
    let options = json!({"workspace_dir": dir, "workspace_key": TEST_KEY, "atlas_base_url": sim.base_url()});
    let d = Ductape::open_json(&options.to_string()).unwrap();
    let run = runtime::handle().block_on(async {
        let call = |op: &'static str, p: serde_json::Value| {
            let d = &d;
            async move { d.call(op, p).await.unwrap() }
        };
        call("cloud.connections.create", json!({"provider": "mongodb_atlas", "name": "bench"})).await;
        call(
            "cloud.connections.complete",
            json!({"tag": "bench", "project_id": seed::PROJECT_ID,
            "atlas_public_key": seed::OWNER_PUBLIC_KEY, "atlas_private_key": seed::OWNER_PRIVATE_KEY}),
        )
        .await;
        call("cloud.connections.validate", json!({"tag": "bench"})).await;
        call(
            "cloud.connections.updateManagedNetworking",
            json!({"tag": "bench", "ductape_proxy_addresses": addresses(n)}),
        )
        .await;
        before();
        sim.clear_request_log();
        let started = Instant::now();
        let r = call("cloud.connections.syncNetworkAccess", json!({"tag": "bench"})).await;
        let elapsed = started.elapsed();
        assert_eq!(r["added"].as_array().unwrap().len(), n, "{r}");
        let log = sim.request_log();
        Run { elapsed, requests: log.len(), posts: log.iter().filter(|l| l.method == "POST").count() }
    });
    let _ = std::fs::remove_dir_all(&dir);
    run
}

/// The per-entry way: one POST per address, each read back with a GET of the entry.
fn per_entry_with(sim: &Sim, foreign: usize, n: usize, before: &dyn Fn()) -> Run {
    sim.load_seed(&seed(foreign)).unwrap();
    let dir = std::env::temp_dir().join(format!("ductape-bench-net-pe-{}", std::process::id()));
    let options = json!({"workspace_dir": dir, "workspace_key": TEST_KEY, "atlas_base_url": sim.base_url()});
    let d = Ductape::open_json(&options.to_string()).unwrap();
    let creds = Credentials::ApiKey {
        public_key: seed::OWNER_PUBLIC_KEY.into(),
        private_key: SecretString::new(seed::OWNER_PRIVATE_KEY),
    };
    let client = d.atlas_client(&creds);
    let run = runtime::handle().block_on(async {
        // one request first so the digest challenge is not counted against either way
        client.system_status().await.unwrap();
        before();
        sim.clear_request_log();
        let started = Instant::now();
        for a in addresses(n) {
            let net = cidr::parse(&a).unwrap();
            let entry = net_atlas::NewEntry { net: &net, comment: "Ductape proxy", delete_after: None };
            net_atlas::post(&client, seed::PROJECT_ID, std::slice::from_ref(&entry)).await.unwrap();
            let target = format!(
                "/api/atlas/v2/groups/{}/accessList/{}",
                seed::PROJECT_ID,
                ductape_core::atlas::path_segment(&net.to_string())
            );
            let _: serde_json::Value = client.get_json(&target, "2023-01-01").await.unwrap();
        }
        let elapsed = started.elapsed();
        let log = sim.request_log();
        Run { elapsed, requests: log.len(), posts: log.iter().filter(|l| l.method == "POST").count() }
    });
    let _ = std::fs::remove_dir_all(&dir);
    run
}

fn report(name: &str, runs: Vec<Run>) {
    let requests = runs[0].requests;
    let posts = runs[0].posts;
    assert!(runs.iter().all(|r| r.requests == requests), "request counts are deterministic");
    let times: Vec<Duration> = runs.iter().map(|r| r.elapsed).collect();
    let min = *times.iter().min().unwrap();
    println!(
        "{name:<58} median {:>8.2} ms  min {:>8.2} ms  requests {requests:>4} (POST {posts})",
        median(times).as_secs_f64() * 1e3,
        min.as_secs_f64() * 1e3
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: run once then.
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if std::env::args().any(|a| a == "--bench") { 7 } else { 1 });
    std::env::set_var("DUCTAPE_DEBUG_ACCESS_LIST_LIMIT", "400");
    let sim =
        Sim::start_blocking(SimConfig { rate_limit: false, access_list_limit: 400, ..Default::default() }).unwrap();
    sim.configure(|c| c.access_list_activation_delay = Duration::from_millis(0));
    for (foreign, n) in [(100, 200), (100, 100)] {
        report(
            &format!("syncNetworkAccess: {n} addresses into {foreign} foreign"),
            (0..rounds).map(|r| one_sync(&sim, foreign, n, r)).collect(),
        );
        report(
            &format!("per entry (POST + GET each): {n} into {foreign} foreign"),
            (0..rounds).map(|_| per_entry(&sim, foreign, n)).collect(),
        );
    }
    // Loopback answers in microseconds; real Atlas is a round trip away. With 20 ms added to
    // every Atlas request (the simulator's delay fault), the request count is the time.
    let (foreign, n) = (100, 200);
    let latency = || {
        sim.clear_faults();
        sim.add_fault(atlas_sim::Fault::always("/api/*", atlas_sim::FaultKind::Delay { delay_ms: 20 }));
    };
    let few = rounds.min(3);
    report(
        &format!("syncNetworkAccess, 20 ms per request: {n} into {foreign}"),
        (0..few)
            .map(|r| {
                let run = one_sync_with(&sim, foreign, n, r, &latency);
                sim.clear_faults();
                run
            })
            .collect(),
    );
    report(
        &format!("per entry, 20 ms per request: {n} into {foreign}"),
        (0..1)
            .map(|_| {
                let run = per_entry_with(&sim, foreign, n, &latency);
                sim.clear_faults();
                run
            })
            .collect(),
    );
}
