//! Defaults from environment variables. One test in this binary: it sets process-wide
//! environment variables.

mod common;

use common::*;
use ductape_core::{Ductape, ErrorCode};
use serde_json::json;

#[tokio::test]
async fn environment_variables_choose_the_workspace_key_and_atlas() {
    let sim = start_sim().await;
    let dir = temp_workspace("env");
    std::env::set_var("DUCTAPE_WORKSPACE_DIR", &dir);
    std::env::set_var("MONGODB_ATLAS_BASE_URL", sim.base_url());
    std::env::remove_var("DUCTAPE_WORKSPACE_KEY");

    // no key anywhere: a key file is generated, owner-only
    let d = Ductape::open_json("{}").unwrap();
    assert_eq!(d.workspace_dir().unwrap(), dir.as_path());
    assert_eq!(d.atlas_base_url(), sim.base_url());
    create(&d, "conn").await;
    complete_key(&d, "conn", seed::PROJECT_ID, seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await;
    assert_eq!(validate(&d, "conn").await["valid"], true);
    let key_file = dir.join("workspace.key");
    assert!(key_file.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
        assert_eq!(std::fs::metadata(dir.join("workspace.db")).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let file_key = std::fs::read_to_string(&key_file).unwrap().trim().to_string();
    drop(d);

    // the same key from the environment opens the workspace; the file is then not needed
    std::fs::rename(&key_file, dir.join("moved.key")).unwrap();
    std::env::set_var("DUCTAPE_WORKSPACE_KEY", &file_key);
    let d = Ductape::open_json("{}").unwrap();
    let f = call(&d, "cloud.connections.fetch", json!({"tag": "conn"})).await;
    assert_eq!(f["status"], "active");
    assert!(!key_file.exists(), "no key file is made when the key comes from the environment");
    drop(d);

    // a different key from the environment: a clear error, never garbage
    std::env::set_var("DUCTAPE_WORKSPACE_KEY", TEST_KEY);
    let d = Ductape::open_json("{}").unwrap();
    let e = call_err(&d, "cloud.connections.list", json!({})).await;
    assert_eq!(e.code, ErrorCode::Workspace);
    assert!(e.message.contains("DUCTAPE_WORKSPACE_KEY") && e.message.contains("does not match"), "{}", e.message);

    // a malformed key
    std::env::set_var("DUCTAPE_WORKSPACE_KEY", "not base64!");
    let d = Ductape::open_json("{}").unwrap();
    let e = call_err(&d, "cloud.connections.list", json!({})).await;
    assert_eq!(e.code, ErrorCode::Workspace);
    assert!(e.message.contains("32 bytes"), "{}", e.message);

    // a plain-http non-loopback base URL from the environment is refused
    std::env::set_var("MONGODB_ATLAS_BASE_URL", "http://example.com");
    let e = Ductape::open_json("{}").unwrap_err();
    assert_eq!(e.field.as_deref(), Some("atlas_base_url"));

    for v in ["DUCTAPE_WORKSPACE_DIR", "MONGODB_ATLAS_BASE_URL", "DUCTAPE_WORKSPACE_KEY"] {
        std::env::remove_var(v);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
