//! The demo's temporary workspace.

use std::path::PathBuf;

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
            let path = parent.join(format!("ductape-demo-{}", random_hex()));
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
