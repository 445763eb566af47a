//! `ductape demo` and `ductape sim`, run as a newcomer runs them.

use crate::common::{ductape, run_with, workspace, Cli};
use atlas_sim::{seed, Sim, SimConfig};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::Stdio;

const STEPS: [&str; 16] = [
    "cloud.connections.create",
    "cloud.connections.complete",
    "cloud.connections.validate",
    "cloud.connections.updateManagedNetworking",
    "cloud.connections.syncNetworkAccess",
    "cloud.resources.list",
    "products.create",
    "products.environments.create",
    "cloud.resources.import",
    "products.components.resolve",
    "cloud.resources.verify",
    "cloud.resources.unlink",
    "cloud.connections.updateManagedNetworking",
    "cloud.connections.syncNetworkAccess",
    "products.delete",
    "cloud.connections.delete",
];

#[test]
fn the_demo_tells_the_whole_story_against_the_bundled_simulator() {
    let tmp = workspace("demo-tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut c = ductape(&["demo"]);
    c.env("TMPDIR", &tmp);
    let r = run_with(c, None);
    r.assert_no_secret();
    assert_eq!(r.code, Some(0), "stdout:\n{}\nstderr:\n{}", r.out, r.err);
    for (n, op) in STEPS.iter().enumerate() {
        let title = r
            .out
            .lines()
            .find(|l| l.starts_with(&format!("[{:>2}/16] ", n + 1)))
            .unwrap_or_else(|| panic!("step {} missing:\n{}", n + 1, r.out));
        assert!(title.ends_with(op), "{title}");
    }
    let outcomes: Vec<&str> = r.out.lines().filter(|l| l.starts_with("        ")).map(str::trim).collect();
    assert_eq!(outcomes.len(), 16, "{}", r.out);
    for o in &outcomes {
        assert!(o.starts_with("ok "), "{o}");
        assert!(o.ends_with(" ms)"), "each step says how long it took: {o}");
    }
    assert!(outcomes[2].starts_with("ok valid: prod-project (org a0123456789abcdef012345a)"), "{}", outcomes[2]);
    assert!(outcomes[4].starts_with("ok synced [\"203.0.113.0/24\"]"), "{}", outcomes[4]);
    assert!(outcomes[5].contains("Cluster0 (IDLE)"), "{}", outcomes[5]);
    assert!(outcomes[9].starts_with("ok mongodb://[redacted]@127.0.0.1:"), "the string, redacted: {}", outcomes[9]);
    assert!(
        outcomes[10].starts_with("ok ping answered by 127.0.0.1:"),
        "connected through the data plane: {}",
        outcomes[10]
    );
    assert!(r.out.contains("\ndemo complete: 16 steps in "), "{}", r.out);
    assert!(r.err.contains("; the bundled Atlas simulator at http://127.0.0.1:"), "{}", r.err);
    assert!(r.err.contains("ductape: wait_active 1/1 ("), "the sync's wait shows its progress: {}", r.err);
    assert!(r.err.contains("ductape: wait_applied "), "the import's wait shows its progress: {}", r.err);
    let shown = r.err.lines().find_map(|l| l.strip_prefix("ductape: workspace ")).unwrap().split(';').next().unwrap();
    assert!(shown.starts_with(tmp.to_str().unwrap()), "{shown}");
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0, "the temporary workspace is removed");
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn the_demo_in_json_mode_prints_one_redacted_envelope_per_step() {
    let dir = workspace("demo-json");
    let r = run_with(ductape(&["demo", "-o", "json", "--workspace-dir", dir.to_str().unwrap()]), None);
    r.assert_no_secret();
    assert_eq!(r.code, Some(0), "{}{}", r.out, r.err);
    let lines: Vec<Value> = r.out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 16);
    for (n, l) in lines.iter().enumerate() {
        assert_eq!((&l["step"], &l["operation"]), (&Value::from(n + 1), &Value::from(STEPS[n])), "{l}");
        assert!(l["elapsed_ms"].is_u64());
    }
    let url = lines[9]["reply"]["result"]["connection_url"].as_str().unwrap();
    assert!(url.starts_with("mongodb://[redacted]@127.0.0.1:"), "{url}");
    assert_eq!(lines[10]["reply"]["result"]["verified"], true, "{}", lines[10]);
    assert!(dir.join("workspace.db").exists(), "a named workspace is kept");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_rerun_on_the_same_workspace_adopts_what_an_earlier_run_left() {
    let dir = workspace("demo-rerun");
    let d = dir.to_str().unwrap();
    // What a run stopped after the product step leaves (no Atlas needed for these).
    for args in [
        &["cloud", "connections", "create", "--name", "demo_atlas"][..],
        &["products", "create", "--name", "Ductape Demo", "--tag", "ductape-demo"],
        &["products", "environments", "create", "--product", "ductape-demo", "--slug", "dev"],
    ] {
        let mut a = args.to_vec();
        a.extend(["--workspace-dir", d]);
        assert_eq!(run_with(ductape(&a), None).code, Some(0), "{a:?}");
    }
    for run in 0..2 {
        let r = run_with(ductape(&["demo", "--workspace-dir", d]), None);
        assert_eq!(r.code, Some(0), "run {run}:\n{}\n{}", r.out, r.err);
        let adopted = r.out.matches("ok adopted the existing one: ").count();
        assert_eq!(adopted, if run == 0 { 3 } else { 0 }, "run {run}:\n{}", r.out);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_demo_stops_at_the_first_failed_step_with_its_exit_code() {
    let sim = Sim::start_blocking(SimConfig::default()).unwrap();
    let dir = workspace("demo-readonly");
    let mut c = ductape(&["demo", "--workspace-dir", dir.to_str().unwrap()]);
    c.env("MONGODB_ATLAS_BASE_URL", sim.base_url())
        .env("MONGODB_ATLAS_PROJECT_ID", seed::PROJECT_ID)
        .env("MONGODB_ATLAS_PUBLIC_API_KEY", "rdonlyky")
        .env("MONGODB_ATLAS_PRIVATE_API_KEY", "bfd1494b-ab37-4a06-941b-e554ca5ddad1");
    let r = run_with(c, None);
    r.assert_no_secret();
    assert_eq!(r.code, Some(13), "{}{}", r.out, r.err);
    assert!(
        r.err.contains(&format!("MongoDB Atlas at {}", sim.base_url())),
        "real Atlas mode, at the given URL: {}",
        r.err
    );
    assert!(r.out.contains("[ 3/16] validate"), "{}", r.out);
    assert!(r.out.contains("error: atlas_missing_role:"), "{}", r.out);
    assert!(!r.out.contains("[ 4/16]"), "nothing runs after the failed step:\n{}", r.out);
    assert!(
        r.out.trim_end().ends_with(
            "demo stopped at step 3 (exit code 13); a re-run on the same --workspace-dir adopts what exists"
        ),
        "{}",
        r.out
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sim_serves_until_stopped_and_says_how_to_point_the_cli_at_it() {
    let mut child = ductape(&["sim", "-o", "json"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let info: Value = serde_json::from_str(&first).unwrap();
    let base = info["atlas_base_url"].as_str().unwrap().to_string();
    let ca = info["cluster_ca_file"].as_str().unwrap().to_string();
    assert!(std::fs::read_to_string(&ca).unwrap().contains("BEGIN CERTIFICATE"), "{ca}");
    assert_eq!(info["project_id"], seed::PROJECT_ID);
    let cli = Cli::new("sim-cmd", &base);
    cli.run(&["cloud", "connections", "create", "--name", "s"]);
    let mut c = cli.command(&[
        "cloud",
        "connections",
        "complete",
        "--tag",
        "s",
        "--project-id",
        seed::PROJECT_ID,
        "--atlas-public-key",
        seed::OWNER_PUBLIC_KEY,
    ]);
    c.env("MONGODB_ATLAS_PRIVATE_API_KEY", seed::OWNER_PRIVATE_KEY);
    assert_eq!(run_with(c, None).code, Some(0));
    let r = cli.run(&["cloud", "connections", "validate", "--tag", "s", "-o", "json"]);
    assert_eq!(r.json()["result"]["valid"], true, "{}", r.out);
    unsafe { libc_kill(child.id() as i32) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "SIGTERM stops it cleanly");
    assert!(!std::path::Path::new(&ca).exists(), "its temporary CA file is removed");

    // In table mode it prints the exports to paste, never the private key.
    let mut child = ductape(&["sim"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut text = String::new();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    while !text.contains("Ctrl-C stops it.") {
        assert!(out.read_line(&mut text).unwrap() > 0, "{text}");
    }
    unsafe { libc_kill(child.id() as i32) };
    child.wait().unwrap();
    assert!(text.contains("export MONGODB_ATLAS_BASE_URL=http://127.0.0.1:"), "{text}");
    assert!(text.contains("export DUCTAPE_CLUSTER_CA_FILE="), "{text}");
    assert!(!text.contains(seed::OWNER_PRIVATE_KEY), "{text}");
}

extern "C" {
    fn kill(pid: i32, sig: i32) -> i32;
}

unsafe fn libc_kill(pid: i32) {
    kill(pid, 15);
}
