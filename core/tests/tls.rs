//! Corporate networks (security review item 15): extra CA certificates (`ca_file`,
//! `$DUCTAPE_CA_FILE`) over real TLS, the trust roots (`tls_roots`), and proxies from the
//! environment. The tests set process-wide variables, so they take turns (one lock).

mod common;

use common::*;
use ductape_core::atlas::Credentials;
use ductape_core::crypto::SecretString;
use ductape_core::{Ductape, ErrorCode, Options};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls;

static ENV: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const VARS: [&str; 5] = ["DUCTAPE_CA_FILE", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"];

fn clear() {
    for v in VARS.iter().chain(["ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"].iter()) {
        std::env::remove_var(v);
    }
}

/// A throw-away CA and a certificate it signed for 127.0.0.1, made for this test run.
struct Pki {
    ca_pem: String,
    acceptor: tokio_rustls::TlsAcceptor,
}

fn pki() -> Pki {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name.push(rcgen::DnType::CommonName, "ductape test CA (throw-away)");
    ca.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign, rcgen::KeyUsagePurpose::CrlSign];
    let ca = ca.self_signed(&ca_key).unwrap();
    let server_key = rcgen::KeyPair::generate().unwrap();
    let server = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&server_key, &ca, &ca_key)
        .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![server.der().clone()],
            rustls::pki_types::PrivatePkcs8KeyDer::from(server_key.serialize_der()).into(),
        )
        .unwrap();
    Pki { ca_pem: ca.pem(), acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)) }
}

/// Serves HTTPS on 127.0.0.1 with the throw-away certificate, answering every request as
/// Atlas answers `GET /api/atlas/v2` (200 with its JSON; no Digest challenge is needed for that). Answers its
/// base URL and a count of requests that got through the handshake.
async fn serve_https(acceptor: tokio_rustls::TlsAcceptor) -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("https://{}", listener.local_addr().unwrap());
    let served = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = Arc::clone(&served);
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let (acceptor, count) = (acceptor.clone(), Arc::clone(&count));
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(sock).await else { return }; // the client refused us
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let body = json!({"apiKey": null, "appName": "MongoDB Atlas"}).to_string();
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.atlas.2023-01-01+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(answer.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (base, served)
}

fn tls_options(base: &str, dir: &Path) -> Options {
    let mut o = options(base, &dir.to_path_buf());
    o.max_retries = Some(0);
    o
}

async fn system_status(d: &Ductape) -> Result<(), ductape_core::Error> {
    let creds = Credentials::ApiKey {
        public_key: "awqxqtif".into(),
        private_key: SecretString::new("00000000-0000-4000-8000-000000000000"),
    };
    d.atlas_client(&creds).system_status().await.map(|_| ()).map_err(ductape_core::Error::from)
}

fn write_ca(dir: &Path, pem: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let p = dir.join("corporate-ca.pem");
    std::fs::write(&p, pem).unwrap();
    p
}

#[tokio::test]
async fn sec15_a_private_ca_is_refused_without_ca_file_and_trusted_with_it() {
    let _turn = ENV.lock().await;
    clear();
    let pki = pki();
    let (base, served) = serve_https(pki.acceptor.clone()).await;
    let dir = temp_workspace("tls");
    let ca = write_ca(&temp_workspace("tls-ca"), &pki.ca_pem);

    // bundled roots (the default) and the system's: the throw-away CA is in neither
    for roots in [None, Some("bundled"), Some("system")] {
        let mut o = tls_options(&base, &dir);
        o.tls_roots = roots.map(String::from);
        let e = system_status(&Ductape::open(o).unwrap()).await.unwrap_err();
        assert_code(&e, ErrorCode::Network);
        assert!(e.message.contains("certificate") && e.message.contains("ca_file"), "{roots:?}: {}", e.message);
    }
    assert_eq!(served.load(std::sync::atomic::Ordering::SeqCst), 0, "no request got through the handshake");

    // with the CA file, as the option and as the variable: the requests get answered
    let mut o = tls_options(&base, &dir);
    o.ca_file = Some(ca.clone());
    system_status(&Ductape::open(o).unwrap()).await.unwrap();
    std::env::set_var("DUCTAPE_CA_FILE", &ca);
    system_status(&Ductape::open(tls_options(&base, &dir)).unwrap()).await.unwrap();
    // the extra CA adds to the roots, whichever they are
    let mut o = tls_options(&base, &dir);
    o.tls_roots = Some("system".into());
    system_status(&Ductape::open(o).unwrap()).await.unwrap();
    assert!(served.load(std::sync::atomic::Ordering::SeqCst) >= 3);
    std::env::remove_var("DUCTAPE_CA_FILE");
    // tls_roots "system" really reads the system's store: rustls-native-certs honours
    // $SSL_CERT_FILE, so with the CA there "system" trusts it and "bundled" does not
    std::env::set_var("SSL_CERT_FILE", &ca);
    let mut o = tls_options(&base, &dir);
    o.tls_roots = Some("system".into());
    system_status(&Ductape::open(o).unwrap()).await.unwrap();
    let e = system_status(&Ductape::open(tls_options(&base, &dir)).unwrap()).await.unwrap_err();
    assert_code(&e, ErrorCode::Network);
    std::env::remove_var("SSL_CERT_FILE");
    clear();
    let _ = std::fs::remove_dir_all(ca.parent().unwrap());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn sec15_a_missing_or_empty_ca_file_and_unknown_roots_are_refused_on_open() {
    let _turn = ENV.lock().await;
    clear();
    let dir = temp_workspace("tls-bad");
    let certs = temp_workspace("tls-bad-ca");
    let missing = certs.join("missing.pem");
    let empty = write_ca(&certs, "no certificate in here\n");
    let open = |o: Options| Ductape::open(o).unwrap_err();
    for (path, says) in [(&missing, "could not read"), (&empty, "holds no PEM certificate")] {
        let mut o = tls_options("https://cloud.mongodb.com", &dir);
        o.ca_file = Some(path.clone());
        let e = open(o);
        assert_code(&e, ErrorCode::InvalidArgument);
        assert_eq!(e.field.as_deref(), Some("ca_file"));
        assert!(
            e.message.contains("ca_file option") && e.message.contains(&path.display().to_string()),
            "{}",
            e.message
        );
        assert!(e.message.contains(says), "{}", e.message);
        std::env::set_var("DUCTAPE_CA_FILE", path);
        let e = open(tls_options("https://cloud.mongodb.com", &dir));
        assert_code(&e, ErrorCode::InvalidArgument);
        assert!(
            e.message.contains("$DUCTAPE_CA_FILE") && e.message.contains(&path.display().to_string()),
            "{}",
            e.message
        );
        std::env::remove_var("DUCTAPE_CA_FILE");
    }
    let e = Ductape::open_json(r#"{"tls_roots": "os"}"#).unwrap_err();
    assert_code(&e, ErrorCode::InvalidArgument);
    assert_eq!(e.field.as_deref(), Some("tls_roots"));
    assert!(e.message.contains("bundled") && e.message.contains("system"), "{}", e.message);
    clear();
    let _ = std::fs::remove_dir_all(&certs);
}

#[tokio::test]
async fn sec15_a_loopback_base_url_bypasses_a_configured_proxy() {
    let _turn = ENV.lock().await;
    clear();
    let proxy = canned::serve(|_| canned::Answer::json(502, json!({"error": "the test proxy answers nothing"}))).await;
    for v in ["HTTPS_PROXY", "HTTP_PROXY"] {
        std::env::set_var(v, &proxy.base_url);
    }
    let sim = start_sim().await;
    let dir = temp_workspace("proxy");
    // the simulator on loopback: reached directly, the proxy sees nothing
    let d = open(&sim.base_url(), &dir);
    create(&d, "conn").await;
    complete_key(&d, "conn", seed::PROJECT_ID, seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await;
    assert_eq!(validate(&d, "conn").await["valid"], true);
    assert!(proxy.seen().is_empty(), "{:?}", proxy.seen());
    // positive control: a non-loopback Atlas goes through the proxy (a CONNECT to it)
    let far = Ductape::open(tls_options("https://atlas.example.invalid", &dir)).unwrap();
    let _ = system_status(&far).await.unwrap_err();
    let seen = proxy.seen();
    assert!(seen.iter().any(|s| s.method == "CONNECT" && s.path.starts_with("atlas.example.invalid")), "{seen:?}");
    // Canary: what a proxy sees of a credentialed call is the tunnel's host, never a secret.
    let text = format!("{seen:?}");
    for secret in [seed::OWNER_PRIVATE_KEY, "00000000-0000-4000-8000-000000000000", "Digest", "Authorization"] {
        assert!(!text.contains(secret), "the proxy saw {secret}: {text}");
    }
    clear();
    let _ = std::fs::remove_dir_all(&dir);
}
