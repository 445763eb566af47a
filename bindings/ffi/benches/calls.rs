//! The cost of one blocking call, with and without the uniffi export, for the operations the
//! language benchmarks measure too (scripts/bench-bindings.sh, docs/benchmarks-bindings.md):
//!
//! - `direct/*`: `Ductape::call_json` awaited on the core's runtime (criterion's `to_async`
//!   runs the whole measured loop in one `block_on`, so no thread hop per call): the floor.
//! - `ffi_call/*`: `DuctapeClient::call`, the blocking export that Python and Java reach
//!   (`runtime::block_on_call` plus `catch_unwind`), without the foreign side's lowering/lifting.
//!
//! `cloud.connections.fetch` reads one connection created in a temporary workspace (no network).

use criterion::{criterion_group, criterion_main, Criterion};
use ductape_core::{runtime, Ductape};
use ductape_ffi::DuctapeClient;
use std::hint::black_box;

const ECHO: &str = r#"{"value":{"a":1,"b":"two"}}"#;
const CREATE: &str = r#"{"provider":"mongodb_atlas","name":"bench"}"#;
const FETCH: &str = r#"{"tag":"bench"}"#;

fn options(dir: &std::path::Path) -> String {
    serde_json::json!({"workspace_dir": dir, "debug_operations": true}).to_string()
}

fn calls(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("ductape-bench-ffi-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let rt = runtime::handle();

    let direct = Ductape::open_json(&options(&dir)).expect("opens");
    let created = rt.block_on(direct.call_json("cloud.connections.create", CREATE));
    assert!(created.starts_with(r#"{"ok":true"#), "{created}");
    for (op, params) in [("debug.echo", ECHO), ("cloud.connections.fetch", FETCH)] {
        let reply = rt.block_on(direct.call_json(op, params));
        assert!(reply.starts_with(r#"{"ok":true"#), "{reply}");
    }

    let mut g = c.benchmark_group("direct");
    g.bench_function("debug.echo", |b| b.to_async(rt).iter(|| direct.call_json("debug.echo", black_box(ECHO))));
    g.bench_function("cloud.connections.fetch", |b| {
        b.to_async(rt).iter(|| direct.call_json("cloud.connections.fetch", black_box(FETCH)))
    });
    g.finish();
    drop(direct);

    // The same workspace through the uniffi export (the arguments are owned Strings, as uniffi
    // lifts them).
    let client = DuctapeClient::new(options(&dir)).expect("opens");
    let mut g = c.benchmark_group("ffi_call");
    for (op, params) in [("debug.echo", ECHO), ("cloud.connections.fetch", FETCH)] {
        let reply = client.call(op.into(), params.into());
        assert!(reply.starts_with(r#"{"ok":true"#), "{reply}");
        g.bench_function(op, |b| b.iter(|| client.call(black_box(op).to_string(), black_box(params).to_string())));
    }
    g.finish();
    drop(client);
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, calls);
criterion_main!(benches);
