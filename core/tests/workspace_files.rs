//! The workspace directory and key files are trusted only when private: refused otherwise,
//! with the path and the fix, and nothing is created or changed.

mod common;

use common::{call, call_err, create, open, options, temp_workspace, TEST_KEY};
use ductape_core::{Ductape, ErrorCode, Options};
use serde_json::json;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Options with no workspace key, so the key comes from a file.
fn keyless(dir: &Path) -> Options {
    Options { workspace_dir: Some(dir.to_path_buf()), ..Default::default() }
}

async fn list_err(o: Options) -> ductape_core::Error {
    let d = Ductape::open(o).unwrap();
    call_err(&d, "cloud.connections.list", json!({})).await
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    v.sort();
    v
}

#[tokio::test]
async fn sec01_refuses_a_workspace_dir_writable_by_others() {
    for mode in [0o777, 0o770, 0o702] {
        let dir = temp_workspace("dir-mode");
        std::fs::create_dir_all(&dir).unwrap();
        chmod(&dir, mode);
        let e = list_err(keyless(&dir)).await;
        assert_eq!(e.code, ErrorCode::Workspace);
        assert!(e.message.contains(&dir.display().to_string()) && e.message.contains("chmod 700"), "{}", e.message);
        assert!(entries(&dir).is_empty(), "nothing created in a refused directory");
        assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, mode, "mode unchanged");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// The owner check is exercised by every user, never skipped: root gives a directory of its own
/// to another uid; anyone else uses a directory that already belongs to someone else (`/`, the
/// temp directory), read-only to them, so nothing can be created there even if the check broke.
#[tokio::test]
async fn sec01_refuses_a_workspace_dir_owned_by_someone_else() {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    let (dir, given_away) = if me == 0 {
        let dir = temp_workspace("dir-owner");
        std::fs::create_dir_all(&dir).unwrap();
        chmod(&dir, 0o700);
        std::os::unix::fs::chown(&dir, Some(4242), None).expect("root gives the directory to uid 4242");
        (dir, true)
    } else {
        let theirs = [PathBuf::from("/"), std::env::temp_dir()]
            .into_iter()
            .find(|d| std::fs::metadata(d).is_ok_and(|m| m.is_dir() && m.uid() != me));
        let dir = theirs.unwrap_or_else(|| {
            panic!("uid {me}: no directory owned by another user to check the owner check with, and not root")
        });
        (dir, false)
    };
    assert_ne!(std::fs::metadata(&dir).unwrap().uid(), me, "{} must belong to another user", dir.display());
    let before = entries(&dir);
    let e = list_err(keyless(&dir)).await;
    assert_eq!(e.code, ErrorCode::Workspace, "{e}");
    assert!(e.message.contains("owned by another user") && e.message.contains("chown"), "{}", e.message);
    assert!(e.message.contains(&dir.display().to_string()), "{}", e.message);
    assert_eq!(entries(&dir), before, "nothing created in a refused directory");
    if given_away {
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[tokio::test]
async fn sec01_refuses_a_key_file_readable_by_others() {
    let dir = temp_workspace("key-mode");
    let d = Ductape::open(keyless(&dir)).unwrap();
    create(&d, "conn").await;
    drop(d);
    let key = dir.join("workspace.key");
    let before = std::fs::read(&key).unwrap();
    for mode in [0o644, 0o640, 0o604] {
        chmod(&key, mode);
        let e = list_err(keyless(&dir)).await;
        assert_eq!(e.code, ErrorCode::Workspace);
        assert!(e.message.contains(&key.display().to_string()) && e.message.contains("chmod 600"), "{}", e.message);
        assert_eq!(std::fs::read(&key).unwrap(), before, "the key file is left as it was");
    }
    chmod(&key, 0o600);
    let d = Ductape::open(keyless(&dir)).unwrap();
    assert_eq!(call(&d, "cloud.connections.list", json!({})).await["connections"][0]["tag"], "conn");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn sec12_the_key_can_come_from_a_named_file() {
    let dir = temp_workspace("named-key");
    let secrets = temp_workspace("mounted");
    std::fs::create_dir_all(&secrets).unwrap();
    let key_file = secrets.join("ductape-key");
    std::fs::write(&key_file, format!("{TEST_KEY}\n")).unwrap();
    chmod(&key_file, 0o400);
    let with_file = || Options { workspace_key_file: Some(key_file.clone()), ..keyless(&dir) };
    let d = Ductape::open(with_file()).unwrap();
    create(&d, "conn").await;
    drop(d);
    assert!(!dir.join("workspace.key").exists(), "no key file is generated when one is named");
    // the same key as an option opens the same workspace
    let d = open("https://cloud.mongodb.com", &dir);
    assert_eq!(call(&d, "cloud.connections.list", json!({})).await["connections"][0]["tag"], "conn");
    // readable by others: refused
    chmod(&key_file, 0o444);
    let e = list_err(with_file()).await;
    assert!(e.message.contains("chmod 600") && e.message.contains(&key_file.display().to_string()), "{}", e.message);
    // missing: a workspace error naming the path, and no key is made up
    let missing = secrets.join("nope");
    let e = list_err(Options { workspace_key_file: Some(missing.clone()), ..keyless(&dir) }).await;
    assert_eq!(e.code, ErrorCode::Workspace);
    assert!(e.message.contains(&missing.display().to_string()), "{}", e.message);
    assert!(!missing.exists());
    // Canary: what a key file holds never comes back, whether it is a key, the wrong key, or not a key.
    let canary_key = "Q2FuYXJ5LWtleS1maWxlLWNvbnRlbnRzLTAwMDAwMDA=";
    for contents in [canary_key.to_string(), "Canary-not-a-key-0451".to_string()] {
        std::fs::write(&key_file, &contents).unwrap();
        for mode in [0o600, 0o644] {
            chmod(&key_file, mode);
            let e = list_err(with_file()).await;
            let shown = format!("{e} {e:?} {}", serde_json::to_string(&e).unwrap());
            assert!(!shown.contains(&contents) && !shown.contains("Canary"), "the key file's contents leaked: {shown}");
        }
    }
    // both a key and a key file: refused at open
    let both = Options { workspace_key_file: Some(key_file.clone()), ..options("https://cloud.mongodb.com", &dir) };
    assert_eq!(Ductape::open(both).unwrap_err().field.as_deref(), Some("workspace_key_file"));
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&secrets).unwrap();
}
