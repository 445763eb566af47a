//! The reply envelope every binding decodes: `{"ok":true,"result":...}` or
//! `{"ok":false,"error":{"code","message","field"?,"details"?}}`.

use crate::error::{Error, ErrorCode, Result};
use serde_json::Value;

/// Serialises an outcome into the envelope. Never fails.
pub fn envelope(outcome: Result<Value>) -> String {
    let body = match outcome {
        Ok(result) => serde_json::json!({ "ok": true, "result": result }),
        Err(error) => serde_json::json!({ "ok": false, "error": error }),
    };
    serde_json::to_string(&body).unwrap_or_else(|_| {
        let e = Error::new(ErrorCode::Internal, "reply could not be serialised");
        format!(r#"{{"ok":false,"error":{{"code":"{}","message":"{}"}}}}"#, e.code, e.message)
    })
}
