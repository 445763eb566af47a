//! The one native library of Ductape. It carries the uniffi exports (Kotlin/Java and Python)
//! and the `ductape_*` C ABI (`c_abi.rs`: the facades' blocking path today, Go and .NET next). It holds no product logic: every
//! export forwards to `ductape_core::Ductape::call_json` through `ductape_core::runtime`.

uniffi::setup_scaffolding!("ductape_ffi");

pub mod c_abi;
pub mod uniffi_api;

pub use uniffi_api::{DuctapeClient, DuctapeError};
