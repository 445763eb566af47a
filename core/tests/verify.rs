//! Import's verification and `cloud.resources.verify` against the simulator's data plane: MongoDB's
//! Rust driver connects with the stored string (TLS with the simulator's CA, SCRAM) and runs
//! `ping`, for every kind of cluster; a refused login and an unreachable cluster give their own
//! answers, never the password.

mod common;

use common::*;
use ductape_core::{Ductape, ErrorCode};
use serde_json::{json, Value};
use std::time::Duration;

async fn ready(name: &str, trust_sim_ca: bool) -> (atlas_sim::Sim, Ductape) {
    let sim = start_sim().await;
    sim.configure(|c| c.user_apply_delay = Duration::from_millis(100));
    let mut options = options(&sim.base_url(), &temp_workspace(name));
    if trust_sim_ca {
        options.cluster_ca_file = sim.ca_file();
    }
    let d = Ductape::open(options).unwrap();
    create(&d, "prod_atlas").await;
    complete_key(&d, "prod_atlas", seed::PROJECT_ID, seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await;
    assert_eq!(validate(&d, "prod_atlas").await["valid"], true);
    call(&d, "products.create", json!({"name": "shop"})).await;
    call(&d, "products.environments.create", json!({"product": "shop", "slug": "prd"})).await;
    (sim, d)
}

fn import_req(cluster: &str, extra: Value) -> Value {
    let mut r = json!({"cloud": "prod_atlas", "service": "atlas-cluster", "type": "databases", "product": "shop",
                       "component": format!("db-{}", cluster.to_lowercase()), "env": "prd", "resource": cluster});
    r.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    r
}

fn target(cluster: &str) -> Value {
    json!({"product": "shop", "component": format!("db-{}", cluster.to_lowercase()), "env": "prd"})
}

/// The envelope of a call, warnings included.
async fn envelope(d: &Ductape, op: &str, params: Value) -> Value {
    serde_json::from_str(&d.call_json(op, &params.to_string()).await).unwrap()
}

#[tokio::test]
async fn every_kind_of_cluster_verifies_through_the_driver() {
    let (sim, d) = ready("verify-kinds", true).await;
    let clusters =
        [seed::CLUSTER_IDLE, seed::CLUSTER_SHARDED, seed::CLUSTER_GEOSHARDED, seed::CLUSTER_FREE, seed::FLEX_CLUSTER];
    for cluster in clusters {
        let r = call(
            &d,
            "cloud.resources.import",
            import_req(cluster, json!({"connection_type": "standard", "verify": true})),
        )
        .await;
        assert_eq!((r["resource"].as_str(), r["verified"].clone()), (Some(cluster), json!(true)), "{r}");
        let v = call(&d, "cloud.resources.verify", target(cluster)).await;
        let hosts = sim.cluster_hosts(seed::PROJECT_ID, cluster);
        assert_eq!(v["verified"], true, "{v}");
        assert!(hosts.iter().any(|h| v["server"] == h.as_str()), "{cluster}: {v} not one of {hosts:?}");
        assert_eq!((v["product"].as_str(), v["env"].as_str()), (Some("shop"), Some("prd")));
    }
}

#[tokio::test]
async fn a_refused_login_is_an_error_when_required_and_a_warning_by_default() {
    let (sim, d) = ready("verify-refused", true).await;
    let r = call(&d, "cloud.resources.import", import_req("Cluster0", json!({"connection_type": "standard"}))).await;
    assert_eq!(r["verified"], true, "verification is on by default: {r}");
    let url = call(&d, "products.components.resolve", target("Cluster0")).await["connection_url"]
        .as_str()
        .unwrap()
        .to_string();
    let password = url.split("://").nth(1).unwrap().split('@').next().unwrap().split(':').nth(1).unwrap().to_string();

    // The user goes away in Atlas behind the workspace's back: the stored string stops working.
    sim.delete_database_user(seed::PROJECT_ID, "admin", r["database_user"].as_str().unwrap());
    let e = call_err(
        &d,
        "cloud.resources.verify",
        json!({"product": "shop", "component": "db-cluster0", "env": "prd", "timeout_ms": 1500}),
    )
    .await;
    assert_eq!(e.code, ErrorCode::FailedPrecondition, "{e:?}");
    assert!(e.message.contains("cluster 'Cluster0' refused the connection string's login"), "{}", e.message);
    assert_eq!(e.details, Some(json!({"reason": "authentication_failed"})));
    assert!(!format!("{e:?}").contains(&password), "no password in the error");
}

#[tokio::test]
async fn an_unreachable_cluster_is_stored_unverified_by_default_and_refused_when_required() {
    // No trust in the simulator's CA: the TLS handshake fails, as it would for a cluster this
    // machine cannot reach.
    let (sim, d) = ready("verify-unreachable", false).await;
    let env =
        envelope(&d, "cloud.resources.import", import_req("Cluster0", json!({"connection_type": "standard"}))).await;
    assert_eq!(env["ok"], true, "{env}");
    assert_eq!(env["result"]["verified"], Value::Null);
    let warning = &env["warnings"][0];
    assert_eq!(warning["code"], "connection_not_verified", "{env}");
    let message = warning["message"].as_str().unwrap();
    assert!(message.contains("could not be reached from here"), "{message}");

    sim.clear_request_log();
    let e = call_err(
        &d,
        "cloud.resources.import",
        import_req("sharded", json!({"connection_type": "standard", "verify": true})),
    )
    .await;
    assert_eq!(e.code, ErrorCode::Network, "{e:?}");
    assert!(e.message.contains("could not reach cluster 'sharded'"), "{}", e.message);
    assert!(e.message.contains("syncNetworkAccess"), "says what to check: {}", e.message);
    let e = call_err(&d, "products.components.resolve", target("sharded")).await;
    assert_eq!(e.code, ErrorCode::NotFound, "a required verification that fails stores nothing: {e:?}");
    // the user it made is adopted by the next import (one POST in all)
    let r = call(
        &d,
        "cloud.resources.import",
        import_req("sharded", json!({"connection_type": "standard", "verify": false})),
    )
    .await;
    assert_eq!(r["verified"], Value::Null);
    let posts =
        sim.request_log().into_iter().filter(|r| r.method == "POST" && r.path.ends_with("/databaseUsers")).count();
    assert_eq!(posts, 1);
}

#[tokio::test]
async fn an_srv_string_without_dns_is_unreachable_not_a_failure() {
    let (_sim, d) = ready("verify-srv", true).await;
    let env = envelope(&d, "cloud.resources.import", import_req("Cluster0", json!({}))).await;
    assert_eq!((env["ok"].clone(), env["result"]["verified"].clone()), (json!(true), Value::Null), "{env}");
    assert_eq!(env["warnings"][0]["code"], "connection_not_verified");
    let e = call_err(
        &d,
        "cloud.resources.verify",
        json!({"product": "shop", "component": "db-cluster0", "env": "prd", "timeout_ms": 2000}),
    )
    .await;
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::Network, None), "{e:?}");
}

#[tokio::test]
async fn a_bad_cluster_ca_file_fails_at_open() {
    let dir = temp_workspace("verify-ca");
    let mut o = options("http://127.0.0.1:9", &dir);
    o.cluster_ca_file = Some(dir.join("missing.pem"));
    let e = Ductape::open(o).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::InvalidArgument, Some("cluster_ca_file")));
    assert!(e.message.contains("the cluster_ca_file option: could not read the CA file"), "{}", e.message);
}

#[tokio::test]
async fn an_srv_name_that_does_not_resolve_is_said_plainly() {
    // The simulator's SRV names exist only in Atlas's DNS: the lookup fails at once.
    let (_sim, d) = ready("verify-dns", true).await;
    let e = call_err(&d, "cloud.resources.import", import_req("Cluster0", json!({"verify": true}))).await;
    assert_eq!(e.code, ErrorCode::Network, "{e:?}");
    assert!(
        e.message.starts_with("could not reach cluster 'Cluster0': DNS has no record for _mongodb._tcp.cluster0."),
        "{}",
        e.message
    );
    assert!(e.message.contains("connection_type: \"standard\""), "says what to do: {}", e.message);
    assert!(
        !e.message.contains("Query {") && !e.message.contains("within"),
        "no Debug text, no wait claimed: {}",
        e.message
    );
    assert_eq!(e.details.as_ref().unwrap()["reason"], "dns");
}
