//! The workspace key: 32 random bytes, from the environment or a key file made on first use.

use super::SecretString;
use crate::error::{Error, ErrorCode, Result};
use base64::Engine;
use rand::RngCore;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Environment variable holding the workspace key (standard base64 of 32 bytes).
pub const KEY_ENV: &str = "DUCTAPE_WORKSPACE_KEY";
/// The key file inside the workspace directory, used when no key is given.
pub const KEY_FILE_NAME: &str = "workspace.key";

/// Where the key came from, for messages (never the key itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    Option,
    Env,
    File(PathBuf),
}

impl fmt::Display for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeySource::Option => f.write_str("the workspace_key option"),
            KeySource::Env => write!(f, "${KEY_ENV}"),
            KeySource::File(p) => write!(f, "the key file {}", p.display()),
        }
    }
}

pub struct WorkspaceKey {
    bytes: [u8; 32],
    source: KeySource,
}

impl fmt::Debug for WorkspaceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkspaceKey").field("bytes", &"[redacted]").field("source", &self.source).finish()
    }
}

impl Drop for WorkspaceKey {
    fn drop(&mut self) {
        self.bytes.iter_mut().for_each(|b| *b = 0);
    }
}

impl WorkspaceKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        WorkspaceKey { bytes, source: KeySource::Option }
    }

    pub fn bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    pub fn source(&self) -> &KeySource {
        &self.source
    }

    /// Generates a new random key, encoded as the environment variable expects it.
    pub fn generate_base64() -> SecretString {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        SecretString::new(base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    /// Parses a base64 key (standard or URL-safe alphabet, padding optional).
    pub fn parse(text: &str, source: KeySource) -> Result<Self> {
        let text = text.trim();
        let engines = [
            &base64::engine::general_purpose::STANDARD,
            &base64::engine::general_purpose::STANDARD_NO_PAD,
            &base64::engine::general_purpose::URL_SAFE,
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ];
        let decoded = engines.iter().find_map(|e| e.decode(text).ok());
        match decoded {
            Some(v) if v.len() == 32 => {
                let mut bytes = [0u8; 32];
                bytes.copy_from_slice(&v);
                Ok(WorkspaceKey { bytes, source })
            }
            _ => Err(Error::new(
                ErrorCode::Workspace,
                format!("the workspace key from {source} must be 32 bytes encoded in base64 (e.g. `openssl rand -base64 32`)"),
            )),
        }
    }

    /// Resolves the key: `explicit` (the option), else `$DUCTAPE_WORKSPACE_KEY`, else the key
    /// file in `dir`, created (mode 0600) with a random key if missing.
    pub fn resolve(dir: &Path, explicit: Option<&SecretString>) -> Result<Self> {
        if let Some(k) = explicit {
            return Self::parse(k.expose(), KeySource::Option);
        }
        if let Ok(v) = std::env::var(KEY_ENV) {
            if !v.trim().is_empty() {
                let v = SecretString::new(v);
                return Self::parse(v.expose(), KeySource::Env);
            }
        }
        Self::load_or_create_file(&dir.join(KEY_FILE_NAME))
    }

    fn load_or_create_file(path: &Path) -> Result<Self> {
        let source = KeySource::File(path.to_path_buf());
        match std::fs::read_to_string(path) {
            Ok(text) => {
                warn_if_readable_by_others(path);
                let text = SecretString::new(text);
                return Self::parse(text.expose(), source);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_error(path, "read", e)),
        }
        // Write the new key to a private temporary file, then hard-link it into place: the link
        // fails if another process won the race, and nobody ever sees a half-written key file.
        let encoded = Self::generate_base64();
        let tmp = path.with_extension(format!("key.tmp.{}.{}", std::process::id(), rand::random::<u32>()));
        {
            let mut f = create_private(&tmp).map_err(|e| io_error(&tmp, "create", e))?;
            f.write_all(encoded.expose().as_bytes())
                .and_then(|_| f.write_all(b"\n"))
                .and_then(|_| f.sync_all())
                .map_err(|e| {
                    let _ = std::fs::remove_file(&tmp);
                    io_error(&tmp, "write", e)
                })?;
        }
        let linked = std::fs::hard_link(&tmp, path);
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => {
                tracing::info!(path = %path.display(), "generated a new workspace key file");
                Self::parse(encoded.expose(), source)
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let text = std::fs::read_to_string(path).map_err(|e| io_error(path, "read", e))?;
                let text = SecretString::new(text);
                Self::parse(text.expose(), source)
            }
            Err(e) => Err(io_error(path, "create", e)),
        }
    }
}

fn io_error(path: &Path, what: &str, e: std::io::Error) -> Error {
    Error::new(ErrorCode::Workspace, format!("could not {what} the workspace key file {}: {e}", path.display()))
}

#[cfg(unix)]
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)
}

#[cfg(not(unix))]
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new().write(true).create_new(true).open(path)
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(m) = std::fs::metadata(path) {
        if m.permissions().mode() & 0o077 != 0 {
            tracing::warn!(path = %path.display(), "the workspace key file is readable by other users; run chmod 600 on it");
        }
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_is_created_once_private_and_reused() {
        let dir = std::env::temp_dir().join(format!("ductape-key-test-{}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(KEY_FILE_NAME);
        let a = WorkspaceKey::load_or_create_file(&path).unwrap();
        let b = WorkspaceKey::load_or_create_file(&path).unwrap();
        assert_eq!(a.bytes(), b.bytes());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert!(format!("{a:?}").contains("[redacted]"));
        // no temporary files left behind
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn parse_rejects_bad_keys() {
        assert!(WorkspaceKey::parse("short", KeySource::Env).is_err());
        let k = WorkspaceKey::generate_base64();
        assert!(WorkspaceKey::parse(k.expose(), KeySource::Env).is_ok());
        let e = WorkspaceKey::parse("AAAA", KeySource::Env).unwrap_err();
        assert!(e.message.contains("DUCTAPE_WORKSPACE_KEY"));
    }
}
