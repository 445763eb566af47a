//! Shared helpers: a simulator per test and a `Ductape` on a fresh temporary workspace.
#![allow(dead_code)]

use atlas_sim::{Sim, SimConfig};
use ductape_core::{Ductape, ErrorCode, Options};
use serde_json::{json, Value};
use std::path::PathBuf;

#[allow(unused_imports)]
pub use atlas_sim::seed;

pub mod canned;
#[allow(dead_code)]
pub mod kill;

/// A fixed test key (base64 of 32 bytes), so tests never touch `$HOME` or the environment.
pub const TEST_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

pub fn temp_workspace(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("ductape-it-{name}-{}-{}", std::process::id(), rand_u64()))
}

pub fn rand_u64() -> u64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    let t = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as u64;
    t ^ (std::process::id() as u64).rotate_left(32) ^ (&t as *const u64 as u64)
}

/// Waits (at most 30 s, polling) until `condition` holds; a test waits for what it needs to have
/// happened instead of sleeping for a time a loaded machine may not keep.
pub async fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !condition() {
        assert!(std::time::Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

/// [`wait_until`] for a test on plain threads.
pub fn wait_until_blocking(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !condition() {
        assert!(std::time::Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

pub async fn start_sim() -> Sim {
    Sim::start(SimConfig::default()).await.expect("the simulator starts")
}

pub fn options(base_url: &str, dir: &PathBuf) -> Options {
    let mut o: Options = serde_json::from_value(json!({
        "workspace_dir": dir,
        "workspace_key": TEST_KEY,
        "atlas_base_url": base_url,
        "request_timeout_ms": 5000,
        "connect_timeout_ms": 2000,
        "max_retries": 3,
        "retry_base_delay_ms": 10,
    }))
    .unwrap();
    o.debug_operations = false;
    o
}

pub fn open(base_url: &str, dir: &PathBuf) -> Ductape {
    Ductape::open(options(base_url, dir)).expect("opens")
}

pub async fn call(d: &Ductape, op: &str, params: Value) -> Value {
    match d.call(op, params.clone()).await {
        Ok(v) => v,
        Err(e) => panic!("{op} {params} failed: {e:?}"),
    }
}

pub async fn call_err(d: &Ductape, op: &str, params: Value) -> ductape_core::Error {
    match d.call(op, params.clone()).await {
        Ok(v) => panic!("{op} {params} should fail, got {v}"),
        Err(e) => e,
    }
}

pub async fn create(d: &Ductape, tag: &str) -> Value {
    call(d, "cloud.connections.create", json!({"provider": "mongodb_atlas", "name": tag, "scopes": ["database"]})).await
}

pub async fn complete_key(d: &Ductape, tag: &str, project: &str, public: &str, private: &str) -> Value {
    call(
        d,
        "cloud.connections.complete",
        json!({"tag": tag, "project_id": project, "atlas_public_key": public, "atlas_private_key": private}),
    )
    .await
}

pub async fn validate(d: &Ductape, tag: &str) -> Value {
    call(d, "cloud.connections.validate", json!({"tag": tag})).await
}

pub fn assert_code(e: &ductape_core::Error, code: ErrorCode) {
    assert_eq!(e.code, code, "{e:?}");
}

/// Names of the checks with ok=false.
pub fn failed_checks(v: &Value) -> Vec<String> {
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ok"] == false)
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect()
}
