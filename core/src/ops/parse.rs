//! Turns a JSON request into a typed request, naming the field at fault on any error.

use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Checks `params`, a request object, against `T` (whose fields are `deny_unknown_fields`).
pub fn parse<T: DeserializeOwned>(params: Value) -> Result<T> {
    // `null` stands for "no arguments" so that `call("x", null)` equals `call("x", {})`.
    let params = match params {
        Value::Null => Value::Object(Default::default()),
        // serde would otherwise fill a struct from an array by position, so that
        // `["mongodb_atlas", "x"]` became a create request.
        Value::Object(_) => params,
        other => return Err(Error::invalid("$", format!("$: expected a JSON object, found {}", kind(&other)))),
    };
    serde_path_to_error::deserialize(params).map_err(|e| to_invalid(e.path().to_string(), e.into_inner().to_string()))
}

/// The positional form the SDKs send for `complete(tag, params)`, `update(key, params)` and
/// the like: `{"<id>": V, "params": {...}}` (exactly two members, one of them `params`) is the
/// request `params` with `<id>` set to `V` (`tag`, `key`, `product`, ...). A different value for
/// `<id>` inside `params` is refused rather than letting either win (it once changed the other
/// connection). No request type has a field named `params` (the registry's tests check it), so
/// the form cannot be mistaken for a plain request.
pub(crate) fn positional(request: Value) -> Result<Value> {
    let Value::Object(mut outer) = request else { return Ok(request) };
    if outer.len() != 2 || !outer.contains_key("params") {
        return Ok(Value::Object(outer));
    }
    let mut inner = match outer.remove("params").unwrap_or_default() {
        Value::Object(inner) => inner,
        Value::Null => Default::default(),
        other => {
            return Err(Error::invalid("params", format!("params: expected a JSON object, found {}", kind(&other))))
        }
    };
    let (id, value) = outer.into_iter().next().expect("two members, one of them params");
    if inner.get(&id).is_some_and(|given| given != &value) {
        return Err(Error::invalid(
            &id,
            format!("{id}: given twice with different values, as the {id} argument and as \"{id}\" in params"),
        ));
    }
    inner.insert(id, value);
    Ok(Value::Object(inner))
}

/// Parses JSON text (a request or options object) into `T`.
pub fn parse_json<T: DeserializeOwned>(text: &str) -> Result<T> {
    let de = &mut serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let inner = e.inner();
        if inner.is_syntax() || inner.is_eof() {
            not_json(inner)
        } else {
            to_invalid(e.path().to_string(), inner.to_string())
        }
    })?;
    // Without this, `{"a":1} trailing` would pass as `{"a":1}`.
    de.end().map_err(|e| not_json(&e))?;
    Ok(value)
}

/// Reads a request's JSON text into a value. Any JSON value parses, so only syntax can fail
/// and no field path is tracked (that halves the cost of a large request).
pub fn parse_value(text: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| not_json(&e))
}

fn not_json(e: &serde_json::Error) -> Error {
    Error::invalid("$", format!("request is not valid JSON: {e}"))
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn to_invalid(path: String, message: String) -> Error {
    // serde reports a missing field against the enclosing object; name the field itself so
    // that every language shows the same, precise `field`.
    let named = between_backticks(&message);
    let field = match (message.starts_with("missing field"), named) {
        (true, Some(name)) if path == "." => name.to_string(),
        (true, Some(name)) => format!("{path}.{name}"),
        _ if path == "." => "$".to_string(),
        _ => path,
    };
    let mut message = strip_position(&message);
    if let Some(near) = nearest_field(&message) {
        message.push_str(&format!("; did you mean `{near}`?"));
    }
    Error::invalid(field.clone(), format!("{field}: {message}"))
}

/// For serde's "unknown field `x`, expected one of `a`, `b`": the expected field nearest to `x`
/// (at most 2 edits, and fewer than half its length), the likely misspelling.
fn nearest_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    let (given, expected) = rest.split_once('`')?;
    let expected = expected.split_once("expected")?.1;
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|name| (edits(given, name), name))
        .filter(|(d, name)| *d <= 2 && *d * 2 < name.len().max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, name)| name)
}

/// Levenshtein distance (both are short field names).
fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

fn between_backticks(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(&message[start..start + len])
}

/// serde_json appends " at line 1 column 42" to errors from text; the field path says more.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Req {
        name: String,
        scopes: Vec<String>,
    }

    #[test]
    fn names_unknown_missing_and_mistyped_fields() {
        let e = parse::<Req>(json!({"name": "a", "scopes": [], "extra": 1})).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("extra"));
        assert!(e.message.starts_with("extra: unknown field `extra`"), "{}", e.message);
        assert!(!e.message.contains("did you mean"), "nothing near: {}", e.message);

        let e = parse::<Req>(json!({"scopes": []})).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("name"));
        assert_eq!(e.message, "name: missing field `name`");

        let e = parse::<Req>(json!({"name": "a", "scopes": ["x", 5]})).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("scopes[1]"));
        assert_eq!(e.message, "scopes[1]: invalid type: integer `5`, expected a string");

        let e = parse_json::<Req>("{\"name\": 3, \"scopes\": []}").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("name"));
        assert_eq!(e.message, "name: invalid type: integer `3`, expected a string");

        let e = parse_json::<Req>("{oops").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("$"));
    }

    #[test]
    fn merges_the_positional_form_and_refuses_a_second_tag() {
        let merged = positional(json!({"tag": "a", "params": {"display_name": "A"}})).unwrap();
        assert_eq!(merged, json!({"tag": "a", "display_name": "A"}));
        assert_eq!(positional(json!({"tag": "a", "params": null})).unwrap(), json!({"tag": "a"}));
        assert_eq!(positional(json!({"tag": "a", "params": {"tag": "a"}})).unwrap(), json!({"tag": "a"}));
        let e = positional(json!({"tag": "a", "params": {"tag": "b"}})).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("tag"));
        let merged = positional(json!({"key": "K", "params": {"value": "v"}})).unwrap();
        assert_eq!(merged, json!({"key": "K", "value": "v"}));
        let e = positional(json!({"product": "p", "params": {"product": "q"}})).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("product"));
        let e = positional(json!({"tag": "a", "params": [1]})).unwrap_err();
        assert_eq!(
            (e.field.as_deref(), e.message.as_str()),
            (Some("params"), "params: expected a JSON object, found an array")
        );
        // Anything else passes through untouched.
        let plain = json!({"tag": "a", "params": {}, "x": 1});
        assert_eq!(positional(plain.clone()).unwrap(), plain);
    }

    #[test]
    fn refuses_arrays_scalars_and_trailing_text() {
        let e = parse::<Req>(json!(["a", []])).unwrap_err();
        assert_eq!((e.field.as_deref(), e.message.as_str()), (Some("$"), "$: expected a JSON object, found an array"));

        let e = parse::<Req>(json!("a")).unwrap_err();
        assert_eq!(e.message, "$: expected a JSON object, found a string");

        let e = parse_json::<Value>("{\"value\":1} trailing").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("$"));
        assert!(e.message.starts_with("request is not valid JSON: trailing characters"), "{}", e.message);
    }

    #[test]
    fn a_misspelt_field_gets_its_nearest_name() {
        let m = "unknown field `projct_id`, expected one of `tag`, `project_id`, `atlas_public_key`";
        assert_eq!(nearest_field(m), Some("project_id"));
        assert_eq!(nearest_field("unknown field `zzz`, expected one of `tag`, `project_id`"), None);
        assert_eq!(nearest_field("unknown field `ta`, expected `tag`"), Some("tag"));
        assert_eq!(edits("kitten", "sitting"), 3);
    }
}
