//! The workspace key from environment variables. The tests set process-wide variables, so
//! they take turns (one lock) and restore what they set.

mod common;

use common::{temp_workspace, TEST_KEY};
use ductape_core::{Ductape, ErrorCode};
use serde_json::json;
use std::os::unix::fs::PermissionsExt;
/// Each test's turn with the environment (an async lock: the turn lasts across awaits).
static ENV: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const VARS: [&str; 2] = ["DUCTAPE_WORKSPACE_KEY", "DUCTAPE_WORKSPACE_KEY_FILE"];

fn clear() {
    for v in VARS {
        std::env::remove_var(v);
    }
}

async fn list_with_env(dir: &std::path::Path) -> Result<serde_json::Value, ductape_core::Error> {
    let d = Ductape::open_json(&json!({ "workspace_dir": dir }).to_string()).unwrap();
    d.call("cloud.connections.list", json!({})).await
}

#[tokio::test]
async fn sec02_a_blank_workspace_key_variable_is_an_error() {
    let _turn = ENV.lock().await;
    clear();
    let dir = temp_workspace("blank-env");
    for blank in ["", "   ", "\n"] {
        std::env::set_var("DUCTAPE_WORKSPACE_KEY", blank);
        let e = list_with_env(&dir).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::Workspace, "{e:?}");
        assert!(e.message.contains("DUCTAPE_WORKSPACE_KEY is set but blank"), "{}", e.message);
        assert!(!dir.join("workspace.key").exists(), "no fall back to a generated key file");
    }
    std::env::set_var("DUCTAPE_WORKSPACE_KEY_FILE", "");
    std::env::remove_var("DUCTAPE_WORKSPACE_KEY");
    let e = list_with_env(&dir).await.unwrap_err();
    assert!(e.message.contains("DUCTAPE_WORKSPACE_KEY_FILE is set but blank"), "{}", e.message);
    clear();
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn sec12_the_key_file_variable_names_a_private_key_file() {
    let _turn = ENV.lock().await;
    clear();
    let dir = temp_workspace("key-file-env");
    let secrets = temp_workspace("key-file-env-mount");
    std::fs::create_dir_all(&secrets).unwrap();
    let key_file = secrets.join("key");
    std::fs::write(&key_file, TEST_KEY).unwrap();
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::env::set_var("DUCTAPE_WORKSPACE_KEY_FILE", &key_file);
    assert!(list_with_env(&dir).await.is_ok());
    assert!(!dir.join("workspace.key").exists());
    // both variables: ambiguous, refused
    std::env::set_var("DUCTAPE_WORKSPACE_KEY", TEST_KEY);
    let e = list_with_env(&dir).await.unwrap_err();
    assert!(e.message.contains("unset one of them"), "{}", e.message);
    std::env::remove_var("DUCTAPE_WORKSPACE_KEY");
    // a group-readable mounted secret is refused
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o640)).unwrap();
    let e = list_with_env(&dir).await.unwrap_err();
    assert!(e.message.contains("chmod 600"), "{}", e.message);
    clear();
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&secrets);
}

#[tokio::test]
async fn sec13_a_key_from_the_environment_or_a_named_file_is_not_rewritten_but_answered() {
    let _turn = ENV.lock().await;
    clear();
    let dir = temp_workspace("rotate-env");
    let secrets = temp_workspace("rotate-env-mount");
    std::fs::create_dir_all(&secrets).unwrap();
    let key_file = secrets.join("key");
    std::fs::write(&key_file, TEST_KEY).unwrap();
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o400)).unwrap();
    std::env::set_var("DUCTAPE_WORKSPACE_KEY_FILE", &key_file);
    let d = Ductape::open_json(&json!({ "workspace_dir": dir }).to_string()).unwrap();
    let r = d.call("workspace.rotateKey", json!({})).await.unwrap();
    assert_eq!((r["key_source"].as_str(), r["key_stored"].as_bool()), (Some("named_file"), Some(false)), "{r}");
    let new_key = r["new_key"].as_str().unwrap().to_string();
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), TEST_KEY, "the user's file is left alone");
    assert!(!dir.join("workspace.key").exists() && !dir.join("workspace.key.new").exists());
    assert!(d.call("cloud.connections.list", json!({})).await.is_ok(), "the same client keeps working");
    drop(d);
    // the old file no longer opens the workspace; the answered key does, from the variable
    let e = list_with_env(&dir).await.unwrap_err();
    assert!(e.message.contains("does not match"), "{}", e.message);
    clear();
    std::env::set_var("DUCTAPE_WORKSPACE_KEY", &new_key);
    assert!(list_with_env(&dir).await.is_ok());
    let d = Ductape::open_json(&json!({ "workspace_dir": dir }).to_string()).unwrap();
    let r = d.call("workspace.rotateKey", json!({ "new_key": TEST_KEY })).await.unwrap();
    assert_eq!(r, json!({"rotated": 0, "key_source": "env", "key_stored": false}));
    clear();
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&secrets);
}
