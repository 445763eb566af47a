//! `atlas-sim [--host 127.0.0.1] [--port 0] [--seed FILE|default] ...`
//! Prints `atlas-sim listening on http://HOST:PORT` as its first line, then serves until
//! SIGTERM or SIGINT.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use atlas_sim::{Fault, RateLimits, Seed, Sim, SimConfig};

const USAGE: &str = "usage: atlas-sim [--host 127.0.0.1] [--port 0] [--seed FILE|default]
                 [--nonce-ttl-secs N] [--token-ttl-secs N] [--no-rate-limit] [--no-rate-limit-headers]
                 [--rate-limit-capacity N] [--rate-limit-refill-per-sec X]
                 [--access-list-delay-ms N] [--user-apply-delay-ms N] [--cluster-create-ms N]
                 [--fault JSON]... [--fault-seed N] [--no-client-ip-header]
                 [--no-data-plane] [--ca-file PATH]";

fn parse_args() -> Result<SimConfig, String> {
    let mut cfg = SimConfig::default();
    let mut host: IpAddr = [127, 0, 0, 1].into();
    let mut port: u16 = 0;
    let mut args = std::env::args().skip(1);
    let mut capacity: Option<u32> = None;
    let mut refill: Option<f64> = None;
    while let Some(a) = args.next() {
        let mut val = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match a.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            "--host" => host = val("--host")?.parse().map_err(|e| format!("--host: {e}"))?,
            "--port" => port = val("--port")?.parse().map_err(|e| format!("--port: {e}"))?,
            "--seed" => {
                let v = val("--seed")?;
                if v != "default" {
                    let text = std::fs::read_to_string(&v).map_err(|e| format!("--seed {v}: {e}"))?;
                    cfg.seed = Seed::from_json(&text).map_err(|e| format!("--seed {v}: {e}"))?;
                }
            }
            "--nonce-ttl-secs" => cfg.nonce_ttl = secs(&val("--nonce-ttl-secs")?)?,
            "--token-ttl-secs" => cfg.token_ttl = secs(&val("--token-ttl-secs")?)?,
            "--no-rate-limit" => cfg.rate_limit = false,
            "--no-rate-limit-headers" => cfg.rate_limit_headers = false,
            "--rate-limit-capacity" => {
                capacity = Some(val("--rate-limit-capacity")?.parse().map_err(|e| format!("{e}"))?)
            }
            "--rate-limit-refill-per-sec" => {
                refill = Some(val("--rate-limit-refill-per-sec")?.parse().map_err(|e| format!("{e}"))?)
            }
            "--access-list-delay-ms" => cfg.access_list_activation_delay = ms(&val("--access-list-delay-ms")?)?,
            "--user-apply-delay-ms" => cfg.user_apply_delay = ms(&val("--user-apply-delay-ms")?)?,
            "--cluster-create-ms" => cfg.cluster_create_duration = Some(ms(&val("--cluster-create-ms")?)?),
            "--fault" => {
                let f: Fault = serde_json::from_str(&val("--fault")?).map_err(|e| format!("--fault: {e}"))?;
                cfg.faults.push(f);
            }
            "--fault-seed" => {
                cfg.fault_seed = val("--fault-seed")?.parse().map_err(|e| format!("--fault-seed: {e}"))?
            }
            "--no-client-ip-header" => cfg.trust_client_ip_header = false,
            "--no-data-plane" => cfg.data_plane.enabled = false,
            "--ca-file" => cfg.data_plane.ca_file = Some(val("--ca-file")?.into()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    if capacity.is_some() || refill.is_some() {
        cfg.rate_limits = RateLimits::uniform(capacity.unwrap_or(1200), refill.unwrap_or(120.0));
    }
    cfg.bind = SocketAddr::new(host, port);
    Ok(cfg)
}

fn secs(v: &str) -> Result<Duration, String> {
    v.parse::<f64>().ok().filter(|x| *x >= 0.0).map(Duration::from_secs_f64).ok_or_else(|| format!("bad seconds {v}"))
}

fn ms(v: &str) -> Result<Duration, String> {
    v.parse::<u64>().map(Duration::from_millis).map_err(|_| format!("bad milliseconds {v}"))
}

fn main() {
    let cfg = match parse_args() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("atlas-sim: {e}");
            std::process::exit(2);
        }
    };
    let sim = match Sim::start_blocking(cfg) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("atlas-sim: {e}");
            std::process::exit(1);
        }
    };
    println!("atlas-sim listening on {}", sim.base_url());
    let _ = std::io::stdout().flush();
    // Other scripts parse the first stdout line: the data plane is described on stderr.
    if let Some(dp) = sim.data_plane() {
        for line in dp.banner() {
            eprintln!("{line}");
        }
        eprintln!("atlas-sim data plane: connect with a cluster's connectionStrings.standard and the CA file (also at {}/__sim/dataplane/ca.pem)", sim.base_url());
    }
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        #[cfg(unix)]
        {
            let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("signal");
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    });
    drop(sim);
}
