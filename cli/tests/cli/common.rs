//! Running the built binary with a clean environment.

use atlas_sim::seed;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub const SECRETS: [&str; 3] = [seed::OWNER_PRIVATE_KEY, "bfd1494b-ab37-4a06-941b-e554ca5ddad1", "mdb_sa_sk_"];

/// A fresh directory for one test's workspace.
pub fn workspace(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ductape-cli-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// `ductape ARGS` with no MONGODB_ATLAS_*, DUCTAPE_* or NO_COLOR from the caller's environment.
pub fn ductape(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ductape"));
    c.args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("MONGODB_ATLAS_") || k.starts_with("DUCTAPE_") || k == "NO_COLOR" {
            c.env_remove(k);
        }
    }
    c
}

pub struct Run {
    pub code: Option<i32>,
    pub out: String,
    pub err: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.out).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", self.out, self.err))
    }

    pub fn assert_no_secret(&self) {
        for s in SECRETS {
            assert!(
                !self.out.contains(s) && !self.err.contains(s),
                "a secret was printed:\n{}\n{}",
                self.out,
                self.err
            );
        }
    }
}

pub fn run_with(mut c: Command, stdin: Option<&str>) -> Run {
    c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    let o = child.wait_with_output().unwrap();
    Run {
        code: o.status.code(),
        out: String::from_utf8_lossy(&o.stdout).into_owned(),
        err: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// The CLI on one workspace and one simulator.
pub struct Cli {
    pub dir: PathBuf,
    pub base_url: String,
}

impl Cli {
    pub fn new(name: &str, base_url: &str) -> Cli {
        Cli { dir: workspace(name), base_url: base_url.to_string() }
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = ductape(args);
        c.env("DUCTAPE_WORKSPACE_DIR", &self.dir).env("MONGODB_ATLAS_BASE_URL", &self.base_url);
        c
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_in(args, None)
    }

    pub fn run_in(&self, args: &[&str], stdin: Option<&str>) -> Run {
        let r = run_with(self.command(args), stdin);
        r.assert_no_secret();
        r
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Cli {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
