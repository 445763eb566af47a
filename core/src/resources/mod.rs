//! Cloud resources: the catalogue of linkable services, the clusters of a connection's project,
//! and `import`, which turns a cluster into a working, encrypted connection string on a product
//! component's environment (and `unlink`, its way back).
//!
//! Atlas never returns credentials, so import makes them, as MongoDB's Kubernetes operator and
//! MCP server do: a database user scoped to that one cluster with a generated password. The
//! user's name and the secret's key are deterministic (`naming.rs`), so a second import of the
//! same target rotates that user's password and that secret, and an import interrupted after the
//! user was made takes it over next time. A name proves nothing about who made a user, so each
//! carries this workspace's marker (`ownership.rs`), and import and unlink touch only users
//! that carry it. Every workspace change of an import (the component if missing, the secret,
//! the env link) is one transaction, written only once Atlas has applied the user.
//!
//! - `import.rs`, `unlink.rs`: the two operations that change Atlas;
//! - `atlas.rs`: the Atlas calls; `uri.rs`: picking and credentialing a cluster's string;
//! - `verify.rs`: logging in with MongoDB's driver; `naming.rs`: names and passwords.

pub mod api;
pub mod atlas;
mod import;
pub mod naming;
pub mod ownership;
mod unlink;
pub mod uri;
pub mod verify;

pub use import::import;
pub use unlink::unlink;

use crate::connections;
use crate::error::{Error, ErrorCode, Result};
use crate::products;
use crate::{progress, Ductape};
use api::*;
use std::time::Duration;

pub const SERVICE: &str = "atlas-cluster";
pub const TYPE: &str = "databases";
pub const ROLES: &[&str] = &["readWriteAnyDatabase", "readAnyDatabase"];
/// How long an import's default (best-effort) verification waits for a server: long enough for a
/// TLS handshake across the world, short enough that a cluster this machine cannot reach does not
/// hold the import up for long.
pub(crate) const TRY_REACH: Duration = Duration::from_secs(5);
/// How long a required verification, or `cloud.resources.verify` by default, waits for a server.
pub(crate) const REQUIRED_REACH: Duration = Duration::from_secs(10);
/// How long a refused login is retried while the user propagates to every node.
pub(crate) const LOGIN_PATIENCE: Duration = Duration::from_secs(20);
const MAX_VERIFY_MS: u64 = 120_000;
/// The product's other services: known, refused as not supported yet.
const OTHER_SERVICES: &[(&str, &str, &str)] = &[
    ("aura-instance", "Graph (Neo4j Aura)", "graph"),
    ("rds", "Databases (Amazon RDS)", "databases"),
    ("s3-bucket", "Storage (Amazon S3)", "storage"),
    ("gcs-bucket", "Storage (Google Cloud Storage)", "storage"),
    ("azure-blob", "Storage (Azure Blob)", "storage"),
];

pub async fn services(d: &Ductape, req: ServicesRequest) -> Result<ServicesReply> {
    let tag = connections::model::lookup_tag_in("cloud", &req.cloud)?;
    let store = d.store().await?;
    let t = tag.clone();
    store.read_async(move |_, c| connections::repo::live(c, &t).map(|_| ())).await.map_err(|e| on_field(e, "cloud"))?;
    let atlas =
        Service { service: SERVICE.into(), name: "Databases (MongoDB)".into(), kind: TYPE.into(), supported: true };
    Ok(ServicesReply { cloud: tag, services: vec![atlas] })
}

pub async fn list(d: &Ductape, req: ListRequest) -> Result<ListReply> {
    check_service(&req.service)?;
    let conn = linked(d, &req.cloud, false).await?;
    progress::report("list_clusters", 0, None, None);
    let client = d.atlas_client(&conn.credentials);
    let resources = atlas::list_clusters(&client, &conn.project_id).await.map_err(Error::from)?;
    Ok(ListReply { resources })
}

pub async fn verify(d: &Ductape, req: VerifyRequest) -> Result<VerifyReply> {
    let reach = match req.timeout_ms {
        None => REQUIRED_REACH,
        Some(ms) if (1..=MAX_VERIFY_MS).contains(&ms) => Duration::from_millis(ms),
        Some(_) => {
            return Err(Error::invalid("timeout_ms", format!("timeout_ms must be between 1 and {MAX_VERIFY_MS}")));
        }
    };
    let resolve =
        products::api::ResolveRequest { product: req.product, component: req.component, env: req.env, app: req.app };
    let (product, component, env) = (resolve.product.clone(), resolve.component.clone(), resolve.env.clone());
    let resolved = products::components::resolve(d, resolve).await?;
    let target = resolved.instance.clone().unwrap_or_else(|| component.clone());
    let url = resolved.connection_url.0;
    if !verify::has_login(url.expose()) {
        return Err(Error::new(
            ErrorCode::FailedPrecondition,
            format!(
                "the connection string of component '{component}' in env '{env}' carries no user and password, so there \
                 is no login to verify (a server answers ping without one); import the cluster (cloud.resources.import) \
                 or set a string with credentials"
            ),
        )
        .with_field("env"));
    }
    let pinged =
        verify::ping(&url, d.cluster_ca_file(), reach, reach).await.map_err(|f| f.into_error(&target, reach))?;
    Ok(VerifyReply {
        product: products::lookup("product", &product)?,
        component: products::lookup("component", &component)?,
        env,
        verified: true,
        server: pinged.server,
        attempts: pinged.attempts,
        elapsed_ms: u64::try_from(pinged.elapsed.as_millis()).unwrap_or(u64::MAX),
    })
}

/// The connection `tag`, resolved; import also needs it active with the `database` scope.
async fn linked(d: &Ductape, tag: &str, for_import: bool) -> Result<connections::Resolved> {
    let conn = connections::resolve(d, tag).await.map_err(|e| on_field(e, "cloud"))?;
    conn.require_active("cloud", "Atlas is called only with credentials it accepted")?;
    let row = &conn.row;
    if for_import && !row.scopes.iter().any(|s| s == "database") {
        return Err(Error::new(
            ErrorCode::FailedPrecondition,
            format!(
                "cloud connection '{}' lacks the database scope (it has {}); add it with cloud.connections.update",
                row.tag,
                row.scopes.join(", ")
            ),
        )
        .with_field("cloud"));
    }
    Ok(conn)
}

fn check_service(service: &str) -> Result<()> {
    let s = service.trim();
    if s == SERVICE {
        return Ok(());
    }
    if OTHER_SERVICES.iter().any(|(name, ..)| *name == s) {
        return Err(Error::new(
            ErrorCode::Unsupported,
            format!("service '{s}' is not supported yet; this version links '{SERVICE}' (Databases (MongoDB))"),
        )
        .with_field("service"));
    }
    Err(Error::invalid("service", format!("service must be '{SERVICE}'")))
}

fn on_field(mut e: Error, field: &str) -> Error {
    if e.field.as_deref() == Some("tag") {
        e.field = Some(field.to_string());
    }
    e
}
