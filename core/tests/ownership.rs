//! Touch only what is ours: import and unlink change an Atlas database user only when it carries
//! this workspace's marker for the target (or this workspace's own link names it), over real HTTP
//! against the simulator. Two workspaces on one Atlas project with the same tags never seize or
//! delete each other's users; an unlink after the connection moved to another project deletes
//! nothing there; an env that an import owns is changed only by unlink.

mod common;

use common::*;
use ductape_core::{Ductape, ErrorCode};
use serde_json::{json, Value};
use std::path::PathBuf;

const USER: &str = "ductape-prod-atlas-my-product-db-mongo-prd";
const TARGET: (&str, &str, &str) = ("my-product", "db-mongo", "prd");

async fn workspace(sim: &atlas_sim::Sim, name: &str, public: &str, private: &str) -> (Ductape, PathBuf) {
    let dir = temp_workspace(name);
    let mut o = options(&sim.base_url(), &dir);
    o.cluster_ca_file = sim.ca_file();
    let d = Ductape::open(o).unwrap();
    create(&d, "prod_atlas").await;
    complete_key(&d, "prod_atlas", seed::PROJECT_ID, public, private).await;
    assert_eq!(validate(&d, "prod_atlas").await["valid"], true);
    call(&d, "products.create", json!({"name": "My Product"})).await;
    call(&d, "products.environments.create", json!({"product": TARGET.0, "slug": TARGET.2})).await;
    (d, dir)
}

async fn sim() -> atlas_sim::Sim {
    let sim = start_sim().await;
    sim.configure(|c| c.user_apply_delay = std::time::Duration::from_millis(100));
    sim
}

fn import_req(extra: Value) -> Value {
    let mut r = json!({"cloud": "prod_atlas", "service": "atlas-cluster", "type": "databases", "product": TARGET.0,
           "component": TARGET.1, "env": TARGET.2, "resource": "Cluster0", "connection_type": "standard"});
    r.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    r
}

fn target() -> Value {
    json!({"cloud": "prod_atlas", "product": TARGET.0, "component": TARGET.1, "env": TARGET.2})
}

async fn stored_password(d: &Ductape) -> String {
    let r =
        call(d, "products.components.resolve", json!({"product": TARGET.0, "component": TARGET.1, "env": TARGET.2}))
            .await;
    let url = r["connection_url"].as_str().unwrap();
    url.split("://").nth(1).unwrap().split('@').next().unwrap().split(':').nth(1).unwrap().to_string()
}

fn logs_in(sim: &atlas_sim::Sim, password: &str) -> bool {
    sim.verify_database_user(seed::PROJECT_ID, "admin", USER, password)
}

/// The user's description as Atlas holds it (`None`: no such user).
async fn description(sim: &atlas_sim::Sim, project: &str) -> Option<Value> {
    let state: Value = reqwest::get(format!("{}/__sim/state", sim.base_url())).await.unwrap().json().await.unwrap();
    let users = state["databaseUsers"][project].as_array().cloned().unwrap_or_default();
    users.iter().find(|u| u["username"] == USER).map(|u| u["description"].clone())
}

#[tokio::test]
async fn two_workspaces_on_one_project_never_break_each_others_login() {
    let sim = sim().await;
    let (a, _da) = workspace(&sim, "own-a", seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await;
    let (b, _db) = workspace(&sim, "own-b", seed::ORG_OWNER_PUBLIC_KEY, seed::ORG_OWNER_PRIVATE_KEY).await;

    let r = call(&a, "cloud.resources.import", import_req(json!({}))).await;
    assert_eq!((r["database_user"].as_str(), r["adopted"].as_bool()), (Some(USER), Some(false)));
    assert_eq!(r["verified"], true, "{r}");
    let a_password = stored_password(&a).await;
    assert!(logs_in(&sim, &a_password));

    // B makes the same name: a typed conflict naming the user and A's workspace, nothing changed.
    let e = call_err(&b, "cloud.resources.import", import_req(json!({}))).await;
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::Conflict, Some("component")), "{e:?}");
    let holder = e.details.as_ref().unwrap()["holder"]["workspace"].as_str().unwrap().to_string();
    assert!(e.message.contains(USER) && e.message.contains(&holder), "{}", e.message);
    assert!(!e.message.contains(&a_password));
    // adopt: true never takes a marked user.
    let e = call_err(&b, "cloud.resources.import", import_req(json!({"adopt": true}))).await;
    assert_eq!(e.code, ErrorCode::Conflict);
    assert!(logs_in(&sim, &a_password), "A's login still works");
    let e = call_err(&b, "cloud.resources.unlink", target()).await;
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::NotFound, Some("component")), "B has no link: {e:?}");
    assert!(logs_in(&sim, &a_password), "B's unlink did not touch A's user");
    assert_eq!(
        call(&a, "cloud.resources.verify", json!({"product": TARGET.0, "component": TARGET.1, "env": TARGET.2})).await
            ["verified"],
        true
    );

    // Once A unlinks, B imports, and then A is the one refused.
    let u = call(&a, "cloud.resources.unlink", target()).await;
    assert_eq!((u["user_deleted"].as_bool(), u["user_kept"].clone()), (Some(true), Value::Null), "{u}");
    let r = call(&b, "cloud.resources.import", import_req(json!({}))).await;
    assert_eq!(r["rotated"], false, "a new user: {r}");
    let b_password = stored_password(&b).await;
    assert!(logs_in(&sim, &b_password));
    let e = call_err(&a, "cloud.resources.import", import_req(json!({}))).await;
    assert_eq!(e.code, ErrorCode::Conflict);
    assert!(logs_in(&sim, &b_password));
    let u = call(&b, "cloud.resources.unlink", target()).await;
    assert_eq!(u["user_deleted"], true);
    assert_eq!(description(&sim, seed::PROJECT_ID).await, None);
}

#[tokio::test]
async fn unlink_after_the_connection_moved_to_another_project_deletes_nothing_there() {
    let sim = start_sim().await;
    // A user of the import's name already lives in the other project (someone else's).
    let mut s: Value = serde_json::from_str(seed::DEFAULT_SEED_JSON).unwrap();
    s["databaseUsers"] = json!([{"groupId": seed::OTHER_PROJECT_ID, "username": USER, "password": "their-password-1",
        "roles": [{"databaseName": "admin", "roleName": "readWriteAnyDatabase"}]}]);
    sim.load_seed(&serde_json::from_value(s).unwrap()).unwrap();
    let (d, dir) = workspace(&sim, "own-moved", seed::ORG_OWNER_PUBLIC_KEY, seed::ORG_OWNER_PRIVATE_KEY).await;
    call(&d, "cloud.resources.import", import_req(json!({"verify": false}))).await;
    let ours = stored_password(&d).await;

    complete_key(&d, "prod_atlas", seed::OTHER_PROJECT_ID, seed::ORG_OWNER_PUBLIC_KEY, seed::ORG_OWNER_PRIVATE_KEY)
        .await;
    validate(&d, "prod_atlas").await;
    // An import now would strand the first user: refused until unlinked.
    let e = call_err(&d, "cloud.resources.import", import_req(json!({}))).await;
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::Conflict, Some("env")), "{e:?}");
    assert!(e.message.contains(seed::PROJECT_ID), "{}", e.message);

    sim.clear_request_log();
    let u = call(&d, "cloud.resources.unlink", target()).await;
    assert_eq!(u["user_deleted"], false, "{u}");
    assert_eq!(u["user_kept"]["code"], "project_changed", "{u}");
    assert_eq!(u["secret_deleted"], true);
    assert!(sim.request_log().iter().all(|r| r.method != "DELETE"), "nothing deleted in Atlas");
    assert!(sim.verify_database_user(seed::OTHER_PROJECT_ID, "admin", USER, "their-password-1"));
    assert!(logs_in(&sim, &ours), "the first project's user was left for its owner to remove");
    let e = call_err(
        &d,
        "products.components.resolve",
        json!({"product": TARGET.0, "component": TARGET.1, "env": TARGET.2}),
    )
    .await;
    assert_eq!(e.code, ErrorCode::FailedPrecondition, "the records are gone: {e:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn an_unmarked_user_is_a_conflict_until_adopted_and_a_changed_marker_keeps_unlink_away() {
    let sim = start_sim().await;
    let mut s: Value = serde_json::from_str(seed::DEFAULT_SEED_JSON).unwrap();
    s["databaseUsers"] = json!([{"groupId": seed::PROJECT_ID, "username": USER, "password": "hand-made-pw-1",
        "description": "made by the ops team", "roles": [{"databaseName": "admin", "roleName": "readAnyDatabase"}]}]);
    sim.load_seed(&serde_json::from_value(s).unwrap()).unwrap();
    let (d, dir) = workspace(&sim, "own-adopt", seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await;

    sim.clear_request_log();
    let e = call_err(&d, "cloud.resources.import", import_req(json!({}))).await;
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::Conflict, Some("component")));
    assert!(e.message.contains("no Ductape marker") && e.message.contains("adopt: true"), "{}", e.message);
    assert!(!e.message.contains("ops team") && !e.message.contains("readAnyDatabase"), "{}", e.message);
    assert!(sim.request_log().iter().all(|r| r.method == "GET"), "nothing written");
    assert!(logs_in(&sim, "hand-made-pw-1"));

    let r = call(&d, "cloud.resources.import", import_req(json!({"adopt": true, "verify": false}))).await;
    assert_eq!((r["adopted"].as_bool(), r["rotated"].as_bool()), (Some(true), Some(true)), "{r}");
    assert!(!logs_in(&sim, "hand-made-pw-1") && logs_in(&sim, &stored_password(&d).await));
    let marked = description(&sim, seed::PROJECT_ID).await.unwrap();
    assert!(marked.as_str().unwrap().starts_with("ductape:v1 ws="), "{marked}");
    // Re-import needs no adopt now: the user carries our marker.
    assert_eq!(call(&d, "cloud.resources.import", import_req(json!({"verify": false}))).await["adopted"], false);

    // Someone rewrites the description in Atlas: unlink leaves the user alone and says why.
    let patched = reqwest::Client::new()
        .patch(format!("{}/api/atlas/v2/groups/{}/databaseUsers/admin/{USER}", sim.base_url(), seed::PROJECT_ID))
        .header("Accept", "application/vnd.atlas.2023-01-01+json")
        .header("Content-Type", "application/vnd.atlas.2023-01-01+json")
        .body(json!({"description": "ops took this over"}).to_string());
    let status = digest_send(patched, seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await;
    assert_eq!(status, 200);
    let u = call(&d, "cloud.resources.unlink", target()).await;
    assert_eq!((u["user_deleted"].as_bool(), u["user_kept"]["code"].as_str()), (Some(false), Some("not_owned")), "{u}");
    assert!(description(&sim, seed::PROJECT_ID).await.is_some(), "still in Atlas");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Sends `req` with HTTP Digest authentication (the simulator's, as Atlas's), answering the status.
async fn digest_send(req: reqwest::RequestBuilder, user: &str, password: &str) -> u16 {
    let probe = req.try_clone().unwrap().send().await.unwrap();
    let challenge = probe.headers()["www-authenticate"].to_str().unwrap().to_string();
    let field = |k: &str| {
        let at = challenge.find(&format!("{k}=\"")).unwrap() + k.len() + 2;
        challenge[at..].split('"').next().unwrap().to_string()
    };
    let (realm, nonce) = (field("realm"), field("nonce"));
    let built = req.try_clone().unwrap().build().unwrap();
    let uri = built.url().path().to_string();
    let md5 = |s: String| {
        use md5::{Digest, Md5};
        Md5::digest(s.as_bytes()).iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    let ha1 = md5(format!("{user}:{realm}:{password}"));
    let ha2 = md5(format!("{}:{uri}", built.method()));
    let response = md5(format!("{ha1}:{nonce}:00000001:0a4f113b:auth:{ha2}"));
    let header = format!(
        "Digest username=\"{user}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{uri}\", qop=auth, nc=00000001, \
         cnonce=\"0a4f113b\", response=\"{response}\", algorithm=MD5"
    );
    req.header("Authorization", header).send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn a_user_imported_before_markers_is_marked_on_its_next_import() {
    let sim = sim().await;
    let (d, dir) = workspace(&sim, "own-legacy", seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await;
    call(&d, "cloud.resources.import", import_req(json!({"verify": false}))).await;
    // What an earlier version left: an unmarked user and a link record without the project.
    let old = "Ductape my-product/db-mongo/prd via prod_atlas";
    let patched = reqwest::Client::new()
        .patch(format!("{}/api/atlas/v2/groups/{}/databaseUsers/admin/{USER}", sim.base_url(), seed::PROJECT_ID))
        .header("Accept", "application/vnd.atlas.2023-01-01+json")
        .header("Content-Type", "application/vnd.atlas.2023-01-01+json")
        .body(json!({"description": old}).to_string());
    assert_eq!(digest_send(patched, seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await, 200);
    let db = rusqlite::Connection::open(dir.join("workspace.db")).unwrap();
    db.execute("UPDATE component_envs SET project_id = NULL, atlas_base_url = NULL", []).unwrap();

    let r = call(&d, "cloud.resources.import", import_req(json!({"verify": false}))).await;
    assert_eq!((r["rotated"].as_bool(), r["adopted"].as_bool()), (Some(true), Some(false)), "{r}");
    let marked = description(&sim, seed::PROJECT_ID).await.unwrap();
    assert!(marked.as_str().unwrap().starts_with("ductape:v1 ws="), "{marked}");
    let recorded: Option<String> = db.query_row("SELECT project_id FROM component_envs", [], |r| r.get(0)).unwrap();
    assert_eq!(recorded.as_deref(), Some(seed::PROJECT_ID));
    assert_eq!(call(&d, "cloud.resources.unlink", target()).await["user_deleted"], true);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn concurrent_imports_of_one_target_store_a_password_atlas_accepts() {
    let sim = sim().await;
    let (d, dir) = workspace(&sim, "own-race", seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await;
    let d = std::sync::Arc::new(d);
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let d = std::sync::Arc::clone(&d);
            tokio::spawn(async move { d.call("cloud.resources.import", import_req(json!({"verify": false}))).await })
        })
        .collect();
    for t in tasks {
        let r = t.await.unwrap();
        assert!(r.is_ok(), "each waits its turn: {r:?}");
    }
    assert!(logs_in(&sim, &stored_password(&d).await), "the stored password is the one Atlas has");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn an_imported_env_changes_only_through_unlink_and_a_revoked_secret_stays_revoked() {
    let sim = sim().await;
    let (d, dir) = workspace(&sim, "own-env", seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await;
    let r = call(&d, "cloud.resources.import", import_req(json!({"verify": false}))).await;
    let key = r["secret_key"].as_str().unwrap().to_string();
    let password = stored_password(&d).await;

    // setEnv would strand the owned secret and the live Atlas user: refused, nothing changed.
    let set = json!({"product": TARGET.0, "component": TARGET.1, "env": TARGET.2, "connection_url": "mongodb://h:1/"});
    let e = call_err(&d, "products.components.setEnv", set).await;
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::FailedPrecondition, Some("env")), "{e:?}");
    assert!(e.message.contains("unlink it first"), "{}", e.message);
    let set_cloud = json!({"product": TARGET.0, "component": TARGET.1, "env": TARGET.2, "cloud": null});
    assert_eq!(call_err(&d, "products.components.setEnv", set_cloud).await.code, ErrorCode::FailedPrecondition);
    assert_eq!(stored_password(&d).await, password);

    // Forced deletes would leave a live user with readWriteAnyDatabase and no record: refused.
    for (op, params) in [
        ("products.delete", json!({"product": TARGET.0, "force": true})),
        ("products.environments.delete", json!({"product": TARGET.0, "env": TARGET.2, "force": true})),
        ("products.components.delete", json!({"product": TARGET.0, "component": TARGET.1, "force": true})),
    ] {
        let e = call_err(&d, op, params).await;
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::FailedPrecondition, Some("force")), "{op}: {e:?}");
        assert_eq!(e.details.as_ref().unwrap()["imported"], json!(["db-mongo/prd"]), "{op}");
    }
    assert!(logs_in(&sim, &password));

    // A revoked secret stays revoked: re-import is refused naming it, and Atlas is not touched.
    call(&d, "secrets.revoke", json!({"key": key})).await;
    sim.clear_request_log();
    let e = call_err(&d, "cloud.resources.import", import_req(json!({"verify": false}))).await;
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::FailedPrecondition, Some("component")), "{e:?}");
    assert!(e.message.contains(&key) && e.message.contains("revoked"), "{}", e.message);
    assert!(sim.request_log().iter().all(|r| r.method == "GET"), "nothing written in Atlas");
    assert!(logs_in(&sim, &password));
    let fetched = call_err(&d, "secrets.resolve", json!({"value": format!("$Secret{{{key}}}"), "env": "prd"})).await;
    assert!(fetched.message.contains("revoked"), "{fetched:?}");

    // After unlink, every delete goes through.
    call(&d, "cloud.resources.unlink", target()).await;
    assert!(!logs_in(&sim, &password));
    call(&d, "products.delete", json!({"product": TARGET.0, "force": true})).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_workspace_id_outlives_a_key_rotation_so_its_users_stay_its_own() {
    let sim = sim().await;
    let (d, dir) = workspace(&sim, "own-rotate", seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await;
    call(&d, "cloud.resources.import", import_req(json!({"verify": false}))).await;
    let before = description(&sim, seed::PROJECT_ID).await.unwrap();
    let rotated = call(&d, "workspace.rotateKey", json!({})).await;
    assert_eq!(rotated["key_source"], "option", "{rotated}");
    let new_key = rotated["new_key"].as_str().map(str::to_string);
    drop(d);
    // Reopened with the new key: the same workspace, so the user is still its own.
    let mut o = options(&sim.base_url(), &dir);
    o.workspace_key =
        Some(ductape_core::crypto::SecretString::new(new_key.expect("the new key, as the key came from an option")));
    let d = Ductape::open(o).unwrap();
    let r = call(&d, "cloud.resources.import", import_req(json!({"verify": false}))).await;
    assert_eq!((r["rotated"].as_bool(), r["adopted"].as_bool()), (Some(true), Some(false)), "{r}");
    assert_eq!(description(&sim, seed::PROJECT_ID).await.unwrap(), before, "the same marker");
    let _ = std::fs::remove_dir_all(&dir);
}
