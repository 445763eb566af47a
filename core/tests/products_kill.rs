//! A forced `products.delete` killed (kill -9) in the middle of its transaction leaves the old
//! state, whole: the product, its environments and components, their sealed connection URL and
//! the secrets its component envs own; never secrets without their owner rows. Uninterrupted, it
//! leaves the new state: nothing of the product and none of its secrets. The other product and
//! the workspace's own secrets are untouched either way. Needs the `debug-operations` feature
//! (the pause point), as scripts/test-all.sh builds it.

mod common;

use common::*;
use ductape_core::Ductape;
use serde_json::json;
use std::path::{Path, PathBuf};

const CHILD_DIR_ENV: &str = "DUCTAPE_TEST_PRODUCTS_CHILD_DIR";

/// Two products with a component env each holding a literal URL, two secrets owned by the
/// first one's component envs (as `cloud.resources.import` will make them), one free secret.
async fn two_products(d: &Ductape, dir: &Path) {
    for p in ["shop", "blog"] {
        call(d, "products.create", json!({"name": p})).await;
        for env in ["dev", "prd"] {
            call(d, "products.environments.create", json!({"product": p, "slug": env})).await;
            call(d, "products.components.create", json!({"product": p, "tag": format!("db-{env}"), "type": "mongodb"}))
                .await;
            let url = format!("mongodb://u:pw-{p}-{env}@h/");
            call(
                d,
                "products.components.setEnv",
                json!({"product": p, "component": format!("db-{env}"), "env": env, "connection_url": url}),
            )
            .await;
        }
    }
    call(d, "secrets.create", json!({"key": "FREE", "value": "free"})).await;
    let db = rusqlite::Connection::open(dir.join("workspace.db")).unwrap();
    for env in ["dev", "prd"] {
        db.execute(
            "INSERT INTO secrets (id, key, ciphertext, owner_component, owner_env, created_at, updated_at, last_rotated_at) \
             SELECT lower(hex(randomblob(16))), 'OWNED_' || upper(?1), x'00', c.id, e.id, 'now', 'now', 'now' FROM components c \
             JOIN products p ON p.id = c.product_id JOIN environments e ON e.product_id = p.id \
             WHERE p.tag = 'shop' AND c.tag = 'db-' || ?1 AND e.slug = ?1",
            [env],
        )
        .unwrap();
    }
}

/// `(products, environments, components, sealed urls, owned secrets, secrets whose owner row is gone)`.
fn census(dir: &Path) -> (i64, i64, i64, i64, i64, i64) {
    let db = rusqlite::Connection::open(dir.join("workspace.db")).unwrap();
    let n = |sql: &str| db.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    (
        n("SELECT count(*) FROM products"),
        n("SELECT count(*) FROM environments"),
        n("SELECT count(*) FROM components"),
        n("SELECT count(*) FROM component_envs WHERE connection_url_sealed IS NOT NULL"),
        n("SELECT count(*) FROM secrets WHERE owner_component IS NOT NULL"),
        n("SELECT count(*) FROM secrets s WHERE s.owner_component IS NOT NULL AND (NOT EXISTS (SELECT 1 FROM components c WHERE c.id = s.owner_component) OR NOT EXISTS (SELECT 1 FROM environments e WHERE e.id = s.owner_env))"),
    )
}

/// Runs as the child process of the kill test; does nothing otherwise.
#[test]
fn deleting_child_process() {
    let Ok(dir) = std::env::var(CHILD_DIR_ENV) else { return };
    let dir = PathBuf::from(dir);
    let d = std::sync::Arc::new(open("http://127.0.0.1:9", &dir));
    let reply = ductape_core::runtime::block_on_call(
        d,
        "products.delete".into(),
        json!({"product": "shop", "force": true}).to_string(),
        None,
    );
    panic!("the delete should have stopped at its pause point, got {reply}");
}

fn kill_midway(dir: &Path) {
    let envs = [(CHILD_DIR_ENV, dir.to_str().unwrap())];
    common::kill::kill_child_at("deleting_child_process", "products.delete", &dir.with_extension("paused"), &envs);
}

#[tokio::test]
async fn a_forced_delete_killed_midway_leaves_the_old_state_and_uninterrupted_the_new() {
    let dir = temp_workspace("products-kill");
    let d = open("http://127.0.0.1:9", &dir);
    two_products(&d, &dir).await;
    let before = census(&dir);
    assert_eq!(before, (2, 4, 4, 4, 2, 0));
    drop(d);

    let target = dir.clone();
    tokio::task::spawn_blocking(move || kill_midway(&target)).await.unwrap();
    assert_eq!(census(&dir), before, "killed inside the transaction: the old state, whole");
    let d = open("http://127.0.0.1:9", &dir);
    let url =
        call(&d, "products.components.resolve", json!({"product": "shop", "component": "db-prd", "env": "prd"})).await;
    assert_eq!(url["connection_url"], "mongodb://u:pw-shop-prd@h/");

    let r = call(&d, "products.delete", json!({"product": "shop", "force": true})).await;
    assert_eq!(r["secrets_deleted"], 4, "{r}");
    assert_eq!(census(&dir), (1, 2, 2, 2, 0, 0), "uninterrupted: the new state, no orphaned secret");
    assert_eq!(call(&d, "secrets.fetch", json!({"key": "FREE"})).await["value"], "free");
    let url =
        call(&d, "products.components.resolve", json!({"product": "blog", "component": "db-dev", "env": "dev"})).await;
    assert_eq!(url["connection_url"], "mongodb://u:pw-blog-dev@h/");
    let _ = std::fs::remove_dir_all(&dir);
}
