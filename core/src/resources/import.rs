//! `cloud.resources.import`: a cluster becomes a working, encrypted connection string on a
//! product component's environment.
//!
//! Steps: check the request and the workspace (nothing in Atlas is touched when the workspace
//! would refuse the result); take the target's lease (one import or unlink of a component env at
//! a time, across processes and machines); find the cluster; create the database user, or take
//! over the one of that name only when it is ours (`ownership.rs`); wait until Atlas applied
//! it; verify the login; then write the component, the secret and the env link in one
//! transaction.

use super::ownership::{self, Claim, Marker};
use super::{api::*, atlas, linked, naming, uri, verify, LOGIN_PATIENCE, REQUIRED_REACH, TRY_REACH};
use crate::atlas::AtlasClient;
use crate::connections::{self, Resolved};
use crate::crypto::SecretString;
use crate::error::{Error, ErrorCode, Result};
use crate::fields::{check_cluster_name, check_env_slug, new_id, now};
use crate::products::{self, repo as prod_repo};
use crate::secrets::repo as sec_repo;
use crate::store::lease::Lease;
use crate::store::{Connection, Store, Transaction};
use crate::{progress, Ductape};
use std::sync::Arc;
use std::time::{Duration, Instant};

const DEFAULT_WAIT_MS: u64 = 120_000;
const MAX_WAIT_MS: u64 = 3_600_000;

/// The request, checked before anything is read or sent.
#[derive(Clone)]
pub(super) struct Input {
    pub cloud: String,
    pub product: String,
    pub component: String,
    pub env: String,
    resource: String,
    role: String,
    connection_type: String,
    wait: Duration,
    verify: Option<bool>,
    adopt: bool,
}

impl Input {
    fn check(req: &ImportRequest) -> Result<Input> {
        super::check_service(&req.service)?;
        if req.kind.trim() != super::TYPE {
            return Err(Error::invalid("type", format!("type must be '{}' for {}", super::TYPE, super::SERVICE)));
        }
        let role = req.role.as_deref().map(str::trim).unwrap_or(super::ROLES[0]);
        if !super::ROLES.contains(&role) {
            return Err(Error::invalid("role", format!("role must be one of {}", super::ROLES.join(", "))));
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
            cloud: connections::model::lookup_tag_in("cloud", &req.cloud)?,
            product: products::lookup("product", &req.product)?,
            component: products::check_tag("component", &req.component)?,
            env: check_env_slug("env", &req.env)?,
            resource: check_cluster_name("resource", &req.resource)?,
            role: role.to_string(),
            connection_type: connection_type.to_string(),
            wait: Duration::from_millis(wait),
            verify: req.verify,
            adopt: req.adopt.unwrap_or(false),
        })
    }

    fn secret_key(&self) -> String {
        naming::secret_key(&self.cloud, &self.product, &self.component, &self.env)
    }

    fn database_user(&self) -> String {
        naming::database_user(&self.cloud, &self.product, &self.component, &self.env)
    }

    fn marker(&self, store: &Store) -> Marker {
        Marker::new(store.workspace_id(), &self.cloud, &self.product, &self.component, &self.env)
    }
}

/// The lease that lets one import or unlink of a component env run at a time.
pub(super) async fn lock_target(
    store: &Arc<Store>,
    product: &str,
    component: &str,
    env: &str,
    patience: Duration,
) -> Result<Lease> {
    let what = format!("component '{component}' of product '{product}' in env '{env}'");
    Lease::acquire(store, &format!("import:{product}/{component}/{env}"), patience, &what, || {
        progress::report("wait_lock", 0, None, Some(format!("waiting for another import or unlink of {what}")))
    })
    .await
}

pub async fn import(d: &Ductape, req: ImportRequest) -> Result<ImportReply> {
    let input = Input::check(&req)?;
    let conn = linked(d, &input.cloud, true).await?;
    let store = d.store().await?;
    let lease = lock_target(&store, &input.product, &input.component, &input.env, input.wait).await?;
    let here = Here { project: conn.project_id.clone(), base_url: d.atlas_base_url().to_string() };
    let (i, h) = (input.clone(), here.clone());
    let recorded = store.read_async(move |_, c| check_workspace(c, &i, &h)).await?;

    progress::report("find_cluster", 0, Some(1), Some(format!("looking up cluster '{}'", input.resource)));
    let client = d.atlas_client(&conn.credentials);
    let cluster = atlas::find_cluster(&client, &conn.project_id, &input.resource).await.map_err(Error::from)?;
    let cluster = usable(cluster, &input.resource)?;
    let base = uri::pick(&cluster.connection_strings, &cluster.name, &input.connection_type)?;

    let username = input.database_user();
    let password = naming::password();
    progress::report("database_user", 0, Some(1), Some(format!("making database user '{username}'")));
    let summary = format!("{}/{}/{} via {}", input.product, input.component, input.env, input.cloud);
    let marker = input.marker(&store);
    let spec = atlas::UserSpec {
        project: &conn.project_id,
        username: &username,
        password: &password,
        role: &input.role,
        cluster: &cluster.name,
        description: marker.description(&summary),
    };
    let claim = put_user(&client, &spec, &marker, recorded, input.adopt).await?;
    crate::store::debug_pause("import.after_user");
    wait_applied(&client, &conn, &cluster.name, input.wait, &lease).await?;

    let url = uri::with_credentials(&base, &username, &password)?;
    let verified = verify_import(d, &url, &cluster.name, input.verify).await?;
    lease.renew("the import's target").await?;
    progress::report("store", 0, Some(1), Some("storing the connection string".into()));
    let link = Link { input: input.clone(), here, cluster: cluster.name.clone(), username: username.clone(), url };
    let rotated = store.write_async(move |store, tx| link.write(store, tx)).await?;
    drop(lease);
    if claim == Claim::Adopted {
        warn_adopted(&username);
    }
    tracing::info!(cluster = %cluster.name, user = %username, rotated, ?claim, "imported Atlas cluster");
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
        rotated: rotated || claim != Claim::New,
        adopted: claim == Claim::Adopted,
        verified,
    })
}

/// Creates the user, or gives the existing one of that name the new password when it is ours
/// (or adopted). A user made by someone else between our read and our POST is decided again.
async fn put_user(
    client: &AtlasClient,
    spec: &atlas::UserSpec<'_>,
    ours: &Marker,
    recorded: bool,
    adopt: bool,
) -> Result<Claim> {
    for _ in 0..3 {
        let existing = atlas::find_user(client, spec.project, spec.username).await.map_err(Error::from)?;
        let claim = ownership::claim(existing.as_ref().map(Option::as_deref), ours, recorded, adopt, spec.username)?;
        if claim != Claim::New {
            atlas::update_user(client, spec).await.map_err(Error::from)?;
            return Ok(claim);
        }
        if atlas::create_user(client, spec).await.map_err(Error::from)? {
            return Ok(Claim::New);
        }
    }
    Err(Error::new(
        ErrorCode::Conflict,
        format!(
            "database user '{}' kept appearing and disappearing in Atlas while importing; try again",
            spec.username
        ),
    )
    .with_field("component"))
}

fn warn_adopted(username: &str) {
    crate::warnings::emit(crate::warnings::Warning {
        code: "adopted_database_user",
        message: format!(
            "took over Atlas database user '{username}', which carried no Ductape marker (adopt: true): its password \
             was replaced, so whatever logged in with the old one no longer can"
        ),
        details: Some(serde_json::json!({ "database_user": username })),
    });
}

/// The Atlas project and base URL an import runs against.
#[derive(Clone)]
struct Here {
    project: String,
    base_url: String,
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

/// What the workspace must allow before Atlas is changed: the product and env exist; the
/// component, if it exists, is a mongodb one; the import's secret, if it exists, is this
/// target's and not revoked; the env is not linked to another user, project or Atlas.
/// Answers whether the env's link record already names the import's user (made by this
/// workspace, possibly before ownership markers existed).
fn check_workspace(c: &Connection, i: &Input, here: &Here) -> Result<bool> {
    let p = prod_repo::product(c, &i.product)?;
    let env = prod_repo::env(c, &p, &i.env)?;
    let Some(k) = prod_repo::find_component(c, &p, &i.component)? else {
        return match sec_repo::find(c, &i.secret_key())? {
            Some(_) => Err(secret_taken(&i.secret_key())),
            None => Ok(false),
        };
    };
    check_mongodb(&k, &p.tag)?;
    if let Some(s) = sec_repo::find(c, &i.secret_key())? {
        check_own_secret(&s, &(k.id.clone(), env.id.clone()))?;
    }
    let ce = prod_repo::component_env(c, &k.id, &env.id)?.unwrap_or_default();
    let Some(user) = ce.database_user.as_deref() else { return Ok(false) };
    let same_link = ce.cloud.as_deref() == Some(i.cloud.as_str()) && user == i.database_user();
    let same_place = ce.project_id.as_deref().is_none_or(|p| p == here.project)
        && ce.atlas_base_url.as_deref().is_none_or(|u| u == here.base_url);
    if same_link && same_place {
        return Ok(true);
    }
    Err(Error::new(
        ErrorCode::Conflict,
        format!(
            "component '{}' of product '{}' in env '{}' is linked to Atlas database user '{user}' through cloud \
             connection '{}'{}; unlink it first (cloud.resources.unlink), then import",
            i.component,
            i.product,
            i.env,
            ce.cloud.as_deref().unwrap_or("?"),
            ce.project_id
                .as_deref()
                .filter(|p| *p != here.project)
                .map(|p| format!(" in project {p}"))
                .unwrap_or_default()
        ),
    )
    .with_field("env")
    .with_details(serde_json::json!({ "database_user": user, "cloud": ce.cloud, "project_id": ce.project_id })))
}

/// The import's secret must be this component env's own and not revoked: a revocation is a
/// decision someone made, which a re-import does not undo.
fn check_own_secret(s: &sec_repo::Row, owner: &(String, String)) -> Result<()> {
    if s.owner_ids.as_ref() != Some(owner) {
        return Err(secret_taken(&s.key));
    }
    if s.revoked_at.is_some() {
        return Err(Error::new(
            ErrorCode::FailedPrecondition,
            format!(
                "the workspace secret '{}' of this import was revoked; a revoked secret stays revoked. Unlink this \
                 target (cloud.resources.unlink), then import again for a new one",
                s.key
            ),
        )
        .with_field("component")
        .with_details(serde_json::json!({ "key": s.key, "revoked_at": s.revoked_at })));
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

/// Polls the cluster's change status until Atlas has applied the user, with backoff, keeping
/// the target's lease.
async fn wait_applied(
    client: &AtlasClient,
    conn: &Resolved,
    cluster: &str,
    limit: Duration,
    lease: &Lease,
) -> Result<()> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(200);
    for polls in 1u64.. {
        let status = atlas::change_status(client, &conn.project_id, cluster).await.map_err(Error::from)?;
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
        lease.renew("the import's target").await?;
        pause = (pause * 2).min(Duration::from_secs(2));
    }
    unreachable!("the loop returns")
}

/// The workspace side of an import, written in one transaction.
struct Link {
    input: Input,
    here: Here,
    cluster: String,
    username: String,
    url: SecretString,
}

impl Link {
    /// Creates the component if missing, puts the secret (rotating it when it exists), and
    /// points the env at it, recording the Atlas project and base URL. Answers whether the
    /// secret existed.
    fn write(&self, store: &Store, tx: &Transaction) -> Result<bool> {
        let i = &self.input;
        let p = prod_repo::product(tx, &i.product)?;
        let env = prod_repo::env(tx, &p, &i.env)?;
        let component = self.component(tx, &p)?;
        let key = i.secret_key();
        let owner = (component.id.clone(), env.id.clone());
        let cipher = store.cipher(tx)?;
        let now = now();
        let existed = match sec_repo::find(tx, &key)? {
            Some(mut s) => {
                check_own_secret(&s, &owner)?;
                s.updated_at = now.clone();
                s.last_rotated_at = now.clone();
                let sealed = cipher.seal_secret(&self.url, &sec_repo::aad(&s.id))?;
                sec_repo::save(tx, &s, Some(&sealed))?;
                true
            }
            None => {
                let s = self.new_secret(&key, owner, &now);
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
            project_id: Some(self.here.project.clone()),
            atlas_base_url: Some(self.here.base_url.clone()),
            updated_at: now,
        };
        prod_repo::put_component_env(tx, &ce)?;
        crate::store::debug_pause("import.before_commit");
        Ok(existed)
    }

    /// The target component, created (type mongodb) when missing.
    fn component(&self, tx: &Transaction, p: &prod_repo::Product) -> Result<prod_repo::Component> {
        let i = &self.input;
        if let Some(k) = prod_repo::find_component(tx, p, &i.component)? {
            check_mongodb(&k, &p.tag)?;
            return Ok(k);
        }
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
        Ok(k)
    }

    fn new_secret(&self, key: &str, owner: (String, String), now: &str) -> sec_repo::Row {
        let i = &self.input;
        sec_repo::Row {
            id: new_id(),
            key: key.to_string(),
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
            created_at: now.to_string(),
            updated_at: now.to_string(),
            last_rotated_at: now.to_string(),
        }
    }
}
