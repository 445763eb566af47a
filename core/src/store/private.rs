//! Files and directories readable by their owner only. The workspace directory and the key
//! file are trusted only when nobody else can change them (directory) or read them (key file):
//! a directory another user can write lets them swap the database or the key file, and a key
//! file others can read gives them every secret. Found otherwise, they are refused with the
//! command that fixes them; nothing is created or changed.

use crate::error::{Error, ErrorCode, Result};
use std::path::Path;

fn workspace_error(message: String) -> Error {
    Error::new(ErrorCode::Workspace, message)
}

/// Creates the workspace directory (0700) if it does not exist, then checks it (see
/// [`check_private_dir`]).
pub fn create_private_dir(dir: &Path) -> Result<()> {
    let err =
        |e: std::io::Error| workspace_error(format!("could not create the workspace directory {}: {e}", dir.display()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        if !dir.exists() {
            match std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(err(e)),
            }
        }
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir).map_err(err)?;
    check_private_dir(dir)
}

/// The effective user id of this process.
#[cfg(unix)]
pub fn effective_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Refuses a workspace directory owned by another user, or writable by group or others.
#[cfg(unix)]
pub fn check_private_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let shown = dir.display();
    let m = std::fs::metadata(dir)
        .map_err(|e| workspace_error(format!("could not read the workspace directory {shown}: {e}")))?;
    if !m.is_dir() {
        return Err(workspace_error(format!("the workspace directory {shown} is not a directory")));
    }
    let me = effective_uid();
    if m.uid() != me {
        return Err(workspace_error(format!(
            "the workspace directory {shown} is owned by another user (uid {}), who could replace its files; use a \
             directory of your own, or make it yours: chown {me} {shown}",
            m.uid()
        )));
    }
    let mode = m.permissions().mode() & 0o777;
    if mode & 0o022 != 0 {
        return Err(workspace_error(format!(
            "the workspace directory {shown} is writable by other users (mode {mode:03o}), who could replace its \
             files; run chmod 700 {shown}"
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
pub fn check_private_dir(_dir: &Path) -> Result<()> {
    Ok(())
}

/// Refuses a key file that group or others may read or write.
#[cfg(unix)]
pub fn check_private_file(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let shown = path.display();
    let m = std::fs::metadata(path)
        .map_err(|e| workspace_error(format!("could not read the workspace key file {shown}: {e}")))?;
    let mode = m.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(workspace_error(format!(
            "the workspace key file {shown} is readable by other users (mode {mode:03o}); run chmod 600 {shown} \
             (a mounted secret needs mode 0400 or 0600)"
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
pub fn check_private_file(_path: &Path) -> Result<()> {
    Ok(())
}

/// Makes a new directory entry durable: a file linked or renamed into `dir` is only on disk
/// once the directory itself is synced.
#[cfg(unix)]
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(test)]
    tests::DIR_SYNCS.with(|n| n.set(n.get() + 1));
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
pub fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

/// Sets a file the workspace made to 0600.
pub fn restrict_file(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
pub(crate) mod tests {
    use std::cell::Cell;

    thread_local! {
        /// How many directories this thread synced (a test's own count: tests run on threads).
        pub(crate) static DIR_SYNCS: Cell<usize> = const { Cell::new(0) };
    }
}
