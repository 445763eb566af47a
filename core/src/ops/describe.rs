//! The machine-readable description of the library, derived from the registry, the error codes
//! and the options type: what `docs/operations.{json,md}` hold, what `ductape describe` prints,
//! and what each binding's tests check their exception classes and option setters against.
//!
//! ```json
//! {"version": "0.1.0",
//!  "operations": [{"name", "summary", "debug_only", "secret_fields": [..], "secret_reply_fields": [..],
//!                  "request": {JSON Schema}, "reply": {JSON Schema}}],
//!  "error_codes": [{"code", "summary"}],
//!  "options": {JSON Schema}, "secret_options": ["workspace_key"]}
//! ```

use super::registry::{operations, schema_of, secret_fields, Operation};
use crate::error::ErrorCode;
use crate::Options;
use serde_json::{json, Value};
use std::fmt::Write;

/// Everything this build carries, debug operations included when compiled in.
pub fn describe() -> Value {
    describe_ops(operations())
}

/// The description without debug operations: the same whatever the build's features (the docs).
pub fn describe_public() -> Value {
    describe_ops(operations().filter(|op| !op.debug_only))
}

fn describe_ops<'a>(ops: impl Iterator<Item = &'a Operation>) -> Value {
    let options = schema_of::<Options>();
    json!({
        "version": env!("CARGO_PKG_VERSION"),
        "operations": ops.map(|op| json!({
            "name": op.name,
            "summary": op.summary,
            "debug_only": op.debug_only,
            "secret_fields": op.secret_fields(),
            "secret_reply_fields": secret_fields(&op.reply_schema()),
            "request": op.request_schema(),
            "reply": op.reply_schema(),
        })).collect::<Vec<_>>(),
        "error_codes": ErrorCode::ALL.iter().map(|c| json!({"code": c.as_str(), "summary": c.summary()})).collect::<Vec<_>>(),
        "secret_options": secret_fields(&options),
        "options": options,
    })
}

/// Every secret field name: the requests' and the options'. The CLI warns when one is given on
/// the command line.
pub fn all_secret_fields() -> Vec<String> {
    let mut fields: Vec<String> = operations().flat_map(|op| op.secret_fields()).collect();
    fields.extend(secret_fields(&schema_of::<Options>()));
    fields.sort();
    fields.dedup();
    fields
}

/// `docs/operations.md`: the operations, options and error codes as tables.
pub fn markdown() -> String {
    let d = describe_public();
    let mut out = String::from(
        "# Operations, options and error codes\n\n\
         Generated from the core's registry (`core/src/ops/registry.rs`) by\n\
         `cargo xtask codegen`; do not edit by hand.\n\
         The JSON Schemas of every request and reply are in [`operations.json`](operations.json).\n\
         `?` marks an optional field; secret request fields are write-only and never appear in a reply. A\n\
         reply field marked secret (`secret: new_key` in the reply column) is a value answered once for\n\
         the caller to store; it is never logged.\n\n\
         ## Operations\n\n| operation | what it does | request | reply |\n| --- | --- | --- | --- |\n",
    );
    for op in d["operations"].as_array().into_iter().flatten() {
        let secrets: Vec<&str> =
            op["secret_fields"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            op["name"].as_str().unwrap_or_default(),
            op["summary"].as_str().unwrap_or_default(),
            fields(&op["request"], &secrets),
            reply_cell(op),
        );
    }
    out.push_str("\n## Options\n\nEvery binding opens a client with these (JSON names; each binding's typed setters match them).\n\n| option | type | meaning |\n| --- | --- | --- |\n");
    let options = &d["options"];
    for (name, schema) in options["properties"].as_object().into_iter().flatten() {
        let secret =
            if d["secret_options"].as_array().is_some_and(|s| s.iter().any(|f| f == name)) { ", secret" } else { "" };
        let meaning = schema["description"].as_str().unwrap_or_default().replace('\n', " ");
        let _ = writeln!(out, "| `{name}` | {}{secret} | {meaning} |", type_name(schema, options));
    }
    out.push_str("\n## Error codes\n\nEvery failure is one of these, in every language (an exception class per code).\n\n| code | when |\n| --- | --- |\n");
    for c in d["error_codes"].as_array().into_iter().flatten() {
        let _ = writeln!(
            out,
            "| `{}` | {} |",
            c["code"].as_str().unwrap_or_default(),
            c["summary"].as_str().unwrap_or_default()
        );
    }
    out
}

/// The reply's type name, with its secret fields (`` `RotateKeyReply` (secret: new_key) ``).
fn reply_cell(op: &Value) -> String {
    let name = op["reply"]["title"].as_str().map(|t| format!("`{t}`")).unwrap_or_else(|| "any".into());
    let secrets: Vec<&str> =
        op["secret_reply_fields"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    if secrets.is_empty() {
        name
    } else {
        format!("{name} (secret: {})", secrets.join(", "))
    }
}

/// `{tag, project_id, atlas_private_key? (secret)}`
fn fields(schema: &Value, secrets: &[&str]) -> String {
    let required: Vec<&str> = schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    let list: Vec<String> = schema["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, s)| {
            let optional = if required.contains(&name.as_str()) { "" } else { "?" };
            let secret = if secrets.contains(&name.as_str()) { " (secret)" } else { "" };
            format!("{name}{optional}: {}{secret}", type_name(s, schema))
        })
        .collect();
    format!("`{{{}}}`", list.join(", "))
}

/// A short type name for a property schema: `string`, `string[]`, `integer`, a `$defs` name.
fn type_name(s: &Value, root: &Value) -> String {
    if let Some(r) = s["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap_or(r);
        return match root.pointer(&r[1..]).and_then(|d| d["enum"].as_array()) {
            Some(values) => values.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("|"),
            None => name.to_string(),
        };
    }
    if let Some(branches) = s["anyOf"].as_array().or_else(|| s["oneOf"].as_array()) {
        let names: Vec<String> = branches.iter().filter(|b| b["type"] != "null").map(|b| type_name(b, root)).collect();
        return names.join("|");
    }
    let ty = match &s["type"] {
        Value::String(t) => t.as_str(),
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap_or("null"),
        _ => return "any".into(),
    };
    match ty {
        "array" => format!("{}[]", type_name(&s["items"], root)),
        other => other.to_string(),
    }
}
