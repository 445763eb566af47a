//! docs/operations.json (the registry's description itself) and docs/operations.md.

use crate::Generated;
use serde_json::Value;

pub fn files(description: &Value) -> Vec<Generated> {
    let json = serde_json::to_string_pretty(description).expect("a JSON value serialises") + "\n";
    vec![
        Generated { path: "docs/operations.json", text: json },
        Generated { path: "docs/operations.md", text: ductape_core::ops::describe::markdown() },
    ]
}
