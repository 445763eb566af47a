//! The one list of operations. Each entry names the operation, says in one line what it does,
//! and points at its handler and its request and reply types; dispatch, [`names`], the CLI, the
//! generated docs (`docs/operations.md`) and the machine-readable description every binding
//! checks itself against ([`super::describe`]) all read this list.
//!
//! Adding an operation: write the handler (`async fn(&Ductape, Request) -> Result<Reply>`) and its
//! request/reply types (`Deserialize + JsonSchema`, `deny_unknown_fields`; `Serialize + JsonSchema`)
//! in the feature's folder, add one `op!` line below, and regenerate every derived file
//! (`cargo xtask codegen`: docs and each binding's generated facades and types).

use super::parse::parse;
use crate::connections::{self as conn, api as conn_api};
use crate::error::{Error, ErrorCode, Result};
use crate::network::{self as net, api as net_api};
use crate::products::{self as prod, api as prod_api, components as comp, environments as envs};
use crate::resources::{self as res, api as res_api};
use crate::secrets::{self as sec, api as sec_api};
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
    run: for<'a> fn(&'a Ductape, Value) -> BoxFuture<'a, Result<String>>,
    request: fn() -> Schema,
    reply: fn() -> Schema,
}

impl Operation {
    /// Checks `params` against the request type and runs the handler; answers the reply as JSON
    /// text (straight from the typed reply: a `Value` in between cost more than the SQL for a
    /// 10,000-record `secrets.fetchAll`).
    pub fn run<'a>(&self, d: &'a Ductape, params: Value) -> BoxFuture<'a, Result<String>> {
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
async fn run_typed<Req, Rep, Fut>(handler: impl FnOnce(Req) -> Fut, params: Value) -> Result<String>
where
    Req: DeserializeOwned,
    Rep: Serialize,
    Fut: Future<Output = Result<Rep>>,
{
    let reply = handler(parse(params)?).await?;
    serde_json::to_string(&reply).map_err(|e| Error::new(ErrorCode::Internal, format!("reply not serialisable: {e}")))
}

/// `op!(name, summary, handler, Request => Reply)`, optionally followed by `debug`.
macro_rules! op {
    ($name:literal, $summary:literal, $handler:path, $req:ty => $rep:ty $(, $debug:ident)?) => {
        Operation {
            name: $name,
            summary: $summary,
            debug_only: op!(@debug $($debug)?),
            run: {
                fn run(d: &Ductape, params: Value) -> BoxFuture<'_, Result<String>> {
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
    op!("cloud.resources.services", "Lists the services a connection's cloud can link (atlas-cluster: Databases (MongoDB)).",
        res::services, res_api::ServicesRequest => res_api::ServicesReply),
    op!("cloud.resources.list", "Lists the clusters of the connection's project: dedicated, free and flex, every page.",
        res::list, res_api::ListRequest => res_api::ListReply),
    op!("cloud.resources.import", "Imports a cluster into a product component env: a cluster-scoped database user, its credentialed string as an encrypted secret, the env linked to it.",
        res::import, res_api::ImportRequest => res_api::ImportReply),
    op!("cloud.resources.unlink", "Undoes an import: deletes the database user in Atlas, the secret and the env link.",
        res::unlink, res_api::UnlinkRequest => res_api::UnlinkReply),
    op!("cloud.resources.verify", "Connects with a component env's stored connection string (MongoDB's driver) and runs ping.",
        res::verify, res_api::VerifyRequest => res_api::VerifyReply),
    op!("secrets.create", "Creates a workspace secret (an existing key is a conflict); its value is stored encrypted.",
        sec::create, sec_api::CreateRequest => sec_api::Record),
    op!("secrets.fetchAll", "Lists secret records by key (never a value); with limit, one page at a time.",
        sec::fetch_all, sec_api::FetchAllRequest => sec_api::FetchAllReply),
    op!("secrets.fetch", "Answers one secret's record and its value (refused once revoked).",
        sec::fetch, sec_api::KeyRequest => sec_api::FetchReply),
    op!("secrets.update", "Changes a secret: a new value rotates it; metadata alone keeps it.",
        sec::update, sec_api::UpdateRequest => sec_api::Record),
    op!("secrets.delete", "Deletes a secret (not one a component env owns).",
        sec::delete, sec_api::KeyRequest => sec_api::DeleteReply),
    op!("secrets.revoke", "Disables a secret, keeping its record: resolving it fails from now on.",
        sec::revoke, sec_api::KeyRequest => sec_api::Record),
    op!("secrets.resolve", "Replaces every $Secret{KEY} in a value, checking each for the app and environment.",
        sec::resolve, sec_api::ResolveRequest => sec_api::ResolveReply),
    op!("products.create", "Creates a product; its tag defaults to the name slugged with hyphens.",
        prod::create, prod_api::CreateRequest => prod_api::Product),
    op!("products.fetch", "Answers one product.",
        prod::fetch, prod_api::ProductRequest => prod_api::Product),
    op!("products.list", "Lists the products in creation order.",
        prod::list, prod_api::ListRequest => prod_api::ListReply),
    op!("products.update", "Changes a product's name or description (never its tag).",
        prod::update, prod_api::UpdateRequest => prod_api::Product),
    op!("products.delete", "Deletes a product with its environments and components; refused while they hold secrets unless forced.",
        prod::delete, prod_api::DeleteRequest => prod_api::DeleteReply),
    op!("products.environments.create", "Creates an environment (dev, stg, prd, ...) of a product.",
        envs::create, prod_api::EnvCreateRequest => prod_api::Environment),
    op!("products.environments.list", "Lists a product's environments in creation order.",
        envs::list, prod_api::OfProductRequest => prod_api::EnvListReply),
    op!("products.environments.fetch", "Answers one environment of a product.",
        envs::fetch, prod_api::EnvRequest => prod_api::Environment),
    op!("products.environments.update", "Changes an environment's name or description (never its slug).",
        envs::update, prod_api::EnvUpdateRequest => prod_api::Environment),
    op!("products.environments.delete", "Deletes an environment and the component configs in it; refused while they hold secrets unless forced.",
        envs::delete, prod_api::EnvDeleteRequest => prod_api::EnvDeleteReply),
    op!("products.components.create", "Creates a database component (mongodb, postgresql, mysql, dynamodb) of a product.",
        comp::create, prod_api::ComponentCreateRequest => prod_api::Component),
    op!("products.components.fetch", "Answers one component, with the environments it has a config in.",
        comp::fetch, prod_api::ComponentRequest => prod_api::Component),
    op!("products.components.list", "Lists a product's components in creation order.",
        comp::list, prod_api::OfProductRequest => prod_api::ComponentListReply),
    op!("products.components.delete", "Deletes a component and its configs; refused while they hold secrets unless forced.",
        comp::delete, prod_api::ComponentDeleteRequest => prod_api::ComponentDeleteReply),
    op!("products.components.setEnv", "Sets a component's config in one environment (connection_url literal or $Secret{} reference, cloud, instance, auth_mode).",
        comp::set_env, prod_api::SetEnvRequest => prod_api::ComponentEnv),
    op!("products.components.getEnv", "Answers a component's config in one environment (a literal connection_url is never shown).",
        comp::get_env, prod_api::GetEnvRequest => prod_api::ComponentEnv),
    op!("products.components.resolve", "Answers the component's usable connection string in an environment, every reference resolved.",
        comp::resolve, prod_api::ResolveRequest => prod_api::ResolveReply),
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
