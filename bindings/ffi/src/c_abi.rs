//! The `ductape_*` C ABI: plain pointers and lengths, no per-call allocation of uniffi buffers.
//!
//! Today it carries the blocking call path for the Java and Python facades (through JNA direct
//! mapping and ctypes: one foreign call in, one out, instead of uniffi's five), on the same
//! `Ductape` as the uniffi client that hands out the handle (`DuctapeClient::native_handle`).
//! Go and .NET will reach the library through it too. Declared in `include/ductape.h`.
//!
//! Ownership: a handle from `native_handle` is released once with `ductape_handle_release`; a reply
//! from `ductape_call` is freed once with `ductape_reply_free(ptr, len)` (never libc `free`).
//! No function unwinds into the caller: a panic becomes an `internal` envelope.

use ductape_core::{runtime, Ductape};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

/// What a handle points at: one reference on the client's `Ductape`.
pub struct DuctapeHandle(pub(crate) Arc<Ductape>);

/// Runs one operation on the caller's thread and answers the JSON envelope (UTF-8, not
/// NUL-terminated) of `len` bytes, written to `*reply_len`. `operation` and `params` are UTF-8
/// of the given lengths and are only read during the call.
///
/// # Safety
/// `handle` comes from `native_handle` and is not yet released; the pointers are valid for their
/// lengths; `reply_len` is writable. Must not be called from the core's own runtime threads.
#[no_mangle]
pub unsafe extern "C" fn ductape_call(
    handle: *const DuctapeHandle,
    operation: *const u8,
    operation_len: usize,
    params: *const u8,
    params_len: usize,
    reply_len: *mut usize,
) -> *mut u8 {
    let reply = catch_unwind(AssertUnwindSafe(|| {
        let Some(handle) = (unsafe { handle.as_ref() }) else {
            return crate::error_envelope("failed_precondition", "the client handle is null");
        };
        let (Some(operation), Some(params)) =
            (unsafe { text(operation, operation_len) }, unsafe { text(params, params_len) })
        else {
            return crate::error_envelope("invalid_argument", "the operation or request is not UTF-8");
        };
        runtime::block_on_call(Arc::clone(&handle.0), operation, params, None)
    }))
    .unwrap_or_else(|_| crate::error_envelope("internal", "internal error (panic) in the native library"));
    let bytes = reply.into_bytes().into_boxed_slice();
    if !reply_len.is_null() {
        unsafe { *reply_len = bytes.len() };
    }
    Box::into_raw(bytes) as *mut u8
}

/// Frees a reply of `ductape_call`.
///
/// # Safety
/// `reply` and `len` are exactly what one `ductape_call` answered, freed once.
#[no_mangle]
pub unsafe extern "C" fn ductape_reply_free(reply: *mut u8, len: usize) {
    if !reply.is_null() {
        drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(reply, len)) });
    }
}

/// Releases a handle from `native_handle` (the client lives on while other references do).
///
/// # Safety
/// `handle` comes from `native_handle`, released once, and no call on it is running.
#[no_mangle]
pub unsafe extern "C" fn ductape_handle_release(handle: *mut DuctapeHandle) {
    if !handle.is_null() {
        drop(unsafe { Box::from_raw(handle) });
    }
}

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
mod tests {
    use super::*;
    use crate::DuctapeClient;

    fn call(handle: *const DuctapeHandle, op: &str, params: &str) -> String {
        let mut len = 0usize;
        unsafe {
            let ptr = ductape_call(handle, op.as_ptr(), op.len(), params.as_ptr(), params.len(), &mut len);
            let text = String::from_utf8(std::slice::from_raw_parts(ptr, len).to_vec()).unwrap();
            ductape_reply_free(ptr, len);
            text
        }
    }

    #[test]
    fn calls_through_a_handle_answer_the_same_envelopes_as_uniffi() {
        let dir = std::env::temp_dir().join(format!("ductape-c-abi-{}", std::process::id()));
        let options = format!(r#"{{"debug_operations": true, "workspace_dir": {:?}}}"#, dir.to_string_lossy());
        let client = DuctapeClient::new(options).unwrap();
        let handle = client.native_handle() as usize as *mut DuctapeHandle;
        assert_eq!(call(handle, "debug.echo", r#"{"value":[1,"é"]}"#), r#"{"ok":true,"result":[1,"é"]}"#);
        assert_eq!(
            call(handle, "debug.echo", r#"{"value":1}"#),
            client.call("debug.echo".into(), r#"{"value":1}"#.into())
        );
        assert!(call(handle, "debug.panic", "{}").contains(r#""code":"internal""#));
        let bad = unsafe {
            let mut len = 0;
            let ptr = ductape_call(handle, [0xffu8].as_ptr(), 1, std::ptr::null(), 0, &mut len);
            let t = String::from_utf8_lossy(std::slice::from_raw_parts(ptr, len)).into_owned();
            ductape_reply_free(ptr, len);
            t
        };
        assert!(bad.contains("invalid_argument") && bad.contains("not UTF-8"), "{bad}");
        assert!(call(std::ptr::null(), "debug.echo", "{}").contains("failed_precondition"));
        unsafe { ductape_handle_release(handle) };
        // The client outlives the released handle.
        assert_eq!(client.call("debug.echo".into(), r#"{"value":2}"#.into()), r#"{"ok":true,"result":2}"#);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
