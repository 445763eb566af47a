//! Requests and replies of `products.*`, `products.environments.*` and `products.components.*`
//! (the registry, `ops/registry.rs`, points here). Products are addressed by `product` (their
//! tag), environments by `env` (their slug), components by `component` (their tag).

use crate::crypto::{RevealedSecret, SecretString};
use crate::fields::nullable;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `products.create`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRequest {
    pub name: String,
    /// Lowercase letters, digits and `-`. Default: the name slugged ("My Product" -> `my-product`).
    #[serde(default)]
    pub tag: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// `products.fetch`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductRequest {
    pub product: String,
}

/// `products.list`
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListRequest {}

/// `products.update`: the tag never changes. A null description clears it.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRequest {
    pub product: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub description: Option<Option<String>>,
}

/// `products.delete`: refused while a component env holds secrets (a literal connection URL,
/// or a secret it owns), unless `force`, which deletes those secrets in the same transaction.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteRequest {
    pub product: String,
    #[serde(default)]
    pub force: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Product {
    pub id: String,
    pub tag: String,
    pub name: String,
    pub description: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ListReply {
    pub products: Vec<Product>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DeleteReply {
    pub product: String,
    pub deleted: bool,
    pub environments_deleted: usize,
    pub components_deleted: usize,
    /// Secrets the product's component envs owned or sealed, deleted with it.
    pub secrets_deleted: usize,
}

/// `products.environments.create`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvCreateRequest {
    pub product: String,
    /// 2 to 10 lowercase letters, digits or `-`, starting with a letter: `dev`, `stg`, `prd`, `snd`.
    pub slug: String,
    /// Default: the slug.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// `products.environments.fetch`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvRequest {
    pub product: String,
    pub env: String,
}

/// `products.environments.list`, `products.components.list`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OfProductRequest {
    pub product: String,
}

/// `products.environments.update`: the slug never changes.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvUpdateRequest {
    pub product: String,
    pub env: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub description: Option<Option<String>>,
}

/// `products.environments.delete`: removes the components' configs in it; refused while one
/// holds secrets, unless `force`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvDeleteRequest {
    pub product: String,
    pub env: String,
    #[serde(default)]
    pub force: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Environment {
    pub product: String,
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct EnvListReply {
    pub environments: Vec<Environment>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct EnvDeleteReply {
    pub product: String,
    pub env: String,
    pub deleted: bool,
    pub secrets_deleted: usize,
}

/// `products.components.create`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComponentCreateRequest {
    pub product: String,
    /// Lowercase letters, digits and `-`: `db-mongo`.
    pub tag: String,
    /// Default: the tag.
    #[serde(default)]
    pub name: Option<String>,
    /// `mongodb` (linked to Atlas connections), or `postgresql`, `mysql`, `dynamodb` (stored,
    /// not linked to clouds here).
    #[serde(rename = "type")]
    pub kind: String,
}

/// `products.components.fetch`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComponentRequest {
    pub product: String,
    pub component: String,
}

/// `products.components.delete`: with its configs; refused while one holds secrets, unless `force`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComponentDeleteRequest {
    pub product: String,
    pub component: String,
    #[serde(default)]
    pub force: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Component {
    pub product: String,
    pub tag: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// The environments it has a config in.
    pub envs: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ComponentListReply {
    pub components: Vec<Component>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ComponentDeleteReply {
    pub product: String,
    pub component: String,
    pub deleted: bool,
    pub secrets_deleted: usize,
}

/// `products.components.setEnv`: the component's config in one environment. Omitted fields keep
/// their value; null clears. `connection_url` is a literal (stored encrypted) or text with
/// `$Secret{KEY}` references (resolved when read, by `products.components.resolve`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetEnvRequest {
    pub product: String,
    pub component: String,
    pub env: String,
    #[serde(default, deserialize_with = "nullable")]
    pub connection_url: Option<Option<SecretString>>,
    /// The tag of the cloud connection it came from (`mongodb` components only).
    #[serde(default, deserialize_with = "nullable")]
    pub cloud: Option<Option<String>>,
    /// The cluster (instance) name in that cloud.
    #[serde(default, deserialize_with = "nullable")]
    pub instance: Option<Option<String>>,
    /// `cloud_connection` (its credentials were made through the cloud connection) or
    /// `connection_url` (the URL carries its own).
    #[serde(default, deserialize_with = "nullable")]
    pub auth_mode: Option<Option<String>>,
}

/// `products.components.getEnv`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetEnvRequest {
    pub product: String,
    pub component: String,
    pub env: String,
}

/// A component's config in one environment. A connection URL that is one `$Secret{KEY}`
/// reference is shown; any other (a literal, or literals mixed with references) is write-only.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ComponentEnv {
    pub product: String,
    pub component: String,
    pub env: String,
    /// `$Secret{KEY}` when the URL is exactly one reference; null otherwise.
    pub connection_url: Option<String>,
    /// `reference`, `literal` (stored encrypted, never shown), or null when none is set.
    pub connection_url_kind: Option<String>,
    pub cloud: Option<String>,
    pub instance: Option<String>,
    pub auth_mode: Option<String>,
    pub updated_at: Option<String>,
}

/// `products.components.resolve`: the usable connection string, every reference resolved for
/// `app` in `env`. The one read path for an application.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    pub product: String,
    pub component: String,
    pub env: String,
    #[serde(default)]
    pub app: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ResolveReply {
    pub connection_url: RevealedSecret,
    /// The secret keys it referenced.
    pub references: Vec<String>,
    pub cloud: Option<CloudLink>,
    pub instance: Option<String>,
    pub auth_mode: Option<String>,
}

/// The cloud connection a component env came from, as it stands now.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CloudLink {
    pub tag: String,
    /// The connection's status, or `deleted` / `missing`.
    pub status: String,
    /// Set when the connection is not active: what that means for this string.
    pub message: Option<String>,
}
