//! Cloud resources: the catalogue of linkable services, the clusters of a connection's project,
//! and `import`, which turns a cluster into a working, encrypted connection string on a product
//! component's environment (and `unlink`, its way back).
//!
//! Atlas never returns credentials, so import makes them, as MongoDB's Kubernetes operator and
//! MCP server do: a database user scoped to that one cluster with a generated password. The
//! user's name and the secret's key are deterministic (`naming.rs`), so a second import of the
//! same target rotates that user's password and that secret, and an import interrupted after the
//! user was made adopts it next time. Every workspace change of an import (the component if
//! missing, the secret, the env link) is one SQLite transaction, written only once Atlas has
//! applied the user.

pub mod api;
pub mod atlas;
pub mod naming;
pub mod uri;
pub mod verify;

use crate::connections::{self, model::Status};
use crate::crypto::SecretString;
use crate::error::{Error, ErrorCode, Result};
use crate::fields::{check_cluster_name, check_env_slug, new_id, now};
use crate::products::{self, repo as prod_repo};
use crate::secrets::repo as sec_repo;
use crate::store::Connection;
use crate::{progress, Ductape};
use api::*;
use std::time::{Duration, Instant};

pub const SERVICE: &str = "atlas-cluster";
pub const TYPE: &str = "databases";
pub const ROLES: &[&str] = &["readWriteAnyDatabase", "readAnyDatabase"];
const DEFAULT_WAIT_MS: u64 = 120_000;
const MAX_WAIT_MS: u64 = 3_600_000;
/// How long an import's default (best-effort) verification waits for a server: long enough for a
/// TLS handshake across the world, short enough that a cluster this machine cannot reach does not
/// hold the import up for long.
const TRY_REACH: Duration = Duration::from_secs(5);
/// How long a required verification, or `cloud.resources.verify` by default, waits for a server.
const REQUIRED_REACH: Duration = Duration::from_secs(10);
/// How long a refused login is retried while the user propagates to every node.
const LOGIN_PATIENCE: Duration = Duration::from_secs(20);
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
    let tag = connections::model::lookup_tag(&req.cloud).map_err(|e| on_field(e, "cloud"))?;
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

/// The request, checked before anything is read or sent.
#[derive(Clone)]
struct Input {
    cloud: String,
    product: String,
    component: String,
    env: String,
    resource: String,
    role: String,
    connection_type: String,
    wait: Duration,
    verify: Option<bool>,
}

impl Input {
    fn check(req: &ImportRequest) -> Result<Input> {
        check_service(&req.service)?;
        if req.kind.trim() != TYPE {
            return Err(Error::invalid("type", format!("type must be '{TYPE}' for {SERVICE}")));
        }
        let role = req.role.as_deref().map(str::trim).unwrap_or(ROLES[0]);
        if !ROLES.contains(&role) {
            return Err(Error::invalid("role", format!("role must be one of {}", ROLES.join(", "))));
        }
        let connection_type = req.connection_type.as_deref().map(str::trim).unwrap_or(uri::DEFAULT_TYPE);
        if !uri::TYPES.iter().any(|(k, _)| *k == connection_type) {
            let kinds: Vec<&str> = uri::TYPES.iter().map(|(k, _)| *k).collect();
            return Err(Error::invalid(
                "connection_type",
                format!("connection_type must be one of {}", kinds.join(", ")),
            ));
        }
        let wait = req.wait_timeout_ms.unwrap_or(DEFAULT_WAIT_MS);
        if wait == 0 || wait > MAX_WAIT_MS {
            return Err(Error::invalid(
                "wait_timeout_ms",
                format!("wait_timeout_ms must be between 1 and {MAX_WAIT_MS}"),
            ));
        }
        Ok(Input {
            cloud: connections::model::lookup_tag(&req.cloud).map_err(|e| on_field(e, "cloud"))?,
            product: products::lookup("product", &req.product)?,
            component: products::check_tag("component", &req.component)?,
            env: check_env_slug("env", &req.env)?,
            resource: check_cluster_name("resource", &req.resource)?,
            role: role.to_string(),
            connection_type: connection_type.to_string(),
            wait: Duration::from_millis(wait),
            verify: req.verify,
        })
    }

    fn secret_key(&self) -> String {
        naming::secret_key(&self.cloud, &self.product, &self.component, &self.env)
    }

    fn database_user(&self) -> String {
        naming::database_user(&self.cloud, &self.product, &self.component, &self.env)
    }
}

pub async fn import(d: &Ductape, req: ImportRequest) -> Result<ImportReply> {
    let input = Input::check(&req)?;
    let conn = linked(d, &input.cloud, true).await?;
    let store = d.store().await?;
    let (p, e, k, key) = (input.product.clone(), input.env.clone(), input.component.clone(), input.secret_key());
    store.read_async(move |_, c| check_workspace(c, &p, &e, &k, &key)).await?;

    progress::report("find_cluster", 0, Some(1), Some(format!("looking up cluster '{}'", input.resource)));
    let client = d.atlas_client(&conn.credentials);
    let cluster = atlas::find_cluster(&client, &conn.project_id, &input.resource).await.map_err(Error::from)?;
    let cluster = usable(cluster, &input.resource)?;
    let base = uri::pick(&cluster.connection_strings, &cluster.name, &input.connection_type)?;

    let username = input.database_user();
    let password = naming::password();
    progress::report("database_user", 0, Some(1), Some(format!("making database user '{username}'")));
    let spec = atlas::UserSpec {
        username: &username,
        password: &password,
        role: &input.role,
        cluster: &cluster.name,
        description: user_description(&input),
    };
    let existed = atlas::put_user(&client, &conn.project_id, &spec).await.map_err(Error::from)?;
    crate::store::debug_pause("import.after_user");
    wait_applied(&client, &conn.project_id, &cluster.name, input.wait).await?;

    let url = uri::with_credentials(&base, &username, &password)?;
    let verified = verify_import(d, &url, &cluster.name, input.verify).await?;
    progress::report("store", 0, Some(1), Some("storing the connection string".into()));
    let link = Link { input: input.clone(), cluster: cluster.name.clone(), username: username.clone(), url };
    let rotated = store.write_async(move |store, tx| link.write(store, tx)).await?;
    tracing::info!(cluster = %cluster.name, user = %username, rotated, "imported Atlas cluster");
    let key = input.secret_key();
    Ok(ImportReply {
        resource: cluster.name,
        product: input.product.clone(),
        component: input.component.clone(),
        env: input.env.clone(),
        connection_url_ref: format!("$Secret{{{key}}}"),
        secret_key: key,
        database_user: username,
        connection_type: input.connection_type.clone(),
        rotated: rotated || existed,
        verified,
    })
}

/// The import's `verify`: `Some(false)` skips, `Some(true)` requires an answer, `None` tries and
/// says (warning) what it found when the answer is not a `pong`.
async fn verify_import(d: &Ductape, url: &SecretString, cluster: &str, mode: Option<bool>) -> Result<Option<bool>> {
    if mode == Some(false) {
        return Ok(None);
    }
    let reach = if mode == Some(true) { REQUIRED_REACH } else { TRY_REACH };
    let failure = match verify::ping(url, d.cluster_ca_file(), reach, LOGIN_PATIENCE).await {
        Ok(_) => return Ok(Some(true)),
        Err(f) if mode == Some(true) => return Err(f.into_error(cluster, reach)),
        Err(f) => f,
    };
    let (verified, what) = match &failure {
        verify::Failure::Refused(_) => (Some(false), "refused the stored login"),
        _ => (None, "could not be reached from here to verify the stored string"),
    };
    let detail = failure.into_error(cluster, reach).message;
    crate::warnings::emit(crate::warnings::Warning {
        code: "connection_not_verified",
        message: format!(
            "cluster '{cluster}' {what}; it was stored anyway (verify: true makes this an error): {detail}"
        ),
        details: None,
    });
    Ok(verified)
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

/// The product and env must exist; a component of another type, or a secret of the import's
/// key that someone else made, would make the final write fail after Atlas was changed.
fn check_workspace(c: &Connection, product: &str, env: &str, component: &str, key: &str) -> Result<()> {
    let p = prod_repo::product(c, product)?;
    let env = prod_repo::env(c, &p, env)?;
    let existing = prod_repo::find_component(c, &p, component)?;
    if let Some(k) = &existing {
        check_mongodb(k, &p.tag)?;
    }
    if let Some(s) = sec_repo::find(c, key)? {
        let ours = existing.as_ref().is_some_and(|k| s.owner_ids.as_ref() == Some(&(k.id.clone(), env.id.clone())));
        if !ours {
            return Err(secret_taken(key));
        }
    }
    Ok(())
}

fn check_mongodb(k: &prod_repo::Component, product: &str) -> Result<()> {
    if k.kind == products::components::LINKED_TYPE {
        return Ok(());
    }
    Err(Error::new(
        ErrorCode::Conflict,
        format!(
            "component '{}' of product '{product}' is of type {}, not mongodb: import into a mongodb component",
            k.tag, k.kind
        ),
    )
    .with_field("component"))
}

fn secret_taken(key: &str) -> Error {
    Error::new(
        ErrorCode::Conflict,
        format!(
            "a workspace secret '{key}' exists that this import did not make; rename or delete it, then import again"
        ),
    )
    .with_field("component")
    .with_details(serde_json::json!({ "key": key }))
}

/// The cluster, if it can be imported now.
fn usable(cluster: Option<atlas::Cluster>, name: &str) -> Result<atlas::Cluster> {
    let c = cluster.ok_or_else(|| {
        Error::new(ErrorCode::NotFound, format!("the Atlas project has no cluster named '{name}' (dedicated or flex)"))
            .with_field("resource")
    })?;
    if c.paused {
        return Err(Error::new(
            ErrorCode::FailedPrecondition,
            format!("cluster '{name}' is paused; resume it in Atlas, then import"),
        )
        .with_field("resource"));
    }
    let has_strings = c.connection_strings.as_object().is_some_and(|m| !m.is_empty());
    if !has_strings {
        return Err(Error::new(
            ErrorCode::FailedPrecondition,
            format!("cluster '{name}' has no connection strings yet (state {}); import it once it is IDLE", c.state),
        )
        .with_field("resource"));
    }
    Ok(c)
}

/// Polls the cluster's change status until Atlas has applied the user, with backoff.
async fn wait_applied(client: &crate::atlas::AtlasClient, project: &str, cluster: &str, limit: Duration) -> Result<()> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(200);
    for polls in 1u64.. {
        let status = atlas::change_status(client, project, cluster).await.map_err(Error::from)?;
        progress::report("wait_applied", polls, None, Some(format!("cluster '{cluster}' change status {status}")));
        if status == "APPLIED" {
            return Ok(());
        }
        if started.elapsed() + pause > limit {
            return Err(Error::new(
                ErrorCode::Timeout,
                format!(
                    "Atlas had not applied the database user to cluster '{cluster}' after {} s; nothing was stored. \
                     Import again to finish: it adopts the user",
                    limit.as_secs_f64().ceil()
                ),
            ));
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(2));
    }
    unreachable!("the loop returns")
}

/// The workspace side of an import, written in one transaction.
struct Link {
    input: Input,
    cluster: String,
    username: String,
    url: SecretString,
}

impl Link {
    /// Creates the component if missing, puts the secret (rotating it when it exists), and
    /// points the env at it. Answers whether the secret existed.
    fn write(&self, store: &crate::store::Store, tx: &crate::store::Transaction) -> Result<bool> {
        let i = &self.input;
        let p = prod_repo::product(tx, &i.product)?;
        let env = prod_repo::env(tx, &p, &i.env)?;
        let component = match prod_repo::find_component(tx, &p, &i.component)? {
            Some(k) => {
                check_mongodb(&k, &p.tag)?;
                k
            }
            None => {
                let now = now();
                let k = prod_repo::Component {
                    id: new_id(),
                    product_id: p.id.clone(),
                    tag: i.component.clone(),
                    name: i.component.clone(),
                    kind: products::components::LINKED_TYPE.into(),
                    created_at: now.clone(),
                    updated_at: now,
                };
                prod_repo::insert_component(tx, &k, &p.tag)?;
                k
            }
        };
        let key = i.secret_key();
        let owner = (component.id.clone(), env.id.clone());
        let cipher = store.cipher(tx)?;
        let now = now();
        let existed = match sec_repo::find(tx, &key)? {
            Some(mut s) if s.owner_ids.as_ref() == Some(&owner) => {
                s.updated_at = now.clone();
                s.last_rotated_at = now.clone();
                s.revoked_at = None;
                let sealed = cipher.seal_secret(&self.url, &sec_repo::aad(&s.id))?;
                sec_repo::save(tx, &s, Some(&sealed))?;
                true
            }
            Some(_) => return Err(secret_taken(&key)),
            None => {
                let s = sec_repo::Row {
                    id: new_id(),
                    key: key.clone(),
                    description: Some(format!(
                        "Connection string of Atlas cluster '{}' for {}/{}/{} (cloud connection {}), made by cloud.resources.import",
                        self.cluster, i.product, i.component, i.env, i.cloud
                    )),
                    scope: None,
                    envs: Some(vec![i.env.clone()]),
                    expires_at: None,
                    revoked_at: None,
                    owner_ids: Some(owner),
                    owner: None,
                    created_at: now.clone(),
                    updated_at: now.clone(),
                    last_rotated_at: now.clone(),
                };
                sec_repo::insert(tx, &s, &cipher.seal_secret(&self.url, &sec_repo::aad(&s.id))?)?;
                false
            }
        };
        let ce = prod_repo::ComponentEnv {
            component_id: component.id.clone(),
            env_id: env.id.clone(),
            connection_url_ref: Some(format!("$Secret{{{key}}}")),
            connection_url_sealed: None,
            cloud: Some(i.cloud.clone()),
            instance: Some(self.cluster.clone()),
            auth_mode: Some("cloud_connection".into()),
            database_user: Some(self.username.clone()),
            updated_at: now,
        };
        prod_repo::put_component_env(tx, &ce)?;
        crate::store::debug_pause("import.before_commit");
        Ok(existed)
    }
}

pub async fn unlink(d: &Ductape, req: UnlinkRequest) -> Result<UnlinkReply> {
    let cloud = connections::model::lookup_tag(&req.cloud).map_err(|e| on_field(e, "cloud"))?;
    let product = products::lookup("product", &req.product)?;
    let component = products::lookup("component", &req.component)?;
    let env = check_env_slug("env", &req.env)?;
    let store = d.store().await?;
    let (p, k, e, c) = (product.clone(), component.clone(), env.clone(), cloud.clone());
    let (username, instance) = store.read_async(move |_, conn| linked_env(conn, &p, &k, &e, &c)).await?;
    let conn = linked(d, &cloud, false).await?;
    let client = d.atlas_client(&conn.credentials);
    progress::report(
        "delete_user",
        0,
        Some(1),
        Some(format!("deleting database user '{username}' of cluster '{instance}'")),
    );
    let user_deleted = atlas::delete_user(&client, &conn.project_id, &username).await.map_err(Error::from)?;
    let (p, k, e) = (product.clone(), component.clone(), env.clone());
    let secret_deleted = store
        .write_async(move |_, tx| {
            let prod = prod_repo::product(tx, &p)?;
            let comp = prod_repo::component(tx, &prod, &k)?;
            let env = prod_repo::env(tx, &prod, &e)?;
            let owner = (comp.id.clone(), env.id.clone());
            let ce = prod_repo::component_env(tx, &comp.id, &env.id)?;
            let key = ce
                .and_then(|ce| ce.connection_url_ref)
                .and_then(|r| crate::secrets::reference::sole_reference(&r).map(str::to_string));
            let mut deleted = false;
            if let Some(s) = key.map(|k| sec_repo::find(tx, &k)).transpose()?.flatten() {
                if s.owner_ids.as_ref() == Some(&owner) {
                    sec_repo::delete(tx, &s.id)?;
                    deleted = true;
                }
            }
            prod_repo::delete_component_env(tx, &comp.id, &env.id)?;
            Ok(deleted)
        })
        .await?;
    Ok(UnlinkReply { product, component, env, database_user: username, user_deleted, secret_deleted })
}

/// The database user and cluster of a component env that `cloud` imported.
fn linked_env(c: &Connection, product: &str, component: &str, env: &str, cloud: &str) -> Result<(String, String)> {
    let p = prod_repo::product(c, product)?;
    let k = prod_repo::component(c, &p, component)?;
    let e = prod_repo::env(c, &p, env)?;
    let ce = prod_repo::component_env(c, &k.id, &e.id)?.unwrap_or_default();
    match (ce.database_user, ce.instance, ce.cloud) {
        (Some(user), Some(instance), Some(linked)) if linked == cloud => Ok((user, instance)),
        (Some(_), Some(_), Some(linked)) => Err(Error::new(
            ErrorCode::FailedPrecondition,
            format!(
                "component '{component}' env '{env}' was imported through cloud connection '{linked}', not '{cloud}'"
            ),
        )
        .with_field("cloud")),
        _ => Err(Error::new(
            ErrorCode::FailedPrecondition,
            format!("component '{component}' of product '{product}' has no imported cluster in environment '{env}'"),
        )
        .with_field("env")),
    }
}

/// The connection `tag`, resolved; import also needs it active with the `database` scope.
async fn linked(d: &Ductape, tag: &str, for_import: bool) -> Result<connections::Resolved> {
    let conn = connections::resolve(d, tag).await.map_err(|e| on_field(e, "cloud"))?;
    let row = &conn.row;
    if row.status != Status::Active {
        return Err(Error::new(
            ErrorCode::FailedPrecondition,
            format!(
                "cloud connection '{}' is {}, not active; validate it first (cloud.connections.validate)",
                row.tag,
                row.status.as_str()
            ),
        )
        .with_field("cloud"));
    }
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

fn user_description(i: &Input) -> String {
    let mut d = format!("Ductape {}/{}/{} via {}", i.product, i.component, i.env, i.cloud);
    d.truncate(100);
    d
}

fn on_field(mut e: Error, field: &str) -> Error {
    if e.field.as_deref() == Some("tag") {
        e.field = Some(field.to_string());
    }
    e
}
