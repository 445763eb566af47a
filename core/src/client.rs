//! The `Ductape` handle: options, the workspace, the Atlas clients, and the entry points every
//! binding uses.

use crate::atlas::{self, AtlasClient, ClientConfig, Credentials, RetryPolicy};
use crate::crypto::{SecretString, WorkspaceKey};
use crate::error::{Error, ErrorCode, Result};
use crate::ops;
use crate::store::{Location, Store};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Environment variable overriding the default workspace directory.
pub const WORKSPACE_DIR_ENV: &str = "DUCTAPE_WORKSPACE_DIR";

/// Environment variable selecting the PostgreSQL workspace (the `workspace_url` option).
pub const WORKSPACE_URL_ENV: &str = "DUCTAPE_WORKSPACE_URL";

/// Environment variable naming a PEM file of CA certificates to trust (the `ca_file` option).
pub const CA_FILE_ENV: &str = "DUCTAPE_CA_FILE";
/// Environment variable naming the CA file a cluster's TLS is verified with (`cluster_ca_file`).
pub const CLUSTER_CA_FILE_ENV: &str = "DUCTAPE_CLUSTER_CA_FILE";

/// The largest `retry_base_delay_ms` option: one minute.
pub const MAX_RETRY_BASE_DELAY_MS: u64 = 60_000;

/// Options for [`Ductape::open`]. Every field is optional; bindings pass them as JSON.
#[derive(Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// Workspace directory. Default: `$DUCTAPE_WORKSPACE_DIR`, else `~/.ductape/workspace`.
    pub workspace_dir: Option<PathBuf>,
    /// The workspace key (base64 of 32 bytes). Default: `$DUCTAPE_WORKSPACE_KEY`, else the
    /// `workspace.key` file in the workspace directory (created on first use, mode 0600).
    pub workspace_key: Option<SecretString>,
    /// A file holding the workspace key (base64 of 32 bytes), e.g. a mounted secret; it must be
    /// readable by its owner only (mode 0600 or 0400). Default: `$DUCTAPE_WORKSPACE_KEY_FILE`.
    pub workspace_key_file: Option<PathBuf>,
    /// A PostgreSQL database to keep the workspace in instead of the SQLite file in the workspace
    /// directory, for a team sharing one store from many machines: `postgres://user:password@host:port/db`
    /// (tokio-postgres's parameters, e.g. `sslmode=require`, plus `sslrootcert=<PEM file>`).
    /// Secrets are sealed before they reach it; the key stays with the client (from
    /// `workspace_key`, `workspace_key_file` or the workspace directory's key file).
    /// Default: `$DUCTAPE_WORKSPACE_URL`, else the SQLite workspace.
    pub workspace_url: Option<SecretString>,
    /// Atlas Administration API base URL. Default: `$MONGODB_ATLAS_BASE_URL`, else
    /// `https://cloud.mongodb.com`. `http://` is accepted only for loopback hosts.
    pub atlas_base_url: Option<String>,
    /// Whole-request timeout for one Atlas HTTP request, in milliseconds (default 30000).
    pub request_timeout_ms: Option<u64>,
    /// TCP/TLS connect timeout, in milliseconds (default 10000).
    pub connect_timeout_ms: Option<u64>,
    /// How many times a call that is safe to repeat is retried after 429, 5xx or a dropped
    /// connection (default 3).
    pub max_retries: Option<u32>,
    /// First retry backoff in milliseconds; doubles per retry, with jitter (default 250, at most 60000).
    pub retry_base_delay_ms: Option<u64>,
    /// The largest Atlas answer body read, in bytes (default 16 MiB); a larger answer fails with
    /// `atlas_error` instead of being buffered.
    pub max_response_bytes: Option<u64>,
    /// A PEM file of CA certificates to trust for Atlas besides the `tls_roots`, e.g. the CA of
    /// a corporate TLS-inspecting proxy. Default: `$DUCTAPE_CA_FILE`.
    pub ca_file: Option<PathBuf>,
    /// The trust roots for Atlas: `bundled` (default: the Mozilla roots built into the library,
    /// webpki-roots) or `system` (the operating system's trust store).
    pub tls_roots: Option<String>,
    /// A PEM file of the CA certificates that verifying a cluster's connection string (import,
    /// `cloud.resources.verify`) trusts instead of the public roots, as a driver's `tlsCAFile`
    /// does: e.g. the simulator's data-plane CA. Default: `$DUCTAPE_CLUSTER_CA_FILE`.
    pub cluster_ca_file: Option<PathBuf>,
    /// Enables the `debug.*` operations (echo, sleep, error, panic) that binding tests use.
    #[serde(default)]
    pub debug_operations: bool,
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("workspace_dir", &self.workspace_dir)
            .field("workspace_key", &self.workspace_key.as_ref().map(|_| "[redacted]"))
            .field("workspace_key_file", &self.workspace_key_file)
            .field("workspace_url", &self.workspace_url.as_ref().map(|_| "[redacted]"))
            .field("atlas_base_url", &self.atlas_base_url)
            .field("request_timeout_ms", &self.request_timeout_ms)
            .field("connect_timeout_ms", &self.connect_timeout_ms)
            .field("max_retries", &self.max_retries)
            .field("retry_base_delay_ms", &self.retry_base_delay_ms)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("ca_file", &self.ca_file)
            .field("tls_roots", &self.tls_roots)
            .field("cluster_ca_file", &self.cluster_ca_file)
            .field("debug_operations", &self.debug_operations)
            .finish()
    }
}

/// A handle on one workspace. Cheap to share between threads (`Arc` it); every method takes `&self`.
pub struct Ductape {
    options: Options,
    workspace_dir: Result<PathBuf>,
    /// Where the workspace lives: the SQLite file in `workspace_dir`, or `workspace_url`.
    location: Location,
    /// What verifying a cluster's string trusts instead of the public roots.
    cluster_ca_file: Option<PathBuf>,
    http: reqwest::Client,
    atlas_config: ClientConfig,
    store: tokio::sync::OnceCell<Arc<Store>>,
    /// One Atlas client per credential identity, so digest nonces and tokens are reused.
    atlas_clients: Mutex<HashMap<String, Arc<AtlasClient>>>,
}

impl fmt::Debug for Ductape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ductape")
            .field("options", &self.options)
            .field("workspace_dir", &self.workspace_dir)
            .field("atlas_base_url", &self.atlas_config.base_url)
            .finish_non_exhaustive()
    }
}

/// The cache key of one credential identity.
fn client_key(method: &str, identity: &str) -> String {
    format!("{method}:{identity}")
}

fn default_workspace_dir() -> Result<PathBuf> {
    if let Some(d) = std::env::var_os(WORKSPACE_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(d));
    }
    let home = std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .filter(|h| !h.is_empty())
        .ok_or_else(|| {
            Error::new(
                ErrorCode::Workspace,
                format!(
                    "no home directory to put the workspace in; set {WORKSPACE_DIR_ENV} or the workspace_dir option"
                ),
            )
        })?;
    Ok(PathBuf::from(home).join(".ductape").join("workspace"))
}

/// The `workspace_url` option, else `$DUCTAPE_WORKSPACE_URL` (ignored when empty), checked
/// now (no connection is made until the workspace is used).
fn workspace_location(options: &Options) -> Result<Location> {
    let url = match &options.workspace_url {
        Some(u) if u.expose().trim().is_empty() => {
            return Err(Error::invalid("workspace_url", "workspace_url is empty; omit it for the SQLite workspace"));
        }
        Some(u) => u.clone(),
        None => match std::env::var(WORKSPACE_URL_ENV).ok().filter(|v| !v.trim().is_empty()) {
            Some(v) => SecretString::new(v),
            None => return Ok(Location::Sqlite),
        },
    };
    crate::store::postgres::check_url(&url)?;
    Ok(Location::Postgres(url))
}

/// The trust roots (`tls_roots`) and extra CA certificates (`ca_file`, `$DUCTAPE_CA_FILE`).
fn tls_config(builder: reqwest::ClientBuilder, options: &Options) -> Result<reqwest::ClientBuilder> {
    let system = match options.tls_roots.as_deref().map(str::trim) {
        None | Some("bundled") => false,
        Some("system") => true,
        Some(_) => {
            return Err(Error::invalid("tls_roots", "tls_roots must be \"bundled\" (the default) or \"system\""));
        }
    };
    let mut builder = builder.tls_built_in_webpki_certs(!system).tls_built_in_native_certs(system);
    if let Some((path, named)) = ca_path(&options.ca_file, "ca_file", CA_FILE_ENV) {
        for cert in read_ca_file(&path, "ca_file", &named)? {
            builder = builder.add_root_certificate(cert);
        }
    }
    Ok(builder)
}

/// The CA file of option `field` (else of `$env`), and how to name where it came from.
fn ca_path(option: &Option<PathBuf>, field: &str, env: &str) -> Option<(PathBuf, String)> {
    match option {
        Some(p) => Some((p.clone(), format!("the {field} option"))),
        None => std::env::var_os(env).filter(|v| !v.is_empty()).map(|v| (PathBuf::from(v), format!("${env}"))),
    }
}

/// `cluster_ca_file` (or `$DUCTAPE_CLUSTER_CA_FILE`), checked now so that a bad path fails at open
/// rather than as an unverified import.
fn cluster_ca_file(options: &Options) -> Result<Option<PathBuf>> {
    let Some((path, named)) = ca_path(&options.cluster_ca_file, "cluster_ca_file", CLUSTER_CA_FILE_ENV) else {
        return Ok(None);
    };
    read_ca_file(&path, "cluster_ca_file", &named)?;
    Ok(Some(path))
}

/// The certificates of a PEM file; a file that cannot be read or holds none is an
/// `invalid_argument` on `field` naming where the path came from and the path.
fn read_ca_file(path: &std::path::Path, field: &str, named: &str) -> Result<Vec<reqwest::Certificate>> {
    let shown = path.display();
    let bad = |m: String| Error::invalid(field, format!("{named}: {m}"));
    if path.as_os_str().is_empty() {
        return Err(bad("the path is empty".into()));
    }
    let pem = std::fs::read(path).map_err(|e| bad(format!("could not read the CA file {shown}: {e}")))?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|e| bad(format!("the CA file {shown} is not valid PEM: {e}")))?;
    if certs.is_empty() {
        return Err(bad(format!("the CA file {shown} holds no PEM certificate (-----BEGIN CERTIFICATE-----)")));
    }
    tracing::debug!(path = %shown, certificates = certs.len(), "trusting extra CA certificates");
    Ok(certs)
}

impl Ductape {
    /// Checks the options; touches no file and no network (the workspace opens on first use).
    pub fn open(options: Options) -> Result<Self> {
        // Resolved now, reported on first use: a missing home directory must not stop
        // operations that need no workspace.
        let workspace_dir = match &options.workspace_dir {
            Some(d) if !d.as_os_str().is_empty() => Ok(d.clone()),
            _ => default_workspace_dir(),
        };
        let raw_base = options
            .atlas_base_url
            .clone()
            .or_else(|| std::env::var(atlas::BASE_URL_ENV).ok().filter(|v| !v.trim().is_empty()))
            .unwrap_or_else(|| atlas::DEFAULT_BASE_URL.to_string());
        let base_url = atlas::parse_base_url(&raw_base)?;
        if let Some(k) = &options.workspace_key {
            WorkspaceKey::parse(k.expose(), crate::crypto::key::KeySource::Option)
                .map_err(|e| Error::invalid("workspace_key", e.message))?;
            if options.workspace_key_file.is_some() {
                return Err(Error::invalid("workspace_key_file", "give workspace_key or workspace_key_file, not both"));
            }
        }
        if options.workspace_key_file.as_ref().is_some_and(|p| p.as_os_str().is_empty()) {
            return Err(Error::invalid("workspace_key_file", "workspace_key_file must not be empty"));
        }
        let location = workspace_location(&options)?;
        let positive = |field: &str, v: Option<u64>, default: u64| -> Result<Duration> {
            match v {
                Some(0) => Err(Error::invalid(field, format!("{field} must be greater than 0"))),
                Some(ms) => Ok(Duration::from_millis(ms)),
                None => Ok(Duration::from_millis(default)),
            }
        };
        let request_timeout = positive("request_timeout_ms", options.request_timeout_ms, 30_000)?;
        let connect_timeout = positive("connect_timeout_ms", options.connect_timeout_ms, 10_000)?;
        let mut retry = RetryPolicy::default();
        if let Some(n) = options.max_retries {
            if n > 10 {
                return Err(Error::invalid("max_retries", "max_retries must be at most 10"));
            }
            retry.max_retries = n;
        }
        if let Some(ms) = options.retry_base_delay_ms {
            // Connect failures are always retried: an unbounded first delay (doubling from there)
            // turned one unreachable Atlas into a call that never returns.
            if ms > MAX_RETRY_BASE_DELAY_MS {
                return Err(Error::invalid(
                    "retry_base_delay_ms",
                    format!("retry_base_delay_ms must be at most {MAX_RETRY_BASE_DELAY_MS} (one minute)"),
                ));
            }
            retry.base_delay = Duration::from_millis(ms);
            retry.max_delay = retry.max_delay.max(retry.base_delay);
        }
        let max_response_bytes = match options.max_response_bytes {
            Some(0) => return Err(Error::invalid("max_response_bytes", "max_response_bytes must be greater than 0")),
            Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
            None => atlas::DEFAULT_MAX_RESPONSE_BYTES,
        };
        let cluster_ca_file = cluster_ca_file(&options)?;
        let mut builder = tls_config(reqwest::Client::builder().use_rustls_tls(), &options)?
            .connect_timeout(connect_timeout)
            // The Admin API does not redirect; following one could send a request elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("ductape-core/", env!("CARGO_PKG_VERSION")));
        if atlas::is_loopback_url(&base_url) {
            // A local simulator is never reached through HTTP(S)_PROXY.
            builder = builder.no_proxy();
        }
        let http = builder.build().map_err(|e| {
            if options.tls_roots.as_deref().map(str::trim) == Some("system") {
                // the one build step that reads the machine: its trust store
                Error::invalid(
                    "tls_roots",
                    format!("tls_roots \"system\": the system's trust store could not be loaded: {e}"),
                )
            } else {
                Error::new(ErrorCode::Internal, format!("could not build the HTTP client: {e}"))
            }
        })?;
        Ok(Ductape {
            options,
            workspace_dir,
            location,
            cluster_ca_file,
            http,
            atlas_config: ClientConfig { base_url, request_timeout, retry, max_response_bytes },
            store: tokio::sync::OnceCell::new(),
            atlas_clients: Mutex::new(HashMap::new()),
        })
    }

    /// Opens from a JSON options object (`{}` for every default), as bindings do.
    pub fn open_json(options_json: &str) -> Result<Self> {
        let options: Options =
            if options_json.trim().is_empty() { Options::default() } else { ops::parse_json(options_json)? };
        Self::open(options)
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    pub fn cluster_ca_file(&self) -> Option<&std::path::Path> {
        self.cluster_ca_file.as_deref()
    }

    /// The workspace directory, or why there is none (no home directory and no option).
    pub fn workspace_dir(&self) -> Result<&std::path::Path> {
        self.workspace_dir.as_deref().map_err(Clone::clone)
    }

    pub fn atlas_base_url(&self) -> &str {
        &self.atlas_config.base_url
    }

    /// The workspace store, opened (and migrated, key-checked) on first use.
    pub async fn store(&self) -> Result<Arc<Store>> {
        self.store
            .get_or_try_init(|| async {
                let dir = self.workspace_dir()?.to_path_buf();
                let key = self.options.workspace_key.clone();
                let key_file = self.options.workspace_key_file.clone();
                let location = self.location.clone();
                let opened = tokio::task::spawn_blocking(move || {
                    crate::store::create_private_dir(&dir)?;
                    let key = WorkspaceKey::resolve(&dir, key.as_ref(), key_file.as_deref())?;
                    Store::open_at(&dir, &location, &key)
                })
                .await
                .map_err(|e| Error::new(ErrorCode::Internal, format!("opening the workspace failed: {e}")))??;
                Ok(Arc::new(opened))
            })
            .await
            .cloned()
    }

    /// The Atlas client for these credentials (kept, so nonces and tokens are reused).
    pub fn atlas_client(&self, credentials: &Credentials) -> Arc<AtlasClient> {
        let mut map = self.atlas_clients.lock().unwrap_or_else(|p| p.into_inner());
        let key = match credentials {
            Credentials::ApiKey { public_key, .. } => client_key("key", public_key),
            Credentials::ServiceAccount { client_id, .. } => client_key("sa", client_id),
        };
        if let Some(c) = map.get(&key) {
            if c.has_credentials(credentials) {
                return Arc::clone(c);
            }
        }
        let c = Arc::new(AtlasClient::new(self.http.clone(), self.atlas_config.clone(), credentials.clone()));
        map.insert(key, Arc::clone(&c));
        c
    }

    /// Drops the cached Atlas clients of this identity (public key or client id), and with them
    /// the secret, nonces and token they hold: after a delete or a credentials change they must
    /// not outlive the connection. Another connection on the same key only pays a new challenge.
    pub fn forget_atlas_clients(&self, identity: &str) {
        let mut map = self.atlas_clients.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&client_key("key", identity));
        map.remove(&client_key("sa", identity));
    }

    /// How many Atlas clients are cached (for tests of [`Self::forget_atlas_clients`]).
    pub fn cached_atlas_clients(&self) -> usize {
        self.atlas_clients.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Runs one operation on a typed JSON request and answers its JSON result.
    pub async fn call(&self, operation: &str, params: Value) -> Result<Value> {
        let text = ops::dispatch(self, operation, params).await?;
        serde_json::from_str(&text).map_err(|e| Error::new(ErrorCode::Internal, format!("reply not JSON: {e}")))
    }

    /// Like [`Ductape::call`] with JSON text in and an envelope out:
    /// `{"ok":true,"result":...}` or `{"ok":false,"error":{"code","message","field"?,"details"?}}`.
    /// Never fails: a malformed request is an `invalid_argument` envelope.
    pub async fn call_json(&self, operation: &str, params_json: &str) -> String {
        self.call_json_with_progress(operation, params_json, None).await
    }

    /// [`Ductape::call_json`] with `listener` receiving the call's progress events
    /// ([`crate::progress`]) while it runs.
    pub async fn call_json_with_progress(
        &self,
        operation: &str,
        params_json: &str,
        listener: Option<crate::progress::Listener>,
    ) -> String {
        let call = async {
            match ops::parse_value(params_json) {
                Ok(params) => ops::dispatch(self, operation, params).await,
                Err(e) => Err(e),
            }
        };
        let (outcome, warnings) =
            crate::warnings::collect(crate::progress::with_listener(operation, listener, call)).await;
        ops::envelope_text(outcome, &warnings)
    }
}
