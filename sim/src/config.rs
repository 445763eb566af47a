//! Start-up settings of a simulator.

use std::net::SocketAddr;
use std::time::Duration;

pub use crate::dataplane::DataPlaneConfig;
use crate::faults::Fault;
use crate::seed::Seed;

/// One token bucket: `capacity` tokens, refilled at `refill_per_sec`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    pub capacity: u32,
    pub refill_per_sec: f64,
}

/// Token buckets per endpoint group, one bucket per caller and group.
/// The capacities default to what real Atlas reports in `RateLimit-Limit` for each group
/// (clusters and database users 10000, the rest 1200), refilled fast enough that normal
/// test traffic never meets them.
#[derive(Debug, Clone, PartialEq)]
pub struct RateLimits {
    pub clusters: Bucket,
    pub database_users: Bucket,
    pub default: Bucket,
    /// `POST /api/oauth/token`, keyed by client id (429 `RATE_LIMITED`).
    pub oauth: Bucket,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            clusters: Bucket { capacity: 10000, refill_per_sec: 1000.0 },
            database_users: Bucket { capacity: 10000, refill_per_sec: 1000.0 },
            default: Bucket { capacity: 1200, refill_per_sec: 120.0 },
            oauth: Bucket { capacity: 1200, refill_per_sec: 120.0 },
        }
    }
}

impl RateLimits {
    /// The same bucket for every group: handy for tests that want to hit the limit.
    pub fn uniform(capacity: u32, refill_per_sec: f64) -> Self {
        let b = Bucket { capacity, refill_per_sec };
        RateLimits { clusters: b, database_users: b, default: b, oauth: b }
    }
}

#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Address to bind; port 0 picks a free port.
    pub bind: SocketAddr,
    pub seed: Seed,
    /// How long a Digest nonce stays fresh (simulated time); older nonces get `stale=true`.
    pub nonce_ttl: Duration,
    /// Lifetime of OAuth access tokens (`expires_in`).
    pub token_ttl: Duration,
    /// How long a new project IP access-list entry reports `PENDING` before `ACTIVE`.
    pub access_list_activation_delay: Duration,
    /// How long `GET /clusters/{name}/status` reports `PENDING` after a database-user change.
    pub user_apply_delay: Duration,
    pub rate_limit: bool,
    pub rate_limits: RateLimits,
    /// Send `RateLimit-Limit`/`RateLimit-Remaining` (real Atlas sometimes omits them).
    pub rate_limit_headers: bool,
    pub faults: Vec<Fault>,
    /// Seed of the random generator used by probabilistic faults, so runs repeat.
    pub fault_seed: u64,
    /// Whether `X-Sim-Client-Ip` may override the socket address as the caller IP.
    pub trust_client_ip_header: bool,
    /// When set, CREATING clusters (dedicated and flex) turn IDLE this long after entering that
    /// state; `None` keeps them CREATING until changed through the control API.
    pub cluster_create_duration: Option<Duration>,
    /// Maximum project IP access-list entries (Atlas: 200).
    pub access_list_limit: usize,
    /// How long an access-list write (POST, DELETE) takes; while one runs, another write to the
    /// same project's list answers 409 `ACCESS_LIST_WRITE_IN_PROGRESS` (Atlas "doesn't support
    /// concurrent POST requests"; what it answers is not documented). Zero: writes are instant.
    pub access_list_write_duration: Duration,
    /// Maximum database users per project (Atlas: 100).
    pub database_user_limit: usize,
    /// `GET /api/atlas/v2` answers `apiKey: null` for API keys too, as it does for service
    /// accounts: a client must then read the key's roles elsewhere (or say it could not).
    pub hide_api_key_in_system_status: bool,
    /// Versions every operation answers with `Deprecation`/`Sunset` headers, as Atlas does for a
    /// version it will remove (the older cluster versions always carry them): for tests of how
    /// a client surfaces the warning.
    pub deprecated_versions: Vec<String>,
    /// Simulated clusters that MongoDB drivers connect to (on by default).
    pub data_plane: DataPlaneConfig,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            seed: Seed::default_seed(),
            nonce_ttl: Duration::from_secs(60),
            token_ttl: Duration::from_secs(3600),
            access_list_activation_delay: Duration::from_secs(1),
            user_apply_delay: Duration::from_secs(1),
            rate_limit: true,
            rate_limits: RateLimits::default(),
            rate_limit_headers: true,
            faults: Vec::new(),
            fault_seed: 42,
            trust_client_ip_header: true,
            cluster_create_duration: None,
            access_list_limit: 200,
            access_list_write_duration: Duration::ZERO,
            database_user_limit: 100,
            hide_api_key_in_system_status: false,
            deprecated_versions: Vec::new(),
            data_plane: DataPlaneConfig::default(),
        }
    }
}
