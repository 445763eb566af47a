//! The `ductape_*` C ABI: plain pointers and lengths, owned by this project (uniffi's Go and C#
//! generators pin another uniffi). Go (cgo) and .NET (`DllImport`) reach the library only through
//! it; the Java and Python facades send their blocking calls through it too (JNA direct mapping,
//! ctypes: one foreign call in, one out, instead of uniffi's buffer traffic).
//!
//! `include/ductape.h` is generated from these declarations by cbindgen (their doc comments become
//! the header's comments) and committed; `tests/c_header.rs` fails when it is stale
//! (`DUCTAPE_BLESS=1` rewrites it).
//!
//! Rules every function keeps:
//! - strings in are UTF-8 with an explicit length (no NUL needed), copied before the call returns,
//!   and checked: text that is not UTF-8 is an `invalid_argument` envelope;
//! - every buffer Rust hands out is freed once with `ductape_reply_free(ptr, len)`, never `free`;
//!   buffers passed to callbacks are lent for the callback's duration only;
//! - no function unwinds into the caller: every body runs under `catch_unwind`, and a panic
//!   becomes an `internal` envelope.
//!
//! `tasks.rs` holds the cancellable and asynchronous calls.

mod tasks;

pub use tasks::{
    ductape_call_async, ductape_call_cancellable, ductape_cancel, ductape_task_free, ductape_task_new, DuctapeDoneFn,
    DuctapeProgressFn,
};

use ductape_core::{runtime, Ductape};
use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

/// One reference on a Ductape client (its workspace and Atlas clients). Opaque to C.
pub struct DuctapeHandle(pub(crate) Arc<Ductape>);

/// Opens a client from an options JSON object of `options_len` bytes
/// (`{"workspace_dir":..,"atlas_base_url":..,..}`; empty text means every default).
///
/// Answers a new handle, which the caller closes once with `ductape_close`. On failure answers
/// NULL and, when `error` and `error_len` are not NULL, stores in `*error` / `*error_len` an error envelope
/// `{"ok":false,"error":{"code","message","field"?}}` that the caller frees with
/// `ductape_reply_free`. Thread-safe.
///
/// # Safety
/// `options` is valid for `options_len` bytes; `error` and `error_len` are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ductape_open(
    options: *const u8,
    options_len: usize,
    error: *mut *mut u8,
    error_len: *mut usize,
) -> *mut DuctapeHandle {
    let opened = catch_unwind(AssertUnwindSafe(|| {
        let Some(options) = (unsafe { text(options, options_len) }) else {
            return Err(crate::error_envelope("invalid_argument", "the options are not UTF-8"));
        };
        Ductape::open_json(&options).map_err(|e| ductape_core::ops::envelope(Err(e)))
    }))
    .unwrap_or_else(|_| Err(crate::error_envelope("internal", "internal error (panic) while opening the client")));
    match opened {
        Ok(ductape) => Box::into_raw(Box::new(DuctapeHandle(Arc::new(ductape)))),
        Err(envelope) => {
            // Both out-pointers or none: a buffer whose length the caller cannot learn is never handed out.
            if !error.is_null() && !error_len.is_null() {
                let (ptr, len) = into_reply(envelope);
                unsafe { (*error, *error_len) = (ptr, len) };
            }
            std::ptr::null_mut()
        }
    }
}

/// Closes a handle from `ductape_open` (or `native_handle`). The client's workspace closes when
/// its last reference goes; a call still running on another reference carries on. NULL is
/// ignored.
///
/// # Safety
/// `handle` is closed once, after every call on it has returned (asynchronous calls hold their
/// own reference, so they may still be running).
#[no_mangle]
pub unsafe extern "C" fn ductape_close(handle: *mut DuctapeHandle) {
    if !handle.is_null() {
        let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(handle) })));
    }
}

/// The same as `ductape_close`, under the name the Java and Python facades use for the handle
/// their uniffi client hands out (`DuctapeClient.native_handle()`).
///
/// # Safety
/// As `ductape_close`.
#[no_mangle]
pub unsafe extern "C" fn ductape_handle_release(handle: *mut DuctapeHandle) {
    unsafe { ductape_close(handle) }
}

/// Runs one operation, blocking the calling thread, and answers the reply envelope
/// `{"ok":true,"result":..}` or `{"ok":false,"error":{"code","message","field"?,"details"?}}`
/// as `*reply_len` bytes of UTF-8 (not NUL-terminated), which the caller frees with
/// `ductape_reply_free`. A NULL handle or text that is not UTF-8 is an error envelope, not a crash.
///
/// Thread-safe: many threads may call at once on one handle. Not cancellable (see
/// `ductape_call_cancellable`). Must not be called from the library's own runtime threads
/// (inside a callback), which answers an `internal` envelope.
///
/// # Safety
/// `handle` is NULL or open; the pointers are valid for their lengths; `reply_len` is writable.
#[no_mangle]
pub unsafe extern "C" fn ductape_call(
    handle: *const DuctapeHandle,
    operation: *const u8,
    operation_len: usize,
    params: *const u8,
    params_len: usize,
    reply_len: *mut usize,
) -> *mut u8 {
    let reply = guarded(|| {
        let (ductape, operation, params) = unsafe { inputs(handle, operation, operation_len, params, params_len) }?;
        Ok(runtime::block_on_call(ductape, operation, params, None))
    });
    unsafe { answer(reply, reply_len) }
}

/// Frees a buffer this library answered (a reply, an error from `ductape_open`, the description):
/// exactly the pointer and length it answered, once. NULL is ignored. Thread-safe.
///
/// # Safety
/// `reply` and `len` are exactly what one function of this library answered, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn ductape_reply_free(reply: *mut u8, len: usize) {
    if !reply.is_null() {
        let _ = catch_unwind(AssertUnwindSafe(|| {
            drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(reply, len)) })
        }));
    }
}

/// The machine-readable description of this build (operations with request and reply JSON
/// Schemas, error codes, options; `docs/operations.json`) as `*len` bytes of UTF-8 JSON, which
/// the caller frees with `ductape_reply_free`. Needs no client. Thread-safe.
///
/// # Safety
/// `len` is writable.
#[no_mangle]
pub unsafe extern "C" fn ductape_describe(len: *mut usize) -> *mut u8 {
    let text = guarded(|| Ok(ductape_core::ops::describe::describe().to_string()));
    unsafe { answer(text, len) }
}

/// The library's version (`"0.1.0"`), NUL-terminated and static: never freed. Thread-safe.
#[no_mangle]
pub extern "C" fn ductape_version() -> *const c_char {
    const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
    catch_unwind(|| VERSION.as_ptr().cast()).unwrap_or(c"0.0.0".as_ptr())
}

/// How many tasks are alive on the library's runtime. For tests: after a cancelled call it
/// returns to its earlier value, which shows that the work stopped. Thread-safe.
#[no_mangle]
pub extern "C" fn ductape_debug_alive_tasks() -> i64 {
    catch_unwind(|| runtime::handle().metrics().num_alive_tasks() as i64).unwrap_or(-1)
}

/// Runs `f` under `catch_unwind`; its `Err` and a panic both become an error envelope.
fn guarded(f: impl FnOnce() -> Result<String, String>) -> String {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(reply)) | Ok(Err(reply)) => reply,
        Err(_) => crate::error_envelope("internal", "internal error (panic) in the native library"),
    }
}

/// Copies a call's inputs: the handle's client and the two texts, or the error envelope.
unsafe fn inputs(
    handle: *const DuctapeHandle,
    operation: *const u8,
    operation_len: usize,
    params: *const u8,
    params_len: usize,
) -> Result<(Arc<Ductape>, String, String), String> {
    let Some(handle) = (unsafe { handle.as_ref() }) else {
        return Err(crate::error_envelope("failed_precondition", "the client handle is null"));
    };
    match (unsafe { text(operation, operation_len) }, unsafe { text(params, params_len) }) {
        (Some(operation), Some(params)) => Ok((Arc::clone(&handle.0), operation, params)),
        _ => Err(crate::error_envelope("invalid_argument", "the operation or request is not UTF-8")),
    }
}

/// Hands `reply` to the caller: the pointer, with its length in `*len` (when writable).
unsafe fn answer(reply: String, len: *mut usize) -> *mut u8 {
    let (ptr, n) = into_reply(reply);
    if !len.is_null() {
        unsafe { *len = n };
    }
    ptr
}

fn into_reply(reply: String) -> (*mut u8, usize) {
    let bytes = reply.into_bytes().into_boxed_slice();
    let len = bytes.len();
    (Box::into_raw(bytes) as *mut u8, len)
}

/// UTF-8 text of `len` bytes at `ptr` (NULL allowed when `len` is 0), copied; None if not UTF-8.
unsafe fn text(ptr: *const u8, len: usize) -> Option<String> {
    if len == 0 {
        return Some(String::new());
    }
    if ptr.is_null() {
        return None;
    }
    std::str::from_utf8(unsafe { std::slice::from_raw_parts(ptr, len) }).ok().map(str::to_string)
}

#[cfg(test)]
mod tests;
