//! Warnings a call collects for its caller, returned in the reply envelope's `warnings`, so that
//! every binding hands them to its language's logging (Python `logging`, Java
//! `java.util.logging`): a log line from the Rust core would reach no Java or Python user.
//! Today: Atlas announcing that an API version this library pins is deprecated.

use serde::Serialize;
use serde_json::Value;
use std::cell::RefCell;
use std::future::Future;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    /// Stable, like the error codes: `atlas_api_deprecated`.
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
}

tokio::task_local! {
    static COLLECTED: RefCell<Vec<Warning>>;
}

/// Logs the warning and, inside [`collect`], keeps it for the reply (once per call).
pub fn emit(warning: Warning) {
    tracing::warn!(code = warning.code, "{}", warning.message);
    let _ = COLLECTED.try_with(|c| {
        let mut c = c.borrow_mut();
        if !c.contains(&warning) {
            c.push(warning);
        }
    });
}

/// Runs `f`, answering its output and the warnings emitted while it ran.
pub async fn collect<F: Future>(f: F) -> (F::Output, Vec<Warning>) {
    COLLECTED
        .scope(RefCell::new(Vec::new()), async {
            let out = f.await;
            (out, COLLECTED.with(|c| c.take()))
        })
        .await
}
