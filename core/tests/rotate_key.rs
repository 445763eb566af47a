//! `workspace.rotateKey` (security review item 13): every secret and the key check move to the
//! new key in one transaction; the same client keeps working; the old key is refused after, and
//! a process killed in the middle (kill -9 at a test-only pause point, before or after the commit)
//! leaves a key that opens everything.

mod common;

use common::*;
use ductape_core::{Ductape, ErrorCode, Options};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;

const NEW_KEY: &str = "HxwdGhsYGRYXFBUSExARDg8MDQoLCAkGBwQFAgMAAQI=";
const CHILD_DIR_ENV: &str = "DUCTAPE_TEST_ROTATE_CHILD_DIR";
const CHILD_BASE_ENV: &str = "DUCTAPE_TEST_ROTATE_CHILD_BASE_URL";
const CHILD_KEY_ENV: &str = "DUCTAPE_TEST_ROTATE_CHILD_KEY";

/// Options on the simulator with the key from `key` (the option), or from the workspace's own
/// `workspace.key` file when `None`.
fn opts(base: &str, dir: &Path, key: Option<&str>) -> Options {
    let mut o = options(base, &dir.to_path_buf());
    o.workspace_key = key.map(ductape_core::crypto::SecretString::new);
    o
}

/// Three connections with secrets (two API keys, one service account), validated.
async fn three_connections(d: &Ductape) {
    for (tag, public, private) in [
        ("a", seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY),
        ("b", seed::ORG_OWNER_PUBLIC_KEY, seed::ORG_OWNER_PRIVATE_KEY),
    ] {
        create(d, tag).await;
        complete_key(d, tag, seed::PROJECT_ID, public, private).await;
    }
    create(d, "sa").await;
    call(d, "cloud.connections.complete", json!({"tag": "sa", "project_id": seed::PROJECT_ID, "atlas_client_id": seed::SA_CLIENT_ID, "atlas_client_secret": seed::SA_CLIENT_SECRET})).await;
    assert_all_valid(d).await;
}

/// Every connection's stored secret decrypts and Atlas accepts it.
async fn assert_all_valid(d: &Ductape) {
    for tag in ["a", "b", "sa"] {
        let v = validate(d, tag).await;
        assert_eq!(v["valid"], true, "{tag}: {v}");
    }
}

fn ciphertexts(dir: &Path) -> Vec<Vec<u8>> {
    let db = rusqlite::Connection::open(dir.join("workspace.db")).unwrap();
    let mut stmt = db.prepare("SELECT ciphertext FROM connection_secrets ORDER BY connection_id, name").unwrap();
    let rows = stmt.query_map([], |r| r.get(0)).unwrap().collect::<rusqlite::Result<Vec<Vec<u8>>>>().unwrap();
    rows
}

async fn rotate(d: &Ductape, params: Value) -> Value {
    call(d, "workspace.rotateKey", params).await
}

/// The error of opening the workspace with these options (the first call opens it).
async fn open_error(o: Options) -> ductape_core::Error {
    let d = Ductape::open(o).unwrap();
    call_err(&d, "cloud.connections.list", json!({})).await
}

fn assert_refused_as_rotated(e: &ductape_core::Error) {
    assert_code(e, ErrorCode::Workspace);
    assert!(e.message.contains("does not match") && e.message.contains("rotated"), "{}", e.message);
}

fn key_file_text(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("workspace.key")).unwrap().trim().to_string()
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("workspace.key") && n != "workspace.key")
        .collect()
}

#[tokio::test]
async fn sec13_rotation_reseals_every_secret_and_the_same_client_keeps_working() {
    let sim = start_sim().await;
    let dir = temp_workspace("rotate-option");
    let d = Ductape::open(opts(&sim.base_url(), &dir, Some(TEST_KEY))).unwrap();
    three_connections(&d).await;
    let before = ciphertexts(&dir);
    let r = rotate(&d, json!({"new_key": NEW_KEY})).await;
    assert_eq!(r, json!({"rotated": 3, "key_source": "option", "key_stored": false}), "a given key is not echoed");
    let after = ciphertexts(&dir);
    assert_eq!(after.len(), 3);
    assert!(before.iter().all(|c| !after.contains(c)), "every ciphertext was sealed again");
    // the same client: its store uses the new cipher for reads and writes
    assert_all_valid(&d).await;
    complete_key(&d, "a", seed::PROJECT_ID, seed::ORG_OWNER_PUBLIC_KEY, seed::ORG_OWNER_PRIVATE_KEY).await;
    assert_eq!(validate(&d, "a").await["valid"], true);
    drop(d);
    // the old key is refused with a clear workspace error; the new one opens everything
    assert_refused_as_rotated(&open_error(opts(&sim.base_url(), &dir, Some(TEST_KEY))).await);
    let d = Ductape::open(opts(&sim.base_url(), &dir, Some(NEW_KEY))).unwrap();
    assert_all_valid(&d).await;
    // the current key again, or a bad one, is an invalid_argument naming new_key (and not echoing it)
    for bad in [json!(NEW_KEY), json!("c2hvcnQ="), json!(""), json!(12345)] {
        let e = call_err(&d, "workspace.rotateKey", json!({ "new_key": bad })).await;
        assert_code(&e, ErrorCode::InvalidArgument);
        assert_eq!(e.field.as_deref(), Some("new_key"), "{e:?}");
        assert!(!e.message.contains(NEW_KEY) && !e.message.contains("12345"), "{}", e.message);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn sec13_a_generated_key_the_library_cannot_store_is_answered_once() {
    let sim = start_sim().await;
    let dir = temp_workspace("rotate-generated");
    let d = Ductape::open(opts(&sim.base_url(), &dir, Some(TEST_KEY))).unwrap();
    three_connections(&d).await;
    let r = rotate(&d, json!({})).await;
    assert_eq!(
        (r["rotated"].as_u64(), r["key_source"].as_str(), r["key_stored"].as_bool()),
        (Some(3), Some("option"), Some(false))
    );
    let new_key = r["new_key"].as_str().expect("the generated key is in the reply").to_string();
    assert_ne!(new_key, TEST_KEY);
    assert!(!dir.join("workspace.key").exists(), "nothing written for a key the caller supplies");
    drop(d);
    let d = Ductape::open(opts(&sim.base_url(), &dir, Some(&new_key))).unwrap();
    assert_all_valid(&d).await;
    // the reply schema marks it secret
    let op = ductape_core::ops::find("workspace.rotateKey").unwrap();
    let schema = serde_json::to_value(op.reply_schema()).unwrap();
    assert_eq!(schema["properties"]["new_key"]["x-secret"], true, "{schema}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn sec13_the_workspace_key_file_is_replaced_durably() {
    let sim = start_sim().await;
    let dir = temp_workspace("rotate-file");
    let d = Ductape::open(opts(&sim.base_url(), &dir, None)).unwrap();
    three_connections(&d).await;
    let old = key_file_text(&dir);
    let r = rotate(&d, json!({})).await;
    assert_eq!(r, json!({"rotated": 3, "key_source": "workspace_file", "key_stored": true}), "stored, not answered");
    let new = key_file_text(&dir);
    assert_ne!(old, new);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(dir.join("workspace.key")).unwrap().permissions().mode() & 0o777, 0o600);
    assert!(leftovers(&dir).is_empty(), "no pending or temporary key file left: {:?}", leftovers(&dir));
    assert_all_valid(&d).await;
    drop(d);
    let d = Ductape::open(opts(&sim.base_url(), &dir, None)).unwrap();
    assert_all_valid(&d).await;
    assert_refused_as_rotated(&open_error(opts(&sim.base_url(), &dir, Some(&old))).await);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn sec13_a_failure_inside_the_transaction_rotates_nothing() {
    let sim = start_sim().await;
    let dir = temp_workspace("rotate-fails");
    let d = Ductape::open(opts(&sim.base_url(), &dir, None)).unwrap();
    three_connections(&d).await;
    let old = key_file_text(&dir);
    // the last secret no longer decrypts: the rotation fails after re-sealing the others
    let db = rusqlite::Connection::open(dir.join("workspace.db")).unwrap();
    let last: String = db
        .query_row("SELECT connection_id FROM connection_secrets ORDER BY rowid DESC LIMIT 1", [], |r| r.get(0))
        .unwrap();
    db.execute("UPDATE connection_secrets SET ciphertext = zeroblob(64) WHERE connection_id = ?1", [&last]).unwrap();
    drop(db);
    let before = ciphertexts(&dir);
    let e = call_err(&d, "workspace.rotateKey", json!({})).await;
    assert_code(&e, ErrorCode::Workspace);
    assert!(e.message.contains("'sa'") && e.message.contains("not rotated"), "{}", e.message);
    assert_eq!(ciphertexts(&dir), before, "rolled back");
    assert_eq!(key_file_text(&dir), old);
    assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
    for tag in ["a", "b"] {
        assert_eq!(validate(&d, tag).await["valid"], true);
    }
    drop(d);
    let d = Ductape::open(opts(&sim.base_url(), &dir, Some(&old))).unwrap();
    assert_eq!(validate(&d, "a").await["valid"], true, "the old key still opens everything");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn sec13_another_client_still_on_the_old_key_is_refused_not_corrupting() {
    let sim = start_sim().await;
    let dir = temp_workspace("rotate-stale");
    let d1 = Ductape::open(opts(&sim.base_url(), &dir, Some(TEST_KEY))).unwrap();
    let d2 = Ductape::open(opts(&sim.base_url(), &dir, Some(TEST_KEY))).unwrap();
    three_connections(&d1).await;
    call(&d2, "cloud.connections.list", json!({})).await; // d2's store is open, on the old key
    rotate(&d1, json!({"new_key": NEW_KEY})).await;
    for e in [
        call_err(&d2, "cloud.connections.validate", json!({"tag": "a"})).await,
        call_err(
            &d2,
            "cloud.connections.complete",
            json!({"tag": "a", "project_id": seed::PROJECT_ID, "atlas_public_key": seed::OWNER_PUBLIC_KEY, "atlas_private_key": seed::ORG_OWNER_PRIVATE_KEY}),
        )
        .await,
        call_err(&d2, "workspace.rotateKey", json!({})).await,
    ] {
        assert_code(&e, ErrorCode::Workspace);
        assert!(e.message.contains("rotated"), "{}", e.message);
    }
    assert_all_valid(&d1).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sec13_calls_running_during_rotations_all_succeed() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(start_sim());
    let dir = temp_workspace("rotate-busy");
    let d = Arc::new(Ductape::open(opts(&sim.base_url(), &dir, None)).unwrap());
    rt.block_on(three_connections(&d));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let workers: Vec<_> = (0..3)
        .map(|t| {
            let (d, stop) = (Arc::clone(&d), Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut calls = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) || calls == 0 {
                    // complete compares with the stored secret (a decrypt); validate decrypts it
                    let (op, params) = if t == 0 {
                        ("cloud.connections.complete", json!({"tag": "a", "project_id": seed::PROJECT_ID, "atlas_public_key": seed::OWNER_PUBLIC_KEY, "atlas_private_key": seed::OWNER_PRIVATE_KEY}))
                    } else {
                        ("cloud.connections.validate", json!({"tag": if t == 1 { "b" } else { "sa" }}))
                    };
                    let reply: Value = serde_json::from_str(&ductape_core::runtime::block_on_call(
                        Arc::clone(&d),
                        op.into(),
                        params.to_string(), None,
                    ))
                    .unwrap();
                    assert_eq!(reply["ok"], true, "{op} during a rotation: {reply}");
                    calls += 1;
                }
                calls
            })
        })
        .collect();
    for _ in 0..5 {
        let reply: Value = serde_json::from_str(&ductape_core::runtime::block_on_call(
            Arc::clone(&d),
            "workspace.rotateKey".into(),
            "{}".into(),
            None,
        ))
        .unwrap();
        assert_eq!(reply["result"]["rotated"], 3, "{reply}");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for w in workers {
        assert!(w.join().unwrap() > 0);
    }
    rt.block_on(assert_all_valid(&d));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs as the child process of the kill tests; does nothing otherwise. It rotates the key
/// and stops at the pause point its parent chose, where the parent kills it with SIGKILL.
#[test]
fn rotating_child_process() {
    let Ok(dir) = std::env::var(CHILD_DIR_ENV) else { return };
    let base = std::env::var(CHILD_BASE_ENV).unwrap();
    let key = std::env::var(CHILD_KEY_ENV).ok();
    let d = Arc::new(Ductape::open(opts(&base, Path::new(&dir), key.as_deref())).unwrap());
    let params = if key.is_some() { json!({"new_key": NEW_KEY}) } else { json!({}) };
    let reply = ductape_core::runtime::block_on_call(d, "workspace.rotateKey".into(), params.to_string(), None);
    panic!("the rotation should have stopped at its pause point, got {reply}");
}

/// Starts a child that rotates the workspace's key and kills it (kill -9) at `stage`.
fn kill_rotation_at(stage: &str, dir: &Path, base: &str, key: Option<&str>) {
    let marker: PathBuf = dir.with_extension(format!("paused-{stage}"));
    let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "rotating_child_process", "--nocapture", "--test-threads=1"])
        .env(CHILD_DIR_ENV, dir)
        .env(CHILD_BASE_ENV, base)
        .env("DUCTAPE_DEBUG_PAUSE", format!("{stage}:{}", marker.display()))
        .env_remove("DUCTAPE_WORKSPACE_KEY")
        .env_remove("DUCTAPE_WORKSPACE_KEY_FILE");
    match key {
        Some(k) => cmd.env(CHILD_KEY_ENV, k),
        None => cmd.env_remove(CHILD_KEY_ENV),
    };
    let mut child = cmd.spawn().unwrap();
    let started = std::time::Instant::now();
    while !marker.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the rotating child exited before its pause point: {status}");
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "the child never reached {stage}");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL: no destructor, no rollback, no rename runs
    let status = child.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(9), "{status}");
    let _ = std::fs::remove_file(&marker);
}

/// [`kill_rotation_at`] from a test's runtime (the wait blocks).
async fn kill_rotation(stage: &'static str, dir: &Path, base: &str, key: Option<&'static str>) {
    let (dir, base) = (dir.to_path_buf(), base.to_string());
    tokio::task::spawn_blocking(move || kill_rotation_at(stage, &dir, &base, key)).await.unwrap();
}

#[tokio::test]
async fn sec13_killed_before_the_commit_the_old_key_still_opens_everything() {
    let sim = start_sim().await;
    let base = sim.base_url();
    // the workspace's own key file: the pending key file was written, the transaction not committed
    let dir = temp_workspace("rotate-kill-before-file");
    three_connections(&Ductape::open(opts(&base, &dir, None)).unwrap()).await;
    let old = key_file_text(&dir);
    let before = ciphertexts(&dir);
    kill_rotation("before_commit", &dir, &base, None).await;
    assert_eq!(leftovers(&dir), vec!["workspace.key.new".to_string()], "killed with its pending key written");
    assert_eq!(key_file_text(&dir), old);
    let d = Ductape::open(opts(&base, &dir, None)).unwrap();
    assert_all_valid(&d).await;
    assert_eq!(ciphertexts(&dir), before, "nothing was committed");
    assert!(leftovers(&dir).is_empty(), "the uncommitted pending key was removed: {:?}", leftovers(&dir));
    drop(d);
    assert_all_valid(&Ductape::open(opts(&base, &dir, Some(&old))).unwrap()).await;
    let _ = std::fs::remove_dir_all(&dir);

    // a key from the option: the old key still opens everything, the new one nothing
    let dir = temp_workspace("rotate-kill-before-option");
    three_connections(&Ductape::open(opts(&base, &dir, Some(TEST_KEY))).unwrap()).await;
    kill_rotation("before_commit", &dir, &base, Some(TEST_KEY)).await;
    assert_all_valid(&Ductape::open(opts(&base, &dir, Some(TEST_KEY))).unwrap()).await;
    assert_code(&open_error(opts(&base, &dir, Some(NEW_KEY))).await, ErrorCode::Workspace);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn sec13_killed_after_the_commit_the_next_open_finishes_the_rotation() {
    let sim = start_sim().await;
    let base = sim.base_url();
    // the workspace's own key file: committed, but killed before the rename
    let dir = temp_workspace("rotate-kill-after-file");
    three_connections(&Ductape::open(opts(&base, &dir, None)).unwrap()).await;
    let old = key_file_text(&dir);
    kill_rotation("after_commit", &dir, &base, None).await;
    assert_eq!(key_file_text(&dir), old, "killed before the rename");
    let pending = std::fs::read_to_string(dir.join("workspace.key.new")).unwrap().trim().to_string();
    assert_ne!(pending, old);
    // the next open finds the key check sealed under the pending key and finishes the rename
    let d = Ductape::open(opts(&base, &dir, None)).unwrap();
    assert_all_valid(&d).await;
    assert_eq!(key_file_text(&dir), pending);
    assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
    drop(d);
    assert_refused_as_rotated(&open_error(opts(&base, &dir, Some(&old))).await);
    assert_all_valid(&Ductape::open(opts(&base, &dir, Some(&pending))).unwrap()).await;
    let _ = std::fs::remove_dir_all(&dir);

    // a key from the option: committed, so the new key opens everything and the old one is refused
    let dir = temp_workspace("rotate-kill-after-option");
    three_connections(&Ductape::open(opts(&base, &dir, Some(TEST_KEY))).unwrap()).await;
    kill_rotation("after_commit", &dir, &base, Some(TEST_KEY)).await;
    assert_refused_as_rotated(&open_error(opts(&base, &dir, Some(TEST_KEY))).await);
    assert_all_valid(&Ductape::open(opts(&base, &dir, Some(NEW_KEY))).unwrap()).await;
    let _ = std::fs::remove_dir_all(&dir);
}
