//! The cost of one blocking call, with and without the uniffi export, for the operations the
//! language benchmarks measure too (scripts/bench-bindings.sh, BENCHMARKS.md section 4):
//!
//! - `direct/*`: `Ductape::call_json` awaited on the core's runtime (criterion's `to_async`
//!   runs the whole measured loop in one `block_on`, so no thread hop per call): the floor.
//! - `ffi_call/*`: `DuctapeClient::call`, the blocking export that Python and Java reach
//!   (`runtime::block_on_call` plus `catch_unwind`), without the foreign side's lowering/lifting.
//!
//! `cloud.connections.fetch` reads one connection created in a temporary workspace (no network).
//!
//! After criterion's groups, the same calls once more outside criterion, for the figures it does
//! not give: the p99 of 20,000 individually timed calls (criterion keeps only per-sample means),
//! and calls per second from 1 and 8 threads over 2 s each. Printed as `BENCH-LINE` lines,
//! which scripts/bench-bindings.sh collects.

use criterion::{criterion_group, criterion_main, Criterion};
use ductape_core::{runtime, Ductape};
use ductape_ffi::DuctapeClient;
use std::hint::black_box;
use std::time::{Duration, Instant};

const ECHO: &str = r#"{"value":{"a":1,"b":"two"}}"#;
const CREATE: &str = r#"{"provider":"mongodb_atlas","name":"bench"}"#;
const FETCH: &str = r#"{"tag":"bench"}"#;

fn options(dir: &std::path::Path) -> String {
    serde_json::json!({"workspace_dir": dir, "debug_operations": true}).to_string()
}

const TIMED: usize = 20_000;
const RUN: Duration = Duration::from_secs(2);

/// The p99 (µs) of `TIMED` calls, each timed on its own (after 2,000 warm-up calls).
fn p99(mut once: impl FnMut()) -> f64 {
    (0..2_000).for_each(|_| once());
    let mut us: Vec<f64> = (0..TIMED)
        .map(|_| {
            let t = Instant::now();
            once();
            t.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    us.sort_by(f64::total_cmp);
    us[TIMED * 99 / 100]
}

/// Calls per second from `threads` threads calling in a loop for `RUN` (each thread counts its own).
fn per_second(threads: usize, once: impl Fn() + Sync) -> f64 {
    let start = Instant::now();
    let total: u64 = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut n = 0u64;
                    while start.elapsed() < RUN {
                        once();
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().expect("bench thread")).sum()
    });
    total as f64 / start.elapsed().as_secs_f64()
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
    let rt_block = |op: &'static str, params: &'static str| {
        let direct = &direct;
        move || {
            black_box(rt.block_on(direct.call_json(op, params)));
        }
    };
    let mut extra = Vec::new();
    for (op, params) in [("debug.echo", ECHO), ("cloud.connections.fetch", FETCH)] {
        // One block_on per call here (criterion's to_async has one for the whole loop): from 8
        // threads there is no other way to reach the runtime; the p99 uses the same path.
        let once = rt_block(op, params);
        extra.push(("direct", op, p99(once), per_second(1, once), per_second(8, once)));
    }
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
    for (op, params) in [("debug.echo", ECHO), ("cloud.connections.fetch", FETCH)] {
        let once = || {
            black_box(client.call(op.to_string(), params.to_string()));
        };
        extra.push(("uniffi_call", op, p99(once), per_second(1, once), per_second(8, once)));
    }
    for (api, op, p99, one, eight) in extra {
        println!("BENCH-LINE rust {api} {op} p99={p99:.2} n={TIMED} cps1={one:.0} cps8={eight:.0}");
    }
    drop(client);
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, calls);
criterion_main!(benches);
