//! `cloud.connections.validate` end to end against the in-process Atlas simulator (loopback HTTP,
//! Digest auth, SQLite write of the result), and how many HTTP requests Atlas calls cost.

use atlas_sim::{seed, Sim, SimConfig};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ductape_core::{runtime, Ductape};
use serde_json::{json, Value};
use std::sync::Arc;

const TEST_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const CONCURRENT: usize = 8;

/// A Ductape on a fresh workspace with `tags` completed connections, each holding the seed's Project Owner key.
fn open(sim: &Sim, name: &str, tags: usize) -> (Arc<Ductape>, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("ductape-bench-{name}-{}", std::process::id()));
    let options = json!({"workspace_dir": dir, "workspace_key": TEST_KEY, "atlas_base_url": sim.base_url()});
    let d = Arc::new(Ductape::open_json(&options.to_string()).expect("opens"));
    runtime::handle().block_on(async {
        for i in 0..tags {
            let tag = format!("c{i}");
            d.call("cloud.connections.create", json!({"provider": "mongodb_atlas", "name": tag})).await.unwrap();
            let complete = json!({"tag": tag, "project_id": seed::PROJECT_ID,
                "atlas_public_key": seed::OWNER_PUBLIC_KEY, "atlas_private_key": seed::OWNER_PRIVATE_KEY});
            d.call("cloud.connections.complete", complete).await.unwrap();
        }
    });
    (d, dir)
}

async fn validate(d: &Ductape, tag: &str) {
    let v: Value = d.call("cloud.connections.validate", json!({"tag": tag})).await.unwrap();
    assert_eq!(v["valid"], true, "{v}");
}

fn atlas(c: &mut Criterion) {
    // Rate limiting off: criterion runs thousands of validations, far past Atlas's token buckets.
    let sim = Sim::start_blocking(SimConfig { rate_limit: false, ..Default::default() }).expect("the simulator starts");
    let rt = runtime::handle();
    let (d, dir) = open(&sim, "atlas", CONCURRENT);

    // Printed rather than timed: the request count is the figure, and it does not vary. A fresh
    // client (empty nonce pool) makes N Atlas calls through N/2 validations (2 calls each).
    let (fresh, fresh_dir) = open(&sim, "atlas-requests", 1);
    let calls = 20;
    sim.clear_request_log();
    rt.block_on(async {
        for _ in 0..calls / 2 {
            validate(&fresh, "c0").await;
        }
    });
    let requests = sim.request_log().len();
    println!(
        "FIGURE atlas_requests: {calls} sequential Atlas calls -> {requests} HTTP requests \
         (nonce reuse: expected {}; a client that re-challenges every call: {})",
        calls + 1,
        2 * calls
    );
    drop(fresh);
    let _ = std::fs::remove_dir_all(&fresh_dir);

    let mut g = c.benchmark_group("validate");
    g.bench_function("sequential", |b| b.to_async(rt).iter(|| validate(&d, "c0")));
    // Eight callers at once, each on its own connection, spread over the runtime's worker threads.
    g.throughput(Throughput::Elements(CONCURRENT as u64));
    g.bench_function(format!("concurrent_{CONCURRENT}"), |b| {
        b.to_async(rt).iter(|| async {
            let tasks: Vec<_> = (0..CONCURRENT)
                .map(|i| {
                    let d = Arc::clone(&d);
                    tokio::spawn(async move { validate(&d, &format!("c{i}")).await })
                })
                .collect();
            for t in tasks {
                t.await.unwrap();
            }
        })
    });
    g.finish();

    drop(d);
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, atlas);
criterion_main!(benches);
