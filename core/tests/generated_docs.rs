//! What the registry's description promises every generated file (`cargo xtask codegen` writes
//! them; `cargo xtask codegen --check`, in the test command, fails when one is stale): closed
//! requests, object replies, secret fields taken from the types.

use ductape_core::ops;
use serde_json::Value;

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
