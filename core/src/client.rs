//! The `Ductape` handle: options and the entry points every binding uses.

use crate::error::{Error, ErrorCode, Result};
use crate::ops;
use serde::Deserialize;
use serde_json::Value;
use std::fmt;
use std::path::PathBuf;

/// Options for [`Ductape::open`]. Every field is optional; bindings pass them as JSON.
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// Workspace directory. Default: `$DUCTAPE_WORKSPACE_DIR`, else `~/.ductape/workspace`.
    pub workspace_dir: Option<PathBuf>,
    /// Atlas Administration API base URL. Default: `$MONGODB_ATLAS_BASE_URL`, else
    /// `https://cloud.mongodb.com`. `http://` is accepted only for loopback hosts.
    pub atlas_base_url: Option<String>,
    /// Whole-request timeout for one Atlas HTTP request, in milliseconds.
    pub request_timeout_ms: Option<u64>,
    /// TCP/TLS connect timeout, in milliseconds.
    pub connect_timeout_ms: Option<u64>,
    /// How many times a call that is safe to repeat is retried after 429, 5xx or a dropped
    /// connection.
    pub max_retries: Option<u32>,
    /// Enables the `debug.*` operations (echo, sleep, error, panic) that binding tests use.
    #[serde(default)]
    pub debug_operations: bool,
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("workspace_dir", &self.workspace_dir)
            .field("atlas_base_url", &self.atlas_base_url)
            .field("request_timeout_ms", &self.request_timeout_ms)
            .field("connect_timeout_ms", &self.connect_timeout_ms)
            .field("max_retries", &self.max_retries)
            .field("debug_operations", &self.debug_operations)
            .finish()
    }
}

/// A handle on one workspace. Cheap to share between threads (`Arc` it); every method takes `&self`.
pub struct Ductape {
    options: Options,
}

impl fmt::Debug for Ductape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ductape").field("options", &self.options).finish_non_exhaustive()
    }
}

impl Ductape {
    pub fn open(options: Options) -> Result<Self> {
        Ok(Ductape { options })
    }

    /// Opens from a JSON options object (`{}` for every default), as bindings do.
    pub fn open_json(options_json: &str) -> Result<Self> {
        let options: Options = if options_json.trim().is_empty() {
            Options::default()
        } else {
            ops::parse_json(options_json)?
        };
        Self::open(options)
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Runs one operation on a typed JSON request and answers its JSON result.
    pub async fn call(&self, operation: &str, params: Value) -> Result<Value> {
        ops::dispatch(self, operation, params).await
    }

    /// Like [`Ductape::call`] with JSON text in and an envelope out:
    /// `{"ok":true,"result":...}` or `{"ok":false,"error":{"code","message","field"?,"details"?}}`.
    /// Never fails: a malformed request is an `invalid_argument` envelope.
    pub async fn call_json(&self, operation: &str, params_json: &str) -> String {
        let outcome = match ops::parse_json::<Value>(params_json) {
            Ok(params) => self.call(operation, params).await,
            Err(e) => Err(e),
        };
        envelope(outcome)
    }
}

/// Serialises an outcome into the reply envelope every binding decodes.
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
