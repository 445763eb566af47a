//! Cloud connections: create -> complete -> validate, plus fetch, list, update and delete.
//!
//! Statuses: `pending` (created, or credentials changed), `active` (validated against Atlas),
//! `error` (the last validation failed for a reason about the credentials or the project),
//! `revoked` (reserved). Secrets are write-only: they go encrypted into `connection_secrets`,
//! and records carry only `has_atlas_private_key` / `has_atlas_client_secret`.

pub mod api;
pub mod model;
pub mod repo;
pub mod validate;

use crate::atlas::Credentials;
use crate::connections::api::{
    CompleteRequest, CreateRequest, DeleteReply, ListReply, ListRequest, TagRequest, UpdateRequest,
};
use crate::crypto::{Cipher, SecretString};
use crate::error::{Error, ErrorCode, Result};
use crate::store::Connection;
use crate::Ductape;
use model::*;

pub use validate::{Check, ValidateReply};

pub const SECRET_PRIVATE_KEY: &str = "atlas_private_key";
pub const SECRET_CLIENT_SECRET: &str = "atlas_client_secret";

pub async fn create(d: &Ductape, req: CreateRequest) -> Result<Record> {
    check_provider("provider", req.provider.trim())?;
    let display_name = match &req.display_name {
        Some(n) => Some(check_text("display_name", n, MAX_DISPLAY_NAME_LEN, false)?),
        None => None,
    };
    let tag = match (&req.name, &display_name) {
        (Some(name), _) => {
            let name = name.trim().to_string();
            check_tag("name", &name)?;
            name
        }
        (None, Some(dn)) => slugify(dn).ok_or_else(|| {
            Error::invalid("display_name", "display_name has no letters or digits to make a tag from; give name")
        })?,
        (None, None) => {
            return Err(Error::invalid("name", "name: missing field `name` (the connection's tag, e.g. prod_atlas)"))
        }
    };
    let scopes = match &req.scopes {
        Some(s) => check_scopes("scopes", s)?,
        None => DEFAULT_ATLAS_SCOPES.iter().map(|s| s.to_string()).collect(),
    };
    let description = match &req.description {
        Some(t) => Some(check_text("description", t, MAX_DESCRIPTION_LEN, true)?).filter(|s| !s.is_empty()),
        None => None,
    };
    let now = now();
    let row = Row {
        id: new_id(),
        tag: tag.clone(),
        provider: SUPPORTED_PROVIDER.to_string(),
        display_name: display_name.unwrap_or_else(|| tag.clone()),
        description,
        status: Status::Pending,
        scopes,
        account_identifier: None,
        metadata: Metadata::default(),
        credentials_rev: 0,
        created_at: now.clone(),
        updated_at: now,
        deleted_at: None,
    };
    let store = d.store().await?;
    let saved = row.clone();
    store.write_async(move |_, tx| repo::insert(tx, &saved)).await?;
    tracing::info!(tag = %row.tag, id = %row.id, "created cloud connection");
    Ok(Record::from(&row))
}

/// The stored credentials' identity (public key or client id), if any.
fn identity(m: &Metadata) -> Option<String> {
    m.atlas_public_key.clone().or_else(|| m.atlas_client_id.clone())
}

fn non_blank(s: &Option<String>) -> Option<String> {
    s.as_ref().map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

fn non_blank_secret(s: &Option<SecretString>) -> Option<SecretString> {
    s.as_ref().filter(|v| !v.expose().trim().is_empty()).map(|v| SecretString::new(v.expose().trim()))
}

/// Stores a connection's project and credentials: checks the request, picks the method it is
/// for, decides what changed and writes only that (see [`write_changes`]).
pub async fn complete(d: &Ductape, req: CompleteRequest) -> Result<Record> {
    let mut input = CompleteInput::check(&req)?;
    input.base_url = d.atlas_base_url().to_string();
    let store = d.store().await?;
    let (row, replaced) = store
        .write_async(move |store, tx| {
            let mut row = repo::live(tx, &input.tag)?;
            let before = identity(&row.metadata);
            let fields = input.fields(input.method(row.metadata.auth_method.as_ref()));
            let cipher = store.cipher(tx)?;
            let mut changes = decide_changes(tx, &cipher, &row, &fields, &input.project_id)?;
            changes.base_url_changed = row.metadata.atlas_base_url.as_deref() != Some(input.base_url.as_str());
            if changes.base_url_changed && fields.given_secret.is_none() {
                return Err(secret_for_another_host(&row, &fields, &input.base_url));
            }
            let replaced = before.filter(|_| changes.any());
            row.metadata.atlas_base_url = Some(input.base_url.clone());
            write_changes(tx, &cipher, &mut row, &fields, &input.project_id, changes)?;
            Ok((row, replaced))
        })
        .await?;
    if let Some(old) = replaced {
        d.forget_atlas_clients(&old);
    }
    tracing::info!(tag = %row.tag, status = row.status.as_str(), "stored cloud connection credentials");
    Ok(Record::from(&row))
}

/// `complete` under another Atlas base URL than the stored secret was given for: the secret
/// is not re-bound (that would send it to the new host on the next call); it must be given
/// again. The message names no way that sends the stored one there.
fn secret_for_another_host(row: &Row, fields: &MethodFields<'_>, here: &str) -> Error {
    let was = match row.metadata.atlas_base_url.as_deref() {
        Some(b) => format!("for Atlas at {}", crate::atlas::redact_url(b)),
        None => "by a version that did not record its Atlas base URL".to_string(),
    };
    let field = fields.secret_field;
    Error::new(
        ErrorCode::FailedPrecondition,
        format!(
            "the stored {field} of cloud connection '{}' was given {was}, and this client uses {}: a stored secret is \
             never sent to another host. Give {field} again in this call to use these credentials there",
            row.tag,
            crate::atlas::redact_url(here)
        ),
    )
    .with_field(field)
}

/// `complete`'s request, trimmed and checked before the store is opened. A blank identity or
/// secret counts as not given: keep the stored one.
struct CompleteInput {
    tag: String,
    /// The Atlas base URL of this client: the credentials are bound to it.
    base_url: String,
    project_id: String,
    public_key: Option<String>,
    private_key: Option<SecretString>,
    client_id: Option<String>,
    client_secret: Option<SecretString>,
}

impl CompleteInput {
    fn check(req: &CompleteRequest) -> Result<Self> {
        let tag = lookup_tag(&req.tag)?;
        let project_id = check_project_id("project_id", &req.project_id)?;
        let public_key =
            non_blank(&req.atlas_public_key).map(|k| check_public_key("atlas_public_key", &k)).transpose()?;
        let private_key = non_blank_secret(&req.atlas_private_key);
        if let Some(k) = &private_key {
            check_private_key("atlas_private_key", k.expose())?;
        }
        let client_id = non_blank(&req.atlas_client_id).map(|k| check_client_id("atlas_client_id", &k)).transpose()?;
        let client_secret = non_blank_secret(&req.atlas_client_secret);
        if let Some(s) = &client_secret {
            check_client_secret("atlas_client_secret", s.expose())?;
        }
        let input = CompleteInput {
            tag,
            base_url: String::new(),
            project_id,
            public_key,
            private_key,
            client_id,
            client_secret,
        };
        if input.gives_api_key() && input.gives_service_account() {
            return Err(Error::invalid(
                "atlas_client_id",
                "give either an API key (atlas_public_key, atlas_private_key) or a service account (atlas_client_id, atlas_client_secret), not both",
            ));
        }
        Ok(input)
    }

    fn gives_api_key(&self) -> bool {
        self.public_key.is_some() || self.private_key.is_some()
    }

    fn gives_service_account(&self) -> bool {
        self.client_id.is_some() || self.client_secret.is_some()
    }

    /// The method the request gives credentials for. A request with none keeps the stored
    /// method (an API key when nothing is stored), so it can change the project alone.
    fn method(&self, stored: Option<&AuthMethod>) -> AuthMethod {
        if self.gives_service_account() {
            AuthMethod::ServiceAccount
        } else if self.gives_api_key() {
            AuthMethod::ApiKey
        } else {
            stored.cloned().unwrap_or(AuthMethod::ApiKey)
        }
    }

    fn fields(&self, method: AuthMethod) -> MethodFields<'_> {
        match method {
            AuthMethod::ApiKey => MethodFields {
                method,
                id_field: "atlas_public_key",
                secret_field: "atlas_private_key",
                secret_name: SECRET_PRIVATE_KEY,
                given_identity: self.public_key.as_ref(),
                given_secret: self.private_key.as_ref(),
            },
            AuthMethod::ServiceAccount => MethodFields {
                method,
                id_field: "atlas_client_id",
                secret_field: "atlas_client_secret",
                secret_name: SECRET_CLIENT_SECRET,
                given_identity: self.client_id.as_ref(),
                given_secret: self.client_secret.as_ref(),
            },
        }
    }
}

/// One authentication method as `complete` handles it: the request fields errors name, the
/// name its secret is sealed under, and what this request gives for it.
struct MethodFields<'a> {
    method: AuthMethod,
    id_field: &'static str,
    secret_field: &'static str,
    secret_name: &'static str,
    given_identity: Option<&'a String>,
    given_secret: Option<&'a SecretString>,
}

impl MethodFields<'_> {
    fn stored_identity(&self, m: &Metadata) -> Option<String> {
        match self.method {
            AuthMethod::ApiKey => m.atlas_public_key.clone(),
            AuthMethod::ServiceAccount => m.atlas_client_id.clone(),
        }
    }

    /// Records this method and its identity, and clears the other method's fields: a record
    /// shows one method's credentials only.
    fn record(&self, m: &mut Metadata, identity: String) {
        m.auth_method = Some(self.method.clone());
        match self.method {
            AuthMethod::ApiKey => {
                m.atlas_public_key = Some(identity);
                m.has_atlas_private_key = true;
                m.atlas_client_id = None;
                m.has_atlas_client_secret = false;
            }
            AuthMethod::ServiceAccount => {
                m.atlas_client_id = Some(identity);
                m.has_atlas_client_secret = true;
                m.atlas_public_key = None;
                m.has_atlas_private_key = false;
            }
        }
    }
}

/// What a `complete` call changes, decided before anything is written.
struct Changes {
    /// The stored credentials are for this method (otherwise nothing stored counts).
    same_method: bool,
    /// The identity to record: the given one, else the stored one.
    identity: String,
    identity_changed: bool,
    secret_changed: bool,
    project_changed: bool,
    /// Completed again for another Atlas base URL: a validation elsewhere says nothing here.
    base_url_changed: bool,
}

impl Changes {
    fn any(&self) -> bool {
        self.project_changed
            || !self.same_method
            || self.identity_changed
            || self.secret_changed
            || self.base_url_changed
    }
}

fn decide_changes(
    tx: &Connection,
    cipher: &Cipher,
    row: &Row,
    fields: &MethodFields<'_>,
    project_id: &str,
) -> Result<Changes> {
    let m = &row.metadata;
    let same_method = m.auth_method.as_ref() == Some(&fields.method);
    // An identity stored for the other method is no identity for this one.
    let stored_identity = fields.stored_identity(m).filter(|_| same_method);
    let id_field = fields.id_field;
    let identity = fields.given_identity.cloned().or_else(|| stored_identity.clone()).ok_or_else(|| {
        Error::invalid(
            id_field,
            format!("{id_field}: missing field `{id_field}` (no credentials are stored for this connection yet)"),
        )
    })?;
    let identity_changed = stored_identity.as_deref() != Some(identity.as_str());
    let secret_changed = secret_changed(tx, cipher, &row.id, fields, same_method, identity_changed)?;
    let project_changed = m.project_id.as_deref() != Some(project_id);
    Ok(Changes { same_method, identity, identity_changed, secret_changed, project_changed, base_url_changed: false })
}

/// Whether the given secret differs from the one stored for this method. Giving none keeps
/// the stored one, which is refused when the identity changes (the secret belongs to the old
/// identity) or when nothing is stored.
fn secret_changed(
    tx: &Connection,
    cipher: &Cipher,
    connection_id: &str,
    fields: &MethodFields<'_>,
    same_method: bool,
    identity_changed: bool,
) -> Result<bool> {
    let (id_field, secret_field, secret_name) = (fields.id_field, fields.secret_field, fields.secret_name);
    let stored = if same_method { repo::get_secret(tx, connection_id, secret_name)? } else { None };
    match (fields.given_secret, &stored) {
        // A stored secret that no longer decrypts (altered file, other key) is replaced, not an
        // error: replacing it is how the user recovers.
        (Some(new), Some(old)) => match cipher.open_secret(old, &repo::secret_aad(connection_id, secret_name)) {
            Ok(old) => Ok(&old != new),
            Err(_) => Ok(true),
        },
        (Some(_), None) => Ok(true),
        (None, Some(_)) if identity_changed => {
            Err(Error::invalid(secret_field, format!("{secret_field} is required when {id_field} changes")))
        }
        (None, Some(_)) => Ok(false),
        (None, None) => Err(Error::invalid(
            secret_field,
            format!("{secret_field}: missing field `{secret_field}` (no secret is stored for this connection yet)"),
        )),
    }
}

/// Writes what [`decide_changes`] found. Switching methods drops the other method's secrets.
/// Any change sends the connection back to `pending` with a new credentials revision: the
/// last validation was about other credentials or another project, and a validation still
/// running for the old revision must not record its result.
fn write_changes(
    tx: &Connection,
    cipher: &Cipher,
    row: &mut Row,
    fields: &MethodFields<'_>,
    project_id: &str,
    changes: Changes,
) -> Result<()> {
    let now = now();
    let changed = changes.any();
    if !changes.same_method {
        repo::delete_secrets(tx, &row.id)?;
    }
    if changes.secret_changed {
        let secret = fields.given_secret.expect("a changed secret was given");
        let aad = repo::secret_aad(&row.id, fields.secret_name);
        repo::put_secret(tx, &row.id, fields.secret_name, &cipher.seal_secret(secret, &aad)?, &now)?;
    }
    row.metadata.project_id = Some(project_id.to_string());
    fields.record(&mut row.metadata, changes.identity);
    if changed {
        let m = &mut row.metadata;
        m.credentials_updated_at = Some(now.clone());
        m.validated_at = None;
        m.last_validation_error = None;
        m.project_name = None;
        m.org_id = None;
        m.roles = None;
        row.account_identifier = None;
        row.status = Status::Pending;
        row.credentials_rev += 1;
        row.updated_at = now;
        repo::save(tx, row)?;
    }
    Ok(())
}

pub async fn fetch(d: &Ductape, req: TagRequest) -> Result<Record> {
    let tag = lookup_tag(&req.tag)?;
    let store = d.store().await?;
    let row = store.read_async(move |_, c| repo::live(c, &tag)).await?;
    Ok(Record::from(&row))
}

pub async fn list(d: &Ductape, req: ListRequest) -> Result<ListReply> {
    let provider = match non_blank(&req.provider) {
        Some(p) if PROVIDERS.contains(&p.as_str()) => Some(p),
        Some(_) => {
            return Err(Error::invalid(
                "provider",
                format!(
                    "provider is not a known provider (the value given is not repeated here); known providers: {}",
                    PROVIDERS.join(", ")
                ),
            ))
        }
        None => None,
    };
    let status = match non_blank(&req.status) {
        Some(s) => Some(Status::parse(&s).ok_or_else(|| {
            Error::invalid(
                "status",
                format!("status: unknown status '{s}'; known statuses: {}", Status::ALL.join(", ")),
            )
        })?),
        None => None,
    };
    let store = d.store().await?;
    let rows = store.read_async(move |_, c| repo::list(c, provider.as_deref(), status)).await?;
    Ok(ListReply { connections: rows.iter().map(Record::from).collect() })
}

pub async fn update(d: &Ductape, req: UpdateRequest) -> Result<Record> {
    let tag = lookup_tag(&req.tag)?;
    let display_name =
        req.display_name.as_deref().map(|n| check_text("display_name", n, MAX_DISPLAY_NAME_LEN, false)).transpose()?;
    let description =
        req.description.as_deref().map(|t| check_text("description", t, MAX_DESCRIPTION_LEN, true)).transpose()?;
    let scopes = req.scopes.as_deref().map(|s| check_scopes("scopes", s)).transpose()?;
    let store = d.store().await?;
    let row = store
        .write_async(move |_, tx| {
            let mut row = repo::live(tx, &tag)?;
            let mut changed = false;
            if let Some(n) = &display_name {
                changed |= &row.display_name != n;
                row.display_name = n.clone();
            }
            if let Some(t) = &description {
                let t = Some(t.clone()).filter(|s| !s.is_empty());
                changed |= row.description != t;
                row.description = t;
            }
            if let Some(s) = &scopes {
                changed |= &row.scopes != s;
                row.scopes = s.clone();
            }
            if changed {
                row.updated_at = now();
                repo::save(tx, &row)?;
            }
            Ok(row)
        })
        .await?;
    Ok(Record::from(&row))
}

pub async fn delete(d: &Ductape, req: TagRequest) -> Result<DeleteReply> {
    let tag = lookup_tag(&req.tag)?;
    let store = d.store().await?;
    let reply = store
        .write_async(move |_, tx| {
            let mut row = repo::live(tx, &tag)?;
            let before = identity(&row.metadata);
            let now = now();
            // Soft delete: the record stays (so later calls can say it is gone), its secrets do not.
            repo::delete_secrets(tx, &row.id)?;
            row.metadata.has_atlas_private_key = false;
            row.metadata.has_atlas_client_secret = false;
            row.deleted_at = Some(now.clone());
            row.updated_at = now.clone();
            repo::save(tx, &row)?;
            Ok((DeleteReply { tag: row.tag, id: row.id, deleted: true, deleted_at: now }, before))
        })
        .await?;
    let (reply, before) = reply;
    if let Some(old) = before {
        d.forget_atlas_clients(&old);
    }
    tracing::info!(tag = %reply.tag, "deleted cloud connection");
    Ok(reply)
}

/// Refuses to use a connection's credentials against another Atlas than the one they were
/// completed for (a changed `MONGODB_ATLAS_BASE_URL` must not send the stored secret elsewhere).
fn check_bound_here(row: &Row, here: &str) -> Result<()> {
    let bound = row.metadata.atlas_base_url.as_deref();
    if bound == Some(here) {
        return Ok(());
    }
    let shown_here = crate::atlas::redact_url(here);
    let was = match bound {
        Some(b) => format!("for Atlas at {}", crate::atlas::redact_url(b)),
        None => "by a version that did not record its Atlas base URL".to_string(),
    };
    Err(Error::new(
        ErrorCode::FailedPrecondition,
        format!(
            "cloud connection '{}' was completed {was}, but this client uses {shown_here} (atlas_base_url or \
             MONGODB_ATLAS_BASE_URL); its stored secret is not sent to another host. Use the base URL it was \
             completed for, or call cloud.connections.complete again with its secret to bind it to {shown_here}",
            row.tag
        ),
    )
    .with_field("tag")
    .with_details(serde_json::json!({ "bound_to": bound.map(crate::atlas::redact_url), "this_client": shown_here })))
}

/// Re-seals every stored secret from `old` to `new` (in the key rotation's transaction),
/// answering how many. One that `old` cannot open fails the whole rotation, naming its
/// connection: nothing is rotated, and completing that connection again repairs it.
pub fn reseal_secrets(tx: &crate::store::Transaction, old: &Cipher, new: &Cipher) -> Result<usize> {
    let secrets = repo::all_secrets(tx)?;
    for (id, tag, name, sealed) in &secrets {
        let aad = repo::secret_aad(id, name);
        let plain = zeroize::Zeroizing::new(old.open(sealed, &aad).map_err(|_| {
            Error::new(
                ErrorCode::Workspace,
                format!(
                    "the stored {name} of cloud connection '{tag}' does not decrypt with the current workspace key \
                     (damaged?), so the key was not rotated; complete '{tag}' again with its credentials, then rotate"
                ),
            )
        })?);
        repo::reseal_secret(tx, id, name, &new.seal(&plain, &aad)?)?;
    }
    Ok(secrets.len())
}

/// The decrypted credentials and project of a live connection, for features that call Atlas
/// on its behalf (validate now; access-list sync and import later).
pub struct Resolved {
    pub row: Row,
    pub project_id: String,
    pub credentials: Credentials,
}

impl Resolved {
    /// Refuses a connection that is not `active`, saying why in its own words: never validated
    /// (pending), its last validation's failure (error), or revoked. `field` names the request
    /// field that gave the tag; `purpose` says why only an active one will do.
    pub fn require_active(&self, field: &str, purpose: &str) -> Result<()> {
        let row = &self.row;
        let tag = &row.tag;
        let state = match row.status {
            Status::Active => return Ok(()),
            Status::Pending => format!("cloud connection '{tag}' has not been validated yet: validate it first"),
            Status::Error => match &row.metadata.last_validation_error {
                Some(f) => format!(
                    "cloud connection '{tag}' failed its last validation ({}: {}): fix that, then validate it again",
                    f.check, f.message
                ),
                None => format!("cloud connection '{tag}' failed its last validation: validate it again"),
            },
            Status::Revoked => format!("cloud connection '{tag}' is revoked: complete it with new credentials"),
        };
        Err(Error::new(ErrorCode::FailedPrecondition, format!("{state} (cloud.connections.validate); {purpose}"))
            .with_field(field)
            .with_details(serde_json::json!({ "status": row.status.as_str() })))
    }
}

pub async fn resolve(d: &Ductape, tag: &str) -> Result<Resolved> {
    let tag = lookup_tag(tag)?;
    let store = d.store().await?;
    let here = d.atlas_base_url().to_string();
    store
        .read_async(move |store, c| {
            let row = repo::live(c, &tag)?;
            let m = &row.metadata;
            let not_ready = || {
                Error::new(
                    ErrorCode::FailedPrecondition,
                    format!(
                        "cloud connection '{}' has no credentials yet; call cloud.connections.complete first",
                        row.tag
                    ),
                )
                .with_field("tag")
            };
            let project_id = m.project_id.clone().ok_or_else(not_ready)?;
            check_bound_here(&row, &here)?;
            let (name, identity) = match m.auth_method {
                Some(AuthMethod::ApiKey) => (SECRET_PRIVATE_KEY, m.atlas_public_key.clone()),
                Some(AuthMethod::ServiceAccount) => (SECRET_CLIENT_SECRET, m.atlas_client_id.clone()),
                None => return Err(not_ready()),
            };
            let identity = identity.ok_or_else(not_ready)?;
            let sealed = repo::get_secret(c, &row.id, name)?.ok_or_else(not_ready)?;
            let secret = store.cipher(c)?.open_secret(&sealed, &repo::secret_aad(&row.id, name))?;
            let credentials = match m.auth_method {
                Some(AuthMethod::ServiceAccount) => {
                    Credentials::ServiceAccount { client_id: identity, client_secret: secret }
                }
                _ => Credentials::ApiKey { public_key: identity, private_key: secret },
            };
            Ok(Resolved { row, project_id, credentials })
        })
        .await
}
