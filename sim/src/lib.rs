//! atlas-sim: a faithful, stateful local simulator of the MongoDB Atlas Administration API v2.
//!
//! `Sim::start(SimConfig::default())` serves the default seed on `127.0.0.1:<free port>` from
//! its own thread and runtime, so it works the same under any test runtime (or none: see
//! [`Sim::start_blocking`]). See `sim/README.md` for the behaviour, the control API and the seed.

pub mod auth;
pub mod authz;
pub mod clock;
pub mod config;
pub mod control;
pub mod dataplane;
pub mod errors;
pub mod faults;
pub mod handlers;
pub mod ip;
pub mod media;
pub mod paging;
pub mod percent;
pub mod rate_limit;
pub mod router;
pub mod seed;
pub mod server;
pub mod state;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

pub use config::{Bucket, DataPlaneConfig, RateLimits, SimConfig};
pub use faults::{Fault, FaultKind};
pub use seed::Seed;

/// One Atlas request as the simulator saw it (control-API requests are not logged).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggedRequest {
    pub method: String,
    /// Raw request target, query included.
    pub path: String,
    /// 0 when the connection was dropped by a fault.
    pub status: u16,
    /// Whether an `Authorization` header was present.
    pub credentials_sent: bool,
    /// `Digest`, `Bearer`, `Basic` (or whatever scheme was sent).
    pub auth_scheme: Option<String>,
    pub client_ip: String,
    /// The `Accept` header as sent.
    pub accept: Option<String>,
    /// Size of the request body in bytes (bodies themselves are never kept: they may hold passwords).
    pub body_len: usize,
}

/// A running simulator; stops when dropped.
pub struct Sim {
    shared: server::Shared,
    addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl Sim {
    pub async fn start(config: SimConfig) -> std::io::Result<Sim> {
        Sim::start_blocking(config)
    }

    /// Same as [`Sim::start`] for callers without an async runtime.
    pub fn start_blocking(config: SimConfig) -> std::io::Result<Sim> {
        let listener = std::net::TcpListener::bind(config.bind)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let state =
            state::SimState::new(config).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let data_plane_config = state.config.data_plane.clone();
        let shared: server::Shared = Arc::new(Mutex::new(state));
        let (tx, rx) = watch::channel(false);
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        if data_plane_config.enabled {
            // Listeners run on the simulator's own runtime, beside the Admin API.
            let dp = dataplane::DataPlane::new(data_plane_config, addr.ip(), rt.handle().clone())?;
            dp.attach(&shared);
            let mut st = server::lock(&shared);
            st.data_plane = Some(dp);
            st.sync_data_plane();
        }
        let s2 = shared.clone();
        let thread = std::thread::Builder::new().name("atlas-sim".into()).spawn(move || {
            rt.block_on(async move {
                match tokio::net::TcpListener::from_std(listener) {
                    Ok(l) => server::serve(l, s2, rx).await,
                    Err(e) => eprintln!("atlas-sim: cannot listen: {e}"),
                }
            });
        })?;
        Ok(Sim { shared, addr, shutdown: tx, thread: Some(thread) })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn request_log(&self) -> Vec<LoggedRequest> {
        server::lock(&self.shared).log.clone()
    }

    /// Every entry of every access-list POST the simulator handled, in order (see
    /// [`state::PostedAccessEntry`]); cleared by `reset`.
    pub fn access_list_posts(&self) -> Vec<state::PostedAccessEntry> {
        server::lock(&self.shared).access_posts.clone()
    }

    /// Forces an access-list entry's `/status` (`FAILED`, `PENDING`), or with `None` lets it
    /// follow the activation delay again; false when the entry is absent.
    pub fn set_access_list_status(&self, group_id: &str, entry: &str, status: Option<&str>) -> bool {
        server::lock(&self.shared).set_access_status(group_id, entry, status.map(String::from))
    }

    /// Removes an entry from a project's IP access list, as someone in the Atlas UI would; false
    /// when absent.
    pub fn remove_access_list_entry(&self, group_id: &str, entry: &str) -> bool {
        server::lock(&self.shared).remove_access_entry(group_id, entry)
    }

    /// The canonical keys (`a.b.c.d/n`) and comments of a project's IP access list.
    pub fn access_list(&self, group_id: &str) -> Vec<(String, Option<String>)> {
        let st = server::lock(&self.shared);
        st.world.access_lists.get(group_id).into_iter().flatten().map(|e| (e.key.clone(), e.comment.clone())).collect()
    }

    pub fn clear_request_log(&self) {
        server::lock(&self.shared).log.clear();
    }

    pub fn add_fault(&self, fault: Fault) {
        server::lock(&self.shared).faults.add(fault);
    }

    /// The faults still waiting (a counted fault goes once its requests have taken it), so that a
    /// test can wait until a request has reached the simulator instead of sleeping.
    pub fn faults(&self) -> Vec<Fault> {
        server::lock(&self.shared).faults.list()
    }

    pub fn clear_faults(&self) {
        server::lock(&self.shared).faults.clear();
    }

    pub fn advance_clock(&self, by: std::time::Duration) {
        server::lock(&self.shared).clock.advance(by);
    }

    pub fn reset(&self) {
        server::lock(&self.shared).reset(None).expect("the configured seed loaded once already");
    }

    /// Loads another seed (log and faults cleared, as with `reset`).
    pub fn load_seed(&self, seed: &Seed) -> Result<(), String> {
        server::lock(&self.shared).reset(Some(seed))
    }

    /// Changes settings at run time (rate limits, delays, TTLs).
    pub fn configure(&self, f: impl FnOnce(&mut SimConfig)) {
        let mut st = server::lock(&self.shared);
        f(&mut st.config);
    }

    /// Sets a cluster's `stateName` (dedicated or flex) and, for dedicated ones, `paused`.
    pub fn set_cluster_state(&self, group_id: &str, name: &str, state_name: &str, paused: Option<bool>) -> bool {
        let mut st = server::lock(&self.shared);
        let now = st.clock.now();
        let w = &mut st.world;
        if let Some(c) = w.clusters.iter_mut().find(|c| c.group_id == group_id && c.name == name) {
            c.state_name = state_name.to_string();
            c.state_since = now;
            if let Some(p) = paused {
                c.paused = p;
            }
            st.sync_data_plane();
            return true;
        }
        if let Some(f) = w.flex_clusters.iter_mut().find(|c| c.group_id == group_id && c.name == name) {
            f.state_name = state_name.to_string();
            f.state_since = now;
            st.sync_data_plane();
            return true;
        }
        false
    }

    /// The data plane, when enabled: CA, listeners, live connections.
    pub fn data_plane(&self) -> Option<Arc<dataplane::DataPlane>> {
        server::lock(&self.shared).data_plane.clone()
    }

    /// The CA certificate file clients pass as their CA file (`None` with the data plane off).
    pub fn ca_file(&self) -> Option<std::path::PathBuf> {
        self.data_plane().map(|d| d.tls.ca_file.clone())
    }

    /// `host:port` of the listeners of a cluster (empty while CREATING or with the data plane off).
    pub fn cluster_hosts(&self, group_id: &str, name: &str) -> Vec<String> {
        let st = server::lock(&self.shared);
        let w = &st.world;
        w.cluster(group_id, name)
            .map(|c| c.listener_hosts.clone())
            .or_else(|| w.flex_cluster(group_id, name).map(|f| f.listener_hosts.clone()))
            .unwrap_or_default()
    }
}

impl Sim {
    /// Whether a database user exists with this password (passwords are never returned by the API).
    pub fn verify_database_user(&self, group_id: &str, database_name: &str, username: &str, password: &str) -> bool {
        server::lock(&self.shared).world.verify_user(group_id, database_name, username, password)
    }

    /// Deletes a database user as someone would in Atlas's UI, behind the client's back; false
    /// when there was none. The data plane refuses its logins from then on.
    pub fn delete_database_user(&self, group_id: &str, database_name: &str, username: &str) -> bool {
        let mut st = server::lock(&self.shared);
        let Some(users) = st.world.users.get_mut(group_id) else { return false };
        let before = users.len();
        users.retain(|u| !(u.username == username && u.database_name == database_name));
        users.len() != before
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sim_can_be_shared_across_threads_and_tasks() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Sim>();
        let sim = Sim::start_blocking(SimConfig::default()).unwrap();
        assert!(sim.base_url().starts_with("http://127.0.0.1:"));
        assert!(!sim.base_url().ends_with('/'));
        assert!(sim.request_log().is_empty());
    }

    #[test]
    fn a_bad_seed_is_refused_at_start() {
        let mut cfg = SimConfig::default();
        cfg.seed.api_keys[0].access_list = vec!["not-an-ip".into()];
        let err = Sim::start_blocking(cfg).err().expect("refused");
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    }
}
