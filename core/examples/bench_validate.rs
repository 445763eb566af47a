//! A small, criterion-free measurement against the in-process simulator:
//! latency of create/complete/validate and HTTP requests per validate.
//!
//!     cargo run -p ductape-core --example bench_validate [--release] -- [N]

use atlas_sim::{seed, Sim, SimConfig};
use ductape_core::Ductape;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn pct(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(200);
    let sim = Sim::start(SimConfig { rate_limit: false, ..SimConfig::default() }).await.unwrap();
    let dir = std::env::temp_dir().join(format!("ductape-bench-{}", std::process::id()));
    let d = Arc::new(
        Ductape::open_json(&json!({"workspace_dir": dir, "workspace_key": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "atlas_base_url": sim.base_url()}).to_string())
            .unwrap(),
    );

    let mut creates = Vec::new();
    let mut completes = Vec::new();
    for i in 0..n {
        let t = Instant::now();
        d.call("cloud.connections.create", json!({"provider": "mongodb_atlas", "name": format!("c{i}")}))
            .await
            .unwrap();
        creates.push(t.elapsed());
        let t = Instant::now();
        d.call("cloud.connections.complete", json!({"tag": format!("c{i}"), "project_id": seed::PROJECT_ID, "atlas_public_key": seed::OWNER_PUBLIC_KEY, "atlas_private_key": seed::OWNER_PRIVATE_KEY})).await.unwrap();
        completes.push(t.elapsed());
    }
    sim.clear_request_log();
    let mut validates = Vec::new();
    let started = Instant::now();
    for i in 0..n {
        let t = Instant::now();
        let v = d.call("cloud.connections.validate", json!({"tag": format!("c{i}")})).await.unwrap();
        assert_eq!(v["valid"], true);
        validates.push(t.elapsed());
    }
    let seq_total = started.elapsed();
    let requests = sim.request_log().len();

    // concurrent validations from 8 tasks
    sim.clear_request_log();
    let started = Instant::now();
    let tasks: Vec<_> = (0..8)
        .map(|w| {
            let d = Arc::clone(&d);
            tokio::spawn(async move {
                for i in (w..n).step_by(8) {
                    let v = d.call("cloud.connections.validate", json!({"tag": format!("c{i}")})).await.unwrap();
                    assert_eq!(v["valid"], true);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let conc_total = started.elapsed();
    let conc_requests = sim.request_log().len();

    println!("n = {n} (profile: {})", if cfg!(debug_assertions) { "debug" } else { "release" });
    println!("create    p50 {:?}  p95 {:?}", pct(&mut creates, 0.5), pct(&mut creates, 0.95));
    println!("complete  p50 {:?}  p95 {:?}", pct(&mut completes, 0.5), pct(&mut completes, 0.95));
    println!(
        "validate  p50 {:?}  p95 {:?}  ({:.0}/s sequential)",
        pct(&mut validates, 0.5),
        pct(&mut validates, 0.95),
        n as f64 / seq_total.as_secs_f64()
    );
    println!(
        "validate  {n} sequential -> {requests} HTTP requests ({:.3} per validate; 2 Atlas calls each)",
        requests as f64 / n as f64
    );
    println!(
        "validate  {n} over 8 tasks -> {conc_requests} HTTP requests, {:.0}/s",
        n as f64 / conc_total.as_secs_f64()
    );
    drop(d);
    let _ = std::fs::remove_dir_all(&dir);
}
