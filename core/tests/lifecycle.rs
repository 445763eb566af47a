//! The connection lifecycle against the simulator over real HTTP.

mod common;

use common::*;
use ductape_core::ErrorCode;
use serde_json::{json, Value};

#[tokio::test]
async fn seed_lifecycle_ends_active() {
    let sim = start_sim().await;
    let dir = temp_workspace("lifecycle");
    let d = open(&sim.base_url(), &dir);

    let c = create(&d, "prod_atlas").await;
    assert_eq!(c["status"], "pending");
    assert_eq!(c["provider"], "mongodb_atlas");
    assert_eq!(c["scopes"], json!(["database"]));
    assert_eq!(c["metadata"]["has_atlas_private_key"], false);

    let c = complete_key(&d, "prod_atlas", seed::PROJECT_ID, seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await;
    assert_eq!(c["status"], "pending");
    assert_eq!(c["metadata"]["project_id"], seed::PROJECT_ID);
    assert_eq!(c["metadata"]["atlas_public_key"], seed::OWNER_PUBLIC_KEY);
    assert_eq!(c["metadata"]["has_atlas_private_key"], true);
    assert_eq!(c["metadata"]["auth_method"], "api_key");
    assert!(!c.to_string().contains(seed::OWNER_PRIVATE_KEY));

    let v = validate(&d, "prod_atlas").await;
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["status"], "active");
    assert!(failed_checks(&v).is_empty(), "{v}");
    let names: Vec<_> = v["checks"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["credentials", "api_access_list", "project", "role"]);

    let f = call(&d, "cloud.connections.fetch", json!({"tag": "prod_atlas"})).await;
    assert_eq!(f["status"], "active");
    assert_eq!(f["account_identifier"], format!("prod-project (org {})", seed::ORG_ID));
    assert_eq!(f["metadata"]["project_name"], "prod-project");
    assert!(f["metadata"]["validated_at"].is_string());
    assert!(f["metadata"].get("last_validation_error").is_none());
    for field in [
        "id",
        "tag",
        "display_name",
        "description",
        "provider",
        "status",
        "scopes",
        "account_identifier",
        "metadata",
        "created_at",
        "updated_at",
    ] {
        assert!(f.get(field).is_some(), "record lacks {field}: {f}");
    }

    // a blank private key keeps the stored one; an identical complete keeps the status
    let c = call(&d, "cloud.connections.complete", json!({"tag": "prod_atlas", "project_id": seed::PROJECT_ID, "atlas_public_key": seed::OWNER_PUBLIC_KEY, "atlas_private_key": ""})).await;
    assert_eq!(c["status"], "active");
    assert_eq!(c["metadata"]["has_atlas_private_key"], true);

    // rotating the key sends it back to pending; validating again makes it active
    let c =
        complete_key(&d, "prod_atlas", seed::PROJECT_ID, seed::ORG_OWNER_PUBLIC_KEY, seed::ORG_OWNER_PRIVATE_KEY).await;
    assert_eq!(c["status"], "pending");
    assert!(c["account_identifier"].is_null());
    let v = validate(&d, "prod_atlas").await;
    assert_eq!(v["valid"], true, "org owner is enough: {v}");
    assert!(v["checks"][3]["detail"].as_str().unwrap().contains("Organization Owner"), "{v}");

    // list, filters
    create(&d, "second").await;
    let l = call(&d, "cloud.connections.list", json!({})).await;
    assert_eq!(l["connections"].as_array().unwrap().len(), 2);
    let l = call(&d, "cloud.connections.list", json!({"status": "active"})).await;
    assert_eq!(l["connections"].as_array().unwrap().len(), 1);
    let l = call(&d, "cloud.connections.list", json!({"provider": "mongodb_atlas", "status": "pending"})).await;
    assert_eq!(l["connections"][0]["tag"], "second");
    let l = call(&d, "cloud.connections.list", json!({"provider": "aws"})).await;
    assert_eq!(l["connections"].as_array().unwrap().len(), 0);

    // update
    let u = call(&d, "cloud.connections.update", json!({"tag": "prod_atlas", "display_name": "Production", "description": "main", "scopes": ["database", "vector"]})).await;
    assert_eq!(u["display_name"], "Production");
    assert_eq!(u["description"], "main");
    assert_eq!(u["scopes"], json!(["database", "vector"]));
    assert_eq!(u["status"], "active");
    let e = call_err(&d, "cloud.connections.update", json!({"tag": "prod_atlas", "name": "new_tag"})).await;
    assert_code(&e, ErrorCode::InvalidArgument);
    assert_eq!(e.field.as_deref(), Some("name"));

    // delete: soft, later calls say it is gone
    let del = call(&d, "cloud.connections.delete", json!({"tag": "prod_atlas"})).await;
    assert_eq!(del["deleted"], true);
    for op in ["cloud.connections.fetch", "cloud.connections.validate", "cloud.connections.delete"] {
        let e = call_err(&d, op, json!({"tag": "prod_atlas"})).await;
        assert_code(&e, ErrorCode::NotFound);
        assert!(e.message.contains("was deleted"), "{op}: {}", e.message);
    }
    let e =
        call_err(&d, "cloud.connections.complete", json!({"tag": "prod_atlas", "project_id": seed::PROJECT_ID})).await;
    assert!(e.message.contains("was deleted"));
    let l = call(&d, "cloud.connections.list", json!({})).await;
    assert_eq!(l["connections"].as_array().unwrap().len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

async fn failing(key: (&str, &str), project: &str) -> (serde_json::Value, serde_json::Value) {
    let sim = start_sim().await;
    let dir = temp_workspace("fail");
    let d = open(&sim.base_url(), &dir);
    create(&d, "conn").await;
    complete_key(&d, "conn", project, key.0, key.1).await;
    let v = validate(&d, "conn").await;
    let f = call(&d, "cloud.connections.fetch", json!({"tag": "conn"})).await;
    let _ = std::fs::remove_dir_all(&dir);
    (v, f)
}

fn assert_failed(v: &serde_json::Value, f: &serde_json::Value, check: &str, code: &str, needles: &[&str]) {
    assert_eq!(v["valid"], false, "{v}");
    assert_eq!(v["status"], "error", "{v}");
    assert_eq!(failed_checks(v), vec![check.to_string()], "{v}");
    assert_eq!(v["code"], code, "{v}");
    let msg = v["message"].as_str().unwrap();
    for n in needles {
        assert!(msg.contains(n), "message lacks '{n}': {msg}");
    }
    assert_eq!(f["status"], "error");
    let lve = &f["metadata"]["last_validation_error"];
    assert_eq!(lve["check"], check);
    assert_eq!(lve["code"], code);
    assert_eq!(lve["message"], msg);
}

#[tokio::test]
async fn wrong_private_key_fails_credentials() {
    let (v, f) = failing((seed::OWNER_PUBLIC_KEY, "00000000-0000-4000-8000-000000000000"), seed::PROJECT_ID).await;
    assert_failed(&v, &f, "credentials", "atlas_unauthorized", &["refused the API key", "awqxqtif"]);
}

#[tokio::test]
async fn unknown_project_fails_project() {
    let (v, f) = failing((seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY), "0123456789abcdef01234567").await;
    assert_failed(&v, &f, "project", "not_found", &["no project with ID 0123456789abcdef01234567"]);
    assert_eq!(v["details"]["atlas_error_code"], "GROUP_NOT_FOUND");
}

#[tokio::test]
async fn key_not_in_project_fails_project() {
    let (v, f) = failing((seed::OTHER_PUBLIC_KEY, seed::OTHER_PRIVATE_KEY), seed::PROJECT_ID).await;
    assert_failed(&v, &f, "project", "atlas_unauthorized", &["not a member of project", "Project Owner"]);
    assert_eq!(v["details"]["atlas_error_code"], "NOT_IN_GROUP");
}

#[tokio::test]
async fn read_only_key_fails_role_naming_its_roles() {
    let (v, f) = failing((seed::READONLY_PUBLIC_KEY, seed::READONLY_PRIVATE_KEY), seed::PROJECT_ID).await;
    assert_failed(&v, &f, "role", "atlas_missing_role", &["GROUP_READ_ONLY", "Project Owner"]);
    assert!(v["details"]["roles"].as_array().unwrap().iter().any(|r| r == "GROUP_READ_ONLY"));
}

#[tokio::test]
async fn ip_not_on_api_access_list_fails_naming_ip_and_place() {
    let (v, f) = failing((seed::BLOCKED_PUBLIC_KEY, seed::BLOCKED_PRIVATE_KEY), seed::PROJECT_ID).await;
    assert_failed(
        &v,
        &f,
        "api_access_list",
        "atlas_forbidden_ip",
        &["127.0.0.1", "API key's access list", "Organization Access Manager", "not the project's Network Access"],
    );
    assert_eq!(v["details"]["ip"], "127.0.0.1");
}

#[tokio::test]
async fn org_requiring_access_list_fails_access_list() {
    let (v, f) = failing((seed::STRICT_PUBLIC_KEY, seed::STRICT_PRIVATE_KEY), seed::STRICT_PROJECT_ID).await;
    assert_failed(
        &v,
        &f,
        "api_access_list",
        "atlas_forbidden_ip",
        &["requires every API key to have an API access list"],
    );
}

#[tokio::test]
async fn service_account_lifecycle() {
    let sim = start_sim().await;
    let dir = temp_workspace("sa");
    let d = open(&sim.base_url(), &dir);
    create(&d, "sa_conn").await;
    let c = call(&d, "cloud.connections.complete", json!({"tag": "sa_conn", "project_id": seed::PROJECT_ID, "atlas_client_id": seed::SA_CLIENT_ID, "atlas_client_secret": seed::SA_CLIENT_SECRET})).await;
    assert_eq!(c["metadata"]["auth_method"], "service_account");
    assert_eq!(c["metadata"]["has_atlas_client_secret"], true);
    assert_eq!(c["metadata"]["has_atlas_private_key"], false);
    let v = validate(&d, "sa_conn").await;
    assert_eq!(v["valid"], true, "{v}");
    // token reuse: a second validate asks for no new token
    let before = sim.request_log().iter().filter(|r| r.path == "/api/oauth/token").count();
    let v = validate(&d, "sa_conn").await;
    assert_eq!(v["valid"], true);
    let after = sim.request_log().iter().filter(|r| r.path == "/api/oauth/token").count();
    assert_eq!(before, after);
    // a wrong secret
    call(&d, "cloud.connections.complete", json!({"tag": "sa_conn", "project_id": seed::PROJECT_ID, "atlas_client_secret": "mdb_sa_sk_wrongwrongwrongwrongwrong"})).await;
    let v = validate(&d, "sa_conn").await;
    assert_eq!(v["valid"], false, "{v}");
    assert_eq!(v["code"], "atlas_unauthorized", "{v}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn network_failure_is_reported_as_network() {
    // a port nobody listens on
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let dir = temp_workspace("net");
    let d = open(&format!("http://127.0.0.1:{port}"), &dir);
    create(&d, "conn").await;
    complete_key(&d, "conn", seed::PROJECT_ID, seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await;
    let v = validate(&d, "conn").await;
    assert_eq!(v["valid"], false);
    assert_eq!(v["code"], "network", "{v}");
    assert_eq!(failed_checks(&v), vec!["network"]);
    assert_eq!(v["status"], "pending", "a network failure does not judge the credentials");
    assert!(v["message"].as_str().unwrap().contains("could not reach Atlas"), "{v}");
    let f = call(&d, "cloud.connections.fetch", json!({"tag": "conn"})).await;
    assert_eq!(f["metadata"]["last_validation_error"]["transient"], true);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn input_errors_are_typed_and_name_the_field() {
    let sim = start_sim().await;
    let dir = temp_workspace("input");
    let d = open(&sim.base_url(), &dir);
    let cases = [
        ("cloud.connections.create", json!({"provider": "aws", "name": "x"}), ErrorCode::Unsupported, "provider"),
        (
            "cloud.connections.create",
            json!({"provider": "mongodb_atlas", "name": "Bad Tag"}),
            ErrorCode::InvalidArgument,
            "name",
        ),
        (
            "cloud.connections.create",
            json!({"provider": "mongodb_atlas", "name": "ok", "scopes": ["database", "nope"]}),
            ErrorCode::InvalidArgument,
            "scopes[1]",
        ),
        (
            "cloud.connections.create",
            json!({"provider": "mongodb_atlas", "name": "ok", "extra": 1}),
            ErrorCode::InvalidArgument,
            "extra",
        ),
        (
            "cloud.connections.create",
            json!({"provider": "mongodb_atlas", "name": 5}),
            ErrorCode::InvalidArgument,
            "name",
        ),
        ("cloud.connections.create", json!({"provider": "mongodb_atlas"}), ErrorCode::InvalidArgument, "name"),
        ("cloud.connections.fetch", json!({"tag": "missing"}), ErrorCode::NotFound, "tag"),
        ("cloud.connections.list", json!({"status": "weird"}), ErrorCode::InvalidArgument, "status"),
    ];
    for (op, params, code, field) in cases {
        let e = call_err(&d, op, params.clone()).await;
        assert_eq!(e.code, code, "{op} {params}: {e:?}");
        assert_eq!(e.field.as_deref(), Some(field), "{op} {params}: {e:?}");
    }
    // the slug rule and the conflict
    let c =
        call(&d, "cloud.connections.create", json!({"provider": "mongodb_atlas", "display_name": "Production Atlas"}))
            .await;
    assert_eq!(c["tag"], "production_atlas");
    assert_eq!(c["display_name"], "Production Atlas");
    let e = call_err(&d, "cloud.connections.create", json!({"provider": "mongodb_atlas", "name": "production_atlas"}))
        .await;
    assert_code(&e, ErrorCode::Conflict);

    let bad_complete = [
        (
            json!({"tag": "production_atlas", "project_id": "xyz", "atlas_public_key": "awqxqtif", "atlas_private_key": seed::OWNER_PRIVATE_KEY}),
            "project_id",
        ),
        (
            json!({"tag": "production_atlas", "project_id": seed::PROJECT_ID, "atlas_public_key": "TOO-LONG-KEY", "atlas_private_key": seed::OWNER_PRIVATE_KEY}),
            "atlas_public_key",
        ),
        (
            json!({"tag": "production_atlas", "project_id": seed::PROJECT_ID, "atlas_public_key": "awqxqtif", "atlas_private_key": "not-a-uuid"}),
            "atlas_private_key",
        ),
        (
            json!({"tag": "production_atlas", "project_id": seed::PROJECT_ID, "atlas_public_key": "awqxqtif"}),
            "atlas_private_key",
        ),
        (json!({"tag": "production_atlas", "project_id": seed::PROJECT_ID}), "atlas_public_key"),
        (
            json!({"tag": "production_atlas", "project_id": seed::PROJECT_ID, "atlas_private_key": 7}),
            "atlas_private_key",
        ),
    ];
    for (params, field) in bad_complete {
        let e = call_err(&d, "cloud.connections.complete", params.clone()).await;
        assert_code(&e, ErrorCode::InvalidArgument);
        assert_eq!(e.field.as_deref(), Some(field), "{params}: {e:?}");
    }
    // validate before complete
    let e = call_err(&d, "cloud.connections.validate", json!({"tag": "production_atlas"})).await;
    assert_code(&e, ErrorCode::FailedPrecondition);

    // the JSON envelope
    let env: serde_json::Value =
        serde_json::from_str(&d.call_json("cloud.connections.fetch", r#"{"tag": 1}"#).await).unwrap();
    assert_eq!(env["ok"], false);
    assert_eq!(env["error"]["code"], "invalid_argument");
    assert_eq!(env["error"]["field"], "tag");
    let env: serde_json::Value =
        serde_json::from_str(&d.call_json("cloud.connections.fetch", r#"{"tag": "production_atlas"}"#).await).unwrap();
    assert_eq!(env["ok"], true);
    assert_eq!(env["result"]["tag"], "production_atlas");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn wrong_workspace_key_is_a_clear_error() {
    let sim = start_sim().await;
    let dir = temp_workspace("wrongkey");
    let d = open(&sim.base_url(), &dir);
    create(&d, "conn").await;
    let mut o = options(&sim.base_url(), &dir);
    o.workspace_key = Some(serde_json::from_value(json!("BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=")).unwrap());
    let d2 = ductape_core::Ductape::open(o).unwrap();
    let e = call_err(&d2, "cloud.connections.fetch", json!({"tag": "conn"})).await;
    assert_code(&e, ErrorCode::Workspace);
    assert!(e.message.contains("does not match"), "{}", e.message);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn every_listed_operation_is_dispatched() {
    let dir = temp_workspace("ops");
    let d = open("http://127.0.0.1:9", &dir);
    for op in ductape_core::ops::names().filter(|o| o.starts_with("cloud.")) {
        let e = d.call(op, json!({"__nope": 1})).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument, "{op}: {e:?}");
        assert_eq!(e.field.as_deref(), Some("__nope"), "{op}");
    }
    let e = call_err(&d, "cloud.connections.nope", json!({})).await;
    assert_code(&e, ErrorCode::UnknownOperation);
    let e = call_err(&d, "debug.echo", json!({})).await;
    assert_code(&e, ErrorCode::UnknownOperation);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_rotation_during_validation_is_not_overwritten() {
    use atlas_sim::faults::{Fault, FaultKind};
    let sim = start_sim().await;
    let dir = temp_workspace("race");
    let d = std::sync::Arc::new(open(&sim.base_url(), &dir));
    create(&d, "conn").await;
    complete_key(&d, "conn", seed::PROJECT_ID, seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await;
    sim.add_fault(Fault::next("GET /api/atlas/v2/groups/*", FaultKind::Delay { delay_ms: 1500 }, 1));
    let d2 = std::sync::Arc::clone(&d);
    let validating = tokio::spawn(async move { validate(&d2, "conn").await });
    // The validation has read the (good) key and its project request is held by the delay.
    wait_until("the project request reaches the simulator", || sim.faults().is_empty()).await;
    // rotate to a wrong key while the (good) validation is in flight
    complete_key(&d, "conn", seed::PROJECT_ID, seed::OWNER_PUBLIC_KEY, "00000000-0000-4000-8000-000000000000").await;
    let v = validating.await.unwrap();
    assert_eq!(v["valid"], false, "{v}");
    assert!(v["message"].as_str().unwrap().contains("credentials changed while this validation ran"), "{v}");
    assert_eq!(v["code"], "conflict");
    let f = call(&d, "cloud.connections.fetch", json!({"tag": "conn"})).await;
    assert_eq!(f["status"], "pending", "the old key's success must not activate the new key: {f}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn sec16_a_deprecated_atlas_version_reaches_the_caller_as_a_warning_in_the_reply() {
    let sim = start_sim().await;
    sim.configure(|c| c.deprecated_versions = vec!["2023-01-01".into()]);
    let dir = temp_workspace("deprecated");
    let d = open(&sim.base_url(), &dir);
    create(&d, "conn").await;
    complete_key(&d, "conn", seed::PROJECT_ID, seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await;
    let reply: Value =
        serde_json::from_str(&d.call_json("cloud.connections.validate", r#"{"tag":"conn"}"#).await).unwrap();
    assert_eq!(reply["result"]["valid"], true, "{reply}");
    let warnings = reply["warnings"].as_array().expect("warnings in the envelope");
    // Once per request path, not once per request.
    let paths: Vec<&str> = warnings.iter().map(|w| w["details"]["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["/api/atlas/v2", &format!("/api/atlas/v2/groups/{}", seed::PROJECT_ID)], "{reply}");
    assert_eq!(warnings[0]["code"], "atlas_api_deprecated");
    assert!(
        warnings[0]["message"].as_str().unwrap().contains("API version 2023-01-01 of GET /api/atlas/v2"),
        "{reply}"
    );
    // No warning, no key: the envelope of a call without one is unchanged.
    let fetched: Value =
        serde_json::from_str(&d.call_json("cloud.connections.fetch", r#"{"tag":"conn"}"#).await).unwrap();
    assert!(fetched.get("warnings").is_none(), "{fetched}");
    let _ = std::fs::remove_dir_all(&dir);
}
