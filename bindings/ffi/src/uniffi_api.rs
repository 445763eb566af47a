//! The uniffi surface: deliberately tiny and generic.
//!
//! - `DuctapeClient(options_json)` opens a client; bad options raise `DuctapeError::Failure`.
//! - `call(operation, params_json)` (blocking) and `call_async(...)` answer the core's JSON
//!   envelope `{"ok":true,"result":..}` / `{"ok":false,"error":{"code","message","field"?,"details"?}}`.
//!   Each language decodes the envelope in one small function and raises its exception for the
//!   code, so a new core operation needs no new binding code at all.
//! - `operations()` lists the operation names the core knows.
//!
//! Calls never fail at the FFI level: errors (including panics inside an operation, which the
//! core's runtime turns into an `internal` envelope) travel inside the envelope. The only typed
//! FFI error is the constructor's, because a constructor cannot answer an envelope. Its fields
//! are `code`, `detail`, `field`: a field named `message` breaks the generated Kotlin.
//!
//! Cancellation: uniffi has none of its own. `call_async` awaits `runtime::spawn_call`, which
//! runs the call on the core's global tokio runtime and aborts that task when the future is
//! dropped. A cancelled Kotlin coroutine or asyncio task drops the uniffi future, so the Rust
//! task stops too. `debug_alive_tasks()` lets the language tests observe exactly that.

use ductape_core::{runtime, Ductape};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

/// The error a `DuctapeClient` constructor raises. Calls report errors inside their envelope.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum DuctapeError {
    /// `code` is one of the core's stable error codes (`invalid_argument`, `internal`, ...).
    #[error("{code}: {detail}")]
    Failure { code: String, detail: String, field: Option<String> },
}

/// A handle on one workspace. Thread-safe: share one client between threads and tasks.
#[derive(uniffi::Object)]
pub struct DuctapeClient {
    inner: Arc<Ductape>,
}

#[uniffi::export]
impl DuctapeClient {
    /// Opens a client from an options JSON object:
    /// `{workspace_dir?, atlas_base_url?, request_timeout_ms?, connect_timeout_ms?, max_retries?, debug_operations?}`.
    /// `""` or `"{}"` means every default.
    #[uniffi::constructor]
    pub fn new(options_json: String) -> Result<Arc<Self>, DuctapeError> {
        match catch_unwind(|| Ductape::open_json(&options_json)) {
            Ok(Ok(d)) => Ok(Arc::new(DuctapeClient { inner: Arc::new(d) })),
            Ok(Err(e)) => Err(DuctapeError::Failure { code: e.code.as_str().to_string(), detail: e.message, field: e.field }),
            Err(_) => Err(DuctapeError::Failure {
                code: "internal".into(),
                detail: "internal error (panic) while opening the client".into(),
                field: None,
            }),
        }
    }

    /// Runs one operation and blocks the calling thread until it is done. Answers the JSON
    /// envelope. Call it from any foreign thread; many threads may call at once.
    pub fn call(&self, operation: String, params_json: String) -> String {
        let inner = self.inner.clone();
        match catch_unwind(AssertUnwindSafe(|| runtime::block_on_call(inner, operation, params_json))) {
            Ok(reply) => reply,
            Err(_) => internal_envelope(),
        }
    }

    /// Runs one operation on the core's runtime and answers the JSON envelope. Dropping the
    /// returned future (a cancelled coroutine or asyncio task) aborts the Rust task.
    pub async fn call_async(&self, operation: String, params_json: String) -> String {
        runtime::spawn_call(self.inner.clone(), operation, params_json).await
    }

    /// Every operation name the core knows, in documentation order.
    pub fn operations(&self) -> Vec<String> {
        ductape_core::ops::OPERATIONS.iter().map(|s| s.to_string()).collect()
    }
}

/// How many tasks are alive on the core's runtime. For tests: after a cancelled call it returns
/// to its earlier value, which shows that the Rust task stopped.
#[uniffi::export]
pub fn debug_alive_tasks() -> i64 {
    runtime::handle().metrics().num_alive_tasks() as i64
}

/// The version of the native library (the workspace version).
#[uniffi::export]
pub fn native_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

fn internal_envelope() -> String {
    serde_json::json!({"ok": false, "error": {"code": "internal", "message": "internal error (panic) in the native library"}})
        .to_string()
}
