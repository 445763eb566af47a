//! The one process-wide tokio runtime that bindings and the CLI run calls on.
//!
//! Foreign async runtimes (asyncio, Kotlin coroutines, .NET tasks) cannot cancel a Rust future
//! they merely poll, so every call is spawned here and awaited through a guard that aborts the
//! task when the caller drops it. A panic inside a call becomes an `internal` error envelope.

use crate::error::{Error, ErrorCode};
use crate::ops::envelope;
use crate::Ductape;
use once_cell::sync::Lazy;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::runtime::Runtime;
use tokio::task::JoinHandle;

static RUNTIME: Lazy<Runtime> = Lazy::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("ductape-worker")
        .build()
        .expect("the ductape tokio runtime could not start")
});

pub fn handle() -> &'static tokio::runtime::Handle {
    RUNTIME.handle()
}

/// Aborts the spawned task when dropped before it finished.
pub struct CallFuture {
    handle: JoinHandle<String>,
}

impl Drop for CallFuture {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

impl Future for CallFuture {
    type Output = String;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<String> {
        Pin::new(&mut self.handle).poll(cx).map(|joined| match joined {
            Ok(reply) => reply,
            Err(e) if e.is_panic() => envelope(Err(panic_error(e.into_panic()))),
            Err(_) => envelope(Err(Error::new(ErrorCode::Cancelled, "the call was cancelled"))),
        })
    }
}

/// Spawns `operation` on the global runtime; the reply is the JSON envelope of `call_json`.
pub fn spawn_call(ductape: Arc<Ductape>, operation: String, params_json: String) -> CallFuture {
    let handle = RUNTIME.spawn(async move { ductape.call_json(&operation, &params_json).await });
    CallFuture { handle }
}

/// Runs a call to completion on the current (foreign) thread. Must not be called from inside
/// the runtime's own threads.
pub fn block_on_call(ductape: Arc<Ductape>, operation: String, params_json: String) -> String {
    RUNTIME.block_on(spawn_call(ductape, operation, params_json))
}

fn panic_error(payload: Box<dyn std::any::Any + Send>) -> Error {
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    Error::new(ErrorCode::Internal, format!("internal error (panic): {text}"))
}
