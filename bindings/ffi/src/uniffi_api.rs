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

/// Receives the progress events of one call (`call_with_progress`, `call_async_with_progress`):
/// each is the JSON of `ductape_core::progress::ProgressEvent`,
/// `{"operation","step","done","total"?,"elapsed_ms","message"?}`. Called on the thread the call
/// runs on (the caller's for a blocking call, a runtime worker for an async one); it must return
/// quickly. An exception it throws is swallowed by the generated code; a panic ends its events.
#[uniffi::export(with_foreign)]
pub trait ProgressListener: Send + Sync {
    fn on_progress(&self, event_json: String);
}

/// The core's listener over a foreign one; silent once the host is shutting down.
fn core_listener(listener: Arc<dyn ProgressListener>) -> ductape_core::progress::Listener {
    Arc::new(move |event| exit_guard::while_running(|| listener.on_progress(event.to_json())))
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
            Ok(Err(e)) => {
                Err(DuctapeError::Failure { code: e.code.as_str().to_string(), detail: e.message, field: e.field })
            }
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
        match catch_unwind(AssertUnwindSafe(|| runtime::block_on_call(inner, operation, params_json, None))) {
            Ok(reply) => reply,
            Err(_) => internal_envelope(),
        }
    }

    /// Runs one operation on the core's runtime and answers the JSON envelope. Dropping the
    /// returned future (a cancelled coroutine or asyncio task) aborts the Rust task.
    pub async fn call_async(&self, operation: String, params_json: String) -> String {
        exit_guard::Guarded::new(runtime::spawn_call(self.inner.clone(), operation, params_json, None)).await
    }

    /// `call`, with `listener` receiving the call's progress events.
    pub fn call_with_progress(
        &self,
        operation: String,
        params_json: String,
        listener: Arc<dyn ProgressListener>,
    ) -> String {
        let (inner, listener) = (self.inner.clone(), Some(core_listener(listener)));
        match catch_unwind(AssertUnwindSafe(|| runtime::block_on_call(inner, operation, params_json, listener))) {
            Ok(reply) => reply,
            Err(_) => internal_envelope(),
        }
    }

    /// `call_async`, with `listener` receiving the call's progress events.
    pub async fn call_async_with_progress(
        &self,
        operation: String,
        params_json: String,
        listener: Arc<dyn ProgressListener>,
    ) -> String {
        let call = runtime::spawn_call(self.inner.clone(), operation, params_json, Some(core_listener(listener)));
        exit_guard::Guarded::new(call).await
    }

    /// A `ductape_*` C ABI handle on this client's core (see `include/ductape.h`): the facades'
    /// blocking calls go through `ductape_call` with it, which costs one foreign call instead of
    /// uniffi's buffer traffic. Release it once with `ductape_handle_release`.
    /// (An `i64`, not a `u64`: Kotlin maps `u64` to `ULong`, which Java cannot call by name.)
    pub fn native_handle(&self) -> i64 {
        Box::into_raw(Box::new(crate::c_abi::DuctapeHandle(Arc::clone(&self.inner)))) as i64
    }

    /// Every operation name the core knows, in documentation order.
    pub fn operations(&self) -> Vec<String> {
        ductape_core::ops::names().map(str::to_string).collect()
    }
}

/// The machine-readable description of this build: operations (with request and reply JSON
/// Schemas and secret fields), error codes and options, as JSON text (see `docs/operations.json`).
/// Each binding's tests check its exception classes and option setters against it.
#[uniffi::export]
pub fn describe() -> String {
    ductape_core::ops::describe::describe().to_string()
}

/// Every operation name this build knows, without opening a client (so it cannot fail).
#[uniffi::export]
pub fn operation_names() -> Vec<String> {
    ductape_core::ops::names().map(str::to_string).collect()
}

/// How many tasks are alive on the core's runtime. For tests: after a cancelled call it returns
/// to its earlier value, which shows that the Rust task stopped.
#[uniffi::export]
pub fn debug_alive_tasks() -> i64 {
    runtime::handle().metrics().num_alive_tasks() as i64
}

/// Stops the native library from calling back into the host language and waits (at most
/// `timeout_ms`) until no such call is in progress; answers whether none is left.
///
/// For interpreters that must not be entered from a foreign thread while they shut down: the
/// Python package calls it from `atexit`. CPython 3.11 ends a foreign thread that takes the GIL
/// during finalization with `pthread_exit`, and that forced unwind through Rust frames aborts the
/// process ("FATAL: exception not rethrown"). After this call, async calls that are still running
/// never complete (their tasks keep running until the process exits); blocking calls are unaffected.
#[uniffi::export]
pub fn prepare_for_exit(timeout_ms: u64) -> bool {
    exit_guard::stop_and_drain(std::time::Duration::from_millis(timeout_ms))
}

/// How many `call_async` futures exist (created and not yet dropped). For tests: a cancelled
/// coroutine or asyncio task must drop its future, which aborts the Rust task.
#[uniffi::export]
pub fn debug_async_calls_in_flight() -> i64 {
    exit_guard::live_calls()
}

/// The version of the native library (the workspace version).
#[uniffi::export]
pub fn native_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

fn internal_envelope() -> String {
    crate::error_envelope("internal", "internal error (panic) in the native library")
}

mod exit_guard {
    //! Counts the wake-ups that uniffi turns into foreign callbacks (and progress events), so that they can be stopped
    //! and drained before the host interpreter shuts down (see `prepare_for_exit`).
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::atomic::{AtomicBool, AtomicI64, Ordering::SeqCst};
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};
    use std::time::{Duration, Instant};

    static STOPPED: AtomicBool = AtomicBool::new(false);
    static IN_FLIGHT: AtomicI64 = AtomicI64::new(0);
    static LIVE_CALLS: AtomicI64 = AtomicI64::new(0);

    pub fn live_calls() -> i64 {
        LIVE_CALLS.load(SeqCst)
    }

    struct GuardedWaker(Waker);

    impl Wake for GuardedWaker {
        fn wake(self: Arc<Self>) {
            self.wake_by_ref()
        }

        fn wake_by_ref(self: &Arc<Self>) {
            while_running(|| self.0.wake_by_ref())
        }
    }

    /// Runs `f` (a call into the host) unless the host is shutting down.
    pub fn while_running(f: impl FnOnce()) {
        // Count first, then check: `stop_and_drain` sets STOPPED and then waits for zero, so
        // every call either sees STOPPED or is waited for.
        struct Leave;
        impl Drop for Leave {
            fn drop(&mut self) {
                IN_FLIGHT.fetch_sub(1, SeqCst);
            }
        }
        IN_FLIGHT.fetch_add(1, SeqCst);
        let _leave = Leave; // also when `f` unwinds
        if !STOPPED.load(SeqCst) {
            f();
        }
    }

    /// Polls `F` with a waker that forwards wake-ups only while the host is not shutting down.
    pub struct Guarded<F> {
        inner: Pin<Box<F>>,
    }

    impl<F> Guarded<F> {
        pub fn new(inner: F) -> Self {
            LIVE_CALLS.fetch_add(1, SeqCst);
            Guarded { inner: Box::pin(inner) }
        }
    }

    impl<F> Drop for Guarded<F> {
        fn drop(&mut self) {
            LIVE_CALLS.fetch_sub(1, SeqCst);
        }
    }

    impl<F: Future> Future for Guarded<F> {
        type Output = F::Output;

        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
            let waker = Waker::from(Arc::new(GuardedWaker(cx.waker().clone())));
            self.inner.as_mut().poll(&mut Context::from_waker(&waker))
        }
    }

    pub fn stop_and_drain(timeout: Duration) -> bool {
        STOPPED.store(true, SeqCst);
        let deadline = Instant::now() + timeout;
        while IN_FLIGHT.load(SeqCst) > 0 {
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::{Context, Wake, Waker};

    struct CountingWaker(AtomicUsize);

    impl Wake for CountingWaker {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn client() -> Arc<DuctapeClient> {
        let dir = std::env::temp_dir().join(format!("ductape-ffi-unit-{}", std::process::id()));
        DuctapeClient::new(format!(r#"{{"debug_operations": true, "workspace_dir": {:?}}}"#, dir.to_string_lossy()))
            .unwrap()
    }

    #[test]
    fn blocking_call_answers_envelopes_and_survives_panics() {
        let c = client();
        assert_eq!(c.call("debug.echo".into(), r#"{"value": [1, "a"]}"#.into()), r#"{"ok":true,"result":[1,"a"]}"#);
        let reply: serde_json::Value =
            serde_json::from_str(&c.call("debug.panic".into(), r#"{"message": "unit"}"#.into())).unwrap();
        assert_eq!(reply["error"]["code"], "internal");
        assert!(c.operations().contains(&"debug.echo".to_string()));
        match DuctapeClient::new(r#"{"bogus": 1}"#.into()) {
            Err(DuctapeError::Failure { code, field, .. }) => {
                assert_eq!((code.as_str(), field.as_deref()), ("invalid_argument", Some("bogus")))
            }
            Ok(_) => panic!("bad options must fail"),
        }
    }

    struct Recorder(std::sync::Mutex<Vec<serde_json::Value>>);

    impl ProgressListener for Recorder {
        fn on_progress(&self, event_json: String) {
            self.0.lock().unwrap().push(serde_json::from_str(&event_json).unwrap());
        }
    }

    /// Part of the exit-state test below: after `prepare_for_exit` no listener is called.
    fn progress_events_reach_the_listener_of_a_blocking_call() {
        let c = client();
        let rec = Arc::new(Recorder(Default::default()));
        let reply = c.call_with_progress("debug.progress".into(), r#"{"steps": 2}"#.into(), rec.clone());
        assert_eq!(reply, r#"{"ok":true,"result":{"reported":2}}"#);
        let seen = rec.0.lock().unwrap();
        let ticks: Vec<_> =
            seen.iter().map(|e| (e["operation"].clone(), e["done"].clone(), e["total"].clone())).collect();
        assert_eq!(
            ticks,
            [("debug.progress".into(), 1.into(), 2.into()), ("debug.progress".into(), 2.into(), 2.into())]
        );
    }

    /// One test for everything that touches the process-wide exit state, in order.
    #[test]
    fn async_calls_wake_count_and_stop_at_exit() {
        progress_events_reach_the_listener_of_a_blocking_call();
        let c = client();
        let counting = Arc::new(CountingWaker(AtomicUsize::new(0)));
        let waker = Waker::from(counting.clone());
        let mut cx = Context::from_waker(&waker);

        // A running call: pending, counted, and it wakes its poller when done.
        let before = debug_async_calls_in_flight();
        let mut fut = Box::pin(c.call_async("debug.sleep".into(), r#"{"ms": 20}"#.into()));
        assert!(fut.as_mut().poll(&mut cx).is_pending());
        assert_eq!(debug_async_calls_in_flight(), before + 1);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while counting.0.load(Ordering::SeqCst) == 0 && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert_eq!(counting.0.load(Ordering::SeqCst), 1, "the completion woke the poller");
        match fut.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(reply) => {
                assert_eq!(reply, r#"{"ok":true,"result":{"slept_ms":20}}"#)
            }
            std::task::Poll::Pending => panic!("woken but not ready"),
        }
        drop(fut);
        assert_eq!(debug_async_calls_in_flight(), before);

        // After prepare_for_exit, completions no longer call back into the host.
        assert!(prepare_for_exit(1000));
        let mut fut = Box::pin(c.call_async("debug.sleep".into(), r#"{"ms": 10}"#.into()));
        assert!(fut.as_mut().poll(&mut cx).is_pending());
        std::thread::sleep(std::time::Duration::from_millis(200));
        assert_eq!(counting.0.load(Ordering::SeqCst), 1, "no wake after prepare_for_exit");
        // Blocking calls are unaffected, but their progress listeners are no longer called.
        assert_eq!(c.call("debug.echo".into(), r#"{"value": 2}"#.into()), r#"{"ok":true,"result":2}"#);
        let rec = Arc::new(Recorder(Default::default()));
        let reply = c.call_with_progress("debug.progress".into(), r#"{"steps": 2}"#.into(), rec.clone());
        assert_eq!((reply.as_str(), rec.0.lock().unwrap().len()), (r#"{"ok":true,"result":{"reported":2}}"#, 0));
    }
}
