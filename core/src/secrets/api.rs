//! Requests and replies of `secrets.*` (the registry, `ops/registry.rs`, points here).

use crate::crypto::{RevealedSecret, SecretString};
use crate::fields::nullable;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `secrets.create`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRequest {
    /// UPPER_SNAKE: `A-Z`, digits and `_`, starting with a letter, at most 128 characters.
    pub key: String,
    pub value: SecretString,
    #[serde(default)]
    pub description: Option<String>,
    /// App tags allowed to resolve it. Omitted or null: every app.
    #[serde(default)]
    pub scope: Option<Vec<String>>,
    /// Environment slugs it may be resolved in. Omitted or null: every environment.
    #[serde(default)]
    pub envs: Option<Vec<String>>,
    /// RFC 3339 timestamp after which resolving it fails.
    #[serde(default)]
    pub expires_at: Option<String>,
}

/// `secrets.fetch`, `delete`, `revoke`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyRequest {
    pub key: String,
}

/// `secrets.fetchAll`: every secret's record (never a value), ordered by key. With `limit`, one
/// page: pass the reply's `next_after` as `after` for the next.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FetchAllRequest {
    /// At most this many records (1 to 10000). Omitted: all of them.
    #[serde(default)]
    pub limit: Option<u32>,
    /// Only keys after this one.
    #[serde(default)]
    pub after: Option<String>,
}

/// `secrets.update`: `update(key, partial)` in the SDKs. A new `value` rotates the secret;
/// metadata alone keeps it. For `description`, `scope`, `envs` and `expires_at`, null clears
/// and omitted keeps.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRequest {
    pub key: String,
    #[serde(default)]
    pub value: Option<SecretString>,
    #[serde(default, deserialize_with = "nullable")]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub scope: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "nullable")]
    pub envs: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "nullable")]
    pub expires_at: Option<Option<String>>,
}

/// `secrets.resolve`: every `$Secret{KEY}` in `value` replaced by the secret's value, each
/// reference checked for `app` and `env` (exists, not revoked, in scope, in the environment,
/// not expired, in that order).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    pub value: SecretString,
    #[serde(default)]
    pub app: Option<String>,
    #[serde(default)]
    pub env: Option<String>,
}

/// A secret's record: everything but its value.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Record {
    pub key: String,
    pub description: Option<String>,
    /// App tags allowed to resolve it; null: every app.
    pub scope: Option<Vec<String>>,
    /// Environment slugs it may be resolved in; null: every environment.
    pub envs: Option<Vec<String>>,
    pub expires_at: Option<String>,
    pub expired: bool,
    pub revoked: bool,
    pub revoked_at: Option<String>,
    /// The component env that owns it (a secret `cloud.resources.import` made), if any.
    pub owner: Option<Owner>,
    pub created_at: String,
    pub updated_at: String,
    pub last_rotated_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Owner {
    pub product: String,
    pub component: String,
    pub env: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct FetchAllReply {
    pub secrets: Vec<Record>,
    /// The last key of this page when more may follow (only with `limit`).
    pub next_after: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct FetchReply {
    #[serde(flatten)]
    pub record: Record,
    pub value: RevealedSecret,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DeleteReply {
    pub key: String,
    pub deleted: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ResolveReply {
    pub value: RevealedSecret,
    /// The keys referenced, in order of first appearance.
    pub references: Vec<String>,
}
