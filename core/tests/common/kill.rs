//! Killing a child process (kill -9) at a test-only pause point (`store::debug_pause`, builds
//! with the `debug-operations` feature): the child is this test binary running one `child` test,
//! which stops at `stage` after creating a marker file; then it is killed, with no destructor,
//! rollback or rename running.

use std::path::Path;
use std::time::{Duration, Instant};

/// Runs test `child` of this binary with `envs` and `DUCTAPE_DEBUG_PAUSE=<stage>:<marker>`, waits
/// until it reaches `stage` (at most 60 s) and kills it with SIGKILL.
pub fn kill_child_at(child: &str, stage: &str, marker: &Path, envs: &[(&str, &str)]) {
    let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", child, "--nocapture", "--test-threads=1"])
        .env("DUCTAPE_DEBUG_PAUSE", format!("{stage}:{}", marker.display()))
        .stdout(std::process::Stdio::null());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut process = cmd.spawn().unwrap();
    let started = Instant::now();
    while !marker.exists() {
        if let Some(status) = process.try_wait().unwrap() {
            panic!("{child} exited before its pause point {stage}: {status}");
        }
        assert!(started.elapsed() < Duration::from_secs(60), "{child} never reached {stage}");
        std::thread::sleep(Duration::from_millis(5));
    }
    process.kill().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(process.wait().unwrap().signal(), Some(9));
    let _ = std::fs::remove_file(marker);
}
