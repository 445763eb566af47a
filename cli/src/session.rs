//! Where a command runs: the workspace and the Atlas (or the bundled simulator) every command
//! names on standard error, and the `Ductape` handle opened on them.

use crate::output::Format;
use atlas_sim::{Sim, SimConfig};
use ductape_core::{Ductape, Options};
use std::path::PathBuf;

/// The options every command takes.
#[derive(Debug, Clone, clap::Args)]
pub struct Global {
    /// The workspace directory (SQLite file and key) [default: ~/.ductape/workspace; the demo: a
    /// temporary one, removed after]
    #[arg(help_heading = "Global options", long, global = true, value_name = "DIR", env = ductape_core::WORKSPACE_DIR_ENV)]
    pub workspace_dir: Option<PathBuf>,
    /// The Atlas Administration API base URL [default: https://cloud.mongodb.com]
    #[arg(help_heading = "Global options", long, global = true, value_name = "URL", env = ductape_core::atlas::BASE_URL_ENV)]
    pub atlas_base_url: Option<String>,
    /// Start the bundled Atlas simulator (default seed, with its data plane) on 127.0.0.1:47017 for
    /// this command and use it instead of Atlas; it stops when the command ends, its state with it
    #[arg(help_heading = "Global options", long, global = true)]
    pub sim: bool,
    /// A PEM file of extra CA certificates to trust (a TLS-inspecting proxy's) [default: none]
    #[arg(help_heading = "Global options", long, global = true, value_name = "FILE", env = ductape_core::CA_FILE_ENV)]
    pub ca_file: Option<PathBuf>,
    /// The PEM file of CA certificates a cluster's TLS is verified with when a connection string is
    /// verified (import, `cloud resources verify`) [default: the public roots]
    #[arg(help_heading = "Global options", long, global = true, value_name = "FILE", env = ductape_core::CLUSTER_CA_FILE_ENV)]
    pub cluster_ca_file: Option<PathBuf>,
    /// Tables for people, or the operation layer's JSON envelope for scripts [default: table; for
    /// `call`: json]
    #[arg(help_heading = "Global options", long, short = 'o', global = true, value_enum)]
    pub output: Option<Format>,
}

impl Global {
    /// The output format, `table` unless asked.
    pub fn format(&self) -> Format {
        self.output.unwrap_or(Format::Table)
    }
}

/// An open session. Holds the simulator, if it started one, for as long as it lives.
pub struct Session {
    pub ductape: Ductape,
    /// Held, never read: dropping it stops the simulator, so it lives as long as the session.
    pub _sim: Option<Sim>,
    /// For the banner: which Atlas, never with credentials.
    pub atlas: String,
}

/// `--sim`'s port. Fixed, so that a connection completed under `--sim` (bound to its base URL)
/// validates under the next `--sim` command too; the simulator's state is new each time.
pub const SIM_PORT: u16 = 47017;

fn fixed_port_config() -> SimConfig {
    let mut config = SimConfig::default();
    config.bind.set_port(SIM_PORT);
    config
}

/// Starts the bundled simulator with the default seed and its data plane.
pub async fn start_sim(config: SimConfig) -> Result<Sim, String> {
    let at = config.bind;
    Sim::start(config).await.map_err(|e| format!("the bundled Atlas simulator could not start on {at}: {e}"))
}

impl Session {
    /// Opens on the global options, with `workspace_dir` overriding theirs (the demo's temporary one).
    /// Fails with the exit code and the message to print.
    pub async fn open(g: &Global, workspace_dir: Option<PathBuf>, sim: Option<Sim>) -> Result<Session, (u8, String)> {
        let sim = match (sim, g.sim) {
            (Some(s), _) => Some(s),
            (None, true) => Some(start_sim(fixed_port_config()).await.map_err(|e| (crate::exit::CLI, e))?),
            (None, false) => None,
        };
        let (atlas_base_url, cluster_ca_file) = match &sim {
            // The data plane serves TLS with the simulator's own CA: verifying a string trusts it.
            Some(s) => (Some(s.base_url()), s.ca_file()),
            None => (g.atlas_base_url.clone().filter(|u| !u.trim().is_empty()), g.cluster_ca_file.clone()),
        };
        let options = Options {
            workspace_dir: workspace_dir.or_else(|| g.workspace_dir.clone()),
            atlas_base_url,
            ca_file: g.ca_file.clone(),
            cluster_ca_file,
            ..Default::default()
        };
        let ductape = Ductape::open(options).map_err(|e| (crate::exit::for_code(e.code), e.to_string()))?;
        let atlas = match &sim {
            Some(s) => format!("the bundled Atlas simulator at {} (default seed)", s.base_url()),
            None => format!("MongoDB Atlas at {}", ductape_core::atlas::redact_url(ductape.atlas_base_url())),
        };
        Ok(Session { ductape, _sim: sim, atlas })
    }

    /// `ductape: workspace DIR, Atlas URL` on standard error, so a script's log says where it ran.
    pub fn banner(&self) {
        let ws = match self.ductape.workspace_dir() {
            Ok(d) => d.display().to_string(),
            Err(e) => format!("none ({})", e.message),
        };
        eprintln!("ductape: workspace {ws}; {}", self.atlas);
    }
}
