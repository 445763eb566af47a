//! Canary scan: no private key or secret in the SQLite files, in trace-level logs, in errors,
//! in replies or in `Debug` text; nor the old or new workspace key of a rotation (the generated
//! one only in its reply's `new_key`), nor workspace secret values, literal connection URLs or the
//! password an import generated. One test in this binary: it installs the global subscriber.

mod common;

use common::*;
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn no_secret_reaches_disk_logs_errors_or_debug() {
    let logs = Buffer::default();
    let writer = logs.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    // canaries: the real seed secrets (successful paths) and a unique wrong key (failure paths)
    let wrong = "c0ffee00-dead-4bee-8f00-00000ca7a2ee";
    // and a number given for a secret field (serde's own message would quote it)
    let numeric = "918273645";
    // and the service account's Basic credentials for the token endpoint (base64 hides the secret from a plain scan)
    use base64::Engine;
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", seed::SA_CLIENT_ID, seed::SA_CLIENT_SECRET));
    // workspace keys a rotation moves to: one given, one generated (answered once, in its
    // reply's new_key field, and nowhere else)
    let rotated_to = "HxwdGhsYGRYXFBUSExARDg8MDQoLCAkGBwQFAgMAAQI=";
    let sim = start_sim().await;
    let dir = temp_workspace("leak");
    let d = open(&sim.base_url(), &dir);
    let mut texts: Vec<String> = vec![format!("{d:?}"), format!("{:?}", options(&sim.base_url(), &dir))];

    let mut replies = Vec::new();
    // workspace secrets and a literal connection URL, stored before the rotations below
    let secret_value = "sv-canary-5e1f0c2d9b7a";
    let rotated_value = "sv-canary-rotated-3c4d";
    let url_password = "url-pw-canary-8d7c6b";
    let literal_url = format!("mongodb://app:{url_password}@db.example.net/?authSource=admin");
    replies.push(call(&d, "secrets.create", json!({"key": "DB_PW", "value": secret_value, "envs": ["dev"]})).await);
    replies.push(call(&d, "products.create", json!({"name": "Shop"})).await);
    replies.push(call(&d, "products.environments.create", json!({"product": "shop", "slug": "dev"})).await);
    replies
        .push(call(&d, "products.components.create", json!({"product": "shop", "tag": "db", "type": "mongodb"})).await);
    let at = json!({"product": "shop", "component": "db", "env": "dev"});
    let mut set = at.clone();
    set["connection_url"] = json!(literal_url);
    replies.push(call(&d, "products.components.setEnv", set).await);
    replies.push(call(&d, "products.components.getEnv", at.clone()).await);
    replies.push(create(&d, "conn").await);
    replies.push(complete_key(&d, "conn", seed::PROJECT_ID, seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await);
    // key rotations: given, bad, and generated
    replies.push(call(&d, "workspace.rotateKey", json!({ "new_key": rotated_to })).await);
    for bad in [json!(rotated_to), json!(format!("{rotated_to}x")), json!(918273645)] {
        let e = call_err(&d, "workspace.rotateKey", json!({ "new_key": bad })).await;
        texts.push(format!("{e:?} {e}"));
    }
    let generated = ductape_core::workspace::rotate_key(&d, Default::default()).await.unwrap();
    texts.push(format!("{generated:?}"));
    let mut generated = serde_json::to_value(&generated).unwrap();
    let generated_key = generated.as_object_mut().unwrap().remove("new_key").unwrap().as_str().unwrap().to_string();
    replies.push(generated);
    let canaries = [
        secret_value,
        rotated_value,
        url_password,
        rotated_to,
        generated_key.as_str(),
        seed::OWNER_PRIVATE_KEY,
        seed::ORG_OWNER_PRIVATE_KEY,
        seed::SA_CLIENT_SECRET,
        wrong,
        TEST_KEY,
        numeric,
        basic.as_str(),
    ];
    replies.push(validate(&d, "conn").await);
    replies.push(
        complete_key(&d, "conn", seed::PROJECT_ID, seed::ORG_OWNER_PUBLIC_KEY, seed::ORG_OWNER_PRIVATE_KEY).await,
    );
    replies.push(validate(&d, "conn").await);
    replies.push(complete_key(&d, "conn", seed::PROJECT_ID, seed::OWNER_PUBLIC_KEY, wrong).await);
    replies.push(validate(&d, "conn").await);
    create(&d, "sa").await;
    replies.push(call(&d, "cloud.connections.complete", json!({"tag": "sa", "project_id": seed::PROJECT_ID, "atlas_client_id": seed::SA_CLIENT_ID, "atlas_client_secret": seed::SA_CLIENT_SECRET})).await);
    replies.push(validate(&d, "sa").await);
    replies.push(call(&d, "cloud.connections.list", json!({})).await);
    // and back to the first key, now with every secret stored, and used again
    replies.push(call(&d, "workspace.rotateKey", json!({ "new_key": TEST_KEY })).await);
    replies.push(validate(&d, "sa").await);

    // the values come back only where asked for (fetch, resolve), which are not scanned; their Debug is
    let got =
        ductape_core::secrets::fetch(&d, ductape_core::ops::parse(json!({"key": "DB_PW"})).unwrap()).await.unwrap();
    assert_eq!(got.value.0.expose(), secret_value, "the secret survived both rotations");
    texts.push(format!("{got:?}"));
    let req = ductape_core::ops::parse(json!({"product": "shop", "component": "db", "env": "dev"})).unwrap();
    let resolved = ductape_core::products::components::resolve(&d, req).await.unwrap();
    assert_eq!(resolved.connection_url.0.expose(), literal_url, "the literal URL survived both rotations");
    texts.push(format!("{resolved:?}"));
    replies.push(call(&d, "secrets.update", json!({"key": "DB_PW", "value": rotated_value})).await);
    replies.push(call(&d, "secrets.fetchAll", json!({})).await);
    replies.push(call(&d, "secrets.revoke", json!({"key": "DB_PW"})).await);
    // errors around secrets: revoked, a value pasted as a key, a malformed template holding a password
    let secret_errors = [
        ("secrets.resolve", json!({"value": "$Secret{DB_PW}", "env": "dev"})),
        ("secrets.fetch", json!({"key": "DB_PW"})),
        ("secrets.fetch", json!({"key": secret_value})),
        ("secrets.create", json!({"key": secret_value, "value": secret_value})),
        ("secrets.create", json!({"key": "K", "value": 918273645})),
        ("secrets.resolve", json!({"value": format!("mongodb://u:{url_password}@h/$Secret{{")})),
        (
            "products.components.setEnv",
            json!({"product": "shop", "component": "db", "env": "dev", "connection_url": format!("{literal_url}$Secret{{x}}")}),
        ),
        (
            "products.components.setEnv",
            json!({"product": "shop", "component": format!("Db {url_password}"), "env": "dev", "connection_url": literal_url}),
        ),
        (
            "products.components.resolve",
            json!({"product": "shop", "component": "db", "env": "dev", "app": format!("App {url_password}")}),
        ),
    ];
    for (op, params) in secret_errors {
        let e = call_err(&d, op, params).await;
        texts.push(format!("{e:?} {e}"));
    }
    // an import: its generated password is a canary too (found through the one read path)
    let import = json!({"cloud": "sa", "service": "atlas-cluster", "type": "databases", "product": "shop",
                        "component": "db", "env": "dev", "resource": "Cluster0", "connection_type": "standard"});
    replies.push(call(&d, "cloud.resources.import", import.clone()).await);
    replies.push(call(&d, "cloud.resources.import", import).await);
    let req = ductape_core::ops::parse(json!({"product": "shop", "component": "db", "env": "dev"})).unwrap();
    let imported = ductape_core::products::components::resolve(&d, req).await.unwrap();
    texts.push(format!("{imported:?}"));
    let url = imported.connection_url.0.expose();
    let generated_password =
        url.split("://").nth(1).unwrap().split('@').next().unwrap().split(':').nth(1).unwrap().to_string();
    assert_eq!(generated_password.len(), 32);
    replies.push(
        call(&d, "products.components.getEnv", json!({"product": "shop", "component": "db", "env": "dev"})).await,
    );
    replies.push(call(&d, "secrets.fetchAll", json!({})).await);
    replies.push(
        call(&d, "cloud.resources.unlink", json!({"cloud": "sa", "product": "shop", "component": "db", "env": "dev"}))
            .await,
    );
    replies.push(call(&d, "products.delete", json!({"product": "shop", "force": true})).await);

    // errors where a secret was given in the wrong place or the wrong shape
    let bad = [
        json!({"tag": "conn", "project_id": wrong, "atlas_public_key": "awqxqtif", "atlas_private_key": wrong}),
        json!({"tag": "conn", "project_id": seed::PROJECT_ID, "atlas_public_key": wrong, "atlas_private_key": wrong}),
        json!({"tag": "conn", "project_id": seed::PROJECT_ID, "atlas_public_key": "awqxqtif", "atlas_private_key": format!("{wrong}x")}),
        json!({"tag": "conn", "project_id": seed::PROJECT_ID, "atlas_privatekey": wrong}),
        json!({"tag": "conn", "project_id": seed::PROJECT_ID, "atlas_client_id": "mdb_sa_id_x", "atlas_client_secret": format!("{wrong} with spaces")}),
        json!({"tag": "missing", "project_id": seed::PROJECT_ID, "atlas_public_key": "awqxqtif", "atlas_private_key": wrong}),
        // secrets pasted into the client ID, which is kept in plain text and shown in records
        json!({"tag": "conn", "project_id": seed::PROJECT_ID, "atlas_client_id": seed::SA_CLIENT_SECRET, "atlas_client_secret": seed::SA_CLIENT_SECRET}),
        json!({"tag": "conn", "project_id": seed::PROJECT_ID, "atlas_client_id": wrong, "atlas_client_secret": seed::SA_CLIENT_SECRET}),
        // a secret of the wrong type
        json!({"tag": "conn", "project_id": seed::PROJECT_ID, "atlas_public_key": "awqxqtif", "atlas_private_key": 918273645}),
        json!({"tag": "conn", "project_id": seed::PROJECT_ID, "atlas_client_id": seed::SA_CLIENT_ID, "atlas_client_secret": 918273645.5}),
    ];
    for b in bad {
        let e = call_err(&d, "cloud.connections.complete", b).await;
        texts.push(format!("{e:?} {e}"));
        texts.push(
            d.call_json(
                "cloud.connections.complete",
                &json!({"tag": "conn", "project_id": "x", "atlas_private_key": wrong}).to_string(),
            )
            .await,
        );
    }
    // a secret pasted as the tag of every operation that looks one up
    for op in ["fetch", "validate", "delete", "update", "complete"] {
        let e = call_err(&d, &format!("cloud.connections.{op}"), json!({"tag": wrong, "project_id": seed::PROJECT_ID}))
            .await;
        texts.push(format!("{e:?} {e}"));
    }
    // the workspace key option of the wrong type, as JSON text (the bindings' path) and as a value
    let e = ductape_core::Ductape::open_json(r#"{"workspace_key": 918273645}"#).unwrap_err();
    texts.push(format!("{e:?} {e}"));
    texts.push(format!("{:?}", ductape_core::ops::parse::<ductape_core::Options>(json!({"workspace_key": 918273645}))));
    // a failing Atlas call's error text
    let creds = ductape_core::atlas::Credentials::ApiKey {
        public_key: "awqxqtif".into(),
        private_key: ductape_core::crypto::SecretString::new(wrong),
    };
    let client = d.atlas_client(&creds);
    texts.push(format!("{client:?} {creds:?}"));
    let e = client.system_status().await.unwrap_err();
    texts.push(format!("{e:?} {e} {:?}", ductape_core::Error::from(e.clone())));

    for r in &replies {
        texts.push(r.to_string());
    }
    // the workspace files while open (with WAL and shared memory), and again after closing
    let read_all = |files: &mut Vec<(String, Vec<u8>)>| {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            files.push((p.display().to_string(), std::fs::read(&p).unwrap()));
        }
    };
    let mut files = Vec::new();
    read_all(&mut files);
    assert!(files.iter().any(|(n, _)| n.ends_with("workspace.db-wal")), "the WAL is scanned");
    assert!(files.iter().any(|(n, _)| n.ends_with("workspace.db-shm")), "the shared memory file is scanned");
    drop(client);
    drop(d);
    read_all(&mut files);
    assert!(files.iter().any(|(n, _)| n.ends_with("workspace.db")));
    let log_bytes = logs.0.lock().unwrap().clone();
    assert!(contains(&log_bytes, "atlas request"), "trace logs were captured");

    // positive control: the non-secret public key is stored in plain text, so the scan sees text
    assert!(files.iter().any(|(_, b)| contains(b, seed::ORG_OWNER_PUBLIC_KEY) || contains(b, seed::OWNER_PUBLIC_KEY)));
    for canary in canaries.iter().copied().chain([generated_password.as_str()]) {
        for (name, bytes) in &files {
            assert!(!contains(bytes, canary), "canary in {name}");
        }
        assert!(!contains(&log_bytes, canary), "canary in the logs");
        for t in &texts {
            assert!(!t.contains(canary), "canary in: {t}");
        }
    }
    println!("scanned {} files, {} bytes of trace logs, {} texts", files.len(), log_bytes.len(), texts.len());
    let _ = std::fs::remove_dir_all(&dir);
}
