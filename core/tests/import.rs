//! `cloud.resources.*` against the simulator over real HTTP: the catalogue, the cluster list,
//! import (user scoped to the cluster, waited for, string stored as an owned secret and linked),
//! re-import (rotates, never duplicates), each refusal changing nothing, and unlink.

mod common;

use common::*;
use ductape_core::{Ductape, ErrorCode};
use serde_json::{json, Value};

const USER: &str = "ductape-prod-atlas-my-product-db-mongo-prd";
const KEY: &str = "ATLAS_PROD_ATLAS_MY_PRODUCT_DB_MONGO_PRD_URL";

async fn ready(name: &str) -> (atlas_sim::Sim, Ductape, std::path::PathBuf) {
    let sim = start_sim().await;
    sim.configure(|c| c.user_apply_delay = std::time::Duration::from_millis(300));
    let dir = temp_workspace(name);
    let d = open(&sim.base_url(), &dir);
    create(&d, "prod_atlas").await;
    complete_key(&d, "prod_atlas", seed::PROJECT_ID, seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await;
    assert_eq!(validate(&d, "prod_atlas").await["valid"], true);
    call(&d, "products.create", json!({"name": "My Product"})).await;
    call(&d, "products.environments.create", json!({"product": "my-product", "slug": "prd"})).await;
    (sim, d, dir)
}

fn import_req(resource: &str) -> Value {
    json!({"cloud": "prod_atlas", "service": "atlas-cluster", "type": "databases", "product": "my-product",
           "component": "db-mongo", "env": "prd", "resource": resource})
}

async fn resolved(d: &Ductape) -> String {
    let r =
        call(d, "products.components.resolve", json!({"product": "my-product", "component": "db-mongo", "env": "prd"}))
            .await;
    r["connection_url"].as_str().unwrap().to_string()
}

/// The password inside a credentialed string.
fn password_of(url: &str) -> String {
    let auth = url.split("://").nth(1).unwrap().split('@').next().unwrap();
    auth.split(':').nth(1).unwrap().to_string()
}

#[tokio::test]
async fn catalogue_and_cluster_list() {
    let (_sim, d, _dir) = ready("import-list").await;
    let s = call(&d, "cloud.resources.services", json!({"cloud": "prod_atlas"})).await;
    assert_eq!(
        s,
        json!({"cloud": "prod_atlas", "services": [{"service": "atlas-cluster", "name": "Databases (MongoDB)", "type": "databases", "supported": true}]})
    );
    let l = call(&d, "cloud.resources.list", json!({"cloud": "prod_atlas", "service": "atlas-cluster"})).await;
    let names: Vec<(&str, &str, bool)> = l["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap(),
                r["metadata"]["kind"].as_str().unwrap(),
                r["metadata"]["paused"].as_bool().unwrap(),
            )
        })
        .collect();
    assert!(names.contains(&("Cluster0", "dedicated", false)), "{l}");
    assert!(names.contains(&("archive", "dedicated", true)), "{l}");
    assert!(names.contains(&("flex-dev", "flex", false)), "{l}");
    let c0 = l["resources"].as_array().unwrap().iter().find(|r| r["name"] == "Cluster0").unwrap();
    assert_eq!(c0["metadata"]["provider"], "AWS");
    assert_eq!(c0["metadata"]["tier"], "M10");
    assert_eq!(c0["region"], "US_EAST_1");
    let e = call_err(&d, "cloud.resources.list", json!({"cloud": "prod_atlas", "service": "aura-instance"})).await;
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::Unsupported, Some("service")));
}

#[tokio::test]
async fn import_makes_a_scoped_user_and_an_owned_secret_and_reimport_rotates() {
    let (sim, d, _dir) = ready("import-happy").await;
    let r = call(&d, "cloud.resources.import", import_req("Cluster0")).await;
    assert_eq!(
        r,
        json!({"resource": "Cluster0", "product": "my-product", "component": "db-mongo", "env": "prd", "secret_key": KEY,
               "connection_url_ref": format!("$Secret{{{KEY}}}"), "database_user": USER, "connection_type": "standard_srv", "adopted": false,
               "rotated": false, "verified": null})
    );
    let url = resolved(&d).await;
    let first = password_of(&url);
    assert_eq!(url, format!("mongodb+srv://{USER}:{first}@cluster0.x1y2z.mongodb.net/?authSource=admin"));
    assert!(sim.verify_database_user(seed::PROJECT_ID, "admin", USER, &first));
    let env =
        call(&d, "products.components.getEnv", json!({"product": "my-product", "component": "db-mongo", "env": "prd"}))
            .await;
    assert_eq!(
        (env["cloud"].as_str(), env["instance"].as_str(), env["auth_mode"].as_str()),
        (Some("prod_atlas"), Some("Cluster0"), Some("cloud_connection"))
    );
    let secret = call(&d, "secrets.fetchAll", json!({})).await["secrets"][0].clone();
    assert_eq!(secret["owner"], json!({"product": "my-product", "component": "db-mongo", "env": "prd"}));
    assert_eq!(secret["envs"], json!(["prd"]));
    let e = call_err(&d, "secrets.delete", json!({"key": KEY})).await;
    assert_eq!(e.code, ErrorCode::FailedPrecondition, "an owned secret goes with its component env");

    // the Atlas user: scoped to that one cluster, with the default role
    let users: Vec<_> =
        sim.request_log().into_iter().filter(|r| r.method == "POST" && r.path.ends_with("/databaseUsers")).collect();
    assert_eq!(users.len(), 1);

    let again = call(&d, "cloud.resources.import", import_req("Cluster0")).await;
    assert_eq!((again["rotated"].clone(), again["database_user"].as_str()), (json!(true), Some(USER)));
    let second = password_of(&resolved(&d).await);
    assert_ne!(first, second);
    assert!(sim.verify_database_user(seed::PROJECT_ID, "admin", USER, &second));
    assert!(!sim.verify_database_user(seed::PROJECT_ID, "admin", USER, &first), "the old password stops working");
    let posts =
        sim.request_log().into_iter().filter(|r| r.method == "POST" && r.path.ends_with("/databaseUsers")).count();
    assert_eq!(posts, 1, "re-import never creates a second user");
    assert_eq!(
        call(&d, "secrets.fetchAll", json!({})).await["secrets"].as_array().unwrap().len(),
        1,
        "nor a second secret"
    );

    let u = call(
        &d,
        "cloud.resources.unlink",
        json!({"cloud": "prod_atlas", "product": "my-product", "component": "db-mongo", "env": "prd"}),
    )
    .await;
    assert_eq!(
        u,
        json!({"product": "my-product", "component": "db-mongo", "env": "prd", "database_user": USER, "user_deleted": true, "user_kept": null, "secret_deleted": true})
    );
    assert!(!sim.verify_database_user(seed::PROJECT_ID, "admin", USER, &second));
    assert_eq!(call(&d, "secrets.fetchAll", json!({})).await["secrets"], json!([]));
    let e = call_err(
        &d,
        "products.components.resolve",
        json!({"product": "my-product", "component": "db-mongo", "env": "prd"}),
    )
    .await;
    assert_eq!(e.code, ErrorCode::FailedPrecondition);
}

#[tokio::test]
async fn flex_clusters_and_the_standard_string() {
    let (sim, d, _dir) = ready("import-flex").await;
    let mut req = import_req("flex-dev");
    req["connection_type"] = json!("standard");
    req["role"] = json!("readAnyDatabase");
    let r = call(&d, "cloud.resources.import", req).await;
    assert_eq!((r["resource"].as_str(), r["connection_type"].as_str()), (Some("flex-dev"), Some("standard")));
    let url = resolved(&d).await;
    assert!(url.starts_with(&format!("mongodb://{USER}:")), "{url}");
    assert!(url.contains("authSource=admin"), "{url}");
    assert!(sim.verify_database_user(seed::PROJECT_ID, "admin", USER, &password_of(&url)));
}

#[tokio::test]
async fn refusals_change_nothing() {
    let (sim, d, dir) = ready("import-refusals").await;
    let with = |k: &str, v: Value| {
        let mut r = import_req("Cluster0");
        r[k] = v;
        r
    };
    let cases = [
        (import_req("nope"), ErrorCode::NotFound, "resource", "no cluster named 'nope'"),
        (import_req("archive"), ErrorCode::FailedPrecondition, "resource", "is paused"),
        (import_req("analytics"), ErrorCode::FailedPrecondition, "resource", "no connection strings yet"),
        (with("product", json!("shop")), ErrorCode::NotFound, "product", "create it with products.create"),
        (with("env", json!("dev")), ErrorCode::NotFound, "env", "create it with products.environments.create"),
        (with("cloud", json!("missing")), ErrorCode::NotFound, "cloud", "no cloud connection"),
        (with("service", json!("rds")), ErrorCode::Unsupported, "service", "not supported yet"),
        (with("type", json!("storage")), ErrorCode::InvalidArgument, "type", "must be 'databases'"),
        (with("role", json!("atlasAdmin")), ErrorCode::InvalidArgument, "role", "readWriteAnyDatabase"),
        (
            with("connection_type", json!("private")),
            ErrorCode::FailedPrecondition,
            "connection_type",
            "has no private connection string",
        ),
        (with("wait_timeout_ms", json!(0)), ErrorCode::InvalidArgument, "wait_timeout_ms", "between"),
    ];
    sim.clear_request_log();
    for (req, code, field, message) in cases {
        let e = call_err(&d, "cloud.resources.import", req.clone()).await;
        assert_eq!((e.code, e.field.as_deref()), (code, Some(field)), "{req}: {e:?}");
        assert!(e.message.contains(message), "{req}: {}", e.message);
    }
    let writes = sim.request_log().into_iter().filter(|r| r.method != "GET").count();
    assert_eq!(writes, 0, "no refusal reached Atlas with a write");

    // a component of another type
    call(&d, "products.components.create", json!({"product": "my-product", "tag": "db-pg", "type": "postgresql"}))
        .await;
    let e = call_err(&d, "cloud.resources.import", with("component", json!("db-pg"))).await;
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::Conflict, Some("component")));
    // a connection that is not active, and one without the database scope
    create(&d, "fresh").await;
    let e = call_err(&d, "cloud.resources.import", with("cloud", json!("fresh"))).await;
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::FailedPrecondition, Some("cloud")));
    call(&d, "cloud.connections.update", json!({"tag": "prod_atlas", "scopes": ["storage"]})).await;
    let e = call_err(&d, "cloud.resources.import", import_req("Cluster0")).await;
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::FailedPrecondition, Some("cloud")));
    assert!(e.message.contains("lacks the database scope"), "{}", e.message);
    call(&d, "cloud.connections.update", json!({"tag": "prod_atlas", "scopes": ["database"]})).await;
    // a key without the role to manage database users
    create(&d, "readonly").await;
    complete_key(&d, "readonly", seed::PROJECT_ID, seed::READONLY_PUBLIC_KEY, seed::READONLY_PRIVATE_KEY).await;
    let v = validate(&d, "readonly").await;
    if v["status"] == "active" {
        let e = call_err(&d, "cloud.resources.import", with("cloud", json!("readonly"))).await;
        assert_eq!(e.code, ErrorCode::AtlasMissingRole, "{e:?}");
    } else {
        let e = call_err(&d, "cloud.resources.import", with("cloud", json!("readonly"))).await;
        assert_eq!(e.code, ErrorCode::FailedPrecondition, "{e:?}");
    }
    // nothing of the import in the workspace
    let db = rusqlite::Connection::open(dir.join("workspace.db")).unwrap();
    let n = |sql: &str| db.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(n("SELECT count(*) FROM secrets"), 0);
    assert_eq!(n("SELECT count(*) FROM component_envs"), 0);
    assert_eq!(n("SELECT count(*) FROM components WHERE tag = 'db-mongo'"), 0);
}

/// `(secrets, component env links)` in the workspace.
fn stored(dir: &std::path::Path) -> (i64, i64) {
    let db = rusqlite::Connection::open(dir.join("workspace.db")).unwrap();
    let n = |sql: &str| db.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    (n("SELECT count(*) FROM secrets"), n("SELECT count(*) FROM component_envs"))
}

#[tokio::test]
async fn faults_between_the_atlas_calls_store_nothing_and_the_next_import_adopts_the_user() {
    use atlas_sim::{Fault, FaultKind};
    let (sim, d, dir) = ready("import-faults").await;
    let users = "POST /api/atlas/v2/groups/*/databaseUsers";
    let status = "GET /api/atlas/v2/groups/*/clusters/*/status";
    // (fault, how the import fails): the user is made but the answer is lost (a POST is not
    // repeated); the change status keeps failing past the retries
    let failing = [
        (Fault::next(users, FaultKind::DropAfterHandling, 1), ErrorCode::Network),
        (Fault::always(status, FaultKind::InternalError), ErrorCode::AtlasError),
    ];
    for (fault, code) in failing {
        sim.add_fault(fault);
        let e = call_err(&d, "cloud.resources.import", import_req("Cluster0")).await;
        sim.clear_faults();
        assert_eq!(e.code, code, "{e:?}");
        assert_eq!(stored(&dir), (0, 0), "a failed import stores nothing");
        let r = call(&d, "cloud.resources.import", import_req("Cluster0")).await;
        assert_eq!(
            (r["database_user"].as_str(), r["rotated"].as_bool()),
            (Some(USER), Some(true)),
            "adopted the user the failed import made"
        );
        assert!(sim.verify_database_user(seed::PROJECT_ID, "admin", USER, &password_of(&resolved(&d).await)));
        assert_eq!(stored(&dir), (1, 1));
        call(
            &d,
            "cloud.resources.unlink",
            json!({"cloud": "prod_atlas", "product": "my-product", "component": "db-mongo", "env": "prd"}),
        )
        .await;
    }
    // faults a retry absorbs: a rate limit on the password change, a dropped cluster read
    sim.add_fault(Fault::next(
        "PATCH /api/atlas/v2/groups/*/databaseUsers/admin/*",
        FaultKind::TooManyRequests { retry_after_secs: 0 },
        1,
    ));
    sim.add_fault(Fault::next("GET /api/atlas/v2/groups/*/clusters/Cluster0", FaultKind::DropConnection, 1));
    call(&d, "cloud.resources.import", import_req("Cluster0")).await;
    call(&d, "cloud.resources.import", import_req("Cluster0")).await;
    assert!(sim.faults().is_empty(), "both faults were met");
    assert!(sim.verify_database_user(seed::PROJECT_ID, "admin", USER, &password_of(&resolved(&d).await)));
    assert_eq!(stored(&dir), (1, 1));
}
