//! The Rust conformance runner: runs every vector in `tests/conformance/vectors/` through the
//! native library's uniffi surface (`DuctapeClient::call`), the same surface the Kotlin/Java and
//! Python runners reach. See `tests/conformance/README.md` for the format and matching rules.
//!
//! `DUCTAPE_SIM_URL` names a running `atlas-sim` (as `scripts/test-bindings.sh` sets it, so
//! every language shares one); without it this runner starts one in-process, so a plain
//! `cargo test` runs every vector too.

use ductape_ffi::DuctapeClient;
use serde_json::{json, Map, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance/vectors")
}

/// Subset matching shared by every runner.
fn matches(expected: &Value, actual: Option<&Value>, path: &str) -> Result<(), String> {
    if expected == &json!("$absent") {
        return match actual {
            None => Ok(()),
            Some(a) => Err(format!("{path}: expected absent, got {a}")),
        };
    }
    let Some(actual) = actual else {
        return Err(format!("{path}: missing"));
    };
    if expected == &json!("$any") {
        return Ok(());
    }
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                matches(ev, a.get(k), &format!("{path}.{k}"))?;
            }
            Ok(())
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                return Err(format!("{path}: expected {} elements, got {}: {actual}", e.len(), a.len()));
            }
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                matches(ev, Some(av), &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        (Value::Number(e), Value::Number(a)) => {
            if e.as_f64() == a.as_f64() {
                Ok(())
            } else {
                Err(format!("{path}: expected {e}, got {a}"))
            }
        }
        _ if expected == actual => Ok(()),
        _ => Err(format!("{path}: expected {expected}, got {actual}")),
    }
}

fn check_step(step: &Value, envelope: &Value) -> Result<(), String> {
    let expect = &step["expect"];
    let want_ok = expect["ok"].as_bool().unwrap_or(true);
    let got_ok = envelope["ok"].as_bool().unwrap_or(false);
    if want_ok != got_ok {
        return Err(format!("expected ok={want_ok}, got {envelope}"));
    }
    if want_ok {
        if let Some(result) = expect.get("result") {
            matches(result, envelope.get("result"), "result")?;
        }
        return Ok(());
    }
    let (e, a) = (&expect["error"], &envelope["error"]);
    if e["code"] != a["code"] {
        return Err(format!("expected error code {}, got {envelope}", e["code"]));
    }
    if let Some(field) = e.get("field") {
        if field != a.get("field").unwrap_or(&Value::Null) {
            return Err(format!("expected error field {field}, got {envelope}"));
        }
    }
    if let Some(part) = e.get("message_contains").and_then(Value::as_str) {
        if !a["message"].as_str().unwrap_or("").contains(part) {
            return Err(format!("expected message containing {part:?}, got {envelope}"));
        }
    }
    Ok(())
}

/// One request to the simulator's control API (`/__sim/...`); answers the HTTP status.
fn sim_request(base: &str, method: &str, path: &str, body: Option<&Value>) -> Result<u16, String> {
    let addr = base.trim_start_matches("http://").trim_end_matches('/');
    let mut s = TcpStream::connect(addr).map_err(|e| format!("simulator at {base}: {e}"))?;
    let body = body.map(Value::to_string).unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .map_err(|e| e.to_string())?;
    let mut reply = String::new();
    s.read_to_string(&mut reply).map_err(|e| e.to_string())?;
    let status = reply.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
    if status / 100 == 2 {
        Ok(status)
    } else {
        Err(format!("{method} {path} failed: {}", reply.lines().next().unwrap_or("")))
    }
}

/// What this runner saw at one step, for the cross-language comparison (`tools/agree.py`).
fn seen(envelope: &Value) -> Value {
    if envelope["ok"] == json!(true) {
        return json!({"ok": true, "result": envelope.get("result").cloned().unwrap_or(Value::Null)});
    }
    let e = &envelope["error"];
    json!({"ok": false, "error": {"code": e["code"], "field": e.get("field").cloned().unwrap_or(Value::Null),
        "message": e["message"], "details": e.get("details").cloned().unwrap_or(Value::Null)}})
}

/// `DUCTAPE_TEST_POSTGRES_URL` (set by scripts/test-postgres.sh): run every vector on the
/// PostgreSQL backend, each in a schema of its own.
fn postgres_url() -> Option<String> {
    std::env::var("DUCTAPE_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty())
}

/// The workspace URL of a new schema of its own (the core creates it on first open).
fn fresh_schema(admin: &str) -> Result<String, String> {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let schema = format!("conf_{}_{}", std::process::id(), N.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    let sep = if admin.contains('?') { '&' } else { '?' };
    Ok(format!("{admin}{sep}options=-c%20search_path%3D{schema}"))
}

fn run_vector(vector: &Value, sim: Option<&str>, workdir: &Path, report: &mut Vec<Value>) -> Result<(), String> {
    if let Some(base) = sim {
        sim_request(base, "POST", "/__sim/reset", None)?;
    }
    let mut options = Map::new();
    options.insert("workspace_dir".into(), json!(workdir.to_string_lossy()));
    if let Some(admin) = postgres_url() {
        options.insert("workspace_url".into(), json!(fresh_schema(&admin)?));
    }
    options.insert("atlas_base_url".into(), json!(sim.unwrap_or("http://127.0.0.1:9")));
    options.insert("debug_operations".into(), json!(true));
    if let Some(extra) = vector.get("options").and_then(Value::as_object) {
        options.extend(extra.clone());
    }
    let opened = DuctapeClient::new(Value::Object(options).to_string());
    if let Some(want) = vector.get("open_error") {
        // The vector is about opening a client: it must fail with this code (and field).
        return match opened {
            Ok(_) => Err(format!("expected opening to fail with {want}")),
            Err(ductape_ffi::DuctapeError::Failure { code, field, detail }) => {
                let got = json!({"ok": false, "error": {"code": code, "field": field, "message": detail}});
                report.push(json!({"step": "open", "seen": seen(&got)}));
                check_step(&json!({"expect": {"ok": false, "error": want}}), &got)
            }
        };
    }
    let client = opened.map_err(|e| format!("open: {e}"))?;
    for (i, step) in vector["steps"].as_array().into_iter().flatten().enumerate() {
        if let Some(control) = step.get("sim") {
            let base = sim.ok_or("a sim step needs the simulator")?;
            let (method, path) = (control["method"].as_str().unwrap_or("POST"), control["path"].as_str().unwrap_or(""));
            let status = sim_request(base, method, path, control.get("body")).map_err(|m| format!("step {i}: {m}"))?;
            report.push(json!({"step": i, "sim": status}));
            continue;
        }
        let op = step["op"].as_str().unwrap_or("");
        let params = match step.get("params_raw").and_then(Value::as_str) {
            Some(raw) => raw.to_string(),
            None => step.get("params").cloned().unwrap_or(Value::Null).to_string(),
        };
        let reply = client.call(op.to_string(), params);
        let envelope: Value = serde_json::from_str(&reply).map_err(|e| format!("step {i} ({op}): bad envelope {e}"))?;
        report.push(json!({"step": i, "seen": seen(&envelope)}));
        check_step(step, &envelope).map_err(|m| format!("step {i} ({op}): {m}"))?;
    }
    Ok(())
}

/// The vector files themselves: unique names, steps that say what they expect. A vector without
/// steps proves nothing (except an `open_error` vector, which is about opening the client), and a
/// successful step must say which result it expects, not only `ok: true`.
#[test]
fn vector_files_are_well_formed() {
    let mut names = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(vectors_dir()).expect("vectors dir").flatten() {
        if entry.path().extension().is_none_or(|e| e != "json") {
            continue;
        }
        let stem = entry.path().file_stem().unwrap().to_string_lossy().to_string();
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(entry.path()).unwrap()).unwrap();
        assert!(doc["description"].is_string(), "{stem}: a description");
        for vector in doc["vectors"].as_array().expect("vectors array") {
            let name = format!("{stem}/{}", vector["name"].as_str().expect("a name"));
            assert!(names.insert(name.clone()), "{name}: duplicate name");
            let steps = vector["steps"].as_array().unwrap_or_else(|| panic!("{name}: steps"));
            if vector.get("open_error").is_some() {
                assert!(steps.is_empty(), "{name}: an open_error vector has no steps");
                continue;
            }
            assert!(!steps.is_empty(), "{name}: a vector without steps proves nothing");
            for (i, step) in steps.iter().enumerate() {
                if step.get("sim").is_some() {
                    assert!(step["sim"]["path"].as_str().is_some_and(|p| p.starts_with("/__sim/")), "{name} step {i}");
                    assert!(
                        vector["requires"].as_array().is_some_and(|r| r.contains(&json!("sim"))),
                        "{name}: sim steps need requires sim"
                    );
                    continue;
                }
                assert!(step["op"].is_string(), "{name} step {i}: op");
                let expect = &step["expect"];
                match expect["ok"].as_bool() {
                    Some(true) => assert!(
                        expect.get("result").is_some(),
                        "{name} step {i}: a successful step needs an expected result"
                    ),
                    Some(false) => assert!(expect["error"]["code"].is_string(), "{name} step {i}: an error code"),
                    None => panic!("{name} step {i}: expect.ok"),
                }
            }
        }
    }
    assert!(names.len() >= 120, "{} vectors", names.len());
}

/// Every operation the core has appears in at least one vector: a new operation lands with its
/// vectors.
#[test]
fn every_operation_has_vectors() {
    let mut covered = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(vectors_dir()).expect("vectors dir").flatten() {
        if entry.path().extension().is_some_and(|e| e == "json") {
            let doc: Value = serde_json::from_str(&std::fs::read_to_string(entry.path()).unwrap()).unwrap();
            for vector in doc["vectors"].as_array().into_iter().flatten() {
                for step in vector["steps"].as_array().into_iter().flatten() {
                    // A step reaches the operation unless it expects `unknown_operation`.
                    if step["expect"]["error"]["code"] != json!("unknown_operation") {
                        covered.insert(step["op"].as_str().unwrap_or("").to_string());
                    }
                }
            }
        }
    }
    let workdir = std::env::temp_dir().join(format!("ductape-conformance-ops-{}", std::process::id()));
    let options = json!({ "workspace_dir": workdir.to_string_lossy() }).to_string();
    let client = DuctapeClient::new(options).unwrap();
    let missing: Vec<String> = client.operations().into_iter().filter(|op| !covered.contains(op)).collect();
    assert!(missing.is_empty(), "add vectors in tests/conformance/vectors for {missing:?}");
}

#[test]
fn conformance_vectors() {
    let named = std::env::var("DUCTAPE_SIM_URL").ok().filter(|s| !s.is_empty());
    let in_process = match named {
        Some(_) => None,
        None => Some(atlas_sim::Sim::start_blocking(atlas_sim::SimConfig::default()).expect("start atlas-sim")),
    };
    let sim = named.or_else(|| in_process.as_ref().map(|s| s.base_url()));
    let mut files: Vec<_> =
        std::fs::read_dir(vectors_dir()).expect("vectors dir").flatten().map(|e| e.path()).collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "json"));
    files.sort();
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    let mut lines: Vec<String> = Vec::new();
    let root = std::env::temp_dir().join(format!("ductape-conformance-rust-{}", std::process::id()));
    for file in &files {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).expect("vector file is JSON");
        let stem = file.file_stem().unwrap().to_string_lossy().to_string();
        for vector in doc["vectors"].as_array().expect("vectors array") {
            let name = format!("{stem}/{}", vector["name"].as_str().unwrap_or("?"));
            let needs_sim = vector["requires"].as_array().is_some_and(|r| r.contains(&json!("sim")));
            if needs_sim && sim.is_none() {
                skipped += 1;
                lines.push(json!({"vector": name, "outcome": "SKIP"}).to_string());
                continue;
            }
            let workdir = root.join(name.replace('/', "__"));
            let _ = std::fs::remove_dir_all(&workdir);
            std::fs::create_dir_all(&workdir).unwrap();
            let mut report = Vec::new();
            let outcome = match run_vector(vector, sim.as_deref(), &workdir, &mut report) {
                Ok(()) => {
                    passed += 1;
                    "PASS"
                }
                Err(m) => {
                    failed += 1;
                    eprintln!("FAIL {name}: {m}");
                    "FAIL"
                }
            };
            for mut line in report {
                line["vector"] = json!(name);
                lines.push(line.to_string());
            }
            let dir = workdir.to_string_lossy();
            lines.push(json!({"vector": name, "outcome": outcome, "workdir": dir}).to_string());
        }
    }
    let _ = std::fs::remove_dir_all(&root);
    if let Some(dir) = std::env::var_os("DUCTAPE_CONFORMANCE_REPORT_DIR") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(Path::new(&dir).join("rust.jsonl"), lines.join("\n") + "\n").unwrap();
    }
    let backend = if postgres_url().is_some() { "postgres" } else { "sqlite" };
    println!("conformance (rust, {backend}): {passed} passed, {failed} failed, {skipped} skipped");
    assert_eq!(failed, 0, "{failed} conformance vectors failed");
    assert!(passed > 0, "no conformance vector ran");
}
