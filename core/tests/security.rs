//! Security review items that go through whole operations against the simulator.

mod common;

use atlas_sim::faults::{Fault, FaultKind};
use atlas_sim::{Sim, SimConfig};
use common::*;

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
    // complete again rebinds it (pending: validated against the other Atlas)
    let r = complete_key(&elsewhere, "conn", seed::PROJECT_ID, seed::OWNER_PUBLIC_KEY, "").await;
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
    ] {
        assert!(text.contains(part), "SECURITY.md lost {part:?}");
    }
}
