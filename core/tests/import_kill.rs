//! 30 imports killed (kill -9) in the middle, at the two points where a torn state could start:
//! after the Atlas user was made and before anything was stored, and inside the workspace
//! transaction before its commit; half of them on a first import, half on a re-import. After each
//! kill the workspace holds the old state or the new one (never a secret without its env link, nor
//! a link without its secret), Atlas holds one user, and the next import succeeds, adopting it.
//! Needs the `debug-operations` feature (the pause points), as scripts/test-all.sh builds it.

mod common;

use common::*;
use ductape_core::Ductape;
use serde_json::json;
use std::path::{Path, PathBuf};

const CHILD_DIR_ENV: &str = "DUCTAPE_TEST_IMPORT_CHILD_DIR";
const CHILD_BASE_ENV: &str = "DUCTAPE_TEST_IMPORT_CHILD_BASE_URL";
const USER: &str = "ductape-prod-atlas-my-product-db-mongo-prd";
const KILLS: usize = 30;

fn request() -> serde_json::Value {
    json!({"cloud": "prod_atlas", "service": "atlas-cluster", "type": "databases", "product": "my-product",
           "component": "db-mongo", "env": "prd", "resource": "Cluster0"})
}

/// Runs as the child process of the kill test; does nothing otherwise.
#[test]
fn importing_child_process() {
    let Ok(dir) = std::env::var(CHILD_DIR_ENV) else { return };
    let base = std::env::var(CHILD_BASE_ENV).unwrap();
    let d = std::sync::Arc::new(open(&base, &PathBuf::from(dir)));
    let reply = ductape_core::runtime::block_on_call(d, "cloud.resources.import".into(), request().to_string(), None);
    panic!("the import should have stopped at its pause point, got {reply}");
}

fn kill_at(stage: &str, dir: &Path, base: &str) {
    let marker = dir.with_extension(format!("paused-{stage}"));
    let envs = [(CHILD_DIR_ENV, dir.to_str().unwrap()), (CHILD_BASE_ENV, base)];
    common::kill::kill_child_at("importing_child_process", stage, &marker, &envs);
}

/// `(owned secrets, env links to an owned secret, links whose secret is missing, secrets whose link is missing)`.
fn census(dir: &Path) -> (i64, i64, i64, i64) {
    let db = rusqlite::Connection::open(dir.join("workspace.db")).unwrap();
    let n = |sql: &str| db.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    (
        n("SELECT count(*) FROM secrets WHERE owner_component IS NOT NULL"),
        n("SELECT count(*) FROM component_envs WHERE database_user IS NOT NULL"),
        n("SELECT count(*) FROM component_envs ce WHERE ce.database_user IS NOT NULL AND NOT EXISTS \
           (SELECT 1 FROM secrets s WHERE '$Secret{' || s.key || '}' = ce.connection_url_ref)"),
        n("SELECT count(*) FROM secrets s WHERE s.owner_component IS NOT NULL AND NOT EXISTS \
           (SELECT 1 FROM component_envs ce WHERE ce.component_id = s.owner_component AND ce.env_id = s.owner_env \
            AND ce.connection_url_ref = '$Secret{' || s.key || '}')"),
    )
}

async fn stored_password(d: &Ductape) -> String {
    let r =
        call(d, "products.components.resolve", json!({"product": "my-product", "component": "db-mongo", "env": "prd"}))
            .await;
    let url = r["connection_url"].as_str().unwrap().to_string();
    url.split("://").nth(1).unwrap().split('@').next().unwrap().split(':').nth(1).unwrap().to_string()
}

#[tokio::test]
async fn imports_killed_midway_leave_the_old_or_the_new_state_and_the_next_one_adopts() {
    let sim = start_sim().await;
    sim.configure(|c| c.user_apply_delay = std::time::Duration::from_millis(50));
    let dir = temp_workspace("import-kill");
    let d = open(&sim.base_url(), &dir);
    create(&d, "prod_atlas").await;
    complete_key(&d, "prod_atlas", seed::PROJECT_ID, seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await;
    assert_eq!(validate(&d, "prod_atlas").await["valid"], true);
    call(&d, "products.create", json!({"name": "My Product"})).await;
    call(&d, "products.environments.create", json!({"product": "my-product", "slug": "prd"})).await;

    for i in 0..KILLS {
        let first = i < KILLS / 2;
        if first && i > 0 {
            // back to no import: unlink, so this kill interrupts a first import again
            call(
                &d,
                "cloud.resources.unlink",
                json!({"cloud": "prod_atlas", "product": "my-product", "component": "db-mongo", "env": "prd"}),
            )
            .await;
        }
        let before = census(&dir);
        let stage = if i % 2 == 0 { "import.after_user" } else { "import.before_commit" };
        let (target, base) = (dir.clone(), sim.base_url());
        tokio::task::spawn_blocking(move || kill_at(stage, &target, &base)).await.unwrap();
        let after = census(&dir);
        assert_eq!(after, before, "kill {i} at {stage}: the workspace is as it was");
        assert_eq!((after.2, after.3), (0, 0), "kill {i}: no link without its secret, no secret without its link");
        let users = sim
            .request_log()
            .iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/databaseUsers") && r.status == 201)
            .count();
        assert!(users <= i + 1, "never more than one user made per import");

        let r = call(&d, "cloud.resources.import", request()).await;
        assert_eq!(r["database_user"], USER, "kill {i}");
        let password = stored_password(&d).await;
        assert!(
            sim.verify_database_user(seed::PROJECT_ID, "admin", USER, &password),
            "kill {i}: the stored password works"
        );
        assert_eq!(census(&dir), (1, 1, 0, 0), "kill {i}: one secret, one link");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
