//! Ductape cloud connections for MongoDB Atlas.
//!
//! Every feature is reached through one operation layer: [`Ductape::call`] takes an operation
//! name (`cloud.connections.create`) and a JSON request, checks it against a typed request in
//! Rust, and answers JSON. Language bindings are a few lines over [`Ductape::call_json`].
//!
//! Folders: `ops/` (the operation registry, request parsing, the reply envelope), one folder per
//! feature holding its requests and replies, logic, model and SQL (`connections/`, `workspace/`), and the shared
//! pieces features build on: `atlas/` (Admin API client), `store/` (SQLite workspace), `crypto/`
//! (encryption at rest).

pub mod atlas;
pub mod connections;
pub mod crypto;
pub mod error;
pub mod fields;
pub mod network;
pub mod ops;
pub mod products;
pub mod progress;
pub mod resources;
pub mod runtime;
pub mod secrets;
pub mod store;
pub mod warnings;
pub mod workspace;

mod client;

pub use client::{Ductape, Options, CA_FILE_ENV, CLUSTER_CA_FILE_ENV, WORKSPACE_DIR_ENV};
pub use error::{Error, ErrorCode, Result};
