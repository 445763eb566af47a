//! The one native library of Ductape. It carries the uniffi exports (Kotlin/Java and Python)
//! and the `ductape_*` C ABI (`c_abi.rs`: the facades' blocking path today, Go and .NET next). It holds no product logic: every
//! export forwards to `ductape_core::Ductape::call_json` through `ductape_core::runtime`.

uniffi::setup_scaffolding!("ductape_ffi");

pub mod c_abi;
pub mod uniffi_api;

pub use uniffi_api::{DuctapeClient, DuctapeError};

/// An error envelope made in this library rather than by an operation (a panic caught at the
/// boundary, a null handle, text that is not UTF-8), for both the uniffi and the C surface.
pub(crate) fn error_envelope(code: &str, message: &str) -> String {
    serde_json::json!({"ok": false, "error": {"code": code, "message": message}}).to_string()
}
