//! The workspace itself: `workspace.rotateKey`, which moves every stored secret to a new
//! workspace key in one transaction (see [`crate::store::Store::rotate_key`] for how a crash
//! at any point leaves a key that opens everything).

pub mod api;

use crate::crypto::key::KeySource;
use crate::crypto::{Cipher, RevealedSecret, WorkspaceKey};
use crate::error::{Error, Result};
use crate::Ductape;
use api::{RotateKeyReply, RotateKeyRequest};

/// Every feature's sealed values: connection credentials, workspace secrets, component URLs.
fn reseal_everything(tx: &crate::store::Transaction, old: &Cipher, new: &Cipher) -> Result<usize> {
    Ok(crate::connections::reseal_secrets(tx, old, new)?
        + crate::secrets::reseal(tx, old, new)?
        + crate::products::reseal(tx, old, new)?)
}

pub async fn rotate_key(d: &Ductape, req: RotateKeyRequest) -> Result<RotateKeyReply> {
    let given = req.new_key;
    if given.as_ref().is_some_and(|k| k.expose().trim().is_empty()) {
        return Err(Error::invalid("new_key", "new_key is blank; omit it for a fresh random key"));
    }
    let generated = given.is_none();
    let text = given.unwrap_or_else(WorkspaceKey::generate_base64);
    let store = d.store().await?;
    let source = store.key_source();
    let new_key = WorkspaceKey::parse(text.expose(), source.clone()).map_err(|_| {
        Error::invalid("new_key", "new_key must be 32 bytes encoded in base64 (e.g. `openssl rand -base64 32`)")
    })?;
    let rotated = store.rotate_key_async(new_key, text.clone(), reseal_everything).await?;
    let key_stored = matches!(rotated.source, KeySource::File(_));
    Ok(RotateKeyReply {
        rotated: rotated.resealed,
        key_source: source.kind().to_string(),
        key_stored,
        new_key: (generated && !key_stored).then(|| RevealedSecret(text)),
    })
}
