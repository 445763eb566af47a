use std::time::{Duration, Instant};

use crate::common::*;

#[tokio::test]
async fn counted_429_500_and_html_503() {
    let s = sim().await;
    let mut c = Atlas::owner(&s);
    s.add_fault(Fault::next(
        "GET /api/atlas/v2/groups/*/clusters*",
        FaultKind::TooManyRequests { retry_after_secs: 7 },
        1,
    ));
    let r = c.get(&g("/clusters"), V_CLUSTERS).await;
    r.assert_error(429, "RATE_LIMITED_TOKEN_BUCKET");
    assert_eq!(r.header("retry-after").as_deref(), Some("7"));
    assert_eq!(c.get(&g("/clusters"), V_CLUSTERS).await.status, 200, "count exhausted");

    s.add_fault(Fault::next("GET */accessList", FaultKind::InternalError, 2));
    c.get(&g("/accessList"), V1).await.assert_error(500, "UNEXPECTED_ERROR");
    c.get(&g("/accessList"), V1).await.assert_error(500, "UNEXPECTED_ERROR");
    assert_eq!(c.get(&g("/clusters"), V_CLUSTERS).await.status, 200, "other routes unaffected");
    assert_eq!(c.get(&g("/accessList"), V1).await.status, 200);

    s.add_fault(Fault::next("*", FaultKind::ServiceUnavailableHtml, 1));
    let r = c.get(&g("/accessList"), V1).await;
    assert_eq!(r.status, 503);
    assert_eq!(r.header("content-type").as_deref(), Some("text/html"));
    assert!(r.text.contains("<html>"));
    let statuses: Vec<u16> = s.request_log().iter().map(|l| l.status).collect();
    assert!(statuses.contains(&429) && statuses.contains(&500) && statuses.contains(&503));
}

#[tokio::test]
async fn dropped_connection_and_delay() {
    let s = sim().await;
    s.add_fault(Fault::next("GET /api/atlas/v2", FaultKind::DropConnection, 1));
    let http = reqwest::Client::new();
    let err = http.get(format!("{}/api/atlas/v2", s.base_url())).send().await;
    assert!(err.is_err(), "connection should drop: {err:?}");
    assert_eq!(s.request_log()[0].status, 0);
    let mut c = Atlas::owner(&s);
    assert_eq!(c.get("/api/atlas/v2", V1).await.status, 200);

    s.add_fault(Fault::next("GET /api/atlas/v2", FaultKind::Delay { delay_ms: 300 }, 1));
    let t = Instant::now();
    let r = c.get("/api/atlas/v2", V1).await;
    assert_eq!(r.status, 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn stale_nonce_fault_only_hits_signed_requests() {
    let s = sim().await;
    let base = s.base_url();
    s.add_fault(Fault::next("*", FaultKind::StaleNonce, 1));
    let nonce = fresh_nonce(&base).await; // unsigned: not consumed
    let h = digest_header(OWNER_PUBLIC_KEY, OWNER_PRIVATE_KEY, "GET", "/api/atlas/v2", &nonce, "00000001");
    let r = raw(&base, "GET", "/api/atlas/v2", &[("Authorization", h), accept(V1)], None).await;
    assert_eq!(r.status, 401);
    assert!(r.challenge().1, "stale=true");
    let h = digest_header(OWNER_PUBLIC_KEY, OWNER_PRIVATE_KEY, "GET", "/api/atlas/v2", &nonce, "00000002");
    assert_eq!(raw(&base, "GET", "/api/atlas/v2", &[("Authorization", h), accept(V1)], None).await.status, 200);
}

#[tokio::test]
async fn probabilistic_faults_repeat_with_the_same_seed() {
    async fn run(seed: u64) -> Vec<u16> {
        let s = sim_with(|c| {
            c.fault_seed = seed;
            c.faults = vec![Fault::with_probability("GET /api/atlas/v2", FaultKind::InternalError, 0.5)];
        })
        .await;
        let mut out = vec![];
        for _ in 0..24 {
            out.push(raw(&s.base_url(), "GET", "/api/atlas/v2", &[accept(V1)], None).await.status);
        }
        out
    }
    let a = run(7).await;
    assert_eq!(a, run(7).await);
    assert!(a.contains(&500) && a.contains(&401), "{a:?}");
    assert_ne!(a, run(8).await);
}

#[tokio::test]
async fn faults_over_the_control_api() {
    let s = sim().await;
    let base = s.base_url();
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{base}/__sim/faults"))
        .body(r#"{"route":"GET /api/atlas/v2","kind":"500","count":1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(raw(&base, "GET", "/api/atlas/v2", &[accept(V1)], None).await.status, 500);
    assert_eq!(raw(&base, "GET", "/api/atlas/v2", &[accept(V1)], None).await.status, 401);
    http.post(format!("{base}/__sim/faults")).body(r#"[{"route":"*","kind":"503"}]"#).send().await.unwrap();
    assert_eq!(raw(&base, "GET", "/api/atlas/v2", &[accept(V1)], None).await.status, 503);
    assert_eq!(http.delete(format!("{base}/__sim/faults")).send().await.unwrap().status(), 204);
    assert_eq!(raw(&base, "GET", "/api/atlas/v2", &[accept(V1)], None).await.status, 401);
    let bad = http.post(format!("{base}/__sim/faults")).body(r#"{"route":"*","kind":"418"}"#).send().await.unwrap();
    assert_eq!(bad.status(), 400);
}
