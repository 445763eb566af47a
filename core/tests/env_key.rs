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
