//! Ductape cloud connections for MongoDB Atlas.
//!
//! Every feature is reached through one operation layer: [`Ductape::call`] takes an operation
//! name (`cloud.connections.create`) and a JSON request, checks it against a typed request in
//! Rust, and answers JSON. Language bindings are a few lines over [`Ductape::call_json`].
//!
//! Folders: `atlas/` (Admin API client), `store/` (SQLite workspace), `secrets/` (encryption
//! at rest), `connections/` (lifecycle and validation), `ops/` (requests, replies, dispatch).

pub mod atlas;
pub mod connections;
pub mod error;
pub mod ops;
pub mod runtime;
pub mod secrets;
pub mod store;

mod client;

pub use client::{Ductape, Options, WORKSPACE_DIR_ENV};
pub use error::{Error, ErrorCode, Result};
