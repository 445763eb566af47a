//! Secrets at rest: the workspace key and AEAD encryption (XChaCha20-Poly1305).
//!
//! - [`SecretString`] holds a secret in memory; its `Debug` and `Display` never show the value.
//! - [`WorkspaceKey`] is the 32-byte key: from `DUCTAPE_WORKSPACE_KEY` (or the `workspace_key`
//!   option), else a `workspace.key` file generated on first use, readable by its owner only.
//! - [`Cipher`] seals values with a random 24-byte nonce and binds each ciphertext to where it is
//!   stored (the associated data), so a ciphertext copied to another row does not decrypt.

pub mod key;
mod serde_impl;

pub use key::{WorkspaceKey, KEY_ENV, KEY_FILE_ENV, KEY_FILE_NAME};
pub use serde_impl::{RevealedSecret, SECRET_MARK};

use crate::error::{Error, ErrorCode, Result};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use std::fmt;

/// A secret value. `Debug`/`Display` print `[redacted]`; read it only with [`SecretString::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(String);

impl SecretString {
    pub fn new(value: impl Into<String>) -> Self {
        SecretString(value.into())
    }

    /// The plaintext. Call sites are few and greppable on purpose.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Drop for SecretString {
    fn drop(&mut self) {
        // zeroize's writes are volatile: the optimiser cannot drop them as dead stores.
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

/// Fills `out` from the operating system's random source.
pub fn random_bytes(out: &mut [u8]) {
    rand::rngs::OsRng.fill_bytes(out);
}

/// Ciphertext format version 1: `0x01 || nonce(24) || ciphertext+tag`.
const FORMAT_V1: u8 = 1;
const NONCE_LEN: usize = 24;

/// Seals and opens secrets under the workspace key.
pub struct Cipher {
    aead: XChaCha20Poly1305,
}

impl fmt::Debug for Cipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cipher([redacted])")
    }
}

impl Cipher {
    pub fn new(key: &WorkspaceKey) -> Self {
        Cipher { aead: XChaCha20Poly1305::new(key.bytes().into()) }
    }

    /// Encrypts `plaintext`, bound to `aad` (e.g. `connection:<id>:atlas_private_key`).
    pub fn seal(&self, plaintext: &[u8], aad: &str) -> Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .aead
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext, aad: aad.as_bytes() })
            .map_err(|_| Error::new(ErrorCode::Internal, "encryption failed"))?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        out.push(FORMAT_V1);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Decrypts a value sealed by [`Cipher::seal`] with the same `aad`. A wrong key or a
    /// tampered value is a `workspace` error, never garbage.
    pub fn open(&self, sealed: &[u8], aad: &str) -> Result<Vec<u8>> {
        if sealed.len() < 1 + NONCE_LEN + 16 || sealed[0] != FORMAT_V1 {
            return Err(Error::new(
                ErrorCode::Workspace,
                format!("stored secret ({aad}) is corrupt or in an unknown format"),
            ));
        }
        let nonce = XNonce::from_slice(&sealed[1..1 + NONCE_LEN]);
        self.aead.decrypt(nonce, Payload { msg: &sealed[1 + NONCE_LEN..], aad: aad.as_bytes() }).map_err(|_| {
            Error::new(
                ErrorCode::Workspace,
                format!(
                    "stored secret ({aad}) could not be decrypted: the workspace key does not match the one it was \
                     encrypted with, or the workspace file was altered"
                ),
            )
        })
    }

    pub fn seal_secret(&self, secret: &SecretString, aad: &str) -> Result<Vec<u8>> {
        self.seal(secret.expose().as_bytes(), aad)
    }

    pub fn open_secret(&self, sealed: &[u8], aad: &str) -> Result<SecretString> {
        let bytes = self.open(sealed, aad)?;
        String::from_utf8(bytes)
            .map(SecretString::new)
            .map_err(|_| Error::new(ErrorCode::Workspace, format!("stored secret ({aad}) is not valid UTF-8")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_binding() {
        let key = WorkspaceKey::from_bytes([7u8; 32]);
        let c = Cipher::new(&key);
        let sealed = c.seal(b"hello canary", "a").unwrap();
        assert!(!sealed.windows(6).any(|w| w == b"canary"));
        assert_eq!(c.open(&sealed, "a").unwrap(), b"hello canary");
        // other associated data: refused
        let e = c.open(&sealed, "b").unwrap_err();
        assert_eq!(e.code, ErrorCode::Workspace);
        // other key: refused with a clear message
        let other = Cipher::new(&WorkspaceKey::from_bytes([8u8; 32]));
        let e = other.open(&sealed, "a").unwrap_err();
        assert!(e.message.contains("workspace key does not match"), "{}", e.message);
        // tampering: refused
        let mut t = sealed.clone();
        let n = t.len() - 1;
        t[n] ^= 1;
        assert!(c.open(&t, "a").is_err());
        assert!(c.open(&[1, 2, 3], "a").is_err());
        // random nonces: two seals differ
        assert_ne!(c.seal(b"x", "a").unwrap(), c.seal(b"x", "a").unwrap());
    }

    #[test]
    fn secret_string_is_redacted() {
        let s = SecretString::new("canary-123");
        assert_eq!(format!("{s:?} {s}"), "[redacted] [redacted]");
        assert_eq!(s.expose(), "canary-123");
    }
}
