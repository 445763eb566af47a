//! A small OpenAPI 3.0 schema checker: type, properties, required, additionalProperties,
//! items, enum, $ref, allOf/oneOf/anyOf (with discriminator mappings), nullable,
//! min/max length, minimum/maximum, a loose `date-time` format and the 24-hex id pattern.
//!
//! `oneOf` is checked as "at least one branch": the spec's branches carry no
//! `additionalProperties: false`, so several of them always match real Atlas bodies
//! (an AWS M10 hardware spec also matches the GCP one). With a discriminator the
//! mapped branch is the one checked. A `type` next to `oneOf`/`anyOf` is left to the
//! branches (the spec types `regionName` as an object while every branch is a string enum).

use serde_json::Value;

pub struct Spec {
    pub root: Value,
}

/// The vendored OpenAPI subset and recorded responses (`sim/spec/`, see its NOTICE.md).
pub fn spec_dir() -> &'static str {
    concat!(env!("CARGO_MANIFEST_DIR"), "/spec")
}

impl Spec {
    pub fn load() -> Spec {
        let path = format!("{}/atlas-admin-v2-subset.yaml", spec_dir());
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
        Spec { root: serde_yaml::from_str(&text).expect("spec parses") }
    }

    pub fn resolve<'a>(&'a self, r: &str) -> &'a Value {
        let ptr = r.strip_prefix('#').unwrap_or_else(|| panic!("external ref {r}"));
        self.root.pointer(ptr).unwrap_or_else(|| panic!("dangling ref {r}"))
    }

    fn deref<'a>(&'a self, v: &'a Value) -> &'a Value {
        match v.get("$ref").and_then(Value::as_str) {
            Some(r) => self.deref(self.resolve(r)),
            None => v,
        }
    }

    /// The schema for `paths[path][method].responses[status].content[media]`.
    /// `Ok(None)` when the response has no body schema; `Err` when the spec lacks the response.
    pub fn response_schema(
        &self,
        path: &str,
        method: &str,
        status: u16,
        media: &str,
    ) -> Result<Option<&Value>, String> {
        let op = self.root["paths"]
            .get(path)
            .and_then(|p| p.get(method.to_lowercase()))
            .ok_or_else(|| format!("no operation {method} {path}"))?;
        let resp =
            op["responses"].get(status.to_string()).ok_or_else(|| format!("{method} {path} documents no {status}"))?;
        let resp = self.deref(resp);
        let content = resp
            .get("content")
            .and_then(|c| c.get(media))
            .ok_or_else(|| format!("{method} {path} {status} has no {media}"))?;
        Ok(content.get("schema"))
    }

    pub fn validate(&self, schema: &Value, v: &Value) -> Vec<String> {
        let mut errs = Vec::new();
        let mut stack = Vec::new();
        self.check(schema, v, "", &mut errs, &mut stack, false);
        errs
    }

    fn check(
        &self,
        schema: &Value,
        v: &Value,
        at: &str,
        errs: &mut Vec<String>,
        stack: &mut Vec<(String, String)>,
        shallow: bool,
    ) {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            let key = (r.to_string(), at.to_string());
            // A branch that refers back to its parent (allOf: [$ref parent]) is checked
            // without the parent's oneOf, or validation would never end.
            let again = stack.contains(&key);
            stack.push(key);
            self.check(self.resolve(r), v, at, errs, stack, again);
            stack.pop();
            return;
        }
        if v.is_null() {
            let nullable = schema.get("nullable").and_then(Value::as_bool).unwrap_or(false);
            if !nullable && schema.get("type").is_some() {
                errs.push(format!("{at}: null but not nullable"));
            }
            return;
        }
        // A `type` beside oneOf/anyOf is left to the branches: the spec declares
        // `regionName` as an object whose branches are all strings.
        let has_branches = schema.get("oneOf").is_some() || schema.get("anyOf").is_some();
        if let Some(t) = schema.get("type").and_then(Value::as_str).filter(|_| !has_branches) {
            let ok = match t {
                "object" => v.is_object(),
                "array" => v.is_array(),
                "string" => v.is_string(),
                "integer" => v.is_i64() || v.is_u64(),
                "number" => v.is_number(),
                "boolean" => v.is_boolean(),
                _ => true,
            };
            if !ok {
                errs.push(format!("{at}: expected {t}, got {v}"));
                return;
            }
        }
        if let Some(e) = schema.get("enum").and_then(Value::as_array) {
            if !e.contains(v) {
                errs.push(format!("{at}: {v} not in enum {}", Value::Array(e.clone())));
            }
        }
        if let Some(s) = v.as_str() {
            if let Some(n) = schema.get("maxLength").and_then(Value::as_u64) {
                if s.chars().count() as u64 > n {
                    errs.push(format!("{at}: longer than {n}"));
                }
            }
            if let Some(n) = schema.get("minLength").and_then(Value::as_u64) {
                if (s.chars().count() as u64) < n {
                    errs.push(format!("{at}: shorter than {n}"));
                }
            }
            // Only the id pattern is checked: the other patterns need a regex engine (some use
            // look-ahead), and ids are what a simulator most easily gets wrong.
            if schema.get("pattern").and_then(Value::as_str) == Some("^([a-f0-9]{24})$")
                && !(s.len() == 24 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
            {
                errs.push(format!("{at}: {s} is not a 24-hex id"));
            }
            if schema.get("format").and_then(Value::as_str) == Some("date-time")
                && chrono::DateTime::parse_from_rfc3339(s).is_err()
            {
                errs.push(format!("{at}: {s} is not a date-time"));
            }
        }
        if let Some(x) = v.as_f64() {
            if let Some(m) = schema.get("minimum").and_then(Value::as_f64) {
                if x < m {
                    errs.push(format!("{at}: {x} < minimum {m}"));
                }
            }
            if let Some(m) = schema.get("maximum").and_then(Value::as_f64) {
                if x > m {
                    errs.push(format!("{at}: {x} > maximum {m}"));
                }
            }
        }
        if let Some(obj) = v.as_object() {
            let props = schema.get("properties").and_then(Value::as_object);
            if let Some(req) = schema.get("required").and_then(Value::as_array) {
                for r in req.iter().filter_map(Value::as_str) {
                    if !obj.contains_key(r) {
                        errs.push(format!("{at}: missing required {r}"));
                    }
                }
            }
            for (k, val) in obj {
                let sub = format!("{at}/{k}");
                match props.and_then(|p| p.get(k)) {
                    Some(ps) => self.check(ps, val, &sub, errs, stack, false),
                    None => {
                        if let Some(ap) = schema.get("additionalProperties") {
                            if ap == &Value::Bool(false) {
                                errs.push(format!("{sub}: not allowed"));
                            } else if ap.is_object() {
                                self.check(ap, val, &sub, errs, stack, false);
                            }
                        }
                    }
                }
            }
        }
        if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
            for (i, x) in arr.iter().enumerate() {
                self.check(items, x, &format!("{at}/{i}"), errs, stack, false);
            }
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            for s in all {
                self.check(s, v, at, errs, stack, false);
            }
        }
        if shallow {
            return;
        }
        for key in ["oneOf", "anyOf"] {
            let Some(branches) = schema.get(key).and_then(Value::as_array) else { continue };
            if let Some(d) = schema.get("discriminator") {
                let prop = d["propertyName"].as_str().unwrap_or("");
                if let Some(target) =
                    v.get(prop).and_then(Value::as_str).and_then(|val| d["mapping"].get(val)).and_then(Value::as_str)
                {
                    self.check(&serde_json::json!({ "$ref": target }), v, at, errs, stack, false);
                    continue;
                }
            }
            let mut best: Option<Vec<String>> = None;
            for b in branches {
                let mut e = Vec::new();
                self.check(b, v, at, &mut e, stack, false);
                if e.is_empty() {
                    best = None;
                    break;
                }
                if best.as_ref().map(|x| e.len() < x.len()).unwrap_or(true) {
                    best = Some(e);
                }
            }
            if let Some(e) = best {
                errs.push(format!("{at}: matches no {key} branch; closest: {}", e.join("; ")));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn errs(schema_ref: &str, v: serde_json::Value) -> Vec<String> {
        let spec = Spec::load();
        spec.validate(&json!({ "$ref": schema_ref }), &v)
    }

    #[test]
    fn the_checker_rejects_what_it_should() {
        let e = "#/components/schemas/ApiError";
        assert!(errs(e, json!({"error": 404, "errorCode": "X", "detail": null})).is_empty());
        assert!(!errs(e, json!({"error": 404})).is_empty(), "missing required");
        assert!(!errs(e, json!({"error": "404", "errorCode": "X"})).is_empty(), "wrong type");
        assert!(!errs(e, json!({"error": 404, "errorCode": "X", "reason": 5})).is_empty());
        let st = "#/components/schemas/NetworkPermissionEntryStatus";
        assert!(errs(st, json!({"STATUS": "ACTIVE"})).is_empty());
        assert!(!errs(st, json!({"STATUS": "DONE"})).is_empty(), "enum");
        let g = "#/components/schemas/Group";
        assert!(!errs(g, json!({"clusterCount": 0, "created": "2024-01-01T00:00:00Z", "name": "x", "orgId": "A0123456789abcdef012345a"})).is_empty(), "id pattern");
        assert!(errs(g, json!({"clusterCount": 0, "created": "2024-01-01T00:00:00Z", "name": "x", "orgId": "a0123456789abcdef012345a"})).is_empty());
        assert!(
            !errs(g, json!({"clusterCount": 0, "created": "yesterday", "name": "x", "orgId": "a"})).is_empty(),
            "date-time"
        );
        let c = "#/components/schemas/ClusterDescription20240805";
        let bad_region = json!({"replicationSpecs": [{"regionConfigs": [{"providerName": "AWS", "regionName": "NOWHERE", "electableSpecs": {"instanceSize": "M10"}}]}]});
        assert!(!errs(c, bad_region).is_empty(), "oneOf through discriminator and allOf");
        let bad_size = json!({"replicationSpecs": [{"regionConfigs": [{"providerName": "AWS", "regionName": "US_EAST_1", "electableSpecs": {"instanceSize": "M7"}}]}]});
        assert!(!errs(c, bad_size).is_empty(), "hardware oneOf");
        let good = json!({"replicationSpecs": [{"regionConfigs": [{"providerName": "AWS", "regionName": "US_EAST_1", "electableSpecs": {"instanceSize": "M10", "nodeCount": 3}}]}]});
        assert!(errs(c, good).is_empty());
        let list = "#/components/schemas/PaginatedNetworkAccessView";
        assert!(!errs(list, json!({"links": []})).is_empty(), "results required");
        assert!(!errs(list, json!({"results": [{"comment": 5}]})).is_empty(), "items checked");
    }
}
