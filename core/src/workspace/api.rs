//! Requests and replies of `workspace.*` (the registry, `ops/registry.rs`, points here).

use crate::crypto::{RevealedSecret, SecretString};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `workspace.rotateKey`
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateKeyRequest {
    /// The new workspace key (base64 of 32 bytes, e.g. `openssl rand -base64 32`). Omitted: a
    /// fresh random key.
    #[serde(default)]
    pub new_key: Option<SecretString>,
}

/// What `workspace.rotateKey` did, and where the new key is.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RotateKeyReply {
    /// How many stored secrets were re-encrypted under the new key.
    pub rotated: usize,
    /// Where the workspace key comes from: `workspace_file` (the workspace's own `workspace.key`:
    /// the new key was written there), `option` (`workspace_key`), `env` (`$DUCTAPE_WORKSPACE_KEY`)
    /// or `named_file` (`workspace_key_file` / `$DUCTAPE_WORKSPACE_KEY_FILE`). For the last three
    /// the library cannot store the new key: put it there before the workspace is next opened.
    pub key_source: String,
    /// Whether the library stored the new key where the next open reads it (only `workspace_file`).
    pub key_stored: bool,
    /// The new key, answered this once, when this call generated it (no `new_key` was given) and
    /// `key_stored` is false: store it before the workspace is next opened, or the workspace's
    /// secrets are lost. Marked secret; absent otherwise (a given key is not echoed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_key: Option<RevealedSecret>,
}
