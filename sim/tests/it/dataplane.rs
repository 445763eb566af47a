//! The data plane over real TLS: a small MongoDB client written here from the wire-protocol and
//! SCRAM specifications (not the simulator's code) checks the handshake, authentication against
//! Admin API users, roles, cluster states, and robustness against garbage and stalled clients.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use bson::{doc, Bson, Document};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls;

use crate::common::*;

const PASSWORD: &str = "data-plane-pass-1";

fn ca_der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    B64.decode(body).expect("PEM body is base64")
}

fn connector(sim: &Sim) -> tokio_rustls::TlsConnector {
    let pem = std::fs::read_to_string(sim.ca_file().expect("data plane on")).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca_der(&pem).into()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(cfg))
}

fn host(sim: &Sim, cluster: &str) -> String {
    sim.cluster_hosts(PROJECT_ID, cluster).first().cloned().unwrap_or_else(|| panic!("{cluster} has a listener"))
}

async fn connect(sim: &Sim, cluster: &str) -> TlsStream<TcpStream> {
    let tcp = TcpStream::connect(host(sim, cluster)).await.expect("listener accepts");
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    connector(sim).connect(name, tcp).await.expect("TLS handshake with the generated CA")
}

fn op_msg(request_id: i32, body: &Document) -> Vec<u8> {
    let mut doc_bytes = Vec::new();
    body.to_writer(&mut doc_bytes).unwrap();
    let len = 16 + 4 + 1 + doc_bytes.len();
    let mut m = Vec::with_capacity(len);
    for v in [len as i32, request_id, 0, 2013, 0] {
        m.extend_from_slice(&v.to_le_bytes());
    }
    m.push(0);
    m.extend(doc_bytes);
    m
}

async fn command<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(s: &mut S, body: Document) -> Document {
    s.write_all(&op_msg(1, &body)).await.unwrap();
    let mut len = [0u8; 4];
    s.read_exact(&mut len).await.expect("an answer");
    let mut rest = vec![0u8; i32::from_le_bytes(len) as usize - 4];
    s.read_exact(&mut rest).await.unwrap();
    assert_eq!(i32::from_le_bytes(rest[8..12].try_into().unwrap()), 2013, "answered with OP_MSG");
    Document::from_reader(&rest[12 + 4 + 1..]).unwrap()
}

/// Whether the server closes the connection within 5 s (a TLS alert may come first).
async fn closed<S: tokio::io::AsyncRead + Unpin>(s: &mut S) -> bool {
    let mut b = [0u8; 256];
    let until = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        match tokio::time::timeout_at(until, s.read(&mut b)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

fn hmac(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).unwrap();
    m.update(msg);
    m.finalize().into_bytes().to_vec()
}

fn bin(s: &str) -> Bson {
    Bson::Binary(bson::Binary { subtype: bson::spec::BinarySubtype::Generic, bytes: s.as_bytes().to_vec() })
}

fn payload(d: &Document) -> String {
    String::from_utf8(d.get_binary_generic("payload").unwrap().clone()).unwrap()
}

/// SCRAM-SHA-256 from RFC 5802/7677; `Ok` when the server accepted the proof and its own
/// signature checks out, `Err(code)` with MongoDB's error code otherwise.
async fn login<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    s: &mut S,
    user: &str,
    pass: &str,
) -> Result<(), i32> {
    let first_bare = format!("n={user},r=clientnonce0123456789");
    let start = doc! {"saslStart": 1, "mechanism": "SCRAM-SHA-256", "payload": bin(&format!("n,,{first_bare}")), "options": {"skipEmptyExchange": true}, "$db": "admin"};
    let r = command(s, start).await;
    if r.get_f64("ok").unwrap() != 1.0 {
        return Err(r.get_i32("code").unwrap());
    }
    let server_first = payload(&r);
    let mut f = server_first.split(',');
    let nonce = f.next().unwrap().strip_prefix("r=").unwrap().to_string();
    let salt = B64.decode(f.next().unwrap().strip_prefix("s=").unwrap()).unwrap();
    let iters: u32 = f.next().unwrap().strip_prefix("i=").unwrap().parse().unwrap();
    assert!(iters >= 4096, "drivers refuse fewer iterations");
    let mut salted = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(pass.as_bytes(), &salt, iters, &mut salted);
    let client_key = hmac(&salted, b"Client Key");
    let without_proof = format!("c=biws,r={nonce}");
    let auth = format!("{first_bare},{server_first},{without_proof}");
    let sig = hmac(&Sha256::digest(&client_key), auth.as_bytes());
    let proof: Vec<u8> = client_key.iter().zip(&sig).map(|(a, b)| a ^ b).collect();
    let msg = format!("{without_proof},p={}", B64.encode(proof));
    let r = command(s, doc! {"saslContinue": 1, "conversationId": 1, "payload": bin(&msg), "$db": "admin"}).await;
    if r.get_f64("ok").unwrap() != 1.0 {
        return Err(r.get_i32("code").unwrap());
    }
    let want = format!("v={}", B64.encode(hmac(&hmac(&salted, b"Server Key"), auth.as_bytes())));
    assert_eq!(payload(&r), want, "server signature");
    assert!(r.get_bool("done").unwrap());
    Ok(())
}

async fn create_user(sim: &Sim, name: &str, role: &str, scopes: serde_json::Value) {
    let body = json!({"groupId": PROJECT_ID, "username": name, "password": PASSWORD, "databaseName": "admin",
        "roles": [{"databaseName": "app", "roleName": role}], "scopes": scopes});
    let r = Atlas::owner(sim).call("POST", &g("/databaseUsers"), V1, Some(&body)).await;
    assert_eq!(r.status, 201, "{}", r.text);
}

async fn fast_sim() -> Sim {
    sim_with(|c| {
        c.user_apply_delay = Duration::from_millis(0);
        c.data_plane.stall_timeout = Duration::from_millis(300);
    })
    .await
}

#[tokio::test]
async fn hello_answers_as_a_primary_or_as_a_mongos() {
    let s = fast_sim().await;
    let mut c = connect(&s, CLUSTER_IDLE).await;
    let h = command(&mut c, doc! {"hello": 1, "helloOk": true, "$db": "admin"}).await;
    assert_eq!(h.get_bool("isWritablePrimary").ok(), Some(true));
    assert_eq!(h.get_str("setName").ok(), Some("atlas-000001-shard-0"));
    assert_eq!(h.get_str("me").ok(), Some(host(&s, CLUSTER_IDLE).as_str()));
    assert_eq!(h.get_i32("maxWireVersion").ok(), Some(21), "7.0");
    assert!(h.get("topologyVersion").is_none(), "no streaming hello");
    let mut m = connect(&s, CLUSTER_SHARDED).await;
    let h = command(&mut m, doc! {"hello": 1, "$db": "admin"}).await;
    assert_eq!(h.get_str("msg").ok(), Some("isdbgrid"));
    assert!(h.get("setName").is_none());
    assert_eq!(command(&mut m, doc! {"ping": 1, "$db": "admin"}).await.get_f64("ok").ok(), Some(1.0));
    let e = command(&mut m, doc! {"frobnicate": 1, "$db": "admin"}).await;
    assert_eq!((e.get_i32("code").ok(), e.get_str("codeName").ok()), (Some(59), Some("CommandNotFound")));
    let e = command(&mut m, doc! {"find": "x", "$db": "app"}).await;
    assert_eq!(
        (e.get_i32("code").ok(), e.get_str("codeName").ok()),
        (Some(13), Some("Unauthorized")),
        "find needs a login"
    );
}

#[tokio::test]
async fn connection_strings_point_at_the_listeners() {
    let s = fast_sim().await;
    let mut c = Atlas::owner(&s);
    let rs = c.get(&g("/clusters/Cluster0"), V_CLUSTERS).await.json();
    let want =
        format!("mongodb://{}/?tls=true&authSource=admin&replicaSet=atlas-000001-shard-0", host(&s, CLUSTER_IDLE));
    assert_eq!(rs["connectionStrings"]["standard"], want.as_str());
    assert_eq!(rs["connectionStrings"]["standardSrv"], CLUSTER_IDLE_SRV);
    for name in [CLUSTER_SHARDED, CLUSTER_GEOSHARDED] {
        let sh = c.get(&g(&format!("/clusters/{name}")), V_CLUSTERS).await.json();
        let want = format!("mongodb://{}/?tls=true&authSource=admin", s.cluster_hosts(PROJECT_ID, name).join(","));
        assert_eq!(sh["connectionStrings"]["standard"], want.as_str());
        assert_eq!(s.cluster_hosts(PROJECT_ID, name).len(), 2, "two routers");
    }
    assert!(s.cluster_hosts(PROJECT_ID, CLUSTER_CREATING).is_empty(), "CREATING: no listener");
    let ca = raw(&s.base_url(), "GET", "/__sim/dataplane/ca.pem", &[], None).await;
    assert!(ca.text.starts_with("-----BEGIN CERTIFICATE-----"));
    assert_eq!(ca.text, std::fs::read_to_string(s.ca_file().unwrap()).unwrap());
    let d = raw(&s.base_url(), "GET", "/__sim/dataplane", &[], None).await.json();
    assert_eq!(d["listeners"].as_array().unwrap().len(), 6, "{d}");
}

#[tokio::test]
async fn without_the_data_plane_strings_keep_atlas_hosts() {
    let s = sim_with(|c| c.data_plane.enabled = false).await;
    assert!(s.ca_file().is_none());
    let mut c = Atlas::owner(&s);
    let rs = c.get(&g("/clusters/Cluster0"), V_CLUSTERS).await.json();
    assert!(rs["connectionStrings"]["standard"]
        .as_str()
        .unwrap()
        .contains("cluster0-shard-00-00.x1y2z.mongodb.net:27017"));
    let sh = c.get(&g("/clusters/sharded"), V_CLUSTERS).await.json();
    let std = sh["connectionStrings"]["standard"].as_str().unwrap();
    assert!(std.contains(":27016") && !std.contains("replicaSet"), "{std}");
    assert_eq!(raw(&s.base_url(), "GET", "/__sim/dataplane", &[], None).await.status, 404);
}

#[tokio::test]
async fn users_log_in_only_where_and_when_atlas_lets_them() {
    let s = sim_with(|c| c.user_apply_delay = Duration::from_secs(3600)).await;
    create_user(&s, "pending", "readWrite", json!([])).await;
    let mut c = connect(&s, CLUSTER_IDLE).await;
    assert_eq!(login(&mut c, "pending", PASSWORD).await, Err(18), "before APPLIED");
    s.advance_clock(Duration::from_secs(3601));
    assert_eq!(login(&mut c, "pending", PASSWORD).await, Ok(()), "after APPLIED");
    assert_eq!(login(&mut c, "pending", "wrong-password").await, Err(18));
    assert_eq!(login(&mut c, "nobody", PASSWORD).await, Err(18));

    s.configure(|c| c.user_apply_delay = Duration::ZERO);
    create_user(&s, "scoped", "readWrite", json!([{"name": CLUSTER_SHARDED, "type": "CLUSTER"}])).await;
    assert_eq!(login(&mut c, "scoped", PASSWORD).await, Err(18), "scoped to another cluster");
    let mut m = connect(&s, CLUSTER_SHARDED).await;
    assert_eq!(login(&mut m, "scoped", PASSWORD).await, Ok(()));

    let r = Atlas::owner(&s).call("DELETE", &g("/databaseUsers/admin/scoped"), V1, None).await;
    assert_eq!(r.status, 204);
    let e = command(&mut m, doc! {"find": "people", "$db": "app"}).await;
    assert_eq!(e.get_i32("code").ok(), Some(13), "a deleted user's open connection loses its roles");
    assert_eq!(login(&mut m, "scoped", PASSWORD).await, Err(18), "deleted");

    let soon = atlas_sim::clock::rfc3339(chrono::Utc::now() + chrono::Duration::hours(2));
    let body = json!({"groupId": PROJECT_ID, "username": "temp", "password": PASSWORD, "roles": [{"databaseName": "app", "roleName": "read"}], "deleteAfterDate": soon});
    assert_eq!(Atlas::owner(&s).call("POST", &g("/databaseUsers"), V1, Some(&body)).await.status, 201);
    assert_eq!(login(&mut c, "temp", PASSWORD).await, Ok(()));
    s.advance_clock(Duration::from_secs(3 * 3600));
    assert_eq!(login(&mut c, "temp", PASSWORD).await, Err(18), "expired");
}

#[tokio::test]
async fn a_password_change_takes_effect_when_applied() {
    let s = fast_sim().await;
    create_user(&s, "rotating", "readWrite", json!([])).await;
    let mut c = connect(&s, CLUSTER_IDLE).await;
    assert_eq!(login(&mut c, "rotating", PASSWORD).await, Ok(()));
    s.configure(|c| c.user_apply_delay = Duration::from_secs(3600));
    let body = json!({"password": "the-new-password"});
    assert_eq!(Atlas::owner(&s).call("PATCH", &g("/databaseUsers/admin/rotating"), V1, Some(&body)).await.status, 200);
    assert_eq!(login(&mut c, "rotating", PASSWORD).await, Ok(()), "the cluster has the old password until APPLIED");
    assert_eq!(login(&mut c, "rotating", "the-new-password").await, Err(18));
    s.advance_clock(Duration::from_secs(3601));
    assert_eq!(login(&mut c, "rotating", "the-new-password").await, Ok(()));
    assert_eq!(login(&mut c, "rotating", PASSWORD).await, Err(18));
}

#[tokio::test]
async fn read_roles_find_but_cannot_insert() {
    let s = fast_sim().await;
    create_user(&s, "writer", "readWrite", json!([])).await;
    create_user(&s, "reader", "read", json!([])).await;
    let mut w = connect(&s, CLUSTER_IDLE).await;
    login(&mut w, "writer", PASSWORD).await.unwrap();
    let r = command(&mut w, doc! {"insert": "people", "documents": [{"_id": 1, "name": "ada"}], "$db": "app"}).await;
    assert_eq!((r.get_i32("n").ok(), r.get_f64("ok").ok()), (Some(1), Some(1.0)));
    let dup = command(&mut w, doc! {"insert": "people", "documents": [{"_id": 1}], "$db": "app"}).await;
    assert_eq!(dup.get_array("writeErrors").unwrap()[0].as_document().unwrap().get_i32("code").ok(), Some(11000));
    let mut r = connect(&s, CLUSTER_IDLE).await;
    login(&mut r, "reader", PASSWORD).await.unwrap();
    let found = command(&mut r, doc! {"find": "people", "filter": {"name": "ada"}, "$db": "app"}).await;
    let batch = found.get_document("cursor").unwrap().get_array("firstBatch").unwrap();
    assert_eq!(batch.len(), 1);
    let e = command(&mut r, doc! {"insert": "people", "documents": [{"name": "eve"}], "$db": "app"}).await;
    assert_eq!(
        (e.get_f64("ok").ok(), e.get_i32("code").ok(), e.get_str("codeName").ok()),
        (Some(0.0), Some(13), Some("Unauthorized"))
    );
    assert!(e.get_str("errmsg").unwrap().starts_with("not authorized on app to execute command"));
    let e = command(&mut r, doc! {"find": "people", "$db": "other"}).await;
    assert_eq!(e.get_i32("code").ok(), Some(13), "read on app only");
    let dbs = command(&mut r, doc! {"listDatabases": 1, "nameOnly": true, "$db": "admin"}).await;
    assert_eq!(dbs.get_array("databases").unwrap().len(), 1);
    let d = command(&mut w, doc! {"delete": "people", "deletes": [{"q": {"_id": 1}, "limit": 1}], "$db": "app"}).await;
    assert_eq!(d.get_i32("n").ok(), Some(1));
    let mut other = connect(&s, CLUSTER_SHARDED).await;
    login(&mut other, "writer", PASSWORD).await.unwrap();
    command(&mut w, doc! {"insert": "people", "documents": [{"_id": 2}], "$db": "app"}).await;
    let found = command(&mut other, doc! {"find": "people", "$db": "app"}).await;
    assert!(found.get_document("cursor").unwrap().get_array("firstBatch").unwrap().is_empty(), "data is per cluster");
}

#[tokio::test]
async fn paused_clusters_refuse_and_resumed_ones_serve_again() {
    let s = fast_sim().await;
    let archive = host(&s, CLUSTER_PAUSED);
    assert!(TcpStream::connect(&archive).await.is_err(), "paused: refused");
    let mut open = connect(&s, CLUSTER_IDLE).await;
    assert!(s.set_cluster_state(PROJECT_ID, CLUSTER_IDLE, "IDLE", Some(true)));
    assert!(closed(&mut open).await, "pausing closes open connections");
    assert!(s.set_cluster_state(PROJECT_ID, CLUSTER_PAUSED, "IDLE", Some(false)));
    let mut c = connect(&s, CLUSTER_PAUSED).await;
    assert_eq!(host(&s, CLUSTER_PAUSED), archive, "same port after resuming");
    assert_eq!(command(&mut c, doc! {"ping": 1, "$db": "admin"}).await.get_f64("ok").ok(), Some(1.0));
    assert!(s.set_cluster_state(PROJECT_ID, CLUSTER_CREATING, "IDLE", None));
    let mut n = connect(&s, CLUSTER_CREATING).await;
    assert_eq!(
        command(&mut n, doc! {"hello": 1, "$db": "admin"}).await.get_f64("ok").ok(),
        Some(1.0),
        "IDLE now: listening"
    );
}

async fn wait_for_no_connections(s: &Sim) {
    let dp = s.data_plane().unwrap();
    let t = Instant::now();
    while dp.live_connections() > 0 {
        assert!(t.elapsed() < Duration::from_secs(10), "{} connection tasks left", dp.live_connections());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn garbage_and_stalled_clients_close_only_their_own_connection() {
    let s = fast_sim().await;
    let mut good = connect(&s, CLUSTER_IDLE).await;
    // Not TLS at all.
    let mut plain = TcpStream::connect(host(&s, CLUSTER_IDLE)).await.unwrap();
    plain.write_all(&op_msg(1, &doc! {"hello": 1, "$db": "admin"})).await.unwrap();
    assert!(closed(&mut plain).await);
    // TLS, then a header with an impossible length, an unknown opcode, invalid BSON, a huge length.
    let bad: [&[u8]; 4] = [
        &[3, 0, 0, 0],
        &[16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xd2, 0x07, 0, 0],
        &[26, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xdd, 0x07, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 9],
        &[0, 0, 0, 0x7f],
    ];
    for b in bad {
        let mut t = connect(&s, CLUSTER_IDLE).await;
        t.write_all(b).await.unwrap();
        assert!(closed(&mut t).await, "{b:?}");
    }
    // Stops mid-message: dropped after the stall timeout (300 ms here).
    let mut half = connect(&s, CLUSTER_IDLE).await;
    half.write_all(&op_msg(1, &doc! {"ping": 1, "$db": "admin"})[..10]).await.unwrap();
    let t = Instant::now();
    assert!(closed(&mut half).await);
    assert!(t.elapsed() < Duration::from_secs(3));
    // A TLS handshake that never comes.
    let mut silent = TcpStream::connect(host(&s, CLUSTER_IDLE)).await.unwrap();
    assert!(closed(&mut silent).await);
    assert_eq!(
        command(&mut good, doc! {"ping": 1, "$db": "admin"}).await.get_f64("ok").ok(),
        Some(1.0),
        "others unaffected"
    );
    drop(good);
    wait_for_no_connections(&s).await;
}

#[tokio::test]
async fn two_hundred_connections_open_and_close() {
    let s = fast_sim().await;
    create_user(&s, "looper", "readWrite", json!([])).await;
    for i in 0..200 {
        let mut c = connect(&s, if i % 2 == 0 { CLUSTER_IDLE } else { CLUSTER_SHARDED }).await;
        let h = command(&mut c, doc! {"hello": 1, "$db": "admin"}).await;
        assert_eq!(h.get_f64("ok").ok(), Some(1.0), "connection {i}");
        if i % 20 == 0 {
            login(&mut c, "looper", PASSWORD).await.unwrap();
        }
        if i % 3 == 0 {
            drop(c); // abrupt: no TLS close_notify
        } else {
            c.shutdown().await.unwrap();
        }
    }
    // And 200 that never finish the TLS handshake.
    for _ in 0..200 {
        drop(TcpStream::connect(host(&s, CLUSTER_IDLE)).await.unwrap());
    }
    wait_for_no_connections(&s).await;
    let mut c = connect(&s, CLUSTER_IDLE).await;
    assert_eq!(command(&mut c, doc! {"ping": 1, "$db": "admin"}).await.get_f64("ok").ok(), Some(1.0));
}
