//! The seed: the organizations, projects, keys and resources a simulator starts with.
//!
//! `seed/default.json` is the machine-readable default seed (documented in `docs/default-seed.md`);
//! the constants below repeat its values for Rust callers and a test keeps the two in step.

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub const ORG_ID: &str = "a0123456789abcdef012345a";
pub const STRICT_ORG_ID: &str = "c0123456789abcdef012345c";
pub const PROJECT_ID: &str = "5c843ba379358e5b3dc2dec6";
pub const OTHER_PROJECT_ID: &str = "b0123456789abcdef012345b";
pub const STRICT_PROJECT_ID: &str = "d0123456789abcdef012345d";

pub const OWNER_PUBLIC_KEY: &str = "awqxqtif";
pub const OWNER_PRIVATE_KEY: &str = "a0403a4f-0151-4922-ae89-523b69cd8e04";
pub const READONLY_PUBLIC_KEY: &str = "rdonlyky";
pub const READONLY_PRIVATE_KEY: &str = "bfd1494b-ab37-4a06-941b-e554ca5ddad1";
pub const BLOCKED_PUBLIC_KEY: &str = "blockedk";
pub const BLOCKED_PRIVATE_KEY: &str = "e99ac160-b9f5-4d5b-a769-7b2fda01f68a";
/// The blocked key's API access list; a caller IP inside it is accepted.
pub const BLOCKED_KEY_ACCESS_LIST: &str = "203.0.113.0/24";
pub const OTHER_PUBLIC_KEY: &str = "otherprj";
pub const OTHER_PRIVATE_KEY: &str = "2532c75e-c33e-4885-b841-a4c3140dddd5";
pub const ORG_OWNER_PUBLIC_KEY: &str = "orgownrk";
pub const ORG_OWNER_PRIVATE_KEY: &str = "f8a5a769-a260-45d1-9a50-cffd6d79cda5";
pub const STRICT_PUBLIC_KEY: &str = "strictky";
pub const STRICT_PRIVATE_KEY: &str = "f4b01080-b978-47f6-ab91-35b7cbb580e4";

pub const SA_CLIENT_ID: &str = "mdb_sa_id_62f3375a109c0a5dd6bc4e08";
pub const SA_CLIENT_SECRET: &str = "mdb_sa_sk_ONUpl-n0Ggw80Joq-U_37hfk6ZgzqUbn";

pub const CLUSTER_IDLE: &str = "Cluster0";
pub const CLUSTER_IDLE_SRV: &str = "mongodb+srv://cluster0.x1y2z.mongodb.net";
pub const CLUSTER_CREATING: &str = "analytics";
pub const CLUSTER_PAUSED: &str = "archive";
pub const CLUSTER_SHARDED: &str = "sharded";
pub const CLUSTER_GEOSHARDED: &str = "global";
/// A free (M0, `TENANT`) cluster.
pub const CLUSTER_FREE: &str = "sandbox";
pub const FLEX_CLUSTER: &str = "flex-dev";
pub const SEEDED_ACCESS_LIST_ENTRY: &str = "198.51.100.7/32";

/// The JSON text of the default seed, compiled in so the binary needs no files.
pub const DEFAULT_SEED_JSON: &str = include_str!("../seed/default.json");

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Seed {
    pub orgs: Vec<SeedOrg>,
    pub projects: Vec<SeedProject>,
    pub api_keys: Vec<SeedApiKey>,
    pub service_accounts: Vec<SeedServiceAccount>,
    pub clusters: Vec<SeedCluster>,
    pub flex_clusters: Vec<SeedFlexCluster>,
    pub access_list: Vec<SeedAccessListEntry>,
    pub database_users: Vec<SeedDatabaseUser>,
}

impl Seed {
    pub fn default_seed() -> Seed {
        serde_json::from_str(DEFAULT_SEED_JSON).expect("seed/default.json is valid")
    }

    pub fn from_json(text: &str) -> Result<Seed, serde_json::Error> {
        serde_json::from_str(text)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeedOrg {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub requires_api_access_list: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeedProject {
    pub id: String,
    pub name: String,
    pub org_id: String,
    #[serde(default)]
    pub created: Option<String>,
}

/// A role assignment exactly as Atlas prints it: `{"groupId"|"orgId", "roleName"}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RoleAssignment {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub group_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub org_id: Option<String>,
    pub role_name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeedApiKey {
    pub id: String,
    pub org_id: String,
    #[serde(default)]
    pub desc: String,
    pub public_key: String,
    pub private_key: String,
    #[serde(default)]
    pub roles: Vec<RoleAssignment>,
    /// API access list: IP addresses or CIDR blocks allowed to use this key.
    #[serde(default)]
    pub access_list: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeedServiceAccount {
    pub client_id: String,
    pub client_secret: String,
    #[serde(default)]
    pub name: String,
    pub org_id: String,
    #[serde(default)]
    pub roles: Vec<RoleAssignment>,
    #[serde(default)]
    pub access_list: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeedCluster {
    pub group_id: String,
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    #[serde(default = "idle")]
    pub state_name: String,
    #[serde(default)]
    pub paused: bool,
    #[serde(default = "m10")]
    pub instance_size: String,
    #[serde(default = "aws")]
    pub provider_name: String,
    #[serde(default = "us_east_1")]
    pub region_name: String,
    #[serde(default = "replicaset")]
    pub cluster_type: String,
    #[serde(default = "mongo_version", rename = "mongoDBVersion")]
    pub mongodb_version: String,
    #[serde(default)]
    pub srv_host: Option<String>,
    #[serde(default)]
    pub create_date: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeedFlexCluster {
    pub group_id: String,
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    #[serde(default = "idle")]
    pub state_name: String,
    #[serde(default = "aws")]
    pub backing_provider_name: String,
    #[serde(default = "us_east_1")]
    pub region_name: String,
    #[serde(default = "mongo_version", rename = "mongoDBVersion")]
    pub mongodb_version: String,
    #[serde(default)]
    pub srv_host: Option<String>,
    #[serde(default)]
    pub create_date: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeedAccessListEntry {
    pub group_id: String,
    #[serde(default)]
    pub ip_address: Option<String>,
    #[serde(default)]
    pub cidr_block: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeedDatabaseUser {
    pub group_id: String,
    pub username: String,
    #[serde(default = "admin")]
    pub database_name: String,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub roles: Vec<Value>,
    #[serde(default)]
    pub scopes: Vec<Value>,
    /// What Atlas shows as the user's description (tests seed another tool's ownership marker).
    #[serde(default)]
    pub description: Option<String>,
}

fn idle() -> String {
    "IDLE".into()
}
fn m10() -> String {
    "M10".into()
}
fn aws() -> String {
    "AWS".into()
}
fn us_east_1() -> String {
    "US_EAST_1".into()
}
fn replicaset() -> String {
    "REPLICASET".into()
}
fn mongo_version() -> String {
    "7.0.14".into()
}
fn admin() -> String {
    "admin".into()
}
