//! The Node.js addon: deliberately tiny and generic, like the uniffi surface.
//!
//! - `NativeClient.open(optionsJson)` opens a client; bad options throw an `Error` whose message
//!   is the core's error envelope (the TypeScript layer turns it into its error class).
//! - `client.call(op, paramsJson, cancel?, onProgress?)` answers a `Promise<string>` of the core's
//!   JSON envelope. The call runs on the core's runtime (`runtime::spawn_call`); the promise is a
//!   napi `Deferred` settled from there, so no JavaScript thread ever blocks.
//! - `new CancelToken()` / `token.cancel()`: the TypeScript layer cancels one from an
//!   `AbortSignal`; the call's task is aborted (dropping the `CallFuture`) and the promise answers
//!   a `cancelled` envelope.
//! - `client.close()`: later calls answer `failed_precondition`; calls already running finish
//!   (they hold their own reference on the core).
//!
//! Errors and panics travel inside the envelope (the core's runtime turns a panic into
//! `internal`); the constructor and `call` also run under napi's `catch_unwind`, so nothing
//! unwinds into Node.

use ductape_core::{ops::envelope, runtime, Ductape};
use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// `(eventJson: string) => void`: called with each progress event of one call, on the JS thread.
type ProgressFn = ThreadsafeFunction<String, (), String, Status, false>;

/// Cancels one call. One token per call; `cancel()` before the call starts is not lost.
#[napi]
pub struct CancelToken {
    notify: Arc<Notify>,
}

#[napi]
impl CancelToken {
    #[napi(constructor)]
    #[allow(clippy::new_without_default)] // a JavaScript constructor, not a Rust API
    pub fn new() -> Self {
        CancelToken { notify: Arc::new(Notify::new()) }
    }

    /// Stops the call this token was passed to; its promise answers a `cancelled` envelope.
    #[napi]
    pub fn cancel(&self) {
        // notify_one keeps a permit when no one waits yet, so an early cancel is not lost.
        self.notify.notify_one();
    }
}

/// One client: a reference on the core (`Ductape`), dropped by `close()`.
#[napi]
pub struct NativeClient {
    inner: Mutex<Option<Arc<Ductape>>>,
}

#[napi]
impl NativeClient {
    /// Opens a client from an options JSON object (`""` or `"{}"`: every default). Throws an
    /// `Error` whose message is the error envelope JSON.
    #[napi(factory, catch_unwind)]
    pub fn open(options_json: String) -> Result<Self> {
        match Ductape::open_json(&options_json) {
            Ok(d) => Ok(NativeClient { inner: Mutex::new(Some(Arc::new(d))) }),
            Err(e) => Err(Error::new(Status::InvalidArg, envelope(Err(e)))),
        }
    }

    /// Runs one operation on the core's runtime; the promise answers its JSON envelope (never
    /// rejects).
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn call<'env>(
        &self,
        env: &'env Env,
        operation: String,
        params_json: String,
        cancel: Option<&CancelToken>,
        #[napi(ts_arg_type = "(eventJson: string) => void")] on_progress: Option<ProgressFn>,
    ) -> Result<Object<'env>> {
        let (deferred, promise) = env.create_deferred::<String, _>()?;
        let Some(ductape) = self.ductape() else {
            let closed = ductape_core::Error::new(ductape_core::ErrorCode::FailedPrecondition, "the client is closed");
            deferred.resolve(answer(envelope(Err(closed))));
            return Ok(promise);
        };
        let listener = on_progress.map(progress_listener);
        let cancel = cancel.map(|t| Arc::clone(&t.notify));
        runtime::handle().spawn(async move {
            let call = runtime::spawn_call(ductape, operation, params_json, listener);
            let reply = match cancel {
                None => call.await,
                Some(cancel) => tokio::select! {
                    biased; // a cancel that came first stops the call before it runs
                    () = cancel.notified() => cancelled(),
                    reply = call => reply,
                },
            };
            deferred.resolve(answer(reply));
        });
        Ok(promise)
    }

    /// Closes the client: later calls answer `failed_precondition`; running calls finish.
    #[napi]
    pub fn close(&self) {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).take();
    }

    fn ductape(&self) -> Option<Arc<Ductape>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// Settles a call's promise with its envelope (one resolver type for every path).
fn answer(reply: String) -> impl FnOnce(Env) -> Result<String> {
    move |_| Ok(reply)
}

/// The `cancelled` envelope; the `CallFuture` dropped with the `select!` aborted the task.
fn cancelled() -> String {
    envelope(Err(ductape_core::Error::new(ductape_core::ErrorCode::Cancelled, "the call was cancelled")))
}

/// The core's listener over a JavaScript callback; events queue without blocking the core.
fn progress_listener(callback: ProgressFn) -> ductape_core::progress::Listener {
    Arc::new(move |event| {
        callback.call(event.to_json(), ThreadsafeFunctionCallMode::NonBlocking);
    })
}

/// The description of this build (operations with request/reply JSON Schemas, error codes,
/// options) as JSON text; the TypeScript tests check the generated types against it.
#[napi]
pub fn describe() -> String {
    ductape_core::ops::describe::describe().to_string()
}

/// How many tasks are alive on the core's runtime. For tests: after an aborted call it returns to
/// its earlier value, which shows that the Rust task stopped.
#[napi]
pub fn debug_alive_tasks() -> u32 {
    runtime::handle().metrics().num_alive_tasks() as u32
}

/// The version of the native library (the workspace version).
#[napi]
pub fn native_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
