//! Requests and replies of `cloud.connections.*` (the registry, `ops/registry.rs`, points here). Every request is `deny_unknown_fields`, so a
//! misspelt field is an `invalid_argument` naming it.

pub use super::model::Record;
pub use super::validate::ValidateReply;
use crate::crypto::SecretString;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The default `provider`, in the type so that the schema shows it to every language.
fn mongodb_atlas() -> String {
    super::model::SUPPORTED_PROVIDER.to_string()
}

/// `cloud.connections.create`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRequest {
    /// The cloud provider: `mongodb_atlas`, the one this version supports.
    #[serde(default = "mongodb_atlas")]
    pub provider: String,
    /// The tag (lowercase letters, digits, `_`). Optional when `display_name` is given: the
    /// tag is then its slug ("Production Atlas" -> `production_atlas`).
    #[serde(default)]
    pub name: Option<String>,
    /// Default for Atlas: `["database"]`.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// `cloud.connections.complete`: `complete(tag, {...})` in the SDKs.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteRequest {
    pub tag: String,
    pub project_id: String,
    #[serde(default)]
    pub atlas_public_key: Option<String>,
    /// Omitted or blank: keep the stored private key.
    #[serde(default)]
    pub atlas_private_key: Option<SecretString>,
    #[serde(default)]
    pub atlas_client_id: Option<String>,
    /// Omitted or blank: keep the stored secret.
    #[serde(default)]
    pub atlas_client_secret: Option<SecretString>,
}

/// `cloud.connections.validate`, `fetch`, `delete`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TagRequest {
    pub tag: String,
}

/// `cloud.connections.list`
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListRequest {
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

/// `cloud.connections.update`: the tag cannot change.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRequest {
    pub tag: String,
    #[serde(default)]
    pub display_name: Option<String>,
    /// An empty string clears the description.
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ListReply {
    pub connections: Vec<Record>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DeleteReply {
    pub tag: String,
    pub id: String,
    pub deleted: bool,
    pub deleted_at: String,
}
