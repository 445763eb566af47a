//! `docs/operations.json` and `docs/operations.md` are generated from the registry; this test
//! fails when they are stale. `DUCTAPE_BLESS=1 cargo test -p ductape-core --test generated_docs`
//! rewrites them (refused when `CI` is set: CI must see a stale file fail).

use ductape_core::ops;
use serde_json::Value;
use std::path::PathBuf;

fn docs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs")
}

/// Whether to rewrite the generated files: `DUCTAPE_BLESS` set, which is refused when `CI` is set
/// (CI checks the committed files; rewriting them there would turn a stale file green).
fn bless(bless: Option<&str>, ci: Option<&str>) -> Result<bool, String> {
    match (bless, ci) {
        (Some(_), Some(ci)) if !ci.is_empty() && ci != "false" => {
            Err("DUCTAPE_BLESS is refused when CI is set: CI checks the committed files, it does not rewrite them"
                .to_string())
        }
        (bless, _) => Ok(bless.is_some()),
    }
}

fn blessing() -> bool {
    let var = |name| std::env::var_os(name).map(|v| v.to_string_lossy().into_owned());
    bless(var("DUCTAPE_BLESS").as_deref(), var("CI").as_deref()).unwrap_or_else(|refused| panic!("{refused}"))
}

fn check_or_bless(name: &str, generated: String) {
    let path = docs().join(name);
    if blessing() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is stale: regenerate it with `DUCTAPE_BLESS=1 cargo test -p ductape-core --test generated_docs`",
        path.display()
    );
}

#[test]
fn operations_docs_are_generated_from_the_registry() {
    check_or_bless("operations.json", serde_json::to_string_pretty(&ops::describe::describe_public()).unwrap() + "\n");
    check_or_bless("operations.md", ops::describe::markdown());
}

#[test]
fn bless_is_refused_in_ci() {
    assert_eq!(bless(None, None), Ok(false));
    assert_eq!(bless(None, Some("true")), Ok(false));
    assert_eq!(bless(Some("1"), None), Ok(true));
    assert_eq!(bless(Some("1"), Some("false")), Ok(true));
    assert_eq!(bless(Some("1"), Some("")), Ok(true));
    assert!(bless(Some("1"), Some("true")).unwrap_err().contains("refused when CI is set"));
    assert!(bless(Some(""), Some("1")).is_err(), "set is set, even empty");
}

#[test]
fn every_request_is_closed_named_and_free_of_a_params_field() {
    for op in ops::operations() {
        let request = op.request_schema();
        assert_eq!(request.get("type").and_then(Value::as_str), Some("object"), "{}", op.name);
        // deny_unknown_fields: a misspelt field is an error naming it, in every language.
        assert_eq!(request.get("additionalProperties"), Some(&Value::Bool(false)), "{}", op.name);
        // `{"tag": T, "params": {...}}` is the SDKs' positional form; a real `params` field would make it ambiguous.
        assert!(request.get("properties").and_then(|p| p.get("params")).is_none(), "{}", op.name);
        assert!(!op.summary.is_empty() && op.name.contains('.'), "{}", op.name);
        if !op.debug_only {
            // Every product reply is an object, so facades answer a Map/dict.
            assert_eq!(op.reply_schema().get("type").and_then(Value::as_str), Some("object"), "{}", op.name);
        }
    }
}

#[test]
fn secret_fields_come_from_the_types() {
    let complete = ops::find("cloud.connections.complete").unwrap();
    assert_eq!(complete.secret_fields(), ["atlas_client_secret", "atlas_private_key"]);
    assert!(ops::find("cloud.connections.create").unwrap().secret_fields().is_empty());
    assert_eq!(ops::find("workspace.rotateKey").unwrap().secret_fields(), ["new_key"]);
    assert_eq!(ops::find("secrets.create").unwrap().secret_fields(), ["value"]);
    assert_eq!(ops::find("products.components.setEnv").unwrap().secret_fields(), ["connection_url"]);
    assert_eq!(
        ops::describe::all_secret_fields(),
        [
            "atlas_client_secret",
            "atlas_private_key",
            "connection_url",
            "new_key",
            "value",
            "workspace_key",
            "workspace_url"
        ]
    );
    let d = ops::describe::describe();
    assert_eq!(d["secret_options"], serde_json::json!(["workspace_key", "workspace_url"]));
    let codes: Vec<&str> = d["error_codes"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert_eq!(codes.len(), ductape_core::ErrorCode::ALL.len());
    assert!(codes.contains(&"invalid_argument") && codes.contains(&"internal"));
}
