//! Ductape cloud connections for MongoDB Atlas.
//!
//! Every feature is reached through one operation layer: [`Ductape::call`] takes an operation
//! name (`cloud.connections.create`) and a JSON request, checks it against a typed request in
//! Rust, and answers JSON. Language bindings are a few lines over [`Ductape::call_json`].

pub mod error;
pub mod ops;
pub mod runtime;

mod client;

pub use client::{Ductape, Options};
pub use error::{Error, ErrorCode, Result};
