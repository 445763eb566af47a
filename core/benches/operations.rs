//! The operation layer's own cost, without a network: JSON in, dispatch, JSON out; request
//! checks; the SQLite workspace; secret encryption.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ductape_core::crypto::{Cipher, SecretString, WorkspaceKey};
use ductape_core::{runtime, Ductape};
use serde_json::json;
use std::hint::black_box;

const TEST_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

fn open(dir: &std::path::Path) -> Ductape {
    let options = json!({"workspace_dir": dir, "workspace_key": TEST_KEY, "debug_operations": true});
    Ductape::open_json(&options.to_string()).expect("opens")
}

/// A `debug.echo` request whose value is about `bytes` of JSON (objects like a connection record's metadata).
fn echo_request(bytes: usize) -> String {
    let item = json!({"name": "Cluster0", "state": "IDLE", "roles": ["GROUP_OWNER", "ORG_MEMBER"], "n": 12345});
    let items = vec![item; bytes.div_ceil(80)];
    json!({"value": items}).to_string()
}

fn operations(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("ductape-bench-ops-{}", std::process::id()));
    let d = open(&dir);
    let rt = runtime::handle();

    let mut g = c.benchmark_group("call_json");
    for (name, request) in
        [("debug.echo/small", r#"{"value":{"a":1,"b":"two"}}"#.to_string()), ("debug.echo/4KiB", echo_request(4096))]
    {
        let reply = rt.block_on(d.call_json("debug.echo", &request));
        assert!(reply.starts_with(r#"{"ok":true"#), "{reply}");
        g.throughput(Throughput::Bytes(request.len() as u64));
        g.bench_function(name, |b| b.to_async(rt).iter(|| d.call_json("debug.echo", black_box(&request))));
    }
    g.finish();

    // Refused before the workspace is touched: this is request parsing and the input checks alone.
    let bad = r#"{"provider":"mongodb_atlas","name":"Prod Atlas!","scopes":["database","vector"]}"#;
    let reply = rt.block_on(d.call_json("cloud.connections.create", bad));
    assert!(reply.contains("invalid_argument"), "{reply}");
    c.bench_function("create/invalid_tag", |b| {
        b.to_async(rt).iter(|| d.call_json("cloud.connections.create", black_box(bad)))
    });

    // One SQLite write transaction and one read; a new tag each time because tags are unique.
    let mut n = 0u64;
    c.bench_function("create+fetch", |b| {
        b.to_async(rt).iter(|| {
            n += 1;
            let tag = format!("c{n}");
            let d = &d;
            async move {
                let created = d
                    .call_json("cloud.connections.create", &format!(r#"{{"provider":"mongodb_atlas","name":"{tag}"}}"#))
                    .await;
                debug_assert!(created.starts_with(r#"{"ok":true"#), "{created}");
                d.call_json("cloud.connections.fetch", &format!(r#"{{"tag":"{tag}"}}"#)).await
            }
        })
    });

    let cipher = Cipher::new(&WorkspaceKey::from_bytes([7; 32]));
    let secret = SecretString::new("3f2b8e4c-1a2b-4c3d-8e9f-0a1b2c3d4e5f");
    let aad = "connection:0b6f1c1e-2f5a-4b8e-9d3c-7a6e5f4d3c2b:atlas_private_key";
    c.bench_function("secret/seal+open", |b| {
        b.iter(|| {
            let sealed = cipher.seal_secret(black_box(&secret), aad).unwrap();
            cipher.open_secret(&sealed, aad).unwrap()
        })
    });

    drop(d);
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, operations);
criterion_main!(benches);
