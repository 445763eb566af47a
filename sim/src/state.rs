//! Everything the simulator remembers: the Atlas "world" built from a seed, plus the
//! simulator's own bookkeeping (clock, nonces, tokens, faults, request log, rate buckets).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::clock::{parse_rfc3339, SimClock};
use crate::config::SimConfig;
use crate::dataplane::scram::Credentials;
use crate::dataplane::DataPlane;
use crate::faults::FaultSet;
use crate::ip::IpNet;
use crate::rate_limit::RateLimiter;
use crate::seed::{RoleAssignment, Seed};
use crate::LoggedRequest;

#[derive(Debug, Clone)]
pub struct Org {
    pub id: String,
    pub name: String,
    pub requires_api_access_list: bool,
}

#[derive(Debug, Clone)]
pub struct Project {
    pub id: String,
    pub name: String,
    pub org_id: String,
    pub created: DateTime<Utc>,
}

/// A programmatic API key or a service account: both are callers with roles.
#[derive(Debug, Clone)]
pub struct Principal {
    pub id: String,
    /// Public key (API key) or client id (service account).
    pub name: String,
    pub secret: String,
    pub desc: String,
    pub org_id: String,
    pub roles: Vec<RoleAssignment>,
    pub access_list: Vec<IpNet>,
    pub is_service_account: bool,
}

#[derive(Debug, Clone)]
pub struct Cluster {
    pub id: String,
    pub group_id: String,
    pub name: String,
    pub state_name: String,
    pub paused: bool,
    pub instance_size: String,
    pub provider_name: String,
    pub region_name: String,
    pub cluster_type: String,
    pub mongodb_version: String,
    pub srv_host: String,
    pub create_date: DateTime<Utc>,
    pub replication_spec_id: String,
    pub zone_id: String,
    /// When the cluster entered its current state (for timed CREATING -> IDLE).
    pub state_since: DateTime<Utc>,
    /// `host:port` of its data-plane listeners (empty: none, e.g. CREATING or data plane off).
    pub listener_hosts: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct FlexCluster {
    pub state_since: DateTime<Utc>,
    pub id: String,
    pub group_id: String,
    pub name: String,
    pub state_name: String,
    pub backing_provider_name: String,
    pub region_name: String,
    pub mongodb_version: String,
    pub srv_host: String,
    pub create_date: DateTime<Utc>,
    pub listener_hosts: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct AccessEntry {
    /// Canonical key: `a.b.c.d/n` for addresses and blocks, or the security group id.
    pub key: String,
    pub ip_address: Option<String>,
    pub cidr_block: Option<String>,
    pub aws_security_group: Option<String>,
    pub comment: Option<String>,
    pub delete_after: Option<DateTime<Utc>>,
    /// When the entry becomes ACTIVE.
    pub active_at: DateTime<Utc>,
    /// A status set through the control API (`FAILED`, or `PENDING` held), overriding the timing.
    pub forced_status: Option<String>,
}

impl AccessEntry {
    /// `PENDING` until `active_at`, then `ACTIVE`, unless the control API forced a status.
    pub fn status(&self, now: DateTime<Utc>) -> &str {
        match &self.forced_status {
            Some(s) => s,
            None if now >= self.active_at => "ACTIVE",
            None => "PENDING",
        }
    }
}

/// One entry of one access-list POST, as the simulator received it (for tests that count how
/// often an entry was sent).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PostedAccessEntry {
    pub group_id: String,
    /// The canonical key (`a.b.c.d/n`).
    pub entry: String,
    pub comment: Option<String>,
    /// Whether the POST that carried it succeeded.
    pub accepted: bool,
}

#[derive(Debug, Clone)]
pub struct DbUser {
    pub username: String,
    pub database_name: String,
    /// MD5 of `username:password`, only so that a password is never kept in clear; never returned.
    pub password_digest: Option<String>,
    pub roles: Vec<Value>,
    pub scopes: Vec<Value>,
    pub labels: Vec<Value>,
    pub description: Option<String>,
    pub delete_after: Option<DateTime<Utc>>,
    pub aws_iam_type: String,
    pub ldap_auth_type: String,
    pub oidc_auth_type: String,
    pub x509_type: String,
    /// SCRAM keys (never the password) for the data plane; `None` for non-SCRAM users.
    pub scram: Option<Credentials>,
    /// What the clusters still use until `applied_at` (`None` for a new user: it cannot log in yet).
    pub previous_scram: Option<Credentials>,
    /// When the latest change of this user reaches its clusters (their `/status` turns APPLIED).
    pub applied_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct World {
    pub orgs: Vec<Org>,
    pub projects: Vec<Project>,
    pub principals: Vec<Principal>,
    pub clusters: Vec<Cluster>,
    pub flex_clusters: Vec<FlexCluster>,
    pub access_lists: BTreeMap<String, Vec<AccessEntry>>,
    pub users: BTreeMap<String, Vec<DbUser>>,
    /// (groupId, cluster name) -> when the latest database-user change is applied.
    pub pending_changes: HashMap<(String, String), DateTime<Utc>>,
}

impl World {
    pub fn from_seed(seed: &Seed, now: DateTime<Utc>, ids: &mut IdGen) -> Result<World, String> {
        let mut w = World::default();
        for o in &seed.orgs {
            w.orgs.push(Org {
                id: o.id.clone(),
                name: o.name.clone(),
                requires_api_access_list: o.requires_api_access_list,
            });
        }
        for p in &seed.projects {
            let created = p.created.as_deref().and_then(parse_rfc3339).unwrap_or(now);
            w.projects.push(Project { id: p.id.clone(), name: p.name.clone(), org_id: p.org_id.clone(), created });
        }
        let parse_list = |l: &[String]| -> Result<Vec<IpNet>, String> {
            l.iter().map(|s| IpNet::parse_any(s).ok_or_else(|| format!("bad API access-list entry {s}"))).collect()
        };
        for k in &seed.api_keys {
            w.principals.push(Principal {
                id: k.id.clone(),
                name: k.public_key.clone(),
                secret: k.private_key.clone(),
                desc: k.desc.clone(),
                org_id: k.org_id.clone(),
                roles: k.roles.clone(),
                access_list: parse_list(&k.access_list)?,
                is_service_account: false,
            });
        }
        for s in &seed.service_accounts {
            w.principals.push(Principal {
                id: ids.next(now),
                name: s.client_id.clone(),
                secret: s.client_secret.clone(),
                desc: s.name.clone(),
                org_id: s.org_id.clone(),
                roles: s.roles.clone(),
                access_list: parse_list(&s.access_list)?,
                is_service_account: true,
            });
        }
        for c in &seed.clusters {
            w.clusters.push(Cluster {
                id: c.id.clone().unwrap_or_else(|| ids.next(now)),
                group_id: c.group_id.clone(),
                name: c.name.clone(),
                state_name: c.state_name.clone(),
                paused: c.paused,
                instance_size: c.instance_size.clone(),
                provider_name: c.provider_name.clone(),
                region_name: c.region_name.clone(),
                cluster_type: c.cluster_type.clone(),
                mongodb_version: c.mongodb_version.clone(),
                srv_host: c.srv_host.clone().unwrap_or_else(|| format!("{}.x1y2z.mongodb.net", c.name.to_lowercase())),
                create_date: c.create_date.as_deref().and_then(parse_rfc3339).unwrap_or(now),
                replication_spec_id: ids.next(now),
                zone_id: ids.next(now),
                state_since: now,
                listener_hosts: vec![],
            });
        }
        for f in &seed.flex_clusters {
            w.flex_clusters.push(FlexCluster {
                id: f.id.clone().unwrap_or_else(|| ids.next(now)),
                group_id: f.group_id.clone(),
                name: f.name.clone(),
                state_name: f.state_name.clone(),
                backing_provider_name: f.backing_provider_name.clone(),
                region_name: f.region_name.clone(),
                mongodb_version: f.mongodb_version.clone(),
                srv_host: f.srv_host.clone().unwrap_or_else(|| format!("{}.x1y2z.mongodb.net", f.name.to_lowercase())),
                create_date: f.create_date.as_deref().and_then(parse_rfc3339).unwrap_or(now),
                state_since: now,
                listener_hosts: vec![],
            });
        }
        for e in &seed.access_list {
            let raw = e.cidr_block.clone().or(e.ip_address.clone()).ok_or("access-list seed entry without address")?;
            let net = IpNet::parse_any(&raw).ok_or_else(|| format!("bad access-list seed entry {raw}"))?;
            let key = net.cidr_string();
            let ip_address = if net.is_single_host() { Some(net.addr.to_string()) } else { None };
            w.access_lists.entry(e.group_id.clone()).or_default().push(AccessEntry {
                key: key.clone(),
                ip_address,
                cidr_block: Some(key),
                aws_security_group: None,
                comment: e.comment.clone(),
                delete_after: None,
                active_at: now,
                forced_status: None,
            });
        }
        for u in &seed.database_users {
            w.users.entry(u.group_id.clone()).or_default().push(DbUser {
                username: u.username.clone(),
                database_name: u.database_name.clone(),
                password_digest: u.password.as_deref().map(|p| password_digest(&u.username, p)),
                roles: u.roles.clone(),
                scopes: u.scopes.clone(),
                labels: vec![],
                description: u.description.clone(),
                delete_after: None,
                aws_iam_type: "NONE".into(),
                ldap_auth_type: "NONE".into(),
                oidc_auth_type: "NONE".into(),
                x509_type: "NONE".into(),
                scram: u.password.as_deref().map(|p| Credentials::new(&u.username, p)),
                previous_scram: None,
                applied_at: now,
            });
        }
        Ok(w)
    }

    pub fn project(&self, id: &str) -> Option<&Project> {
        self.projects.iter().find(|p| p.id == id)
    }

    pub fn org(&self, id: &str) -> Option<&Org> {
        self.orgs.iter().find(|o| o.id == id)
    }

    pub fn principal(&self, name: &str) -> Option<&Principal> {
        self.principals.iter().find(|p| p.name == name)
    }

    /// The dedicated cluster `name` in project `g`.
    pub fn cluster(&self, g: &str, name: &str) -> Option<&Cluster> {
        self.clusters.iter().find(|c| c.group_id == g && c.name == name)
    }

    /// The flex cluster `name` in project `g`.
    pub fn flex_cluster(&self, g: &str, name: &str) -> Option<&FlexCluster> {
        self.flex_clusters.iter().find(|c| c.group_id == g && c.name == name)
    }

    /// Whether project `g` has a cluster `name` of either kind.
    pub fn has_cluster(&self, g: &str, name: &str) -> bool {
        self.cluster(g, name).is_some() || self.flex_cluster(g, name).is_some()
    }

    /// Finishes cluster creation after `after` (when configured): CREATING -> IDLE.
    pub fn finish_creating(&mut self, now: DateTime<Utc>, after: Option<chrono::Duration>) {
        let Some(after) = after else { return };
        for c in &mut self.clusters {
            if c.state_name == "CREATING" && now - c.state_since >= after {
                c.state_name = "IDLE".into();
                c.state_since = now;
            }
        }
        for f in &mut self.flex_clusters {
            if f.state_name == "CREATING" && now - f.state_since >= after {
                f.state_name = "IDLE".into();
                f.state_since = now;
            }
        }
    }

    /// Checks a database user's password (the simulator keeps only a digest of it).
    pub fn verify_user(&self, group_id: &str, database_name: &str, username: &str, password: &str) -> bool {
        self.users
            .get(group_id)
            .and_then(|l| l.iter().find(|u| u.username == username && u.database_name == database_name))
            .is_some_and(|u| u.password_digest.as_deref() == Some(password_digest(username, password).as_str()))
    }

    /// Drops entries and users whose `deleteAfterDate` has passed, as Atlas does on its own.
    pub fn expire(&mut self, now: DateTime<Utc>) {
        for list in self.access_lists.values_mut() {
            list.retain(|e| e.delete_after.map(|t| t > now).unwrap_or(true));
        }
        for list in self.users.values_mut() {
            list.retain(|u| u.delete_after.map(|t| t > now).unwrap_or(true));
        }
    }
}

/// The cluster names a database user's `scopes` limit it to (empty: every cluster).
pub fn scope_names(scopes: &[Value]) -> Vec<String> {
    scopes.iter().filter_map(|s| s.get("name").and_then(Value::as_str).map(String::from)).collect()
}

pub fn password_digest(username: &str, password: &str) -> String {
    use md5::{Digest, Md5};
    hex(&Md5::digest(format!("{username}:{password}").as_bytes()))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// 24-hex ids shaped like MongoDB ObjectIds: seconds, then a counter.
#[derive(Debug, Clone)]
pub struct IdGen {
    counter: u64,
}

impl Default for IdGen {
    fn default() -> Self {
        IdGen { counter: 0x9e7a_1770_0000_0000 }
    }
}

impl IdGen {
    pub fn next(&mut self, now: DateTime<Utc>) -> String {
        self.counter += 1;
        format!("{:08x}{:016x}", now.timestamp() as u32, self.counter)
    }
}

#[derive(Debug, Clone)]
pub struct NonceEntry {
    pub issued: DateTime<Utc>,
    /// Highest `nc` accepted so far; 0 before the first use, so `00000001` is the first valid one.
    pub last_nc: u32,
}

#[derive(Debug, Clone)]
pub struct Token {
    pub client_id: String,
    pub expires: DateTime<Utc>,
}

pub struct SimState {
    pub config: SimConfig,
    pub world: World,
    pub clock: SimClock,
    pub ids: IdGen,
    pub nonces: HashMap<String, NonceEntry>,
    pub tokens: HashMap<String, Token>,
    pub faults: FaultSet,
    pub log: Vec<LoggedRequest>,
    pub rate: RateLimiter,
    /// The data plane serving this state's clusters, when enabled.
    pub data_plane: Option<Arc<DataPlane>>,
    /// Every entry of every access-list POST that reached the handler, in order.
    pub access_posts: Vec<PostedAccessEntry>,
    /// Projects whose access list is being written, until when (real time; see
    /// `SimConfig::access_list_write_duration`).
    pub access_writes: HashMap<String, std::time::Instant>,
}

impl SimState {
    pub fn new(config: SimConfig) -> Result<SimState, String> {
        let clock = SimClock::default();
        let mut ids = IdGen::default();
        let world = World::from_seed(&config.seed, clock.now(), &mut ids)?;
        let faults = FaultSet::new(config.faults.clone(), config.fault_seed);
        Ok(SimState {
            config,
            world,
            clock,
            ids,
            nonces: HashMap::new(),
            tokens: HashMap::new(),
            faults,
            log: Vec::new(),
            rate: RateLimiter::default(),
            data_plane: None,
            access_posts: Vec::new(),
            access_writes: HashMap::new(),
        })
    }

    /// Back to a seed (the configured one when `seed` is `None`), with log, faults,
    /// nonces, tokens, rate buckets and clock offset cleared.
    pub fn reset(&mut self, seed: Option<&Seed>) -> Result<(), String> {
        let clock = SimClock::default();
        let mut ids = IdGen::default();
        let world = World::from_seed(seed.unwrap_or(&self.config.seed), clock.now(), &mut ids)?;
        self.world = world;
        self.clock = clock;
        self.ids = ids;
        self.nonces.clear();
        self.tokens.clear();
        self.faults = FaultSet::new(Vec::new(), self.config.fault_seed);
        self.log.clear();
        self.access_posts.clear();
        self.access_writes.clear();
        self.rate = RateLimiter::default();
        if let Some(dp) = &self.data_plane {
            crate::dataplane::guard(&dp.store).clear();
        }
        self.sync_data_plane();
        Ok(())
    }

    /// Applies what time alone changes (expiries, CREATING -> IDLE), then lets the data plane
    /// follow the world.
    pub fn refresh(&mut self) {
        let now = self.now();
        self.world.expire(now);
        let create = self.config.cluster_create_duration.map(crate::clock::to_chrono);
        self.world.finish_creating(now, create);
        self.sync_data_plane();
    }

    /// Starts, stops and records the data-plane listeners for the clusters as they are now.
    pub fn sync_data_plane(&mut self) {
        if let Some(dp) = self.data_plane.clone() {
            dp.reconcile(&mut self.world);
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Removes an entry from a project's access list; false when absent.
    pub fn remove_access_entry(&mut self, group_id: &str, entry: &str) -> bool {
        let Some(net) = IpNet::parse_any(entry) else { return false };
        let key = net.cidr_string();
        let Some(list) = self.world.access_lists.get_mut(group_id) else { return false };
        let before = list.len();
        list.retain(|e| e.key != key);
        list.len() != before
    }

    /// Forces (or with `None` un-forces) the `/status` of an access-list entry; false when absent.
    pub fn set_access_status(&mut self, group_id: &str, entry: &str, status: Option<String>) -> bool {
        let Some(net) = IpNet::parse_any(entry) else { return false };
        let key = net.cidr_string();
        match self.world.access_lists.get_mut(group_id).and_then(|l| l.iter_mut().find(|e| e.key == key)) {
            Some(e) => {
                e.forced_status = status;
                true
            }
            None => false,
        }
    }

    pub fn new_id(&mut self) -> String {
        let now = self.now();
        self.ids.next(now)
    }
}
