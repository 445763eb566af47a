//! `ductape sim`: the bundled Atlas simulator in the foreground, and how to point things at it.

use crate::output::Format;
use crate::session::{start_sim, Global};
use atlas_sim::{seed, SimConfig};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The port of the Admin API (0: a free one)
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Where to write the data plane's CA certificate (PEM) [default: a temporary file, removed on exit]
    #[arg(long = "sim-ca-file", value_name = "FILE")]
    ca_file: Option<PathBuf>,
    /// How long a database-user change stays PENDING on the clusters, in milliseconds
    #[arg(long, default_value_t = 1000)]
    user_apply_delay_ms: u64,
}

pub async fn run(g: &Global, args: Args) -> u8 {
    let mut config = SimConfig::default();
    config.bind.set_port(args.port);
    config.user_apply_delay = Duration::from_millis(args.user_apply_delay_ms);
    config.data_plane.ca_file = args.ca_file;
    let sim = match start_sim(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("ductape: {e}");
            return crate::exit::CLI;
        }
    };
    let base = sim.base_url();
    let ca = sim.ca_file().map(|p| p.display().to_string()).unwrap_or_default();
    if g.format() == Format::Json {
        let info = serde_json::json!({"atlas_base_url": base, "cluster_ca_file": ca, "project_id": seed::PROJECT_ID,
                                      "public_key": seed::OWNER_PUBLIC_KEY});
        say!("{info}");
    } else {
        say!(
            "The bundled Atlas simulator is serving (default seed, see docs/default-seed.md).\n\
             \n  Admin API:      {base}\n  data plane CA:  {ca}\n  project:        {project} (prod-project), API key {public} (its private key is in docs/default-seed.md)\n\
             \nThe CLI, in another shell:\n  export MONGODB_ATLAS_BASE_URL={base}\n  export DUCTAPE_CLUSTER_CA_FILE={ca}\n  \
             ductape cloud connections create --name sim\n  \
             ductape cloud connections complete --tag sim --project-id {project} --atlas-public-key {public}   # prompts for the private key\n  \
             ductape cloud connections validate --tag sim\n\
             \nThe SDKs: the options atlas_base_url = \"{base}\" and cluster_ca_file = \"{ca}\" (or the same two variables).\n\
             Import with connection_type \"standard\" (--connection-type standard): the clusters' SRV names exist only in\n\
             Atlas's DNS, while their `standard` strings point at 127.0.0.1. Drivers: pass tlsCAFile={ca}.\n\
             \nCtrl-C stops it.",
            project = seed::PROJECT_ID,
            public = seed::OWNER_PUBLIC_KEY,
        );
    }
    wait_for_stop().await;
    drop(sim);
    0
}

async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
