//! The reply envelope every binding decodes: `{"ok":true,"result":...}` or
//! `{"ok":false,"error":{"code","message","field"?,"details"?}}`, with `"warnings":[{code,
//! message, details?}]` when the call collected any (`crate::warnings`).

use crate::error::{Error, ErrorCode, Result};
use crate::warnings::Warning;
use serde_json::Value;

/// Serialises an outcome into the envelope. Never fails.
pub fn envelope(outcome: Result<Value>) -> String {
    let text = outcome.and_then(|v| serde_json::to_string(&v).map_err(|_| unserialisable()));
    envelope_text(text, &[])
}

/// The envelope of a result that is already JSON text (an operation's reply), with the
/// warnings the call collected: the text is placed as is, not parsed again.
pub fn envelope_text(outcome: Result<String>, warnings: &[Warning]) -> String {
    let warnings = match warnings {
        [] => String::new(),
        w => format!(r#","warnings":{}"#, serde_json::to_string(w).unwrap_or_else(|_| "[]".into())),
    };
    match outcome {
        Ok(result) => format!(r#"{{"ok":true,"result":{result}{warnings}}}"#),
        Err(error) => match serde_json::to_string(&error) {
            Ok(error) => format!(r#"{{"ok":false,"error":{error}{warnings}}}"#),
            Err(_) => {
                let e = unserialisable();
                format!(r#"{{"ok":false,"error":{{"code":"{}","message":"{}"}}}}"#, e.code, e.message)
            }
        },
    }
}

fn unserialisable() -> Error {
    Error::new(ErrorCode::Internal, "reply could not be serialised")
}
