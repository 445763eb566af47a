//! The `atlas-sim` binary: first stdout line, flags, and a clean stop on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::common::*;

#[tokio::test]
async fn binary_prints_its_address_and_honours_flags() {
    let dir = std::env::temp_dir().join(format!("atlas-sim-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let seed_path = dir.join("seed.json");
    std::fs::write(
        &seed_path,
        r#"{"orgs":[{"id":"e0123456789abcdef012345e","name":"Bin"}],
            "projects":[{"id":"f0123456789abcdef012345f","name":"bin","orgId":"e0123456789abcdef012345e"}],
            "apiKeys":[{"id":"f1123456789abcdef012345f","orgId":"e0123456789abcdef012345e","publicKey":"binkeyaa",
                        "privateKey":"11111111-2222-3333-4444-555555555555",
                        "roles":[{"groupId":"f0123456789abcdef012345f","roleName":"GROUP_OWNER"}]}]}"#,
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_atlas-sim"))
        .args(["--port", "0", "--seed"])
        .arg(&seed_path)
        .args(["--no-rate-limit-headers", "--nonce-ttl-secs", "5"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line
        .trim()
        .strip_prefix("atlas-sim listening on ")
        .unwrap_or_else(|| panic!("first line: {line:?}"))
        .to_string();
    assert!(url.starts_with("http://127.0.0.1:") && !url.ends_with('/'), "{url}");

    let nonce = fresh_nonce(&url).await;
    let t = "/api/atlas/v2/groups/f0123456789abcdef012345f";
    let h = digest_header("binkeyaa", "11111111-2222-3333-4444-555555555555", "GET", t, &nonce, "00000001");
    let r = raw(&url, "GET", t, &[("Authorization", h), accept(V1)], None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.header("ratelimit-limit").is_none(), "--no-rate-limit-headers");
    let r = raw(&url, "POST", "/__sim/clock", &[], Some(r#"{"advance_secs": 6}"#.into())).await;
    assert_eq!(r.status, 200);
    let h = digest_header("binkeyaa", "11111111-2222-3333-4444-555555555555", "GET", t, &nonce, "00000002");
    assert!(raw(&url, "GET", t, &[("Authorization", h), accept(V1)], None).await.challenge().1, "--nonce-ttl-secs 5");

    // SIGTERM, to this child only, by its id.
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "clean exit on SIGTERM: {exit:?}");
    let _ = std::fs::remove_dir_all(&dir);

    let bad = Command::new(env!("CARGO_BIN_EXE_atlas-sim"))
        .arg("--bogus")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(bad.code(), Some(2));
}
