//! Security review items that go through whole operations against the simulator.

mod common;

use atlas_sim::faults::{Fault, FaultKind};
use atlas_sim::{Sim, SimConfig};
use common::*;
use serde_json::json;

#[tokio::test]
async fn sec03_an_api_key_whose_roles_cannot_be_read_is_not_valid() {
    let sim = Sim::start(SimConfig { hide_api_key_in_system_status: true, ..Default::default() }).await.unwrap();
    let dir = temp_workspace("roles-unread");
    let d = open(&sim.base_url(), &dir);
    create(&d, "conn").await;
    complete_key(&d, "conn", seed::PROJECT_ID, seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await;
    // the project's key list still gives the roles
    assert_eq!(validate(&d, "conn").await["valid"], true);
    // neither call gives them: not valid, the role check says why
    sim.add_fault(Fault::always("GET /api/atlas/v2/groups/*/apiKeys", FaultKind::InternalError));
    let v = validate(&d, "conn").await;
    assert_eq!(v["valid"], false, "{v}");
    assert_eq!(failed_checks(&v), vec!["role"], "{v}");
    let m = v["message"].as_str().unwrap();
    assert!(m.contains("could not read the roles") && m.contains(seed::OWNER_PUBLIC_KEY), "{m}");
    assert_eq!(v["status"], "active", "an Atlas failure says nothing about the key: status kept: {v}");
    // the key is not in the list (or Atlas refuses the list): missing role, status error
    sim.clear_faults();
    create(&d, "ro").await;
    complete_key(&d, "ro", seed::PROJECT_ID, seed::READONLY_PUBLIC_KEY, seed::READONLY_PRIVATE_KEY).await;
    let v = validate(&d, "ro").await;
    assert_eq!(v["valid"], false, "{v}");
    assert_eq!(failed_checks(&v), vec!["role"], "{v}");
    assert_eq!(v["code"], "atlas_missing_role", "{v}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn sec09_a_stored_secret_that_no_longer_decrypts_can_be_replaced() {
    let sim = start_sim().await;
    let dir = temp_workspace("undecryptable");
    let d = open(&sim.base_url(), &dir);
    create(&d, "conn").await;
    complete_key(&d, "conn", seed::PROJECT_ID, seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await;
    // the stored ciphertext is damaged (or was sealed under another key)
    let db = rusqlite::Connection::open(dir.join("workspace.db")).unwrap();
    let changed = db.execute("UPDATE connection_secrets SET ciphertext = zeroblob(64)", []).unwrap();
    assert_eq!(changed, 1);
    drop(db);
    let e = call_err(&d, "cloud.connections.validate", serde_json::json!({"tag": "conn"})).await;
    assert_code(&e, ductape_core::ErrorCode::Workspace);
    // a new secret replaces it
    let r = complete_key(&d, "conn", seed::PROJECT_ID, seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await;
    assert_eq!(r["status"], "pending");
    assert_eq!(validate(&d, "conn").await["valid"], true);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn sec10_cached_atlas_clients_go_with_their_credentials() {
    let sim = start_sim().await;
    let dir = temp_workspace("client-cache");
    let d = open(&sim.base_url(), &dir);
    create(&d, "conn").await;
    complete_key(&d, "conn", seed::PROJECT_ID, seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await;
    validate(&d, "conn").await;
    assert_eq!(d.cached_atlas_clients(), 1);
    // an identical complete changes nothing and keeps the client
    complete_key(&d, "conn", seed::PROJECT_ID, seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await;
    assert_eq!(d.cached_atlas_clients(), 1);
    // other credentials: the old client (and its secret) is dropped
    complete_key(&d, "conn", seed::PROJECT_ID, seed::ORG_OWNER_PUBLIC_KEY, seed::ORG_OWNER_PRIVATE_KEY).await;
    assert_eq!(d.cached_atlas_clients(), 0);
    validate(&d, "conn").await;
    assert_eq!(d.cached_atlas_clients(), 1);
    call(&d, "cloud.connections.delete", serde_json::json!({"tag": "conn"})).await;
    assert_eq!(d.cached_atlas_clients(), 0, "deleted with the connection");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn sec14_credentials_are_bound_to_the_atlas_they_were_completed_for() {
    let sim = start_sim().await;
    let other = start_sim().await;
    let dir = temp_workspace("bound");
    let d = open(&sim.base_url(), &dir);
    create(&d, "conn").await;
    let r = complete_key(&d, "conn", seed::PROJECT_ID, seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await;
    assert_eq!(r["metadata"]["atlas_base_url"], sim.base_url());
    assert_eq!(validate(&d, "conn").await["valid"], true);
    drop(d);
    // the same workspace with another base URL: refused, nothing sent there
    let elsewhere = open(&other.base_url(), &dir);
    other.clear_request_log();
    let e = call_err(&elsewhere, "cloud.connections.validate", serde_json::json!({"tag": "conn"})).await;
    assert_code(&e, ductape_core::ErrorCode::FailedPrecondition);
    assert!(e.message.contains(&sim.base_url()) && e.message.contains(&other.base_url()), "{}", e.message);
    assert!(other.request_log().is_empty(), "the stored secret never went to the other host");
    // complete without the secret does not re-bind the stored one to the other host: refused,
    // naming the field to give, and nothing sent there.
    let e = call_err(
        &elsewhere,
        "cloud.connections.complete",
        serde_json::json!({"tag": "conn", "project_id": seed::PROJECT_ID, "atlas_public_key": seed::OWNER_PUBLIC_KEY}),
    )
    .await;
    assert_eq!((e.code, e.field.as_deref()), (ductape_core::ErrorCode::FailedPrecondition, Some("atlas_private_key")));
    assert!(e.message.contains("Give atlas_private_key again"), "{}", e.message);
    assert!(!e.message.contains("again to bind"), "no advice that sends the stored secret: {}", e.message);
    let e = call_err(&elsewhere, "cloud.connections.validate", serde_json::json!({"tag": "conn"})).await;
    assert_code(&e, ductape_core::ErrorCode::FailedPrecondition);
    assert!(other.request_log().is_empty(), "still nothing sent to the other host");
    // complete with the secret binds it there (pending: validated against the other Atlas)
    let r = complete_key(&elsewhere, "conn", seed::PROJECT_ID, seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await;
    assert_eq!(
        (r["status"].as_str(), r["metadata"]["atlas_base_url"].as_str()),
        (Some("pending"), Some(other.base_url().as_str()))
    );
    assert_eq!(validate(&elsewhere, "conn").await["valid"], true);
    let _ = std::fs::remove_dir_all(&dir);
}

/// SECURITY.md is the adopter's reviewer's page: it must keep the parts they look for.
#[test]
fn sec17_security_md_states_the_threat_model_rotation_roles_and_reporting() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../SECURITY.md")).unwrap();
    for part in [
        "## Threat model",
        "By default the key sits beside the database",
        "## What is never logged",
        "## Rotating",
        "workspace.rotateKey",
        "## Least privilege",
        "Project Owner",
        "## Reporting a vulnerability",
        "## What Ductape changes in your Atlas project, and how it knows it owns it",
        "ductape:v1 ws=<workspace id>",
    ] {
        assert!(text.contains(part), "SECURITY.md lost {part:?}");
    }
}

#[tokio::test]
async fn review03_bad_tags_are_never_echoed_in_any_feature() {
    let sim = start_sim().await;
    let dir = temp_workspace("no-echo");
    let d = open(&sim.base_url(), &dir);
    let canary = "0Ab1c2d3-e4f5-4a6b-8c7d-Canary9e0f1a";
    let lower = canary.to_ascii_lowercase();
    for (op, params) in [
        ("cloud.connections.create", json!({"provider": "mongodb_atlas", "name": canary})),
        ("cloud.connections.create", json!({"provider": canary, "name": "ok"})),
        ("cloud.connections.create", json!({"provider": "mongodb_atlas", "name": "ok", "scopes": [canary]})),
        ("cloud.connections.fetch", json!({"tag": canary})),
        ("products.create", json!({"name": "ok", "tag": canary})),
        ("products.fetch", json!({"product": canary})),
        ("products.components.create", json!({"product": "p", "tag": canary, "type": "mongodb"})),
        ("products.environments.create", json!({"product": "p", "slug": canary})),
        ("cloud.resources.unlink", json!({"cloud": canary, "product": "p", "component": "c", "env": "prd"})),
        ("secrets.fetch", json!({"key": canary})),
    ] {
        let e = call_err(&d, op, params.clone()).await;
        assert_code(&e, ductape_core::ErrorCode::InvalidArgument);
        let text = format!("{e:?}").to_ascii_lowercase();
        // neither the value nor a slug made of it (e.g. "did you mean '0ab1c2d3_...'")
        for part in [&lower[..8], "canary"] {
            assert!(!text.contains(part), "{op} {params} echoed {part}: {e:?}");
        }
    }
    // A typed display name still gets its suggestion.
    let e = call_err(&d, "cloud.connections.create", json!({"provider": "mongodb_atlas", "name": "Production Atlas!"}))
        .await;
    assert!(e.message.contains("did you mean 'production_atlas'"), "{}", e.message);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn review10_a_string_without_credentials_is_never_reported_verified() {
    let sim = start_sim().await;
    let dir = temp_workspace("no-creds");
    let mut o = options(&sim.base_url(), &dir);
    o.cluster_ca_file = sim.ca_file();
    let d = ductape_core::Ductape::open(o).unwrap();
    call(&d, "products.create", json!({"name": "shop"})).await;
    call(&d, "products.environments.create", json!({"product": "shop", "slug": "prd"})).await;
    call(&d, "products.components.create", json!({"product": "shop", "tag": "db", "type": "mongodb"})).await;
    // A server that answers ping without a login: the simulator's data plane for Cluster0.
    let hosts = sim.cluster_hosts(seed::PROJECT_ID, "Cluster0").join(",");
    let url = format!("mongodb://{hosts}/?tls=true");
    call(
        &d,
        "products.components.setEnv",
        json!({"product": "shop", "component": "db", "env": "prd", "connection_url": url}),
    )
    .await;
    let e = call_err(&d, "cloud.resources.verify", json!({"product": "shop", "component": "db", "env": "prd"})).await;
    assert_eq!((e.code, e.field.as_deref()), (ductape_core::ErrorCode::FailedPrecondition, Some("env")), "{e:?}");
    assert!(e.message.contains("carries no user and password"), "{}", e.message);
    let _ = std::fs::remove_dir_all(&dir);
}
