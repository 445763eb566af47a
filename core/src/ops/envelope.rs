//! The reply envelope every binding decodes: `{"ok":true,"result":...}` or
//! `{"ok":false,"error":{"code","message","field"?,"details"?}}`, with `"warnings":[{code,
//! message, details?}]` when the call collected any (`crate::warnings`).

use crate::error::{Error, ErrorCode, Result};
use crate::warnings::Warning;
use serde_json::Value;

/// Serialises an outcome into the envelope. Never fails.
pub fn envelope(outcome: Result<Value>) -> String {
    envelope_with(outcome, &[])
}

/// [`envelope`] with the warnings the call collected.
pub fn envelope_with(outcome: Result<Value>, warnings: &[Warning]) -> String {
    let mut body = match outcome {
        Ok(result) => serde_json::json!({ "ok": true, "result": result }),
        Err(error) => serde_json::json!({ "ok": false, "error": error }),
    };
    if !warnings.is_empty() {
        body["warnings"] = serde_json::to_value(warnings).unwrap_or_default();
    }
    serde_json::to_string(&body).unwrap_or_else(|_| {
        let e = Error::new(ErrorCode::Internal, "reply could not be serialised");
        format!(r#"{{"ok":false,"error":{{"code":"{}","message":"{}"}}}}"#, e.code, e.message)
    })
}
