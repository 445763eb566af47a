//! The one native library of Ductape. It carries the uniffi exports (Kotlin/Java and Python)
//! and, in a later issue, the `ductape_*` C ABI (Go, .NET). It holds no product logic: every
//! export forwards to `ductape_core::Ductape::call_json` through `ductape_core::runtime`.

uniffi::setup_scaffolding!("ductape_ffi");

pub mod uniffi_api;

pub use uniffi_api::{DuctapeClient, DuctapeError};
