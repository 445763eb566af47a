//! Many threads and two processes doing lifecycle calls on one workspace lose nothing and
//! never see "database is locked".

mod common;

use common::*;
use ductape_core::{runtime, Ductape, ErrorCode, Options};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::Arc;

const CHILD_ENV: &str = "DUCTAPE_TEST_CHILD_WORKSPACE";
const CHILD_BASE_ENV: &str = "DUCTAPE_TEST_CHILD_BASE_URL";
const CHILD_PREFIX_ENV: &str = "DUCTAPE_TEST_CHILD_PREFIX";
const CHILDREN: usize = 2;
const PER_WORKER: usize = 24;

fn call_blocking(d: &Arc<Ductape>, op: &str, params: Value) -> Value {
    let reply: Value =
        serde_json::from_str(&runtime::block_on_call(Arc::clone(d), op.to_string(), params.to_string(), None)).unwrap();
    assert_eq!(reply["ok"], true, "{op} {params}: {reply}");
    reply["result"].clone()
}

/// One worker's lifecycle: create, complete, update, validate (when a simulator is given),
/// rotate, and delete every other connection.
fn worker(d: &Arc<Ductape>, prefix: &str, validate: bool) {
    for i in 0..PER_WORKER {
        let tag = format!("{prefix}_{i}");
        call_blocking(d, "cloud.connections.create", json!({"provider": "mongodb_atlas", "name": tag}));
        call_blocking(
            d,
            "cloud.connections.complete",
            json!({"tag": tag, "project_id": seed::PROJECT_ID, "atlas_public_key": seed::OWNER_PUBLIC_KEY, "atlas_private_key": seed::OWNER_PRIVATE_KEY}),
        );
        call_blocking(d, "cloud.connections.update", json!({"tag": tag, "description": format!("by {prefix}")}));
        if validate {
            let v = call_blocking(d, "cloud.connections.validate", json!({"tag": tag}));
            assert_eq!(v["valid"], true, "{v}");
        }
        if i % 2 == 1 {
            call_blocking(d, "cloud.connections.delete", json!({"tag": tag}));
        }
    }
}

fn check_worker(list: &Value, prefix: &str, validated: bool) {
    let conns = list["connections"].as_array().unwrap();
    for i in 0..PER_WORKER {
        let tag = format!("{prefix}_{i}");
        let found = conns.iter().find(|c| c["tag"] == tag.as_str());
        if i % 2 == 1 {
            assert!(found.is_none(), "{tag} was deleted");
            continue;
        }
        let c = found.unwrap_or_else(|| panic!("{tag} lost"));
        assert_eq!(c["description"], format!("by {prefix}"), "{c}");
        assert_eq!(c["metadata"]["has_atlas_private_key"], true);
        assert_eq!(c["status"], if validated { "active" } else { "pending" }, "{c}");
    }
}

fn opts(dir: &PathBuf, base: &str, explicit_key: bool) -> Options {
    let mut o = options(base, dir);
    if !explicit_key {
        o.workspace_key = None; // use (and race to create) the workspace.key file
    }
    o
}

#[test]
fn many_threads_lose_nothing() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(start_sim());
    let base = sim.base_url();
    let dir = temp_workspace("threads");
    let threads = 8;
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let dir = dir.clone();
            let base = base.clone();
            std::thread::spawn(move || {
                // half the threads share one handle, half open their own
                let d = Arc::new(Ductape::open(opts(&dir, &base, true)).unwrap());
                worker(&d, &format!("t{t}"), t % 2 == 0);
            })
        })
        .collect();
    // and everyone races to create the same tag: exactly one wins
    let shared = Arc::new(Ductape::open(opts(&dir, &base, true)).unwrap());
    let racers: Vec<_> = (0..threads)
        .map(|_| {
            let d = Arc::clone(&shared);
            std::thread::spawn(move || {
                let r: Value = serde_json::from_str(&runtime::block_on_call(
                    d,
                    "cloud.connections.create".into(),
                    json!({"provider": "mongodb_atlas", "name": "contested"}).to_string(),
                    None,
                ))
                .unwrap();
                r
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let results: Vec<Value> = racers.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(results.iter().filter(|r| r["ok"] == true).count(), 1, "{results:?}");
    assert!(
        results.iter().filter(|r| r["ok"] == false).all(|r| r["error"]["code"] == ErrorCode::Conflict.as_str()),
        "{results:?}"
    );

    let list = call_blocking(&shared, "cloud.connections.list", json!({}));
    for t in 0..threads {
        check_worker(&list, &format!("t{t}"), t % 2 == 0);
    }
    assert_eq!(list["connections"].as_array().unwrap().len(), threads * PER_WORKER / 2 + 1);
    drop(sim);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs as the second process (see `several_processes_lose_nothing`); does nothing otherwise.
#[test]
fn child_process_worker() {
    let Ok(dir) = std::env::var(CHILD_ENV) else { return };
    let base = std::env::var(CHILD_BASE_ENV).unwrap();
    let prefix = std::env::var(CHILD_PREFIX_ENV).unwrap();
    let dir = PathBuf::from(dir);
    let d = Arc::new(Ductape::open(opts(&dir, &base, false)).unwrap());
    // start barrier: say ready, wait for go, so all processes work at the same time
    std::fs::write(dir.with_extension(format!("ready-{prefix}")), b"").unwrap();
    wait_for(&dir.with_extension("go"));
    let threads: Vec<_> = (0..2)
        .map(|t| {
            let d = Arc::clone(&d);
            let prefix = prefix.clone();
            std::thread::spawn(move || worker(&d, &format!("{prefix}{t}"), true))
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

#[test]
fn several_processes_lose_nothing() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(start_sim());
    let base = sim.base_url();
    let dir = temp_workspace("procs");
    // every process starts on an empty directory: they race to create the key file and schema
    let mut children: Vec<_> = (0..CHILDREN)
        .map(|c| {
            std::process::Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "child_process_worker", "--nocapture", "--test-threads=1"])
                .env(CHILD_ENV, &dir)
                .env(CHILD_BASE_ENV, &base)
                .env(CHILD_PREFIX_ENV, format!("child{c}_"))
                .env_remove("DUCTAPE_WORKSPACE_KEY")
                .spawn()
                .unwrap()
        })
        .collect();
    let d = Arc::new(Ductape::open(opts(&dir, &base, false)).unwrap());
    for c in 0..CHILDREN {
        wait_for(&dir.with_extension(format!("ready-child{c}_")));
    }
    std::fs::write(dir.with_extension("go"), b"").unwrap();
    let threads: Vec<_> = (0..2)
        .map(|t| {
            let d = Arc::clone(&d);
            std::thread::spawn(move || worker(&d, &format!("parent{t}"), true))
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    for child in children.iter_mut() {
        assert!(child.wait().unwrap().success(), "a child process failed");
    }
    let list = call_blocking(&d, "cloud.connections.list", json!({}));
    let mut prefixes = vec!["parent0".to_string(), "parent1".to_string()];
    for c in 0..CHILDREN {
        prefixes.push(format!("child{c}_0"));
        prefixes.push(format!("child{c}_1"));
    }
    for p in &prefixes {
        check_worker(&list, p, true);
    }
    assert_eq!(list["connections"].as_array().unwrap().len(), prefixes.len() * PER_WORKER / 2);
    drop(sim);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(dir.with_extension("go"));
    for c in 0..CHILDREN {
        let _ = std::fs::remove_file(dir.with_extension(format!("ready-child{c}_")));
    }
}

fn wait_for(path: &std::path::Path) {
    let started = std::time::Instant::now();
    while !path.exists() {
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "timed out waiting for {}", path.display());
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}
