//! The README's main job and `ductape call`, run as a user runs them: the built `ductape` binary,
//! its output and its exit code, against the bundled simulator or one started here.

use atlas_sim::{seed, Sim, SimConfig};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const SECRETS: [&str; 3] = [seed::OWNER_PRIVATE_KEY, "bfd1494b-ab37-4a06-941b-e554ca5ddad1", "mdb_sa_sk_"];

fn workspace(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ductape-cli-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// `ductape ARGS` with no MONGODB_ATLAS_* or DUCTAPE_* from the caller's environment.
fn ductape(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ductape"));
    c.args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("MONGODB_ATLAS_") || k.starts_with("DUCTAPE_") {
            c.env_remove(k);
        }
    }
    c
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn assert_no_secret(out: &str) {
    for s in SECRETS {
        assert!(!out.contains(s), "a secret was printed:\n{out}");
    }
}

#[test]
fn the_main_job_runs_the_product_pages_calls_against_the_bundled_simulator() {
    let dir = workspace("main");
    let o = ductape(&["lifecycle", "--workspace-dir", dir.to_str().unwrap()]).output().unwrap();
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "stdout:\n{out}\nstderr:\n{err}");
    let steps = ["create", "complete", "validate", "fetch", "list"];
    for (n, step) in steps.iter().enumerate() {
        assert!(out.contains(&format!("{}. cloud.connections.{step}", n + 1)), "{step} missing:\n{out}");
    }
    assert!(out.contains("\"valid\": true"), "{out}");
    assert!(out.contains("\"account_identifier\": \"prod-project (org a0123456789abcdef012345a)\""), "{out}");
    assert!(out.trim_end().ends_with("lifecycle complete: connection 'prod_atlas' is active"), "{out}");
    assert_no_secret(&out);
    assert_no_secret(&err);
    assert!(dir.join("workspace.db").exists(), "a named workspace is kept");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sec01_the_main_jobs_temporary_workspace_is_private_and_removed() {
    let tmp = workspace("tmpdir");
    std::fs::create_dir_all(&tmp).unwrap();
    let o = ductape(&["lifecycle"]).env("TMPDIR", &tmp).output().unwrap();
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "stdout:\n{out}\nstderr:\n{err}");
    let shown = out.lines().find_map(|l| l.strip_prefix("Workspace: ")).expect("the workspace is named").to_string();
    assert!(shown.starts_with(tmp.to_str().unwrap()), "{shown}");
    assert!(!PathBuf::from(&shown).exists(), "removed: {shown}");
    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().map(|e| e.unwrap().path()).collect();
    assert!(left.is_empty(), "nothing left in the temporary directory: {left:?}");
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn the_main_job_fails_with_a_key_that_does_not_validate() {
    let sim = Sim::start_blocking(SimConfig::default()).unwrap();
    let dir = workspace("readonly");
    let o = ductape(&["lifecycle", "--workspace-dir", dir.to_str().unwrap(), "--tag", "ro"])
        .env("MONGODB_ATLAS_BASE_URL", sim.base_url())
        .env("MONGODB_ATLAS_PROJECT_ID", seed::PROJECT_ID)
        .env("MONGODB_ATLAS_PUBLIC_API_KEY", "rdonlyky")
        .env("MONGODB_ATLAS_PRIVATE_API_KEY", "bfd1494b-ab37-4a06-941b-e554ca5ddad1")
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "stdout:\n{out}\nstderr:\n{err}");
    assert!(out.contains("\"code\": \"atlas_missing_role\""), "{out}");
    assert!(out.contains(&format!("Atlas: MongoDB Atlas at {}", sim.base_url())), "{out}");
    assert!(out.trim_end().ends_with("lifecycle failed: 1 step(s) did not succeed"), "{out}");
    assert_no_secret(&out);
    assert_no_secret(&err);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn call_answers_envelopes_with_matching_exit_codes_and_warns_about_secrets_in_arguments() {
    let dir = workspace("call");
    let call = |args: &[&str]| {
        let o = ductape(args).env("DUCTAPE_WORKSPACE_DIR", &dir).output().unwrap();
        let (out, err) = text(&o);
        (o.status.code(), serde_json::from_str::<serde_json::Value>(&out).unwrap_or_default(), err)
    };
    let (code, reply, _) = call(&["call", "cloud.connections.create", r#"{"provider":"mongodb_atlas","name":"cli"}"#]);
    assert_eq!((code, &reply["ok"], &reply["result"]["status"]), (Some(0), &true.into(), &"pending".into()), "{reply}");
    let (code, reply, _) = call(&["call", "cloud.connections.fetch", r#"{"tag":"nope"}"#]);
    assert_eq!(
        (code, &reply["error"]["code"], &reply["error"]["field"]),
        (Some(1), &"not_found".into(), &"tag".into())
    );
    let (code, reply, _) = call(&["call", "cloud.connections.list"]);
    assert_eq!((code, reply["result"]["connections"].as_array().map(Vec::len)), (Some(0), Some(1)), "{reply}");

    // A secret in an argument is visible to other users: the CLI says so, and does the call anyway.
    let request = format!(
        r#"{{"tag":"cli","project_id":"{}","atlas_public_key":"{}","atlas_private_key":"{}"}}"#,
        seed::PROJECT_ID,
        seed::OWNER_PUBLIC_KEY,
        seed::OWNER_PRIVATE_KEY
    );
    let (code, reply, err) = call(&["call", "cloud.connections.complete", &request]);
    assert_eq!(code, Some(0), "{reply}");
    assert!(err.contains("warning: atlas_private_key was given on the command line"), "{err}");
    assert_no_secret(&err);

    // On standard input: no warning.
    let mut child = ductape(&["call", "cloud.connections.complete", "-"])
        .env("DUCTAPE_WORKSPACE_DIR", &dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(request.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(err.is_empty(), "{err}");
    assert_no_secret(&out);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn operations_and_describe_list_the_registry() {
    let o = ductape(&["operations"]).output().unwrap();
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        out.lines().any(|l| l.starts_with("cloud.connections.validate ") && l.contains("Checks the credentials")),
        "{out}"
    );
    let o = ductape(&["describe"]).output().unwrap();
    let d: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(d["operations"][0]["name"], "cloud.connections.create");
    assert!(d["error_codes"].as_array().unwrap().len() >= 16);
    let o = ductape(&["bogus"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "a usage error exits 2");
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    use std::io::Read;
    let dir = workspace("pipe");
    let mut child = ductape(&["lifecycle", "--workspace-dir", dir.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.as_mut().unwrap().read_exact(&mut first).unwrap();
    drop(child.stdout.take()); // like `| head -c 16`
    let o = child.wait_with_output().unwrap();
    let (_, err) = text(&o);
    assert!(!err.contains("panicked"), "{err}");
    assert_ne!(o.status.code(), Some(101), "a panic on the closed pipe");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn call_prints_the_progress_of_a_waiting_sync_on_standard_error() {
    let sim = Sim::start_blocking(SimConfig::default()).unwrap();
    sim.configure(|c| c.access_list_activation_delay = std::time::Duration::from_millis(300));
    let dir = workspace("progress");
    let run = |args: &[&str], stdin: Option<String>| {
        let mut child = ductape(args)
            .env("DUCTAPE_WORKSPACE_DIR", &dir)
            .env("MONGODB_ATLAS_BASE_URL", sim.base_url())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(s) = stdin {
            child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
        }
        drop(child.stdin.take());
        let o = child.wait_with_output().unwrap();
        let (out, err) = text(&o);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {out}{err}");
        (serde_json::from_str::<serde_json::Value>(&out).unwrap(), err)
    };
    run(&["call", "cloud.connections.create", r#"{"provider":"mongodb_atlas","name":"cli"}"#], None);
    let request = format!(
        r#"{{"tag":"cli","project_id":"{}","atlas_public_key":"{}","atlas_private_key":"{}"}}"#,
        seed::PROJECT_ID,
        seed::OWNER_PUBLIC_KEY,
        seed::OWNER_PRIVATE_KEY
    );
    run(&["call", "cloud.connections.complete", "-"], Some(request));
    run(&["call", "cloud.connections.validate", r#"{"tag":"cli"}"#], None);
    let (_, err) = run(
        &[
            "call",
            "cloud.connections.updateManagedNetworking",
            r#"{"tag":"cli","ductape_proxy_addresses":["203.0.113.5"]}"#,
        ],
        None,
    );
    assert!(err.is_empty(), "no progress for a short operation: {err}");
    let (reply, err) = run(&["call", "cloud.connections.syncNetworkAccess", r#"{"tag":"cli","wait":true}"#], None);
    assert_eq!(reply["result"]["synced_ips"], serde_json::json!(["203.0.113.5/32"]), "{reply}");
    assert_eq!(reply["result"]["pending"], serde_json::json!([]), "{reply}");
    let lines: Vec<&str> = err.lines().collect();
    assert!(lines.iter().any(|l| l.starts_with("ductape: read_access_list 1/1 (")), "{err}");
    assert!(lines.last().unwrap().starts_with("ductape: wait_active 1/1 ("), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
