//! The main job: the product page's calls, in order, printing each reply.

use crate::target;
use ductape_core::{Ductape, Options};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::ExitCode;

pub struct Args {
    tag: String,
    workspace_dir: Option<PathBuf>,
}

impl Args {
    pub fn parse(args: &[String]) -> Result<Args, String> {
        let mut parsed = Args { tag: "prod_atlas".into(), workspace_dir: None };
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
            match flag.as_str() {
                "--tag" => parsed.tag = value.clone(),
                "--workspace-dir" => parsed.workspace_dir = Some(PathBuf::from(value)),
                other => return Err(format!("unknown option {other}")),
            }
        }
        Ok(parsed)
    }
}

pub async fn run(args: Args) -> ExitCode {
    let target = match target::choose().await {
        Ok(t) => t,
        Err(e) => {
            eprintln!("ductape: {e}");
            return ExitCode::FAILURE;
        }
    };
    // A fresh workspace per run unless one is named, so the demo never trips over an old tag.
    let temporary = match &args.workspace_dir {
        Some(_) => None,
        None => match TempWorkspace::create() {
            Ok(t) => Some(t),
            Err(e) => {
                eprintln!("ductape: could not create a temporary workspace: {e}");
                return ExitCode::FAILURE;
            }
        },
    };
    let workspace_dir = match (&args.workspace_dir, &temporary) {
        (Some(d), _) => d.clone(),
        (None, Some(t)) => t.path.clone(),
        (None, None) => unreachable!("a temporary workspace exists when none is named"),
    };
    println!("Atlas: {}", target.description);
    println!("Workspace: {}", workspace_dir.display());
    let options =
        Options { workspace_dir: Some(workspace_dir), atlas_base_url: target.base_url.clone(), ..Default::default() };
    let ductape = match Ductape::open(options) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("ductape: {e}");
            return ExitCode::FAILURE;
        }
    };

    let tag = args.tag.as_str();
    let mut complete = target.credentials.clone();
    complete.insert("tag".into(), json!(tag));
    let steps: Vec<(&str, Value)> = vec![
        ("cloud.connections.create", json!({"provider": "mongodb_atlas", "name": tag, "scopes": ["database"]})),
        ("cloud.connections.complete", Value::Object(complete)),
        ("cloud.connections.validate", json!({ "tag": tag })),
        ("cloud.connections.fetch", json!({ "tag": tag })),
        ("cloud.connections.list", json!({})),
    ];
    let mut failed = 0;
    for (number, (operation, params)) in steps.into_iter().enumerate() {
        println!("\n{}. {operation}", number + 1);
        match ductape.call(operation, params).await {
            Ok(result) => {
                println!("{}", serde_json::to_string_pretty(&result).unwrap_or_default());
                if result.get("valid") == Some(&Value::Bool(false)) {
                    failed += 1;
                }
            }
            Err(e) => {
                println!("error: {e}");
                failed += 1;
            }
        }
    }
    drop(target);
    drop(ductape);
    drop(temporary);
    if failed == 0 {
        println!("\nlifecycle complete: connection '{tag}' is active");
        ExitCode::SUCCESS
    } else {
        println!("\nlifecycle failed: {failed} step(s) did not succeed");
        ExitCode::FAILURE
    }
}

/// A workspace directory of this run only, removed when dropped. Its name is random and it is
/// created exclusively (mode 0700, failing if the name exists), so another user of the temporary
/// directory can neither predict it nor plant one for this run to trust.
pub struct TempWorkspace {
    pub path: PathBuf,
}

impl TempWorkspace {
    pub fn create() -> std::io::Result<TempWorkspace> {
        Self::create_in(&std::env::temp_dir())
    }

    pub fn create_in(parent: &std::path::Path) -> std::io::Result<TempWorkspace> {
        let mut last = None;
        for _ in 0..16 {
            let path = parent.join(format!("ductape-lifecycle-{}", random_hex()));
            match make_private_dir(&path) {
                Ok(()) => return Ok(TempWorkspace { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| std::io::Error::other("no free temporary name")))
    }
}

impl Drop for TempWorkspace {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(unix)]
fn make_private_dir(path: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().mode(0o700).create(path)
}

#[cfg(not(unix))]
fn make_private_dir(path: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir(path)
}

/// 128 random bits from the operating system, as hex.
fn random_hex() -> String {
    let mut bytes = [0u8; 16];
    // std has no random source; the key generator's is the OS's.
    ductape_core::crypto::random_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sec01_temporary_workspaces_are_random_private_exclusive_and_removed() {
        let parent = std::env::temp_dir().join(format!("ductape-cli-tmp-{}", random_hex()));
        std::fs::create_dir(&parent).unwrap();
        let a = TempWorkspace::create_in(&parent).unwrap();
        let b = TempWorkspace::create_in(&parent).unwrap();
        assert_ne!(a.path, b.path);
        assert!(!a.path.to_string_lossy().contains(&std::process::id().to_string()), "not predictable from the pid");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&a.path).unwrap().permissions().mode() & 0o777, 0o700);
        }
        // an existing directory is never taken over
        assert_eq!(make_private_dir(&a.path).unwrap_err().kind(), std::io::ErrorKind::AlreadyExists);
        std::fs::write(a.path.join("workspace.db"), b"x").unwrap();
        drop(a);
        drop(b);
        assert_eq!(std::fs::read_dir(&parent).unwrap().count(), 0, "removed afterwards");
        std::fs::remove_dir(&parent).unwrap();
    }
}
