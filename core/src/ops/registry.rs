//! The one list of operations. Each entry names the operation, says in one line what it does,
//! and points at its handler and its request and reply types; dispatch, [`names`], the CLI, the
//! generated docs (`docs/operations.md`) and the machine-readable description every binding
//! checks itself against ([`super::describe`]) all read this list.
//!
//! Adding an operation: write the handler (`async fn(&Ductape, Request) -> Result<Reply>`) and its
//! request/reply types (`Deserialize + JsonSchema`, `deny_unknown_fields`; `Serialize + JsonSchema`)
//! in the feature's folder, add one `op!` line below, and regenerate the docs
//! (`DUCTAPE_BLESS=1 cargo test -p ductape-core --test generated_docs`). No binding changes.

use super::parse::parse;
use crate::connections::{self as conn, api as conn_api};
use crate::error::{Error, ErrorCode, Result};
use crate::network::{self as net, api as net_api};
use crate::workspace::{self as ws, api as ws_api};
use crate::Ductape;
use once_cell::sync::Lazy;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One operation: everything the layers around the core need to know about it.
pub struct Operation {
    /// Dotted name, `cloud.connections.create`.
    pub name: &'static str,
    /// One line for the docs and the CLI.
    pub summary: &'static str,
    /// Only in builds with the `debug-operations` feature, and only with the `debug_operations` option.
    pub debug_only: bool,
    run: for<'a> fn(&'a Ductape, Value) -> BoxFuture<'a, Result<Value>>,
    request: fn() -> Schema,
    reply: fn() -> Schema,
}

impl Operation {
    /// Checks `params` against the request type and runs the handler.
    pub fn run<'a>(&self, d: &'a Ductape, params: Value) -> BoxFuture<'a, Result<Value>> {
        (self.run)(d, params)
    }

    /// The request's JSON Schema (draft 2020-12), self-contained.
    pub fn request_schema(&self) -> Schema {
        (self.request)()
    }

    /// The reply's JSON Schema (the envelope's `result`), self-contained.
    pub fn reply_schema(&self) -> Schema {
        (self.reply)()
    }

    /// The request fields that hold secrets (typed `SecretString` in Rust).
    pub fn secret_fields(&self) -> Vec<String> {
        secret_fields(&self.request_schema())
    }
}

/// The top-level properties of an object schema whose own schema carries the secret mark.
pub fn secret_fields(schema: &Schema) -> Vec<String> {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else { return Vec::new() };
    props
        .iter()
        .filter(|(_, s)| s.get(crate::crypto::SECRET_MARK) == Some(&Value::Bool(true)))
        .map(|(name, _)| name.clone())
        .collect()
}

pub fn schema_of<T: JsonSchema>() -> Schema {
    SchemaGenerator::default().into_root_schema_for::<T>()
}

/// Parses the request, runs the handler, serialises the reply.
async fn run_typed<Req, Rep, Fut>(handler: impl FnOnce(Req) -> Fut, params: Value) -> Result<Value>
where
    Req: DeserializeOwned,
    Rep: Serialize,
    Fut: Future<Output = Result<Rep>>,
{
    let reply = handler(parse(params)?).await?;
    serde_json::to_value(reply).map_err(|e| Error::new(ErrorCode::Internal, format!("reply not serialisable: {e}")))
}

/// `op!(name, summary, handler, Request => Reply)`, optionally followed by `debug`.
macro_rules! op {
    ($name:literal, $summary:literal, $handler:path, $req:ty => $rep:ty $(, $debug:ident)?) => {
        Operation {
            name: $name,
            summary: $summary,
            debug_only: op!(@debug $($debug)?),
            run: {
                fn run(d: &Ductape, params: Value) -> BoxFuture<'_, Result<Value>> {
                    Box::pin(run_typed(move |req: $req| $handler(d, req), params))
                }
                run
            },
            request: schema_of::<$req>,
            reply: schema_of::<$rep>,
        }
    };
    (@debug) => { false };
    (@debug debug) => { true };
}

static PRODUCT: &[Operation] = &[
    op!("cloud.connections.create", "Creates a pending MongoDB Atlas connection under a tag.",
        conn::create, conn_api::CreateRequest => conn_api::Record),
    op!("cloud.connections.complete", "Stores the connection's project and credentials (API key or service account), encrypted; status pending.",
        conn::complete, conn_api::CompleteRequest => conn_api::Record),
    op!("cloud.connections.validate", "Checks the credentials, API access list, project and role against Atlas; active or error.",
        conn::validate::validate, conn_api::TagRequest => conn_api::ValidateReply),
    op!("cloud.connections.fetch", "Answers one connection's record (never a secret).",
        conn::fetch, conn_api::TagRequest => conn_api::Record),
    op!("cloud.connections.list", "Lists the live connections in creation order, optionally by provider and status.",
        conn::list, conn_api::ListRequest => conn_api::ListReply),
    op!("cloud.connections.update", "Changes a connection's display name, description or scopes (never its tag).",
        conn::update, conn_api::UpdateRequest => conn_api::Record),
    op!("cloud.connections.delete", "Deletes a connection: the record stays as deleted, its secrets are erased.",
        conn::delete, conn_api::TagRequest => conn_api::DeleteReply),
    op!("cloud.connections.updateManagedNetworking", "Checks and stores the connection's networking settings (metadata.networking): proxy host or addresses, allowed sources.",
        net::update_managed_networking, net_api::UpdateNetworkingRequest => net_api::NetworkingReply),
    op!("cloud.connections.resolveNetworkingHost", "Resolves a host name to its IPv4 and IPv6 addresses (DNS).",
        net::resolve_networking_host, net_api::ResolveHostRequest => net_api::ResolveHostReply),
    op!("cloud.connections.syncNetworkAccess", "Adds the missing wanted entries to the project's IP access list in one POST; never touches entries it did not add; prune, dry_run, wait.",
        net::sync_network_access, net_api::SyncRequest => net_api::SyncReply),
    op!("cloud.connections.allowCurrentIp", "Adds this machine's address to the project's IP access list for some hours (deleteAfterDate, at most a week).",
        net::allow_current_ip, net_api::AllowCurrentIpRequest => net_api::AllowCurrentIpReply),
    op!("workspace.rotateKey", "Re-encrypts every stored secret under a new workspace key in one transaction; answers where the new key is.",
        ws::rotate_key, ws_api::RotateKeyRequest => ws_api::RotateKeyReply),
];

#[cfg(feature = "debug-operations")]
static DEBUG: &[Operation] = {
    use super::debug;
    &[
        op!("debug.echo", "Answers its value (binding tests).", debug::echo, debug::EchoRequest => Value, debug),
        op!("debug.sleep", "Sleeps ms milliseconds (cancellation tests).", debug::sleep, debug::SleepRequest => debug::SleepReply, debug),
        op!("debug.rendezvous", "Waits until parties calls of one name are in flight at once (concurrency tests).", debug::rendezvous, debug::RendezvousRequest => debug::RendezvousReply, debug),
        op!("debug.error", "Fails with the given code, message and field (error-mapping tests).", debug::error, debug::ErrorRequest => Value, debug),
        op!("debug.progress", "Reports steps progress events, delay_ms apart (progress-listener tests).", debug::progress, debug::ProgressRequest => debug::ProgressReply, debug),
        op!("debug.panic", "Panics inside the core (panic-containment tests).", debug::panic, debug::PanicRequest => Value, debug),
    ]
};
#[cfg(not(feature = "debug-operations"))]
static DEBUG: &[Operation] = &[];

/// Every operation, product ones first, in documentation order.
pub fn operations() -> impl Iterator<Item = &'static Operation> {
    PRODUCT.iter().chain(DEBUG.iter())
}

/// Every operation name, in documentation order.
pub fn names() -> impl Iterator<Item = &'static str> {
    operations().map(|op| op.name)
}

static BY_NAME: Lazy<HashMap<&'static str, &'static Operation>> =
    Lazy::new(|| operations().map(|op| (op.name, op)).collect());

pub fn find(name: &str) -> Option<&'static Operation> {
    BY_NAME.get(name).copied()
}

#[cfg(test)]
mod tests {
    /// A release library carries no debug operation: scripts/test-all.sh runs this test once
    /// without the feature too.
    #[test]
    fn debug_operations_exist_only_with_the_feature() {
        let debug: Vec<&str> = super::operations().filter(|op| op.debug_only).map(|op| op.name).collect();
        if cfg!(feature = "debug-operations") {
            assert!(debug.contains(&"debug.echo") && debug.contains(&"debug.panic"), "{debug:?}");
        } else {
            assert!(debug.is_empty(), "a build without the debug-operations feature has {debug:?}");
            assert!(super::find("debug.panic").is_none());
        }
    }
}
