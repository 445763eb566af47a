//! Every operation command, run against the simulator in both output modes: its exit code, what
//! people see (tables on stdout, errors on stderr) and what scripts get (the envelope).

use crate::common::{ductape, run_with, Cli, Run};
use atlas_sim::{seed, Sim, SimConfig};
use serde_json::{json, Value};

/// One command: its arguments, standard input, exit code, a line part people see (stdout when
/// it succeeds, stderr when not) and a JSON pointer into the envelope with its value.
struct Step {
    args: &'static str,
    stdin: Option<&'static str>,
    code: i32,
    table: &'static str,
    pointer: &'static str,
    value: Value,
}

fn s(args: &'static str, code: i32, table: &'static str, pointer: &'static str, value: Value) -> Step {
    Step { args, stdin: None, code, table, pointer, value }
}

fn with_stdin(mut step: Step, stdin: &'static str) -> Step {
    step.stdin = Some(stdin);
    step
}

const NETWORK: &str = r#"[{"cidr":"203.0.113.0/24","label":"cli","source":"custom"}]"#;

fn story() -> Vec<Step> {
    vec![
        s("cloud connections create --name t", 0, "status              pending", "/result/status", json!("pending")),
        s("cloud connections create --name t", 6, "error: conflict: a cloud connection with tag 't' already exists (field name)", "/error/code", json!("conflict")),
        s("cloud connections validate --tag t", 8, "error: failed_precondition:", "/error/code", json!("failed_precondition")),
        s("cloud connections complete --tag t --atlas-public-key awqxqtif --atlas-private-key-file {key}", 0, "\"has_atlas_private_key\":true", "/result/metadata/has_atlas_private_key", json!(true)),
        s("cloud connections validate --tag t", 0, "valid               true", "/result/valid", json!(true)),
        s("cloud connections list", 0, "t    ", "/result/connections/0/tag", json!("t")),
        s("cloud connections get --tag t", 0, "account_identifier  prod-project (org a0123456789abcdef012345a)", "/result/status", json!("active")),
        s("cloud connections get --tag nope", 5, "error: not_found: no cloud connection with tag 'nope' (field tag)", "/error/field", json!("tag")),
        s("cloud connections update --tag t --description first", 0, "description         first", "/result/description", json!("first")),
        s("cloud connections update --tag t --scopes database,bogus", 3, "error: invalid_argument:", "/error/field", json!("scopes[1]")),
        s("cloud network update --tag t --include-ductape-proxy false --allowed-sources {net}", 0, "\"cidr\":\"203.0.113.0/24\"", "/result/networking/include_ductape_proxy", json!(false)),
        s("cloud network show --tag t", 0, "203.0.113.0/24  cli", "/result/dry_run", json!(true)),
        s("cloud network sync --tag t --wait", 0, "synced_ips          203.0.113.0/24", "/result/synced_ips", json!(["203.0.113.0/24"])),
        s("cloud network allow-current-ip --tag t --hours 1", 0, "127.0.0.1/32", "/result/cidr", json!("127.0.0.1/32")),
        s("cloud network resolve-host --host localhost", 0, "addresses  127.0.0.1", "/result/addresses", json!(["127.0.0.1"])),
        s("cloud resources services --cloud t", 0, "Databases (MongoDB)  atlas-cluster", "/result/services/0/service", json!("atlas-cluster")),
        s("cloud resources list --cloud t", 0, "Cluster0", "/result/resources/0/name", json!("Cluster0")),
        s("products create --name Shop", 0, "tag          shop", "/result/tag", json!("shop")),
        s("products list", 0, "Shop", "/result/products/0/tag", json!("shop")),
        s("products get --product shop", 0, "name         Shop", "/result/name", json!("Shop")),
        s("products get --product none", 5, "error: not_found:", "/error/code", json!("not_found")),
        s("products update --product shop --description shop-desc", 0, "shop-desc", "/result/description", json!("shop-desc")),
        s("products environments create --product shop --slug dev", 0, "slug         dev", "/result/slug", json!("dev")),
        s("products environments create --product shop --slug D", 3, "error: invalid_argument:", "/error/field", json!("slug")),
        s("products environments list --product shop", 0, "dev", "/result/environments/0/slug", json!("dev")),
        s("products environments get --product shop --env dev", 0, "slug         dev", "/result/slug", json!("dev")),
        s("products environments update --product shop --env dev --name Development", 0, "Development", "/result/name", json!("Development")),
        s("cloud resources import --cloud t --product shop --component db --env dev --resource Cluster0 --connection-type standard", 0, "connection_url_ref  $Secret{", "/result/resource", json!("Cluster0")),
        s("cloud resources verify --product shop --component db --env dev", 0, "verified    true", "/result/verified", json!(true)),
        s("cloud resources verify --product shop --component nope --env dev", 5, "error: not_found:", "/error/code", json!("not_found")),
        s("cloud resources import --cloud t --product shop --component db --env dev --resource nope --connection-type standard", 5, "error: not_found:", "/error/code", json!("not_found")),
        s("products components list --product shop", 0, "db", "/result/components/0/tag", json!("db")),
        s("products components get --product shop --component db", 0, "type", "/result/type", json!("mongodb")),
        s("products components get-env --product shop --component db --env dev", 0, "instance", "/result/instance", json!("Cluster0")),
        s("products components resolve --product shop --component db --env dev", 0, "connection_url  mongodb://[redacted]@127.0.0.1:", "/result/instance", json!("Cluster0")),
        s("products resolve --product shop --component db --env dev", 0, "connection_url  mongodb://[redacted]@127.0.0.1:", "/result/instance", json!("Cluster0")),
        s("cloud resources unlink --cloud t --product shop --component db --env dev", 0, "user_deleted    true", "/result/user_deleted", json!(true)),
        s("products components create --product shop --tag pg --type postgresql", 0, "type", "/result/type", json!("postgresql")),
        with_stdin(s("products components set-env --product shop --component pg --env dev --connection-url-file -", 0, "component", "/result/component", json!("pg")), "postgresql://app:pg-pass@db.example.com/app\n"),
        s("products components delete --product shop --component pg --force", 0, "deleted", "/result/deleted", json!(true)),
        with_stdin(s("secrets create --key API_TOKEN --value-file - --envs dev", 0, "key              API_TOKEN", "/result/key", json!("API_TOKEN")), "tok-3x4mpl3\n"),
        s("secrets create --key API_TOKEN", 3, "error: invalid_argument:", "/error/field", json!("value")),
        s("secrets list", 0, "API_TOKEN", "/result/secrets/0/key", json!("API_TOKEN")),
        s("secrets get --key API_TOKEN", 0, "value            [hidden; --output json shows it]", "/result/value", json!("tok-3x4mpl3")),
        s("secrets update --key API_TOKEN --description rotated-soon", 0, "rotated-soon", "/result/description", json!("rotated-soon")),
        with_stdin(s("secrets resolve --env dev --value-file -", 0, "value       [hidden; --output json shows it]", "/result/value", json!("Bearer tok-3x4mpl3")), "Bearer $Secret{API_TOKEN}"),
        s("secrets revoke --key API_TOKEN", 0, "revoked          true", "/result/revoked", json!(true)),
        s("secrets get --key API_TOKEN", 8, "error: failed_precondition:", "/error/code", json!("failed_precondition")),
        s("secrets delete --key API_TOKEN", 0, "deleted", "/result/deleted", json!(true)),
        s("products environments delete --product shop --env dev --force", 0, "deleted", "/result/deleted", json!(true)),
        s("products delete --product shop --force", 0, "deleted", "/result/deleted", json!(true)),
        s("workspace rotate-key", 0, "key_stored  true", "/result/key_stored", json!(true)),
        s("cloud connections delete --tag t", 0, "deleted     true", "/result/deleted", json!(true)),
        s("cloud connections get --tag t", 5, "error: not_found:", "/error/code", json!("not_found")),
    ]
}

fn run_story(json_mode: bool) {
    let sim = Sim::start_blocking(SimConfig::default()).unwrap();
    sim.configure(|c| {
        c.access_list_activation_delay = std::time::Duration::from_millis(300);
        c.user_apply_delay = std::time::Duration::from_millis(200);
    });
    let cli = Cli::new(if json_mode { "story-json" } else { "story-table" }, &sim.base_url());
    std::fs::create_dir_all(cli.path()).unwrap();
    let key = cli.path().join("private-key");
    std::fs::write(&key, format!("{}\n", seed::OWNER_PRIVATE_KEY)).unwrap();
    for step in story() {
        let args = step.args.replace("{key}", key.to_str().unwrap()).replace("{net}", NETWORK);
        let mut argv: Vec<&str> = args.split(' ').collect();
        if json_mode {
            argv.extend(["--output", "json"]);
        }
        let mut c = cli.command(&argv);
        c.env("MONGODB_ATLAS_PROJECT_ID", seed::PROJECT_ID).env("DUCTAPE_CLUSTER_CA_FILE", sim.ca_file().unwrap());
        let r = run_with(c, step.stdin);
        r.assert_no_secret();
        let shown = format!("{args} (json: {json_mode})\nstdout:\n{}\nstderr:\n{}", r.out, r.err);
        assert_eq!(r.code, Some(step.code), "{shown}");
        assert!(
            r.err.starts_with(&format!(
                "ductape: workspace {}; MongoDB Atlas at {}",
                cli.path().display(),
                sim.base_url()
            )),
            "{shown}"
        );
        assert!(!r.out.contains("pg-pass") && !r.err.contains("pg-pass"), "{shown}");
        if json_mode {
            let envelope = r.json();
            assert_eq!(envelope["ok"], step.code == 0, "{shown}");
            assert_eq!(envelope.pointer(step.pointer), Some(&step.value), "{}: {shown}", step.pointer);
        } else if step.code == 0 {
            assert!(r.out.contains(step.table), "expected {:?} in {shown}", step.table);
            assert!(!r.out.contains("\"ok\""), "{shown}");
            assert!(!r.out.contains("tok-3x4mpl3"), "a secret value in a table: {shown}");
        } else {
            assert!(r.out.is_empty() && r.err.contains(step.table), "expected {:?} in {shown}", step.table);
        }
        if args.contains("--wait") {
            assert!(r.err.contains("ductape: wait_active 1/1 ("), "progress lines off a terminal: {shown}");
        }
    }
}

#[test]
fn every_operation_command_in_table_mode() {
    run_story(false);
}

#[test]
fn every_operation_command_in_json_mode() {
    run_story(true);
}

fn complete_request() -> String {
    format!(
        r#"{{"tag":"cli","project_id":"{}","atlas_public_key":"{}","atlas_private_key":"{}"}}"#,
        seed::PROJECT_ID,
        seed::OWNER_PUBLIC_KEY,
        seed::OWNER_PRIVATE_KEY
    )
}

#[test]
fn secrets_come_from_the_environment_files_or_stdin_and_warn_on_the_command_line() {
    let sim = Sim::start_blocking(SimConfig::default()).unwrap();
    let cli = Cli::new("secrets-in", &sim.base_url());
    assert_eq!(cli.run(&["cloud", "connections", "create", "--name", "cli"]).code, Some(0));
    let complete = ["cloud", "connections", "complete", "--tag", "cli", "--project-id", seed::PROJECT_ID];
    let mut args = complete.to_vec();
    args.extend(["--atlas-public-key", seed::OWNER_PUBLIC_KEY, "--atlas-private-key", seed::OWNER_PRIVATE_KEY]);
    let r = run_with(cli.command(&args), None);
    assert_eq!(r.code, Some(0), "{}", r.err);
    assert!(
        r.err.contains(
            "ductape: warning: --atlas-private-key was given on the command line, where other users can see it (ps)"
        ),
        "{}",
        r.err
    );
    assert_eq!(r.err.matches(seed::OWNER_PRIVATE_KEY).count(), 0, "the warning never repeats the value: {}", r.err);
    // From MONGODB_ATLAS_* as MongoDB's tools read them: no warning.
    let mut c = cli.command(&["cloud", "connections", "complete", "--tag", "cli", "-o", "json"]);
    c.env("MONGODB_ATLAS_PROJECT_ID", seed::PROJECT_ID)
        .env("MONGODB_ATLAS_PUBLIC_API_KEY", seed::OWNER_PUBLIC_KEY)
        .env("MONGODB_ATLAS_PRIVATE_API_KEY", seed::OWNER_PRIVATE_KEY);
    let r = run_with(c, None);
    assert_eq!((r.code, r.err.contains("warning")), (Some(0), false), "{}", r.err);
    assert_eq!(r.json()["result"]["metadata"]["atlas_public_key"], seed::OWNER_PUBLIC_KEY);
    // On standard input, with -f -: no warning; and stdin can only be read once.
    let r = cli.run_in(&["cloud", "connections", "complete", "-f", "-"], Some(&complete_request()));
    assert_eq!((r.code, r.err.contains("warning")), (Some(0), false), "{}", r.err);
    let r = cli.run_in(&["cloud", "connections", "complete", "-f", "-", "--atlas-private-key-file", "-"], Some("{}"));
    assert_eq!(r.code, Some(1), "{}", r.err);
    assert!(r.err.contains("--atlas-private-key-file and -f both read standard input"), "{}", r.err);
    // From a file with -f, flags overriding its fields; a file that is not there exits 1.
    let file = cli.path().join("complete.json");
    std::fs::write(&file, complete_request().replace("\"tag\":\"cli\"", "\"tag\":\"other\"")).unwrap();
    let r = cli.run(&["cloud", "connections", "complete", "-f", file.to_str().unwrap(), "--tag", "cli", "-o", "json"]);
    assert_eq!((r.code, &r.json()["result"]["tag"]), (Some(0), &json!("cli")), "{}", r.err);
    let r = cli.run(&["cloud", "connections", "complete", "-f", "/nonexistent/x.json"]);
    assert_eq!(r.code, Some(1), "{}", r.err);
    assert!(r.err.contains("ductape: -f: cannot read /nonexistent/x.json"), "{}", r.err);
    // Without a terminal there is no prompt: the core names the missing field.
    let r = cli.run(&["secrets", "create", "--key", "NO_VALUE", "-o", "json"]);
    assert_eq!((r.code, r.json()["error"]["field"].clone()), (Some(3), json!("value")), "{}", r.err);
    assert!(!cli.path().join("nothing").exists());
}

#[test]
fn validate_answering_valid_false_exits_with_its_failures_code() {
    let sim = Sim::start_blocking(SimConfig::default()).unwrap();
    let cli = Cli::new("readonly", &sim.base_url());
    cli.run(&["cloud", "connections", "create", "--name", "ro"]);
    let r = cli.run_in(
        &[
            "cloud",
            "connections",
            "complete",
            "--tag",
            "ro",
            "--project-id",
            seed::PROJECT_ID,
            "--atlas-public-key",
            "rdonlyky",
            "--atlas-private-key-file",
            "-",
        ],
        Some("bfd1494b-ab37-4a06-941b-e554ca5ddad1"),
    );
    assert_eq!(r.code, Some(0), "{}", r.err);
    for json_mode in [false, true] {
        let mut args = vec!["cloud", "connections", "validate", "--tag", "ro"];
        if json_mode {
            args.extend(["-o", "json"]);
        }
        let r = cli.run(&args);
        assert_eq!(r.code, Some(13), "{}{}", r.out, r.err);
        if json_mode {
            let e = r.json();
            assert_eq!(
                (&e["ok"], &e["result"]["valid"], &e["result"]["code"]),
                (&json!(true), &json!(false), &json!("atlas_missing_role"))
            );
        } else {
            assert!(r.out.contains("valid               false"), "{}", r.out);
            assert!(r.err.contains("error: atlas_missing_role:"), "{}", r.err);
        }
    }
    let r = cli.command(&["call", "cloud.connections.validate", r#"{"tag":"ro"}"#]).output().unwrap();
    assert_eq!(r.status.code(), Some(13), "call exits non-zero on valid:false too");
}

#[test]
fn call_answers_envelopes_with_exit_codes_per_error_code() {
    let sim = Sim::start_blocking(SimConfig::default()).unwrap();
    let cli = Cli::new("call", &sim.base_url());
    let json = |r: &Run| r.json();
    let r = cli.run(&["call", "cloud.connections.create", r#"{"provider":"mongodb_atlas","name":"cli"}"#]);
    assert_eq!((r.code, json(&r)["result"]["status"].clone()), (Some(0), json!("pending")), "{}", r.err);
    let r = cli.run(&["call", "cloud.connections.fetch", r#"{"tag":"nope"}"#]);
    assert_eq!((r.code, json(&r)["error"]["code"].clone()), (Some(5), json!("not_found")));
    let r = cli.run(&["call", "cloud.connections.list"]);
    assert_eq!((r.code, json(&r)["result"]["connections"].as_array().map(Vec::len)), (Some(0), Some(1)));
    let r = cli.run(&["call", "debug.echo", r#"{"value":1}"#]);
    assert_eq!((r.code, json(&r)["error"]["code"].clone()), (Some(4), json!("unknown_operation")), "{}", r.out);
    let r = cli.run(&["call", "cloud.connections.fetch", "{oops"]);
    assert_eq!((r.code, json(&r)["error"]["code"].clone()), (Some(3), json!("invalid_argument")));
    // A secret in the argument: a warning, and the call is made; on standard input: none.
    let r = run_with(cli.command(&["call", "cloud.connections.complete", &complete_request()]), None);
    assert_eq!(r.code, Some(0), "{}", r.out);
    assert!(r.err.contains("warning: atlas_private_key was given on the command line"), "{}", r.err);
    let r = cli.run_in(&["call", "cloud.connections.complete", "-"], Some(&complete_request()));
    assert_eq!((r.code, r.err.contains("warning")), (Some(0), false), "{}", r.err);
    // In table mode too, an error goes to stderr with the same exit code.
    let r = cli.run(&["call", "cloud.connections.fetch", r#"{"tag":"nope"}"#, "-o", "table"]);
    assert_eq!((r.code, r.out.as_str()), (Some(5), ""), "{}", r.err);
    assert!(r.err.contains("error: not_found:"), "{}", r.err);
}

#[test]
fn bad_usage_exits_2_and_an_unreachable_atlas_15() {
    for args in [&["bogus"][..], &["cloud", "connections", "get"], &["lifecycle"], &["-o", "yaml", "operations"]] {
        let r = run_with(ductape(args), None);
        assert_eq!(r.code, Some(2), "{args:?}: {}", r.err);
    }
    // A port nothing listens on (the simulator's, after it stopped).
    let base = Sim::start_blocking(SimConfig::default()).unwrap().base_url();
    let cli = Cli::new("unreachable", &base);
    cli.run(&["cloud", "connections", "create", "--name", "n"]);
    let r = cli.run_in(
        &["cloud", "connections", "complete", "--tag", "n", "-f", "-"],
        Some(&complete_request().replace("\"cli\"", "\"n\"")),
    );
    assert_eq!(r.code, Some(0), "{}", r.err);
    let r = cli.run(&["cloud", "connections", "validate", "--tag", "n", "-o", "json"]);
    assert_eq!((r.code, r.json()["result"]["code"].clone()), (Some(15), json!("network")), "{}", r.out);
}

#[test]
fn operations_and_describe_list_what_the_cli_can_run() {
    let r = run_with(ductape(&["operations"]), None);
    assert_eq!(r.code, Some(0));
    assert!(
        r.out.lines().any(|l| l.starts_with("cloud.connections.validate ") && l.contains("Checks the credentials")),
        "{}",
        r.out
    );
    assert!(!r.out.contains("debug."), "the CLI cannot run debug operations: {}", r.out);
    let r = run_with(ductape(&["describe"]), None);
    let d: Value = serde_json::from_str(&r.out).unwrap();
    assert_eq!(d["operations"][0]["name"], "cloud.connections.create");
    assert!(d["operations"].as_array().unwrap().iter().all(|o| o["debug_only"] == false));
    assert_eq!(d["error_codes"].as_array().unwrap().len(), 18);
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    // describe prints at once; the demo carries on printing (and pinging over sockets) after the
    // reader has gone.
    for args in [&["describe"][..], &["demo"]] {
        let mut child = ductape(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let mut first = [0u8; 16];
        child.stdout.as_mut().unwrap().read_exact(&mut first).unwrap();
        drop(child.stdout.take()); // like `| head -c 16`
        let o = child.wait_with_output().unwrap();
        assert!(!String::from_utf8_lossy(&o.stderr).contains("panicked"), "{args:?}");
        assert_eq!(o.status.code(), Some(141), "{args:?}: ends as a SIGPIPE would, not with a panic (101)");
    }
}

#[test]
fn sim_flag_gives_each_command_a_fresh_simulator_on_one_port() {
    let dir = crate::common::workspace("sim-flag");
    let d = dir.to_str().unwrap();
    let run = |args: &[&str], stdin: Option<&str>| {
        let mut a = vec!["--sim", "--workspace-dir", d];
        a.extend(args);
        let r = run_with(ductape(&a), stdin);
        r.assert_no_secret();
        assert!(
            r.err.starts_with(&format!(
                "ductape: workspace {d}; the bundled Atlas simulator at http://127.0.0.1:47017 (default seed)"
            )),
            "{}",
            r.err
        );
        r
    };
    assert_eq!(run(&["cloud", "connections", "create", "--name", "cli"], None).code, Some(0));
    assert_eq!(
        run(&["cloud", "connections", "complete", "--tag", "cli", "-f", "-"], Some(&complete_request())).code,
        Some(0)
    );
    let r = run(&["cloud", "connections", "validate", "--tag", "cli", "-o", "json"], None);
    assert_eq!((r.code, &r.json()["result"]["valid"]), (Some(0), &json!(true)), "{}", r.out);
    let _ = std::fs::remove_dir_all(&dir);
}
