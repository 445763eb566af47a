//! Importing 50 clusters with the user propagation delay at 2 s: one at a time against 8 and 16
//! at once, then 16 at once with the simulator's database-user rate limit tightened, with the
//! requests counted from the simulator's log (each run's users are unlinked before the next:
//! Atlas allows 100 per project). A failed import is printed with its error. Each import waits for Atlas, so these are seconds,
//! not microseconds: a plain program that prints its figures (`FIGURE ...`), not criterion.
//!
//!     cargo bench -p ductape-core --bench import

use atlas_sim::{seed, Seed, Sim, SimConfig};
use ductape_core::Ductape;
use futures_util::stream::{self, StreamExt};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const CLUSTERS: usize = 50;
const TEST_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// The default seed with `CLUSTERS` more idle replica sets, `bench-00` ...
fn seed_with_clusters() -> Seed {
    let mut v: Value = serde_json::from_str(&serde_json::to_string(&Seed::default_seed()).unwrap()).unwrap();
    let template = v["clusters"][0].clone();
    for i in 0..CLUSTERS {
        let mut c = template.clone();
        c["name"] = json!(format!("bench-{i:02}"));
        c["id"] = json!(format!("65f1b00000000000000010{i:02}"));
        c["srvHost"] = json!(format!("bench-{i:02}.x1y2z.mongodb.net"));
        v["clusters"].as_array_mut().unwrap().push(c);
    }
    serde_json::from_value(v).expect("a seed")
}

async fn call(d: &Ductape, op: &str, params: Value) -> Value {
    d.call(op, params.clone()).await.unwrap_or_else(|e| panic!("{op} {params}: {e:?}"))
}

/// Imports every bench cluster into env `env`, `parallel` at a time; answers the wall time and
/// how many imports failed.
async fn import_all(d: &Ductape, env: &str, parallel: usize) -> (Duration, usize) {
    let started = Instant::now();
    let failures = stream::iter(0..CLUSTERS)
        .map(|i| {
            let req = json!({"cloud": "prod_atlas", "service": "atlas-cluster", "type": "databases", "product": "shop",
                             "component": format!("db-{i:02}"), "env": env, "resource": format!("bench-{i:02}")});
            async move {
                match d.call("cloud.resources.import", req).await {
                    Ok(_) => 0,
                    Err(e) => {
                        eprintln!("import failed: {}: {}", e.code, e.message);
                        1
                    }
                }
            }
        })
        .buffer_unordered(parallel)
        .fold(0, |n, failed| async move { n + failed })
        .await;
    (started.elapsed(), failures)
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let mut config = SimConfig { seed: seed_with_clusters(), ..SimConfig::default() };
        config.user_apply_delay = Duration::from_secs(2);
        config.data_plane.enabled = false;
        let sim = Sim::start(config).await.unwrap();
        let dir = std::env::temp_dir().join(format!("ductape-bench-import-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let options = json!({"workspace_dir": dir, "workspace_key": TEST_KEY, "atlas_base_url": sim.base_url(), "retry_base_delay_ms": 100});
        let d = Ductape::open_json(&options.to_string()).unwrap();
        call(&d, "cloud.connections.create", json!({"provider": "mongodb_atlas", "name": "prod_atlas"})).await;
        call(&d, "cloud.connections.complete", json!({"tag": "prod_atlas", "project_id": seed::PROJECT_ID,
            "atlas_public_key": seed::OWNER_PUBLIC_KEY, "atlas_private_key": seed::OWNER_PRIVATE_KEY})).await;
        assert_eq!(call(&d, "cloud.connections.validate", json!({"tag": "prod_atlas"})).await["valid"], true);
        call(&d, "products.create", json!({"name": "shop"})).await;
        let runs: [(&str, usize, bool); 4] = [("prd", 1, false), ("stg", 8, false), ("dev", 16, false), ("snd", 16, true)];
        for (env, parallel, limited) in runs {
            call(&d, "products.environments.create", json!({"product": "shop", "slug": env})).await;
            if limited {
                // 20 database-user requests, refilled at 5 per second
                sim.configure(|c| {
                    c.rate_limit = true;
                    c.rate_limits.database_users = atlas_sim::Bucket { capacity: 20, refill_per_sec: 5.0 };
                });
            }
            sim.clear_request_log();
            let (took, failed) = import_all(&d, env, parallel).await;
            let log = sim.request_log();
            let limited_answers = log.iter().filter(|r| r.status == 429).count();
            println!(
                "FIGURE {CLUSTERS} imports, {parallel} at a time{}: {:.1} s, {} requests ({} answered 429), {failed} failed",
                if limited { ", database-user rate limit 20 then 5/s" } else { "" },
                took.as_secs_f64(),
                log.len(),
                limited_answers
            );
            // Atlas allows 100 database users per project: unlink this run's before the next.
            sim.configure(|c| c.rate_limit = false);
            let d = &d;
            stream::iter(0..CLUSTERS)
                .for_each_concurrent(8, |i| {
                    let req = json!({"cloud": "prod_atlas", "product": "shop", "component": format!("db-{i:02}"), "env": env});
                    async move {
                        let _ = d.call("cloud.resources.unlink", req).await;
                    }
                })
                .await;
        }
        let _ = std::fs::remove_dir_all(&dir);
    });
}
