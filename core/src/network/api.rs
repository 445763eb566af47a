//! Requests and replies of the network-access operations (`cloud.connections.updateManagedNetworking`,
//! `resolveNetworkingHost`, `syncNetworkAccess`, `allowCurrentIp`). Requests are
//! `deny_unknown_fields`, so a misspelt field is an `invalid_argument` naming it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where an allowed source came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Added by the user; its label becomes the Atlas comment.
    Custom,
    /// One of the platform's egress addresses; Atlas comment `Ductape proxy`.
    DuctapeProxy,
    /// Detected for the user (e.g. their current address); its label becomes the comment.
    Detected,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Custom => "custom",
            Source::DuctapeProxy => "ductape_proxy",
            Source::Detected => "detected",
        }
    }
}

/// One entry of `allowed_sources`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AllowedSource {
    /// An IPv4 or IPv6 address (stored as its single-host block) or a CIDR block.
    pub cidr: String,
    /// At most 80 characters (Atlas's comment limit).
    pub label: String,
    pub source: Source,
}

/// `metadata.networking` of a connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Networking {
    /// Always `managed`: the access list is kept by `syncNetworkAccess`.
    pub mode: String,
    /// Whether the platform's egress addresses are part of the wanted list.
    pub include_ductape_proxy: bool,
    /// A DNS name resolved (IPv4 and IPv6) at every sync; `null` to use
    /// `ductape_proxy_addresses` as given.
    #[serde(default)]
    pub ductape_proxy_host: Option<String>,
    /// The proxy's addresses as blocks: as given, or as the last sync resolved the host.
    #[serde(default)]
    pub ductape_proxy_addresses: Vec<String>,
    #[serde(default)]
    pub allowed_sources: Vec<AllowedSource>,
    /// When the last sync resolved `ductape_proxy_host`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<String>,
}

impl Default for Networking {
    fn default() -> Self {
        Networking {
            mode: "managed".into(),
            include_ductape_proxy: true,
            ductape_proxy_host: None,
            ductape_proxy_addresses: Vec::new(),
            allowed_sources: Vec::new(),
            resolved_at: None,
        }
    }
}

/// `cloud.connections.updateManagedNetworking`: `updateManagedNetworking(tag, {...})` in the
/// SDKs. Each field given replaces the stored one; absent fields keep theirs.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateNetworkingRequest {
    pub tag: String,
    /// Only `managed`.
    #[serde(default)]
    pub mode: Option<String>,
    #[serde(default)]
    pub include_ductape_proxy: Option<bool>,
    /// A DNS name or an IP address; an empty string clears it.
    #[serde(default)]
    pub ductape_proxy_host: Option<String>,
    #[serde(default)]
    pub ductape_proxy_addresses: Option<Vec<String>>,
    #[serde(default)]
    pub allowed_sources: Option<Vec<AllowedSource>>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct NetworkingReply {
    pub tag: String,
    /// As stored in `metadata.networking` (addresses in canonical block form).
    pub networking: Networking,
    /// The access-list entries this connection added and still owns.
    pub synced_ips: Vec<String>,
}

/// `cloud.connections.resolveNetworkingHost`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveHostRequest {
    pub host: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ResolveHostReply {
    pub host: String,
    /// IPv4 addresses first, then IPv6, each once, sorted.
    pub addresses: Vec<String>,
}

/// `cloud.connections.syncNetworkAccess`: `syncNetworkAccess(tag, {...})` in the SDKs.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncRequest {
    pub tag: String,
    /// Change nothing; answer what the sync would do.
    #[serde(default)]
    pub dry_run: bool,
    /// Also remove entries this connection added that are no longer wanted (never others).
    #[serde(default)]
    pub prune: bool,
    /// Poll each added entry's status until `ACTIVE` (or `FAILED`), reporting progress.
    #[serde(default)]
    pub wait: bool,
    /// How long `wait` polls at most (default 300000, at most 3600000).
    #[serde(default)]
    pub wait_timeout_ms: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct AddedEntry {
    pub cidr: String,
    pub comment: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete_after_date: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DriftKind {
    /// An entry this connection added was removed by someone else (the sync restores it when
    /// it is still wanted).
    RemovedBySomeoneElse,
    /// An entry open to every address (`0.0.0.0/0`, `::/0`) that this connection did not add.
    WideOpen,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Drift {
    pub cidr: String,
    pub kind: DriftKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SyncReply {
    pub tag: String,
    pub project_id: String,
    pub dry_run: bool,
    /// Entries added (with `dry_run`: that would be added), in one POST.
    pub added: Vec<AddedEntry>,
    /// Wanted entries Atlas already held (added by this connection or by anyone else).
    pub already_present: Vec<String>,
    /// Own entries removed because they are no longer wanted (`prune` only).
    pub removed: Vec<String>,
    /// Added entries not yet seen `ACTIVE` (without `wait`, every added entry).
    pub pending: Vec<String>,
    /// Added entries whose status is `FAILED` (`wait` only).
    pub failed: Vec<String>,
    pub drift: Vec<Drift>,
    /// Own entries no longer wanted that were kept because `prune` was not asked.
    pub unwanted: Vec<String>,
    /// The entries this connection owns after the sync (with `dry_run`: those it owns now and
    /// would keep).
    pub synced_ips: Vec<String>,
    /// Entries in the project's access list after the sync (before it, with `dry_run`).
    pub entries_in_project: usize,
    /// Why `wait` stopped polling early (the writes were made), when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait_error: Option<String>,
}

/// `cloud.connections.allowCurrentIp`: `allowCurrentIp(tag, {...})` in the SDKs.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AllowCurrentIpRequest {
    pub tag: String,
    /// Hours until Atlas deletes the entry (default 4, 1 to 168: Atlas allows a week at most).
    #[serde(default)]
    pub hours: Option<u32>,
    /// Atlas comment (default `Ductape temporary access`), at most 80 characters.
    #[serde(default)]
    pub comment: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AllowCurrentIpReply {
    pub tag: String,
    /// This machine's address as Atlas sees it, as a single-host block.
    pub cidr: String,
    pub comment: String,
    pub delete_after_date: String,
    /// True when this call added the entry (or renewed its own entry's expiry).
    pub added: bool,
    /// True when someone else's entry already allows the address (left untouched).
    pub already_present: bool,
    pub synced_ips: Vec<String>,
}
