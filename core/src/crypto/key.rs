//! The workspace key: 32 random bytes, from the environment or a key file made on first use.

use super::SecretString;
use crate::error::{Error, ErrorCode, Result};
use base64::Engine;
use rand::RngCore;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use zeroize::{Zeroize, Zeroizing};

/// Environment variable holding the workspace key (standard base64 of 32 bytes).
pub const KEY_ENV: &str = "DUCTAPE_WORKSPACE_KEY";
/// Environment variable naming a file that holds the workspace key (e.g. a mounted secret).
pub const KEY_FILE_ENV: &str = "DUCTAPE_WORKSPACE_KEY_FILE";
/// The key file inside the workspace directory, used when no key is given.
pub const KEY_FILE_NAME: &str = "workspace.key";
/// Where `workspace.rotateKey` puts the new key before its transaction commits (beside the key file).
pub const PENDING_KEY_SUFFIX: &str = ".new";

/// Where the key came from, for messages (never the key itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    Option,
    Env,
    /// The workspace's own key file, generated on first use.
    File(PathBuf),
    /// A key file named by the `workspace_key_file` option or `$DUCTAPE_WORKSPACE_KEY_FILE`.
    NamedFile(PathBuf),
}

impl KeySource {
    /// The name a reply gives this source: `workspace_file`, `option`, `env` or `named_file`.
    pub fn kind(&self) -> &'static str {
        match self {
            KeySource::Option => "option",
            KeySource::Env => "env",
            KeySource::File(_) => "workspace_file",
            KeySource::NamedFile(_) => "named_file",
        }
    }
}

/// The rotated key's file beside `key_file` (`workspace.key.new`).
pub fn pending_key_path(key_file: &Path) -> PathBuf {
    let mut name = key_file.as_os_str().to_os_string();
    name.push(PENDING_KEY_SUFFIX);
    PathBuf::from(name)
}

impl fmt::Display for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeySource::Option => f.write_str("the workspace_key option"),
            KeySource::Env => write!(f, "${KEY_ENV}"),
            KeySource::File(p) => write!(f, "the key file {}", p.display()),
            KeySource::NamedFile(p) => {
                write!(f, "the key file {} (workspace_key_file or ${KEY_FILE_ENV})", p.display())
            }
        }
    }
}

pub struct WorkspaceKey {
    bytes: [u8; 32],
    source: KeySource,
    /// Made by this resolution (the workspace's key file did not exist): the workspace may
    /// already be sealed under another key, which a new key can never open.
    generated: bool,
}

impl fmt::Debug for WorkspaceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkspaceKey").field("bytes", &"[redacted]").field("source", &self.source).finish()
    }
}

impl Drop for WorkspaceKey {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

impl WorkspaceKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        WorkspaceKey { bytes, source: KeySource::Option, generated: false }
    }

    pub fn bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    pub fn source(&self) -> &KeySource {
        &self.source
    }

    /// Whether this key was generated just now, into the workspace's key file.
    pub fn generated(&self) -> bool {
        self.generated
    }

    /// Reads a private key file (mode 0600/0400) written by this library or its user.
    pub fn load_private_file(path: &Path, source: KeySource) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| io_error(path, "read", e))?;
        let text = SecretString::new(text);
        crate::store::private::check_private_file(path)?;
        Self::parse(text.expose(), source)
    }

    /// Generates a new random key, encoded as the environment variable expects it.
    pub fn generate_base64() -> SecretString {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(bytes.as_mut());
        SecretString::new(base64::engine::general_purpose::STANDARD.encode(bytes.as_ref()))
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
        let decoded = engines.iter().find_map(|e| e.decode(text).ok()).map(Zeroizing::new);
        match decoded {
            Some(ref v) if v.len() == 32 => {
                let mut bytes = [0u8; 32];
                bytes.copy_from_slice(v);
                Ok(WorkspaceKey { bytes, source, generated: false })
            }
            _ => Err(Error::new(
                ErrorCode::Workspace,
                format!("the workspace key from {source} must be 32 bytes encoded in base64 (e.g. `openssl rand -base64 32`)"),
            )),
        }
    }

    /// Resolves the key, first found: the `workspace_key` option, the `workspace_key_file`
    /// option, `$DUCTAPE_WORKSPACE_KEY`, `$DUCTAPE_WORKSPACE_KEY_FILE`, else the key file in `dir`,
    /// created (mode 0600) with a random key if missing. A variable set but blank is an error,
    /// not a silent fall back to another key.
    pub fn resolve(dir: &Path, option_key: Option<&SecretString>, option_file: Option<&Path>) -> Result<Self> {
        if let Some(k) = option_key {
            return Self::parse(k.expose(), KeySource::Option);
        }
        if let Some(p) = option_file {
            return Self::load_named_file(p);
        }
        let (key, file) = (env_value(KEY_ENV)?, env_value(KEY_FILE_ENV)?);
        match (key, file) {
            (Some(_), Some(_)) => Err(Error::new(
                ErrorCode::Workspace,
                format!("both ${KEY_ENV} and ${KEY_FILE_ENV} are set; unset one of them"),
            )),
            (Some(k), None) => Self::parse(k.expose(), KeySource::Env),
            (None, Some(p)) => Self::load_named_file(Path::new(p.expose())),
            (None, None) => Self::load_or_create_file(&dir.join(KEY_FILE_NAME)),
        }
    }

    /// A key file someone else provides (a mounted secret): it must exist and be private.
    fn load_named_file(path: &Path) -> Result<Self> {
        crate::store::private::check_private_file(path)?;
        Self::load_private_file(path, KeySource::NamedFile(path.to_path_buf()))
    }

    fn load_or_create_file(path: &Path) -> Result<Self> {
        let source = KeySource::File(path.to_path_buf());
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let text = SecretString::new(text);
                crate::store::private::check_private_file(path)?;
                return Self::parse(text.expose(), source);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_error(path, "read", e)),
        }
        // Write the new key to a private temporary file, then hard-link it into place: the link
        // fails if another process won the race, and nobody ever sees a half-written key file.
        let encoded = Self::generate_base64();
        let tmp = write_private_temp(path, &encoded)?;
        let linked = link_durably(&tmp, path);
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => {
                tracing::info!(path = %path.display(), "generated a new workspace key file");
                let mut key = Self::parse(encoded.expose(), source)?;
                key.generated = true;
                Ok(key)
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Self::load_private_file(path, source),
            Err(e) => Err(io_error(path, "create", e)),
        }
    }
}

/// The value of a key variable: `None` when unset; set but blank (or not UTF-8) is an error.
fn env_value(name: &str) -> Result<Option<SecretString>> {
    let Some(v) = std::env::var_os(name) else { return Ok(None) };
    let blank = || {
        Error::new(
            ErrorCode::Workspace,
            format!("${name} is set but blank (or not text); set it to the workspace key, or unset it"),
        )
    };
    let v = SecretString::new(v.into_string().map_err(|_| blank())?);
    if v.expose().trim().is_empty() {
        return Err(blank());
    }
    Ok(Some(v))
}

/// Writes `key` to a new private (0600) temporary file beside `path`, synced to disk.
fn write_private_temp(path: &Path, key: &SecretString) -> Result<PathBuf> {
    let mut name = path.as_os_str().to_os_string();
    name.push(format!(".tmp.{}.{}", std::process::id(), rand::random::<u32>()));
    let tmp = PathBuf::from(name);
    let mut f = create_private(&tmp).map_err(|e| io_error(&tmp, "create", e))?;
    f.write_all(key.expose().as_bytes()).and_then(|_| f.write_all(b"\n")).and_then(|_| f.sync_all()).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io_error(&tmp, "write", e)
    })?;
    Ok(tmp)
}

/// Replaces (or creates) the key file `path` with `key` durably: a private temporary file,
/// synced, renamed over `path`, and the directory synced. A reader sees the old key or the new
/// one, never half a key, and once this returns the new one survives a power cut.
pub fn write_key_file(path: &Path, key: &SecretString) -> Result<()> {
    let tmp = write_private_temp(path, key)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io_error(path, "replace", e)
    })?;
    sync_parent(path)
}

/// Renames `from` over `to` and syncs their directory.
pub fn rename_key_file(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to).map_err(|e| io_error(to, "replace", e))?;
    sync_parent(to)
}

fn sync_parent(path: &Path) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    crate::store::private::sync_dir(dir).map_err(|e| io_error(path, "sync the directory of", e))
}

/// Hard-links `tmp` to `path` (failing if `path` exists) and syncs the directory, so the new
/// key file survives a power cut once this returns.
fn link_durably(tmp: &Path, path: &Path) -> std::io::Result<()> {
    std::fs::hard_link(tmp, path)?;
    crate::store::private::sync_dir(path.parent().unwrap_or(Path::new(".")))
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
    #[cfg(unix)]
    fn sec11_the_key_file_link_is_synced_to_disk() {
        use crate::store::private::tests::DIR_SYNCS;
        let dir = std::env::temp_dir().join(format!("ductape-key-sync-{}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).unwrap();
        let before = DIR_SYNCS.with(|n| n.get());
        WorkspaceKey::load_or_create_file(&dir.join(KEY_FILE_NAME)).unwrap();
        assert_eq!(DIR_SYNCS.with(|n| n.get()), before + 1, "the directory is synced after the link");
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
