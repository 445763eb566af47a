//! Workspace secrets, references and products on a real SQLite workspace (no Atlas needed
//! except where a component env links a cloud connection).

mod common;

use common::*;
use ductape_core::{Ductape, ErrorCode};
use serde_json::{json, Value};

fn local(name: &str) -> (Ductape, std::path::PathBuf) {
    let dir = temp_workspace(name);
    (open("http://127.0.0.1:9", &dir), dir)
}

/// The error's code, field, message and details.reason.
async fn fails(d: &Ductape, op: &str, params: Value) -> (ErrorCode, Option<String>, String, Value) {
    let e = call_err(d, op, params).await;
    let reason = e.details.as_ref().and_then(|d| d.get("reason")).cloned().unwrap_or(Value::Null);
    (e.code, e.field, e.message, reason)
}

#[tokio::test]
async fn secret_lifecycle_rotates_on_a_new_value_only() {
    let (d, _dir) = local("secrets-lifecycle");
    let r = call(
        &d,
        "secrets.create",
        json!({"key": "MONGO_PW", "value": "s3cr3t", "description": "db", "envs": ["dev", "prd", "dev"]}),
    )
    .await;
    assert_eq!(r["key"], "MONGO_PW");
    assert_eq!(r["envs"], json!(["dev", "prd"]));
    assert_eq!(
        (r["scope"].clone(), r["revoked"].clone(), r["expired"].clone()),
        (Value::Null, json!(false), json!(false))
    );
    assert_eq!(r["created_at"], r["last_rotated_at"]);
    assert!(r.get("value").is_none() && !r.to_string().contains("s3cr3t"));

    let (code, field, msg, _) = fails(&d, "secrets.create", json!({"key": "MONGO_PW", "value": "x"})).await;
    assert_eq!(
        (code, field.as_deref(), msg.as_str()),
        (ErrorCode::Conflict, Some("key"), "Secret 'MONGO_PW' already exists")
    );

    let f = call(&d, "secrets.fetch", json!({"key": "MONGO_PW"})).await;
    assert_eq!((f["value"].as_str(), f["description"].as_str()), (Some("s3cr3t"), Some("db")));

    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let u = call(&d, "secrets.update", json!({"key": "MONGO_PW", "description": null, "envs": null})).await;
    assert_eq!((u["description"].clone(), u["envs"].clone()), (Value::Null, Value::Null));
    assert_eq!(u["last_rotated_at"], r["last_rotated_at"], "metadata alone keeps the value's rotation time");
    assert_ne!(u["updated_at"], r["updated_at"]);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let u2 = call(&d, "secrets.update", json!({"key": "MONGO_PW", "value": "n3w"})).await;
    assert_eq!(u2["last_rotated_at"], u2["updated_at"]);
    assert_ne!(u2["last_rotated_at"], r["last_rotated_at"]);
    assert_eq!(call(&d, "secrets.fetch", json!({"key": "MONGO_PW"})).await["value"], "n3w");

    let all = call(&d, "secrets.fetchAll", json!({})).await;
    assert_eq!(all["secrets"].as_array().unwrap().len(), 1);
    assert_eq!(all["next_after"], Value::Null);
    assert!(!all.to_string().contains("n3w"));

    let rv = call(&d, "secrets.revoke", json!({"key": "MONGO_PW"})).await;
    assert_eq!(rv["revoked"], true);
    let (code, _, msg, reason) = fails(&d, "secrets.resolve", json!({"value": "$Secret{MONGO_PW}"})).await;
    assert_eq!(
        (code, msg.as_str(), reason),
        (ErrorCode::FailedPrecondition, "Secret 'MONGO_PW' has been revoked", json!("revoked"))
    );
    let (code, _, msg, _) = fails(&d, "secrets.fetch", json!({"key": "MONGO_PW"})).await;
    assert_eq!((code, msg.as_str()), (ErrorCode::FailedPrecondition, "Secret 'MONGO_PW' has been revoked"));
    let (code, ..) = fails(&d, "secrets.update", json!({"key": "MONGO_PW", "value": "again"})).await;
    assert_eq!(code, ErrorCode::FailedPrecondition);

    assert_eq!(
        call(&d, "secrets.delete", json!({"key": "MONGO_PW"})).await,
        json!({"key": "MONGO_PW", "deleted": true})
    );
    let (code, field, msg, _) = fails(&d, "secrets.fetch", json!({"key": "MONGO_PW"})).await;
    assert_eq!(
        (code, field.as_deref(), msg.as_str()),
        (ErrorCode::NotFound, Some("key"), "Secret 'MONGO_PW' not found")
    );
}

/// `secrets.resolve` takes at most 64 KiB of text (the limit of a secret's value) and parses even a
/// pathological text of that size in one pass (`$Secret{` opened again and again, dollars, thousands
/// of references).
#[tokio::test]
async fn resolve_takes_at_most_64_kib_of_text() {
    let (d, _dir) = local("secrets-resolve-cap");
    call(&d, "secrets.create", json!({"key": "PW", "value": "v"})).await;
    let limit = 64 * 1024;
    let at_limit = "x".repeat(limit);
    let r = call(&d, "secrets.resolve", json!({"value": at_limit})).await;
    assert_eq!(r["value"].as_str().map(str::len), Some(limit));
    let over = format!("{}$Secret{{PW}}", "x".repeat(limit + 1 - "$Secret{PW}".len()));
    assert_eq!(over.len(), limit + 1);
    match d.call("secrets.resolve", json!({"value": over})).await {
        Ok(v) => {
            panic!("a text of {} bytes was resolved to {} bytes", limit + 1, v["value"].as_str().map_or(0, str::len))
        }
        Err(e) => assert_eq!(
            (e.code, e.field.as_deref(), e.message.as_str()),
            (ErrorCode::InvalidArgument, Some("value"), "value must be at most 65536 bytes")
        ),
    }

    let (code, field, msg, _) = fails(&d, "secrets.resolve", json!({"value": "$Secret{".repeat(limit / 8)})).await;
    assert_eq!(
        (code, field.as_deref(), msg.as_str()),
        (ErrorCode::InvalidArgument, Some("value"), "value: the reference at character 1 has no closing '}'")
    );
    let dollars = "$".repeat(limit);
    assert_eq!(call(&d, "secrets.resolve", json!({"value": dollars})).await["value"], dollars);
    let refs = "$Secret{PW}".repeat(limit / "$Secret{PW}".len());
    let r = call(&d, "secrets.resolve", json!({"value": refs})).await;
    assert_eq!((r["value"].as_str(), r["references"].clone()), (Some("v".repeat(limit / 11).as_str()), json!(["PW"])));
}

#[tokio::test]
async fn resolution_checks_run_in_the_product_order() {
    let (d, _dir) = local("secrets-order");
    let past = "2020-01-01T00:00:00Z";
    call(
        &d,
        "secrets.create",
        json!({"key": "ALL_WRONG", "value": "v", "scope": ["billing"], "envs": ["prd"], "expires_at": past}),
    )
    .await;
    call(
        &d,
        "secrets.create",
        json!({"key": "ENV_AND_EXPIRY", "value": "v", "scope": ["web"], "envs": ["prd"], "expires_at": past}),
    )
    .await;
    call(&d, "secrets.create", json!({"key": "EXPIRED", "value": "v", "expires_at": past})).await;
    call(&d, "secrets.create", json!({"key": "OK", "value": "fine", "scope": ["web"], "envs": ["dev"], "expires_at": "2999-01-01T00:00:00+02:00"})).await;
    let at = |key: &str| json!({"value": format!("$Secret{{{key}}}"), "app": "web", "env": "dev"});
    let cases = [
        ("MISSING", ErrorCode::NotFound, "Secret 'MISSING' not found", "not_found"),
        ("ALL_WRONG", ErrorCode::PermissionDenied, "Secret 'ALL_WRONG' is not accessible by app 'web'", "out_of_scope"),
        (
            "ENV_AND_EXPIRY",
            ErrorCode::PermissionDenied,
            "Secret 'ENV_AND_EXPIRY' is not available in environment 'dev'",
            "wrong_env",
        ),
        ("EXPIRED", ErrorCode::FailedPrecondition, "Secret 'EXPIRED' has expired", "expired"),
    ];
    for (key, code, message, reason) in cases {
        let got = fails(&d, "secrets.resolve", at(key)).await;
        assert_eq!(got, (code, Some("value".into()), message.into(), json!(reason)), "{key}");
    }
    let ok = call(
        &d,
        "secrets.resolve",
        json!({"value": "mongodb://u:$Secret{OK}@h/$Secret{OK}", "app": "web", "env": "dev"}),
    )
    .await;
    assert_eq!(ok, json!({"value": "mongodb://u:fine@h/fine", "references": ["OK"]}));
    assert_eq!(call(&d, "secrets.fetch", json!({"key": "OK"})).await["expires_at"], "2998-12-31T22:00:00.000Z");
    // no app or env given: a scoped or env-limited secret is refused, saying what it is limited to
    let (_, _, msg, _) = fails(&d, "secrets.resolve", json!({"value": "$Secret{OK}"})).await;
    assert_eq!(msg, "Secret 'OK' is not accessible without an app: it is scoped to web");
    let (_, _, msg, _) = fails(&d, "secrets.resolve", json!({"value": "$Secret{OK}", "app": "web"})).await;
    assert_eq!(msg, "Secret 'OK' is not available without an environment: it is limited to dev");
    // no reference: unchanged; malformed: invalid_argument naming the field
    assert_eq!(
        call(&d, "secrets.resolve", json!({"value": "plain $ {x}"})).await,
        json!({"value": "plain $ {x}", "references": []})
    );
    for bad in ["$Secret{", "$Secret{}", "a $Secret{lower}"] {
        let (code, field, ..) = fails(&d, "secrets.resolve", json!({"value": bad})).await;
        assert_eq!((code, field.as_deref()), (ErrorCode::InvalidArgument, Some("value")), "{bad}");
    }
}

#[tokio::test]
async fn fetch_all_pages_by_key() {
    let (d, _dir) = local("secrets-pages");
    for k in ["C", "A", "B", "D", "E"] {
        call(&d, "secrets.create", json!({"key": k, "value": k})).await;
    }
    let p1 = call(&d, "secrets.fetchAll", json!({"limit": 2})).await;
    let keys = |p: &Value| {
        p["secrets"].as_array().unwrap().iter().map(|s| s["key"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert_eq!((keys(&p1), p1["next_after"].clone()), (vec!["A".to_string(), "B".into()], json!("B")));
    let p2 = call(&d, "secrets.fetchAll", json!({"limit": 2, "after": "B"})).await;
    assert_eq!(keys(&p2), ["C", "D"]);
    let p3 = call(&d, "secrets.fetchAll", json!({"limit": 2, "after": "D"})).await;
    assert_eq!((keys(&p3), p3["next_after"].clone()), (vec!["E".to_string()], Value::Null));
    assert_eq!(keys(&call(&d, "secrets.fetchAll", json!({})).await), ["A", "B", "C", "D", "E"]);
}

async fn product_with_db(d: &Ductape) {
    let p = call(d, "products.create", json!({"name": "My Product", "description": "shop"})).await;
    assert_eq!(p["tag"], "my-product");
    call(d, "products.environments.create", json!({"product": "my-product", "slug": "dev"})).await;
    call(d, "products.environments.create", json!({"product": "my-product", "slug": "prd", "name": "Production"}))
        .await;
    let c =
        call(d, "products.components.create", json!({"product": "my-product", "tag": "db-mongo", "type": "mongodb"}))
            .await;
    assert_eq!(
        (c["type"].as_str(), c["name"].as_str(), c["envs"].clone()),
        (Some("mongodb"), Some("db-mongo"), json!([]))
    );
}

#[tokio::test]
async fn component_envs_resolve_literals_and_references() {
    let (d, _dir) = local("products-resolve");
    product_with_db(&d).await;
    call(&d, "secrets.create", json!({"key": "DEV_URL", "value": "mongodb://dev-user:pw@dev/", "envs": ["dev"]})).await;
    let set = call(
        &d,
        "products.components.setEnv",
        json!({"product": "my-product", "component": "db-mongo", "env": "dev", "connection_url": "$Secret{DEV_URL}"}),
    )
    .await;
    assert_eq!(
        (set["connection_url"].as_str(), set["connection_url_kind"].as_str()),
        (Some("$Secret{DEV_URL}"), Some("reference"))
    );
    let lit = "mongodb://prd-user:L1teral@prd/";
    let set = call(&d, "products.components.setEnv", json!({"product": "my-product", "component": "db-mongo", "env": "prd", "connection_url": lit, "auth_mode": "connection_url"})).await;
    assert_eq!((set["connection_url"].clone(), set["connection_url_kind"].as_str()), (Value::Null, Some("literal")));
    assert!(!set.to_string().contains("L1teral"));
    let got =
        call(&d, "products.components.getEnv", json!({"product": "my-product", "component": "db-mongo", "env": "prd"}))
            .await;
    assert_eq!(got["auth_mode"], "connection_url");
    assert!(!got.to_string().contains("L1teral"));

    let r = call(
        &d,
        "products.components.resolve",
        json!({"product": "my-product", "component": "db-mongo", "env": "dev"}),
    )
    .await;
    assert_eq!(
        r,
        json!({"connection_url": "mongodb://dev-user:pw@dev/", "references": ["DEV_URL"], "cloud": null, "instance": null, "auth_mode": null})
    );
    let r = call(
        &d,
        "products.components.resolve",
        json!({"product": "my-product", "component": "db-mongo", "env": "prd"}),
    )
    .await;
    assert_eq!(r["connection_url"], lit);
    // the dev secret is not available in prd
    call(
        &d,
        "products.components.setEnv",
        json!({"product": "my-product", "component": "db-mongo", "env": "prd", "connection_url": "$Secret{DEV_URL}"}),
    )
    .await;
    let (code, field, msg, _) = fails(
        &d,
        "products.components.resolve",
        json!({"product": "my-product", "component": "db-mongo", "env": "prd"}),
    )
    .await;
    assert_eq!(
        (code, field.as_deref(), msg.as_str()),
        (ErrorCode::PermissionDenied, Some("connection_url"), "Secret 'DEV_URL' is not available in environment 'prd'")
    );
    let c = call(&d, "products.components.fetch", json!({"product": "my-product", "component": "db-mongo"})).await;
    assert_eq!(c["envs"], json!(["dev", "prd"]));
    // cleared: resolve says what to do
    call(
        &d,
        "products.components.setEnv",
        json!({"product": "my-product", "component": "db-mongo", "env": "prd", "connection_url": null}),
    )
    .await;
    let (code, ..) = fails(
        &d,
        "products.components.resolve",
        json!({"product": "my-product", "component": "db-mongo", "env": "prd"}),
    )
    .await;
    assert_eq!(code, ErrorCode::FailedPrecondition);
}

#[tokio::test]
async fn unknown_targets_name_what_to_create() {
    let (d, _dir) = local("products-unknown");
    product_with_db(&d).await;
    let base = json!({"product": "my-product", "component": "db-mongo", "env": "dev"});
    let with = |k: &str, v: &str| {
        let mut b = base.clone();
        b[k] = json!(v);
        b
    };
    let cases = [
        (with("product", "nope"), "product", "no product with tag 'nope'; create it with products.create"),
        (
            with("env", "stg"),
            "env",
            "product 'my-product' has no environment 'stg'; create it with products.environments.create",
        ),
        (
            with("component", "db-pg"),
            "component",
            "product 'my-product' has no component 'db-pg'; create it with products.components.create",
        ),
    ];
    for (params, field, message) in cases {
        let (code, f, m, _) = fails(&d, "products.components.getEnv", params).await;
        assert_eq!((code, f.as_deref(), m.as_str()), (ErrorCode::NotFound, Some(field), message));
    }
    let (code, field, ..) = fails(
        &d,
        "products.components.setEnv",
        json!({"product": "my-product", "component": "db-mongo", "env": "dev", "cloud": "gone"}),
    )
    .await;
    assert_eq!((code, field.as_deref()), (ErrorCode::NotFound, Some("cloud")));
    call(&d, "products.components.create", json!({"product": "my-product", "tag": "db-pg", "type": "postgresql"}))
        .await;
    let (code, field, ..) = fails(
        &d,
        "products.components.setEnv",
        json!({"product": "my-product", "component": "db-pg", "env": "dev", "instance": "c0"}),
    )
    .await;
    assert_eq!((code, field.as_deref()), (ErrorCode::Unsupported, Some("instance")));
    let (code, field, ..) = fails(&d, "products.create", json!({"name": "My Product"})).await;
    assert_eq!((code, field.as_deref()), (ErrorCode::Conflict, Some("tag")));
}

#[tokio::test]
async fn deleting_a_product_holding_secrets_needs_force_and_takes_them() {
    let (d, dir) = local("products-delete");
    product_with_db(&d).await;
    call(
        &d,
        "products.components.setEnv",
        json!({"product": "my-product", "component": "db-mongo", "env": "prd", "connection_url": "mongodb://u:p@h/"}),
    )
    .await;
    let e = call_err(&d, "products.delete", json!({"product": "my-product"})).await;
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::FailedPrecondition, Some("force")));
    assert_eq!(e.details.unwrap()["holding"], json!(["db-mongo/prd"]));
    assert_eq!(
        call(&d, "products.list", json!({})).await["products"].as_array().unwrap().len(),
        1,
        "a refusal changes nothing"
    );
    let r = call(&d, "products.delete", json!({"product": "my-product", "force": true})).await;
    assert_eq!(
        r,
        json!({"product": "my-product", "deleted": true, "environments_deleted": 2, "components_deleted": 1, "secrets_deleted": 1})
    );
    let db = rusqlite::Connection::open(dir.join("workspace.db")).unwrap();
    for table in ["products", "environments", "components", "component_envs"] {
        let n: i64 = db.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap();
        assert_eq!(n, 0, "{table}");
    }
}
