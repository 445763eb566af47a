//! The data plane: simulated clusters that real MongoDB drivers connect to.
//!
//! Every operational cluster (dedicated or flex) gets its own TLS listener on the simulator's
//! host: replica sets one (a primary), sharded and geosharded clusters [`DataPlaneConfig::routers`]
//! (mongos routers). The Admin API side only tells the data plane about clusters and database
//! users, through the same [`SimState`] (shared, never copied): [`DataPlane::reconcile`] runs after
//! every change and on a short tick, so a cluster that turns IDLE starts listening, a paused one
//! closes its listeners (connections are refused) and a deleted one disappears.

pub mod commands;
pub mod listener;
pub mod roles;
pub mod scram;
pub mod store;
pub mod tls;
pub mod wire;

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::runtime::Handle;
use tokio::sync::watch;

use crate::state::{SimState, World};

#[derive(Debug, Clone)]
pub struct DataPlaneConfig {
    /// Off: no listeners, no CA, and connection strings keep Atlas's host names.
    pub enabled: bool,
    /// Where to write the CA certificate (PEM); `None`: a new temporary directory, removed at exit.
    pub ca_file: Option<PathBuf>,
    /// Listeners (mongos routers) per sharded or geosharded cluster.
    pub routers: usize,
    /// How long a started message (or a TLS handshake) may go without progress before the
    /// connection is closed. Idle connections between messages are never timed out.
    pub stall_timeout: Duration,
    /// Largest message accepted: MongoDB's `maxMessageSizeBytes`. Buffers grow only as bytes arrive.
    pub max_message_bytes: usize,
    /// Connections open at once across all listeners; more are closed as soon as accepted.
    pub max_connections: usize,
}

impl Default for DataPlaneConfig {
    fn default() -> Self {
        DataPlaneConfig {
            enabled: true,
            ca_file: None,
            routers: 2,
            stall_timeout: Duration::from_secs(10),
            max_message_bytes: 48_000_000,
            max_connections: 1024,
        }
    }
}

/// How `reconcile` re-checks timed changes (CREATING -> IDLE, `deleteAfterDate`) with no API traffic.
const TICK: Duration = Duration::from_millis(200);

/// What a connection needs to know about its cluster, read afresh for every command.
#[derive(Debug, Clone)]
pub struct ClusterRef {
    pub id: String,
    pub group_id: String,
    pub name: String,
    pub mongos: bool,
    pub mongodb_version: String,
    pub replica_set: String,
    pub hosts: Vec<String>,
}

/// `atlas-<last six of the id>-shard-0`, as Atlas names a cluster's replica set.
pub fn replica_set_name(cluster_id: &str) -> String {
    format!("atlas-{}-shard-0", crate::handlers::clusters::tail(cluster_id, 6))
}

/// The `standard` connection string of a cluster served here.
pub fn standard_uri(hosts: &[String], mongos: bool, cluster_id: &str) -> String {
    let rs = if mongos { String::new() } else { format!("&replicaSet={}", replica_set_name(cluster_id)) };
    format!("mongodb://{}/?tls=true&authSource=admin{rs}", hosts.join(","))
}

pub fn is_mongos(cluster_type: &str) -> bool {
    matches!(cluster_type, "SHARDED" | "GEOSHARDED")
}

struct Entry {
    group_id: String,
    name: String,
    ports: Vec<u16>,
    /// Sockets bound but not yet handed to an accept task.
    bound: Vec<Option<std::net::TcpListener>>,
    /// Present while serving; dropping or signalling it stops the accept loops and connections.
    stop: Option<watch::Sender<bool>>,
}

/// One cluster as `reconcile` wants it.
struct Wanted {
    id: String,
    group_id: String,
    name: String,
    listeners: usize,
    serving: bool,
}

pub struct DataPlane {
    pub config: DataPlaneConfig,
    pub tls: tls::Tls,
    host: IpAddr,
    rt: Handle,
    shared: OnceLock<Weak<Mutex<SimState>>>,
    listeners: Mutex<HashMap<String, Entry>>,
    pub store: Mutex<store::Store>,
    live: Arc<AtomicUsize>,
    next_id: AtomicI32,
}

impl std::fmt::Debug for DataPlane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataPlane").field("host", &self.host).field("tls", &self.tls).finish_non_exhaustive()
    }
}

pub fn guard<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl DataPlane {
    /// Makes the CA and certificate; listeners start with the first [`DataPlane::reconcile`].
    pub fn new(config: DataPlaneConfig, host: IpAddr, rt: Handle) -> std::io::Result<Arc<DataPlane>> {
        let tls = tls::Tls::generate(host, config.ca_file.as_deref())?;
        Ok(Arc::new(DataPlane {
            config,
            tls,
            host,
            rt,
            shared: OnceLock::new(),
            listeners: Mutex::new(HashMap::new()),
            store: Mutex::new(store::Store::default()),
            live: Arc::new(AtomicUsize::new(0)),
            next_id: AtomicI32::new(1),
        }))
    }

    /// Links the data plane to the state it serves and starts the tick.
    pub fn attach(self: &Arc<Self>, shared: &Arc<Mutex<SimState>>) {
        let _ = self.shared.set(Arc::downgrade(shared));
        let weak = Arc::downgrade(shared);
        self.rt.spawn(async move {
            loop {
                tokio::time::sleep(TICK).await;
                let Some(shared) = weak.upgrade() else { return };
                crate::server::lock(&shared).refresh();
            }
        });
    }

    pub fn state(&self) -> Option<Arc<Mutex<SimState>>> {
        self.shared.get().and_then(Weak::upgrade)
    }

    /// Connection tasks alive right now (for tests of bounded resources).
    pub fn live_connections(&self) -> usize {
        self.live.load(Ordering::SeqCst)
    }

    pub fn next_id(&self) -> i32 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// The address clients use: the bound one, or loopback when bound to every interface.
    fn advertised(&self, port: u16) -> String {
        let ip = if self.host.is_unspecified() { IpAddr::from([127, 0, 0, 1]) } else { self.host };
        SocketAddr::new(ip, port).to_string()
    }

    fn wanted(world: &World, routers: usize) -> Vec<Wanted> {
        let dedicated = world.clusters.iter().map(|c| Wanted {
            id: c.id.clone(),
            group_id: c.group_id.clone(),
            name: c.name.clone(),
            listeners: if is_mongos(&c.cluster_type) { routers.max(1) } else { 1 },
            serving: !c.paused,
        });
        let flex = world.flex_clusters.iter().map(|f| Wanted {
            id: f.id.clone(),
            group_id: f.group_id.clone(),
            name: f.name.clone(),
            listeners: 1,
            serving: true,
        });
        let creating: HashSet<&str> = world
            .clusters
            .iter()
            .filter(|c| c.state_name == "CREATING")
            .map(|c| c.id.as_str())
            .chain(world.flex_clusters.iter().filter(|f| f.state_name == "CREATING").map(|f| f.id.as_str()))
            .collect();
        dedicated.chain(flex).filter(|w| !creating.contains(w.id.as_str())).collect()
    }

    /// Brings the listeners in line with the world, and writes each cluster's listener
    /// addresses into it (the connection strings are built from them).
    pub fn reconcile(self: &Arc<Self>, world: &mut World) {
        let wanted = DataPlane::wanted(world, self.config.routers);
        let mut map = guard(&self.listeners);
        let keep: HashSet<&str> = wanted.iter().map(|w| w.id.as_str()).collect();
        map.retain(|id, _| keep.contains(id.as_str()));
        let mut hosts: HashMap<String, Vec<String>> = HashMap::new();
        for w in &wanted {
            let entry = match map.get_mut(&w.id) {
                Some(e) => e,
                None => match self.bind_new(w) {
                    Ok(e) => map.entry(w.id.clone()).or_insert(e),
                    Err(e) => {
                        eprintln!("atlas-sim: data plane: cannot listen for cluster {}: {e}", w.name);
                        continue;
                    }
                },
            };
            if w.serving && entry.stop.is_none() {
                self.start(&w.id, entry);
            } else if !w.serving {
                // Closes the listening sockets (a bound socket listens already): connections are refused.
                entry.stop = None;
                entry.bound.iter_mut().for_each(|b| *b = None);
            }
            hosts.insert(w.id.clone(), entry.ports.iter().map(|p| self.advertised(*p)).collect());
        }
        for c in &mut world.clusters {
            c.listener_hosts = hosts.remove(&c.id).unwrap_or_default();
        }
        for f in &mut world.flex_clusters {
            f.listener_hosts = hosts.remove(&f.id).unwrap_or_default();
        }
    }

    fn bind_new(&self, w: &Wanted) -> std::io::Result<Entry> {
        let mut bound = Vec::new();
        let mut ports = Vec::new();
        for _ in 0..w.listeners {
            let l = std::net::TcpListener::bind((self.host, 0))?;
            ports.push(l.local_addr()?.port());
            bound.push(Some(l));
        }
        Ok(Entry { group_id: w.group_id.clone(), name: w.name.clone(), ports, bound, stop: None })
    }

    /// Starts the accept loops; a port given up by a pause is bound again (if that fails, the
    /// next tick tries again: the old socket may not be closed yet).
    fn start(self: &Arc<Self>, cluster_id: &str, e: &mut Entry) {
        let mut sockets = Vec::new();
        for (i, port) in e.ports.iter().enumerate() {
            let s = match e.bound.get_mut(i).and_then(Option::take) {
                Some(s) => s,
                None => match std::net::TcpListener::bind((self.host, *port)) {
                    Ok(s) => s,
                    Err(_) => return,
                },
            };
            sockets.push(s);
        }
        let (tx, rx) = watch::channel(false);
        for s in sockets {
            if s.set_nonblocking(true).is_err() {
                return;
            }
            let plane = self.clone();
            let (id, rx) = (cluster_id.to_string(), rx.clone());
            self.rt.spawn(listener::accept_loop(s, plane, id, rx));
        }
        e.stop = Some(tx);
    }

    /// The cluster a connection serves, when it is serving (not paused, creating or deleted).
    pub fn serving_cluster(&self, world: &World, cluster_id: &str) -> Option<ClusterRef> {
        if let Some(c) = world.clusters.iter().find(|c| c.id == cluster_id) {
            if c.paused || c.state_name == "CREATING" {
                return None;
            }
            return Some(ClusterRef {
                id: c.id.clone(),
                group_id: c.group_id.clone(),
                name: c.name.clone(),
                mongos: is_mongos(&c.cluster_type),
                mongodb_version: c.mongodb_version.clone(),
                replica_set: replica_set_name(&c.id),
                hosts: c.listener_hosts.clone(),
            });
        }
        let f = world.flex_clusters.iter().find(|f| f.id == cluster_id && f.state_name != "CREATING")?;
        Some(ClusterRef {
            id: f.id.clone(),
            group_id: f.group_id.clone(),
            name: f.name.clone(),
            mongos: false,
            mongodb_version: f.mongodb_version.clone(),
            replica_set: replica_set_name(&f.id),
            hosts: f.listener_hosts.clone(),
        })
    }

    /// `GET /__sim/dataplane`: the CA file and every listener.
    pub fn describe(&self) -> Value {
        let map = guard(&self.listeners);
        let mut items: Vec<Value> = map
            .iter()
            .map(|(id, e)| {
                json!({
                    "groupId": e.group_id,
                    "cluster": e.name,
                    "clusterId": id,
                    "hosts": e.ports.iter().map(|p| self.advertised(*p)).collect::<Vec<_>>(),
                    "listening": e.stop.is_some(),
                })
            })
            .collect();
        items.sort_by_key(|v| (v["groupId"].to_string(), v["cluster"].to_string()));
        json!({ "caFile": self.tls.ca_file, "liveConnections": self.live_connections(), "listeners": items })
    }

    /// Lines for the start-up banner on stderr.
    pub fn banner(&self) -> Vec<String> {
        let d = self.describe();
        let mut lines = vec![format!("atlas-sim data plane CA file: {}", self.tls.ca_file.display())];
        for l in d["listeners"].as_array().into_iter().flatten() {
            let state = if l["listening"] == true { "" } else { " (paused: refusing connections)" };
            lines.push(format!(
                "atlas-sim data plane: cluster {} ({}) on {}{state}",
                l["cluster"].as_str().unwrap_or(""),
                l["groupId"].as_str().unwrap_or(""),
                l["hosts"].as_array().into_iter().flatten().filter_map(Value::as_str).collect::<Vec<_>>().join(","),
            ));
        }
        lines
    }
}
