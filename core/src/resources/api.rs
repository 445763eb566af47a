//! Requests and replies of `cloud.resources.*` (the registry, `ops/registry.rs`, points here).
//! `cloud` is always the tag of a cloud connection.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `cloud.resources.services`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServicesRequest {
    pub cloud: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Service {
    /// `atlas-cluster`
    pub service: String,
    /// "Databases (MongoDB)"
    pub name: String,
    /// The component type it links to: `databases`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Whether this version can list and import it.
    pub supported: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ServicesReply {
    pub cloud: String,
    pub services: Vec<Service>,
}

/// `cloud.resources.list`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListRequest {
    pub cloud: String,
    /// The service: `atlas-cluster` (Databases (MongoDB)), the one this version links.
    #[serde(default = "atlas_cluster")]
    pub service: String,
}

// Request defaults live here, in the types: the schema shows them (`describe()`), so every
// language and the CLI get the same ones from the core.
fn atlas_cluster() -> String {
    super::SERVICE.to_string()
}

fn databases() -> String {
    super::TYPE.to_string()
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Resource {
    /// The cluster's id.
    pub id: String,
    /// The cluster's name: what `import` takes as `resource`.
    pub name: String,
    pub region: Option<String>,
    pub metadata: ClusterMetadata,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ClusterMetadata {
    /// `dedicated`, `free` (M0) or `flex`.
    pub kind: String,
    /// `AWS`, `GCP`, `AZURE` (the backing provider of free and flex clusters).
    pub provider: Option<String>,
    /// `M10`, `M0`, `FLEX`.
    pub tier: Option<String>,
    /// `IDLE`, `CREATING`, `UPDATING`, ...
    pub state: String,
    pub version: Option<String>,
    pub paused: bool,
    /// `REPLICASET`, `SHARDED`, `GEOSHARDED`.
    pub cluster_type: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ListReply {
    pub resources: Vec<Resource>,
}

/// `cloud.resources.import`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    pub cloud: String,
    /// The service: `atlas-cluster` (Databases (MongoDB)), the one this version links.
    #[serde(default = "atlas_cluster")]
    pub service: String,
    /// The service's type: `databases`.
    #[serde(rename = "type", default = "databases")]
    pub kind: String,
    pub product: String,
    /// Created (type `mongodb`) when missing.
    pub component: String,
    pub env: String,
    /// The cluster's name.
    pub resource: String,
    /// The database user's role: `readWriteAnyDatabase` (default) or `readAnyDatabase`.
    #[serde(default)]
    pub role: Option<String>,
    /// Which of the cluster's strings: `standard_srv` (default), `standard`, `private`,
    /// `private_srv`, `private_endpoint`.
    #[serde(default)]
    pub connection_type: Option<String>,
    /// How long to wait for Atlas to apply the user, in milliseconds (default 120000).
    #[serde(default)]
    pub wait_timeout_ms: Option<u64>,
    /// Connect with MongoDB's driver and run `ping` before storing. `true`: required (a cluster
    /// that cannot be reached, or refuses the login, fails the import and nothing is stored);
    /// `false`: skipped. Default: tried; a cluster not reachable from here is stored unverified
    /// (`verified` null) and a refused login stored as `verified` false, each with a warning.
    #[serde(default)]
    pub verify: Option<bool>,
    /// Take over an existing database user of the import's name that carries no Ductape marker
    /// (made by hand in Atlas, or by another tool). Dangerous: its password is replaced, so
    /// whatever logs in with it now stops working. A user marked by another workspace or target
    /// is never taken over. Default false: such a user is a `conflict`.
    #[serde(default)]
    pub adopt: Option<bool>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ImportReply {
    pub resource: String,
    pub product: String,
    pub component: String,
    pub env: String,
    /// The workspace secret holding the credentialed string.
    pub secret_key: String,
    /// What the component env's `connection_url` now is: `$Secret{KEY}`.
    pub connection_url_ref: String,
    pub database_user: String,
    pub connection_type: String,
    /// True when this import replaced the password of a user an earlier import made.
    pub rotated: bool,
    /// True when this import took over an unmarked user (`adopt: true`).
    pub adopted: bool,
    /// True when a `ping` through the stored string answered; false when the cluster refused its
    /// login; null when not tried (`verify: false`) or the cluster was not reachable from here.
    pub verified: Option<bool>,
}

/// `cloud.resources.verify`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    pub product: String,
    pub component: String,
    pub env: String,
    /// The app resolving the string's secrets (as `products.components.resolve`).
    #[serde(default)]
    pub app: Option<String>,
    /// How long to wait for a server and a login, in milliseconds (default 10000, at most 120000).
    #[serde(default)]
    pub timeout_ms: Option<u64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct VerifyReply {
    pub product: String,
    pub component: String,
    pub env: String,
    /// Always true: a string that does not answer is an error (`network`, `failed_precondition`).
    pub verified: bool,
    /// The first server of the string, `host:port` (after SRV lookup).
    pub server: String,
    /// Logins tried (a refused one is retried while the user propagates).
    pub attempts: u32,
    pub elapsed_ms: u64,
}

/// `cloud.resources.unlink`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnlinkRequest {
    pub cloud: String,
    pub product: String,
    pub component: String,
    pub env: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UnlinkReply {
    pub product: String,
    pub component: String,
    pub env: String,
    pub database_user: String,
    /// True when the Atlas database user was deleted.
    pub user_deleted: bool,
    /// Why the user was left in Atlas, when it was: `project_changed` (the connection now points
    /// at another project), `base_url_changed` (this client uses another Atlas), `not_owned` (the
    /// user no longer carries this workspace's marker for this target), `not_found` (Atlas no
    /// longer has it).
    pub user_kept: Option<UserKept>,
    pub secret_deleted: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UserKept {
    pub code: &'static str,
    pub message: String,
}
