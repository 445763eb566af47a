//! The Rust side of the measurements in BENCHMARKS.md that need a process of their own (so a
//! fresh Digest nonce pool, a cold start, or a second process), driven by `scripts/bench.sh`
//! through `bench/run.py`. Each mode prints one JSON line on stdout.
//!
//!     bench_harness setup DIR BASE_URL            # connection "bench", completed and validated
//!     bench_harness calls DIR BASE_URL N          # N Atlas calls: N/2 cloud.resources.list (2 GETs each)
//!     bench_harness sync DIR BASE_URL N           # one syncNetworkAccess of N proxy addresses (item 2)
//!     bench_harness seed DIR CONNECTIONS SECRETS  # a workspace for the cold-start measurement
//!     bench_harness coldstart DIR                 # open, first call, RSS (the Rust row of item 5)
//!     bench_harness lifecycle BACKEND THREADS CYCLES [PROCS]   # workspace throughput (item 6)
//!
//! BACKEND is `sqlite` or `postgres` (DUCTAPE_TEST_POSTGRES_URL: an admin URL; each run gets a
//! fresh schema). The workspace key is a fixed test key: these workspaces are throw-away.

use ductape_core::{runtime, Ductape};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Instant;

const TEST_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const PROJECT_ID: &str = "5c843ba379358e5b3dc2dec6";
// The default seed's Project Owner key: a simulator key, not anyone's secret.
const PUBLIC_KEY: &str = "awqxqtif";
const PRIVATE_KEY: &str = "a0403a4f-0151-4922-ae89-523b69cd8e04";

fn open(options: Value) -> Arc<Ductape> {
    Arc::new(Ductape::open_json(&options.to_string()).expect("the workspace opens"))
}

fn call(d: &Ductape, op: &str, params: Value) -> Value {
    runtime::handle().block_on(d.call(op, params.clone())).unwrap_or_else(|e| panic!("{op} {params}: {e:?}"))
}

fn arg(i: usize) -> String {
    std::env::args().nth(i).unwrap_or_else(|| panic!("argument {i} missing; see the header of bench_harness.rs"))
}

fn num(i: usize) -> usize {
    arg(i).parse().expect("a number")
}

/// Peak and current resident memory of this process, in KiB (Linux /proc).
fn rss_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

fn main() {
    let started = Instant::now();
    match arg(1).as_str() {
        "setup" => {
            let d = open(json!({"workspace_dir": arg(2), "workspace_key": TEST_KEY, "atlas_base_url": arg(3)}));
            call(&d, "cloud.connections.create", json!({"provider": "mongodb_atlas", "name": "bench"}));
            call(
                &d,
                "cloud.connections.complete",
                json!({"tag": "bench", "project_id": PROJECT_ID,
                "atlas_public_key": PUBLIC_KEY, "atlas_private_key": PRIVATE_KEY}),
            );
            let v = call(&d, "cloud.connections.validate", json!({"tag": "bench"}));
            assert_eq!(v["valid"], true, "{v}");
            println!("{}", json!({"mode": "setup", "ok": true}));
        }
        "calls" => {
            // A new handle, so a new Atlas client with no nonce yet: the first call pays the
            // challenge, as each comparison client's first call does.
            let d = open(json!({"workspace_dir": arg(2), "workspace_key": TEST_KEY, "atlas_base_url": arg(3)}));
            let n = num(4);
            let t = Instant::now();
            for _ in 0..n / 2 {
                let v = call(&d, "cloud.resources.list", json!({"cloud": "bench", "service": "atlas-cluster"}));
                assert!(v["resources"].as_array().is_some_and(|a| !a.is_empty()), "{v}");
            }
            let ms = t.elapsed().as_secs_f64() * 1e3;
            println!("{}", json!({"client": "ductape (Rust core)", "mode": "calls", "calls": n / 2 * 2, "ms": ms}));
        }
        "sync" => {
            // A new handle (a new Atlas client: its first request pays the Digest challenge, as
            // the Go SDK's process does) on a workspace `setup` made; the addresses are those
            // bench/compare/go's `entries` mode POSTs one by one.
            let d = open(json!({"workspace_dir": arg(2), "workspace_key": TEST_KEY, "atlas_base_url": arg(3)}));
            let n = num(4);
            let addresses: Vec<String> = (0..n).map(|i| format!("203.0.{}.{}", 113 + i / 250, 1 + i % 250)).collect();
            call(
                &d,
                "cloud.connections.updateManagedNetworking",
                json!({"tag": "bench", "ductape_proxy_addresses": addresses}),
            );
            let t = Instant::now();
            let r = call(&d, "cloud.connections.syncNetworkAccess", json!({"tag": "bench"}));
            let ms = t.elapsed().as_secs_f64() * 1e3;
            assert_eq!(r["added"].as_array().map(Vec::len), Some(n), "{r}");
            println!("{}", json!({"client": "ductape (Rust core)", "mode": "sync", "added": n, "ms": ms}));
        }
        "seed" => {
            let d = open(json!({"workspace_dir": arg(2), "workspace_key": TEST_KEY}));
            let (connections, secrets) = (num(3), num(4));
            for i in 0..connections {
                let tag = format!("c{i:04}");
                call(&d, "cloud.connections.create", json!({"provider": "mongodb_atlas", "name": tag}));
                call(
                    &d,
                    "cloud.connections.complete",
                    json!({"tag": tag, "project_id": PROJECT_ID,
                    "atlas_public_key": PUBLIC_KEY, "atlas_private_key": PRIVATE_KEY}),
                );
            }
            for i in 0..secrets {
                call(&d, "secrets.create", json!({"key": format!("S_{i:05}"), "value": format!("value-{i}")}));
            }
            let s = started.elapsed().as_secs_f64();
            println!("{}", json!({"mode": "seed", "connections": connections, "secrets": secrets, "s": s}));
        }
        "coldstart" => {
            let d = open(json!({"workspace_dir": arg(2), "workspace_key": TEST_KEY}));
            let opened = started.elapsed().as_secs_f64() * 1e3;
            let v = call(&d, "cloud.connections.fetch", json!({"tag": "c0500"}));
            assert_eq!(v["tag"], "c0500", "{v}");
            let first = started.elapsed().as_secs_f64() * 1e3;
            let (hwm, rss) = rss_kib();
            println!(
                "{}",
                json!({"lang": "rust", "open_ms": opened, "first_call_ms": first, "hwm_kib": hwm, "rss_kib": rss})
            );
        }
        "lifecycle" => lifecycle(&arg(2), num(3), num(4), std::env::args().nth(5).map_or(1, |p| p.parse().unwrap())),
        "lifecycle-child" => {
            // One of PROCS processes on the workspace the parent made: waits for the start file.
            let (options, threads, cycles, go) = (arg(2), num(3), num(4), arg(5));
            let d = open(serde_json::from_str(&options).unwrap());
            while !std::path::Path::new(&go).exists() {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            let ms = run_threads(&d, threads, cycles, &format!("p{}", std::process::id()));
            println!("{}", json!({"ms": ms}));
        }
        other => panic!("unknown mode {other}"),
    }
}

/// Operations in one lifecycle cycle: create, complete (encrypts the key), fetch, update, delete.
const OPS_PER_CYCLE: usize = 5;

fn cycle(d: &Ductape, tag: &str) {
    call(d, "cloud.connections.create", json!({"provider": "mongodb_atlas", "name": tag}));
    call(
        d,
        "cloud.connections.complete",
        json!({"tag": tag, "project_id": PROJECT_ID,
        "atlas_public_key": PUBLIC_KEY, "atlas_private_key": PRIVATE_KEY}),
    );
    call(d, "cloud.connections.fetch", json!({"tag": tag}));
    call(d, "cloud.connections.update", json!({"tag": tag, "description": "benchmark"}));
    call(d, "cloud.connections.delete", json!({"tag": tag}));
}

/// `threads` OS threads on one handle, `cycles` lifecycle cycles each; answers the wall time in ms.
fn run_threads(d: &Arc<Ductape>, threads: usize, cycles: usize, prefix: &str) -> f64 {
    let t = Instant::now();
    std::thread::scope(|s| {
        for th in 0..threads {
            let d = Arc::clone(d);
            s.spawn(move || {
                for i in 0..cycles {
                    cycle(&d, &format!("{prefix}_t{th}_{i}"));
                }
            });
        }
    });
    t.elapsed().as_secs_f64() * 1e3
}

fn lifecycle(backend: &str, threads: usize, cycles: usize, procs: usize) {
    let dir = std::env::temp_dir().join(format!("ductape-bench-life-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut options = json!({"workspace_dir": dir, "workspace_key": TEST_KEY});
    if backend == "postgres" {
        let admin = std::env::var("DUCTAPE_TEST_POSTGRES_URL")
            .expect("DUCTAPE_TEST_POSTGRES_URL (scripts/test-postgres.sh -- CMD)");
        options["workspace_url"] = json!(fresh_schema(&admin));
    }
    let d = open(options.clone());
    call(&d, "cloud.connections.list", json!({})); // creates the schema before the clock starts
    let ms = if procs <= 1 {
        run_threads(&d, threads, cycles, "w")
    } else {
        let go = dir.join("go");
        let children: Vec<_> = (0..procs)
            .map(|_| {
                std::process::Command::new(std::env::current_exe().unwrap())
                    .args(["lifecycle-child", &options.to_string(), &threads.to_string(), &cycles.to_string()])
                    .arg(&go)
                    .stdout(std::process::Stdio::piped())
                    .spawn()
                    .expect("a child starts")
            })
            .collect();
        std::thread::sleep(std::time::Duration::from_millis(500)); // each child opens its handle
        let t = Instant::now();
        std::fs::write(&go, b"").unwrap();
        for c in children {
            let out = c.wait_with_output().unwrap();
            assert!(out.status.success(), "a child failed");
        }
        t.elapsed().as_secs_f64() * 1e3
    };
    let ops = OPS_PER_CYCLE * cycles * threads * procs;
    println!(
        "{}",
        json!({"mode": "lifecycle", "backend": backend, "threads": threads, "procs": procs, "ops": ops,
               "ms": ms, "ops_per_s": ops as f64 / ms * 1e3})
    );
    drop(d);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A new schema for one run; answers the workspace URL selecting it (as core/tests/postgres.rs does).
fn fresh_schema(admin: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    let schema = format!("bench_{}_{nanos}", std::process::id());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(admin, tokio_postgres::NoTls).await.expect("connect as admin");
        let task = tokio::spawn(conn);
        client.batch_execute(&format!("CREATE SCHEMA {schema}")).await.expect("CREATE SCHEMA");
        drop(client);
        let _ = task.await;
    });
    // (the admin URL may carry a query already: scripts/test-postgres.sh gives `?sslmode=disable`)
    let join = if admin.contains('?') { '&' } else { '?' };
    format!("{admin}{join}options=-c%20search_path%3D{schema}")
}
