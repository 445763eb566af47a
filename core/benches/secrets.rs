//! Workspace secrets at scale: `secrets.create` and `secrets.resolve` on a workspace that already
//! holds 10,000 secrets, `secrets.fetchAll` of all 10,000 records and of one 100-record page, and
//! `products.components.resolve` through a `$Secret{}` reference. Each figure is one whole call
//! through the operation layer (JSON in, SQLite, XChaCha20-Poly1305, JSON out), as the blocking
//! bindings make it.

use criterion::{criterion_group, criterion_main, Criterion};
use ductape_core::{runtime, Ductape};
use serde_json::json;
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

const TEST_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const SECRETS: usize = 10_000;

fn call(d: &Arc<Ductape>, op: &str, params: String) -> String {
    let reply = runtime::block_on_call(Arc::clone(d), op.into(), params, None);
    assert!(reply.starts_with(r#"{"ok":true"#), "{op}: {reply}");
    reply
}

/// A workspace with `SECRETS` secrets (`KEY_00000`..), a product `shop` with env `prd` and a
/// component `db` whose URL refers to `KEY_05000`.
fn populated() -> (Arc<Ductape>, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("ductape-bench-secrets-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let options = json!({"workspace_dir": dir, "workspace_key": TEST_KEY});
    let d = Arc::new(Ductape::open_json(&options.to_string()).expect("opens"));
    let started = std::time::Instant::now();
    for i in 0..SECRETS {
        let value = format!("mongodb://user{i}:pw-{i:08}@cluster0.example.net/?authSource=admin");
        call(&d, "secrets.create", json!({"key": format!("KEY_{i:05}"), "value": value, "envs": ["prd"]}).to_string());
    }
    println!("FIGURE creating {SECRETS} secrets one call at a time took {:.2} s", started.elapsed().as_secs_f64());
    call(&d, "products.create", json!({"name": "shop"}).to_string());
    call(&d, "products.environments.create", json!({"product": "shop", "slug": "prd"}).to_string());
    call(&d, "products.components.create", json!({"product": "shop", "tag": "db", "type": "mongodb"}).to_string());
    call(
        &d,
        "products.components.setEnv",
        json!({"product": "shop", "component": "db", "env": "prd", "connection_url": "$Secret{KEY_05000}"}).to_string(),
    );
    let all = call(&d, "secrets.fetchAll", "{}".into());
    println!("FIGURE secrets.fetchAll of {SECRETS} records answers {} KiB of JSON", all.len() / 1024);
    (d, dir)
}

fn secrets(c: &mut Criterion) {
    let (d, dir) = populated();
    let mut g = c.benchmark_group(format!("secrets_at_{SECRETS}"));
    let next = AtomicU64::new(0);
    g.bench_function("secrets.create", |b| {
        b.iter(|| {
            let n = next.fetch_add(1, Ordering::Relaxed);
            call(&d, "secrets.create", json!({"key": format!("NEW_{n:08}"), "value": "mongodb://u:p@h/"}).to_string())
        })
    });
    let resolve = json!({"value": "mongodb://u:$Secret{KEY_07777}@h/", "env": "prd"}).to_string();
    g.bench_function("secrets.resolve", |b| b.iter(|| call(&d, "secrets.resolve", black_box(resolve.clone()))));
    let component = json!({"product": "shop", "component": "db", "env": "prd"}).to_string();
    g.bench_function("products.components.resolve", |b| {
        b.iter(|| call(&d, "products.components.resolve", black_box(component.clone())))
    });
    g.bench_function("secrets.fetchAll page of 100", |b| {
        b.iter(|| call(&d, "secrets.fetchAll", black_box(r#"{"limit":100,"after":"KEY_05000"}"#.into())))
    });
    g.sample_size(10);
    g.bench_function("secrets.fetchAll all", |b| b.iter(|| call(&d, "secrets.fetchAll", black_box("{}".into()))));
    g.finish();
    drop(d);
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, secrets);
criterion_main!(benches);
