//! TLS as on Atlas: every listener speaks TLS only, with a server certificate that a CA made at
//! start-up signed. The CA certificate is written to a file (clients pass it as their CA file)
//! and served by the control API; its key never leaves memory.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio_rustls::rustls;
use tokio_rustls::TlsAcceptor;

pub struct Tls {
    pub ca_pem: String,
    pub ca_file: PathBuf,
    /// The directory made for the CA file, removed on drop (`None` when the caller chose the path).
    own_dir: Option<PathBuf>,
    pub acceptor: TlsAcceptor,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls").field("ca_file", &self.ca_file).finish_non_exhaustive()
    }
}

fn io_err(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(format!("data plane TLS: {e}"))
}

/// Valid from a day ago for two years: clocks differ a little, and Java refuses the far-future
/// dates that rcgen uses by default less gracefully than the other drivers.
fn validity(p: &mut rcgen::CertificateParams) {
    let now = std::time::SystemTime::now();
    p.not_before = (now - std::time::Duration::from_secs(86_400)).into();
    p.not_after = (now + std::time::Duration::from_secs(2 * 365 * 86_400)).into();
}

fn make_ca() -> Result<(rcgen::Certificate, rcgen::KeyPair), rcgen::Error> {
    let key = rcgen::KeyPair::generate()?;
    let mut p = rcgen::CertificateParams::new(Vec::<String>::new())?;
    p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    p.distinguished_name.push(rcgen::DnType::CommonName, "atlas-sim data plane CA (generated at start-up)");
    p.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign, rcgen::KeyUsagePurpose::CrlSign];
    validity(&mut p);
    Ok((p.self_signed(&key)?, key))
}

/// A server certificate for the loopback names and the address the listeners bind.
fn make_leaf(
    ca: &rcgen::Certificate,
    ca_key: &rcgen::KeyPair,
    host: IpAddr,
) -> Result<(rcgen::Certificate, rcgen::KeyPair), rcgen::Error> {
    let key = rcgen::KeyPair::generate()?;
    let mut names = vec!["localhost".to_string(), "127.0.0.1".to_string(), "::1".to_string()];
    if !host.is_unspecified() && !host.is_loopback() {
        names.push(host.to_string());
    }
    let mut p = rcgen::CertificateParams::new(names)?;
    p.distinguished_name.push(rcgen::DnType::CommonName, "atlas-sim data plane");
    p.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    validity(&mut p);
    Ok((p.signed_by(&key, ca, ca_key)?, key))
}

fn acceptor(leaf: &rcgen::Certificate, key: &rcgen::KeyPair) -> std::io::Result<TlsAcceptor> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io_err)?
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            rustls::pki_types::PrivatePkcs8KeyDer::from(key.serialize_der()).into(),
        )
        .map_err(io_err)?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

fn write_ca(pem: &str, path: Option<&Path>) -> std::io::Result<(PathBuf, Option<PathBuf>)> {
    if let Some(p) = path {
        std::fs::write(p, pem)?;
        return Ok((p.to_path_buf(), None));
    }
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("atlas-sim-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("ca.pem");
    std::fs::write(&file, pem)?;
    Ok((file, Some(dir)))
}

impl Tls {
    pub fn generate(host: IpAddr, ca_file: Option<&Path>) -> std::io::Result<Tls> {
        let (ca, ca_key) = make_ca().map_err(io_err)?;
        let (leaf, leaf_key) = make_leaf(&ca, &ca_key, host).map_err(io_err)?;
        let ca_pem = ca.pem();
        let (ca_file, own_dir) = write_ca(&ca_pem, ca_file)?;
        Ok(Tls { acceptor: acceptor(&leaf, &leaf_key)?, ca_pem, ca_file, own_dir })
    }
}

impl Drop for Tls {
    fn drop(&mut self) {
        if let Some(d) = &self.own_dir {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}
