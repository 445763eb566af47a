//! The one process-wide tokio runtime that bindings and the CLI run calls on.
//!
//! Two ways in:
//!
//! - [`spawn_call`] (async bindings): foreign async runtimes (asyncio, Kotlin coroutines, .NET
//!   tasks) cannot cancel a Rust future they merely poll, so the call is spawned here and awaited
//!   through a guard that aborts the task when the caller drops it.
//! - [`block_on_call`] (blocking bindings): the call runs on the caller's own thread, which
//!   blocks anyway until the reply is there. Spawning it onto a worker and blocking on the join
//!   handle cost two thread wake-ups per call (worker woken, caller woken), about 100 µs of a
//!   call that takes 1 µs on its own; a blocking call cannot be cancelled, so the spawned task
//!   bought nothing. While such a call runs, its thread is marked as a foreign caller's thread
//!   ([`caller_may_block`]), so that the workspace runs its SQLite work inline there instead of
//!   hopping to tokio's blocking pool (another two wake-ups).
//!
//! Either way a panic inside a call becomes the same `internal` error envelope,
//! `internal error (panic): <payload>`.

use crate::error::{Error, ErrorCode};
use crate::ops::envelope;
use crate::progress::Listener;
use crate::Ductape;
use once_cell::sync::Lazy;
use std::cell::Cell;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
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

thread_local! {
    /// True while this thread runs [`block_on_call`]: a foreign caller's own thread, parked in
    /// `Runtime::block_on`, that drives only the one call's future and no other task.
    static FOREIGN_CALLER: Cell<bool> = const { Cell::new(false) };
}

pub fn handle() -> &'static tokio::runtime::Handle {
    RUNTIME.handle()
}

/// Whether blocking work (SQLite) may run inline on the current thread: true only inside
/// [`block_on_call`], on the foreign caller's thread. Blocking that thread delays no one else:
/// it waits for this call's reply in any case, and the runtime's workers (which must never
/// block, or every other task on them stalls) never see the flag. Everywhere else (tasks on
/// workers, `spawn_call`, tests on a `#[tokio::test]` runtime) it is false and blocking work
/// goes to tokio's blocking pool.
pub fn caller_may_block() -> bool {
    FOREIGN_CALLER.with(Cell::get)
}

/// Marks the current thread as a foreign caller's for as long as it lives; restores the earlier
/// state when dropped, also when the call panics.
struct ForeignCallerGuard {
    previous: bool,
}

impl ForeignCallerGuard {
    fn enter() -> Self {
        ForeignCallerGuard { previous: FOREIGN_CALLER.with(|f| f.replace(true)) }
    }
}

impl Drop for ForeignCallerGuard {
    fn drop(&mut self) {
        FOREIGN_CALLER.with(|f| f.set(self.previous));
    }
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
/// Dropping the returned future aborts the task (how async bindings cancel a call).
/// `listener`, when given, receives the call's progress events ([`crate::progress`]).
pub fn spawn_call(
    ductape: Arc<Ductape>,
    operation: String,
    params_json: String,
    listener: Option<Listener>,
) -> CallFuture {
    let handle =
        RUNTIME.spawn(async move { ductape.call_json_with_progress(&operation, &params_json, listener).await });
    CallFuture { handle }
}

/// Runs a call to completion on the current (foreign) thread: the call's future is polled right
/// here (`Runtime::block_on`), its timers and sockets are served by the runtime's workers, and its
/// workspace reads and writes run inline (see [`caller_may_block`]).
///
/// Must not be called from inside the runtime's own threads, nor from any thread that is inside
/// a tokio runtime (a worker, a `spawn_blocking` task, `#[tokio::test]`): blocking there would
/// stall the tasks that thread drives, and tokio forbids it (`block_on` would panic). Such a call
/// is refused with an `internal` envelope, without running the operation; use [`spawn_call`]
/// and await it instead.
pub fn block_on_call(
    ductape: Arc<Ductape>,
    operation: String,
    params_json: String,
    listener: Option<Listener>,
) -> String {
    block_on_call_until(ductape, operation, params_json, listener, std::future::pending())
}

/// [`block_on_call`] that ends early, with a `cancelled` envelope, when `cancel` completes first:
/// the call's future is dropped at its next await point, as aborting a spawned task would. For
/// blocking C ABI calls that another thread may cancel (`ductape_call_cancellable`, which .NET's
/// `CancellationToken` uses) without moving the call off the caller's thread.
pub fn block_on_call_until(
    ductape: Arc<Ductape>,
    operation: String,
    params_json: String,
    listener: Option<Listener>,
    cancel: impl Future<Output = ()>,
) -> String {
    if tokio::runtime::Handle::try_current().is_ok() {
        return envelope(Err(Error::new(
            ErrorCode::Internal,
            format!(
                "internal error: {operation} was called with block_on_call from inside a tokio runtime; \
                 await spawn_call instead"
            ),
        )));
    }
    let _foreign = ForeignCallerGuard::enter();
    match catch_unwind(AssertUnwindSafe(|| {
        RUNTIME.block_on(async {
            tokio::select! {
                biased; // a cancel that came first stops the call before it starts
                () = cancel => envelope(Err(Error::new(ErrorCode::Cancelled, "the call was cancelled"))),
                reply = ductape.call_json_with_progress(&operation, &params_json, listener) => reply,
            }
        })
    })) {
        Ok(reply) => reply,
        Err(payload) => envelope(Err(panic_error(payload))),
    }
}

fn panic_error(payload: Box<dyn std::any::Any + Send>) -> Error {
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    Error::new(ErrorCode::Internal, format!("internal error (panic): {text}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_is_set_only_inside_block_on_call_and_cleared_after_a_panic() {
        assert!(!caller_may_block());
        {
            let _outer = ForeignCallerGuard::enter();
            assert!(caller_may_block());
            let caught = catch_unwind(|| {
                let _inner = ForeignCallerGuard::enter();
                panic!("inside");
            });
            assert!(caught.is_err());
            assert!(caller_may_block(), "the inner guard restores the outer state");
        }
        assert!(!caller_may_block());
        // Workers and the blocking pool never see it.
        let on_worker = RUNTIME.block_on(async { RUNTIME.spawn(async { caller_may_block() }).await.unwrap() });
        assert!(!on_worker);
    }

    #[test]
    fn block_on_call_inside_a_runtime_is_refused_with_an_envelope() {
        let d = Arc::new(Ductape::open_json(r#"{"debug_operations": true}"#).unwrap());
        let reply = RUNTIME.block_on(async {
            RUNTIME
                .spawn(async move { block_on_call(d, "debug.echo".into(), r#"{"value":1}"#.into(), None) })
                .await
                .unwrap()
        });
        assert!(reply.contains(r#""code":"internal""#) && reply.contains("spawn_call"), "{reply}");
    }
}
