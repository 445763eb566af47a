//! Cancellable calls: `ductape_call_async` (a completion callback from a runtime thread, for C
//! callers that must not hold a thread per call) and `ductape_call_cancellable` (blocking on the
//! caller's thread, for Go and .NET: .NET's Mono never exits once a native callback has arrived on
//! a foreign thread, and for Go it costs ~9 µs a call against ~70 µs for the async form's hop and
//! foreign-thread callback), both stopped by `ductape_cancel(task_id)`.
//!
//! A task id names one `Notify` in a process-wide table, with what holds it (see [`Holder`]): a
//! blocking call takes only an id of its own from `ductape_task_new`, so that it never ends (and
//! unregisters) the id of another call, which would leave that call impossible to cancel. Cancelling stores a permit in it
//! (`notify_one`), so a cancel that races ahead of the call's start is not lost. The call's work
//! waits in a `select!` against that permit: cancelling drops the work (the operation stops at its
//! next await point) while the code that answers the caller (the callback's delivery task, or the
//! blocking call's own thread) carries on and answers a `cancelled` envelope. Aborting that code
//! instead would leave the caller waiting forever.

use super::{guarded, inputs, DuctapeHandle};
use ductape_core::progress::{Listener, ProgressEvent};
use ductape_core::{ops, runtime, Error, ErrorCode};
use std::collections::HashMap;
use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use tokio::sync::Notify;

/// Receives one progress event, `{"operation","step","done","total"?,"elapsed_ms","message"?}`,
/// as `event_len` bytes of UTF-8 JSON lent for the callback's duration. Must return quickly.
/// NULL where a function takes one means no progress is wanted.
///
/// The listener policy every language's binding follows: a listener that throws (panics, raises)
/// is dropped for that call: its error is caught in the binding (it must never unwind into this
/// library), logged once, and the call goes on and answers as it would have; later events of that
/// call are not delivered to it.
pub type DuctapeProgressFn = Option<extern "C" fn(user_data: *mut c_void, event: *const u8, event_len: usize)>;

/// Receives the reply envelope of task `task_id`, `reply_len` bytes of UTF-8 JSON lent for the
/// callback's duration (copy it; do not free it). Called exactly once per task.
pub type DuctapeDoneFn =
    Option<extern "C" fn(user_data: *mut c_void, task_id: u64, reply: *const u8, reply_len: usize)>;

/// The caller's `user_data`, handed back unchanged on whichever thread a callback runs; making it
/// safe to use there is the caller's part of the contract.
#[derive(Clone, Copy)]
struct UserData(*mut c_void);
unsafe impl Send for UserData {}
unsafe impl Sync for UserData {}

/// What holds a task id, and so who takes it out of the table.
#[derive(Clone, Copy, PartialEq)]
enum Holder {
    /// Made by `ductape_task_new` and not given to a call yet: the call it is given to releases
    /// it, or `ductape_task_free` if it is never used.
    Unclaimed,
    /// A `ductape_call_cancellable` runs under it and releases it when it returns.
    Blocking,
    /// A `ductape_call_async`, which releases it before calling `on_done`.
    Async,
}

struct Task {
    notify: Arc<Notify>,
    holder: Holder,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);
static TASKS: LazyLock<Mutex<HashMap<u64, Task>>> = LazyLock::new(Default::default);

fn tasks() -> MutexGuard<'static, HashMap<u64, Task>> {
    TASKS.lock().unwrap_or_else(|p| p.into_inner())
}

fn register(holder: Holder) -> (u64, Arc<Notify>) {
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let notify = Arc::new(Notify::new());
    tasks().insert(id, Task { notify: notify.clone(), holder });
    (id, notify)
}

fn unregister(id: u64) {
    tasks().remove(&id);
}

/// Takes an unused id from `ductape_task_new` for one blocking call (atomically, against a
/// second call or `ductape_task_free` racing for it); any other id is refused and left as it is.
fn claim(id: u64) -> Result<Arc<Notify>, &'static str> {
    match tasks().get_mut(&id) {
        Some(task) if task.holder == Holder::Unclaimed => {
            task.holder = Holder::Blocking;
            Ok(task.notify.clone())
        }
        Some(task) if task.holder == Holder::Async => Err(
            "the task id belongs to a ductape_call_async call; a blocking call takes an id of its own from ductape_task_new",
        ),
        Some(_) => Err("the task id is already used by a call that is still running"),
        None => Err("the task id is unknown or already used"),
    }
}

/// How many task ids are open (made and not yet ended by their call). For tests.
#[cfg(test)]
pub(crate) fn open_task_ids() -> usize {
    tasks().len()
}

fn cancelled() -> String {
    ops::envelope(Err(Error::new(ErrorCode::Cancelled, "the call was cancelled")))
}

fn listener(on_progress: DuctapeProgressFn, user_data: UserData) -> Option<Listener> {
    let f = on_progress?;
    Some(Arc::new(move |event: &ProgressEvent| {
        let json = event.to_json();
        let data = user_data; // the whole Send + Sync wrapper, not its raw field
        f(data.0, json.as_ptr(), json.len())
    }))
}

/// A new task id for one `ductape_call_cancellable`, which releases it when it returns (also
/// when it fails early). Hand it to the thread that may cancel before or while the call runs. An
/// id never given to a call is released with `ductape_task_free`. Thread-safe.
#[no_mangle]
pub extern "C" fn ductape_task_new() -> u64 {
    catch_unwind(|| register(Holder::Unclaimed).0).unwrap_or(0)
}

/// Releases a task id from `ductape_task_new` that was never given to a call. Answers whether
/// it did: false (and nothing changes) for 0, an unknown or released id, an id a
/// `ductape_call_cancellable` holds (that call releases it when it returns) and an id of
/// `ductape_call_async` (released when its `on_done` is called). Thread-safe.
#[no_mangle]
pub extern "C" fn ductape_task_free(task_id: u64) -> bool {
    catch_unwind(|| {
        let mut tasks = tasks();
        let unused = tasks.get(&task_id).is_some_and(|t| t.holder == Holder::Unclaimed);
        if unused {
            tasks.remove(&task_id);
        }
        unused
    })
    .unwrap_or(false)
}

/// Cancels task `task_id` (from `ductape_call_async` or `ductape_task_new`): its operation stops
/// at its next await point and its call answers a `cancelled` envelope, unless it had already
/// finished. A cancel may come before the call starts. Answers whether the task was still open
/// (false for an unknown or finished task, which is harmless). Thread-safe, from any thread,
/// including inside a callback.
#[no_mangle]
pub extern "C" fn ductape_cancel(task_id: u64) -> bool {
    catch_unwind(|| match tasks().get(&task_id) {
        Some(task) => {
            task.notify.notify_one();
            true
        }
        None => false,
    })
    .unwrap_or(false)
}

/// `ductape_call` that another thread can stop with `ductape_cancel(task_id)`, and that reports
/// progress to `on_progress(user_data, ..)` (NULL for none; called on the calling thread while
/// it blocks). `task_id` comes from `ductape_task_new` and is used for one call, which releases
/// it; 0 means not cancellable. Another id (one of `ductape_call_async`, one another call holds,
/// an unknown one) is an `invalid_argument` envelope and stays as it was, so its own call can
/// still be cancelled. The reply is freed with `ductape_reply_free`. Thread-safe; must not be
/// called inside a callback.
///
/// # Safety
/// As `ductape_call`; `user_data` is valid for `on_progress` until this call returns.
#[no_mangle]
pub unsafe extern "C" fn ductape_call_cancellable(
    handle: *const DuctapeHandle,
    task_id: u64,
    operation: *const u8,
    operation_len: usize,
    params: *const u8,
    params_len: usize,
    on_progress: DuctapeProgressFn,
    user_data: *mut c_void,
    reply_len: *mut usize,
) -> *mut u8 {
    let reply =
        guarded(|| {
            // An id that is not ours to claim is refused rather than running an operation nobody can
            // cancel, and left in the table: it belongs to another call.
            let notify = match task_id {
                0 => None,
                id => Some(claim(id).map_err(|why| crate::error_envelope("invalid_argument", why))?),
            };
            // A claimed id leaves the table at the end, whatever happens, so a late cancel finds nothing.
            struct End(u64);
            impl Drop for End {
                fn drop(&mut self) {
                    unregister(self.0);
                }
            }
            let _end = notify.is_some().then_some(End(task_id));
            let (ductape, operation, params) = unsafe { inputs(handle, operation, operation_len, params, params_len) }?;
            let listener = listener(on_progress, UserData(user_data));
            Ok(match notify {
                Some(notify) => runtime::block_on_call_until(ductape, operation, params, listener, async move {
                    notify.notified().await
                }),
                None => runtime::block_on_call(ductape, operation, params, listener),
            })
        });
    unsafe { super::answer(reply, reply_len) }
}

/// Starts one operation on the library's runtime and returns at once with its task id (never 0
/// unless `on_done` is NULL, when nothing runs and nothing is called back; 0 also if the library
/// failed to start the task, a bug, and then `on_done` is not called either). `on_done(user_data, task_id, reply, len)` is
/// called exactly once, on a runtime thread, when the call ends: finished, failed, cancelled by
/// `ductape_cancel(task_id)`, or refused (NULL handle, text that is not UTF-8). `on_progress`
/// (NULL for none) receives progress events, on runtime threads, before `on_done`. Inputs are
/// copied before this returns. Thread-safe; may be called inside a callback.
///
/// Inside the callbacks do not block on another call of this library (`ductape_call`).
///
/// # Safety
/// `handle` is NULL or open; the pointers are valid for their lengths; `user_data` stays valid
/// until `on_done` has been called.
#[no_mangle]
pub unsafe extern "C" fn ductape_call_async(
    handle: *const DuctapeHandle,
    operation: *const u8,
    operation_len: usize,
    params: *const u8,
    params_len: usize,
    on_progress: DuctapeProgressFn,
    on_done: DuctapeDoneFn,
    user_data: *mut c_void,
) -> u64 {
    let Some(on_done) = on_done else { return 0 };
    let started = catch_unwind(AssertUnwindSafe(|| {
        let inputs = unsafe { inputs(handle, operation, operation_len, params, params_len) };
        let user_data = UserData(user_data);
        let (id, notify) = register(Holder::Async);
        runtime::handle().spawn(async move {
            let reply = match inputs {
                Err(envelope) => envelope,
                Ok((ductape, operation, params)) => {
                    let work = runtime::spawn_call(ductape, operation, params, listener(on_progress, user_data));
                    // Dropping `work` (the cancel branch) aborts the spawned operation; this task,
                    // which delivers the reply, is never aborted.
                    tokio::select! {
                        biased; // a cancel that came first stops the call before it starts
                        () = notify.notified() => cancelled(),
                        reply = work => reply,
                    }
                }
            };
            unregister(id);
            let data = user_data;
            on_done(data.0, id, reply.as_ptr(), reply.len());
        });
        id
    }));
    started.unwrap_or(0)
}
