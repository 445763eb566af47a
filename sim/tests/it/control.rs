use serde_json::{json, Value};

use crate::common::*;

async fn ctl(base: &str, method: &str, path: &str, body: Option<Value>) -> R {
    raw(base, method, &format!("/__sim/{path}"), &[], body.map(|b| b.to_string())).await
}

#[tokio::test]
async fn request_log_counts_round_trips_and_credentials() {
    let s = sim().await;
    let base = s.base_url();
    let mut c = Atlas::owner(&s);
    c.get(&format!("{}?pageNum=1", g("/clusters")), V_CLUSTERS).await;
    c.get(&g("/clusters"), V_CLUSTERS).await;
    let log = ctl(&base, "GET", "requests", None).await.json();
    let log = log.as_array().unwrap();
    // First call: unauthenticated nonce fetch + signed call; second: nonce reused, one round trip.
    assert_eq!(log.len(), 3);
    assert_eq!(log[0]["credentials_sent"], false);
    assert_eq!(log[0]["status"], 401);
    assert_eq!(log[1]["path"], format!("{}?pageNum=1", g("/clusters")));
    assert_eq!(log[1]["auth_scheme"], "Digest");
    assert_eq!(log[1]["status"], 200);
    assert_eq!(log[2]["client_ip"], "127.0.0.1");
    assert_eq!(log[2]["accept"], "application/vnd.atlas.2024-08-05+json");
    assert_eq!(log[2]["body_len"], 0);
    assert_eq!(s.request_log().len(), 3, "control requests are not logged");
    assert!(!serde_json::to_string(&log).unwrap().contains(OWNER_PRIVATE_KEY));
    assert_eq!(ctl(&base, "DELETE", "requests", None).await.status, 204);
    assert!(s.request_log().is_empty());
}

#[tokio::test]
async fn reset_restores_the_seed_or_loads_another() {
    let s = sim().await;
    let base = s.base_url();
    let mut c = Atlas::owner(&s);
    c.call("POST", &g("/accessList"), V1, Some(&json!([{"ipAddress": "192.0.2.1"}]))).await;
    assert_eq!(ctl(&base, "POST", "reset", None).await.status, 200);
    assert!(s.request_log().is_empty());
    let mut c = Atlas::owner(&s);
    assert_eq!(c.get(&g("/accessList"), V1).await.json()["totalCount"], 1);

    // A custom seed: one org, one project, one key.
    let seed = json!({
        "orgs": [{"id": "e0123456789abcdef012345e", "name": "Custom"}],
        "projects": [{"id": "f0123456789abcdef012345f", "name": "custom", "orgId": "e0123456789abcdef012345e"}],
        "apiKeys": [{"id": "f1123456789abcdef012345f", "orgId": "e0123456789abcdef012345e", "publicKey": "customky",
                     "privateKey": "11111111-2222-3333-4444-555555555555",
                     "roles": [{"groupId": "f0123456789abcdef012345f", "roleName": "GROUP_OWNER"}]}],
        "clusters": [{"groupId": "f0123456789abcdef012345f", "name": "Solo", "id": "5"}]
    });
    assert_eq!(ctl(&base, "POST", "reset", Some(seed)).await.status, 200);
    let mut k = Atlas::new(&s, "customky", "11111111-2222-3333-4444-555555555555");
    let r = k.get("/api/atlas/v2/groups/f0123456789abcdef012345f/clusters/Solo", V_CLUSTERS).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(Atlas::owner(&s).get("/api/atlas/v2", V1).await.status, 401, "the default keys are gone");
    assert_eq!(ctl(&base, "POST", "reset", Some(json!({"orgs": 5}))).await.status, 400);
    s.reset();
    assert_eq!(Atlas::owner(&s).get("/api/atlas/v2", V1).await.status, 200);
}

#[tokio::test]
async fn clock_state_config_and_cluster_control() {
    let s = sim().await;
    let base = s.base_url();
    let mut c = Atlas::owner(&s);
    c.get("/api/atlas/v2", V1).await;
    let r = ctl(&base, "POST", "clock", Some(json!({"advance_secs": 61}))).await;
    assert_eq!(r.status, 200);
    assert_eq!(ctl(&base, "POST", "clock", Some(json!({"advance": 1}))).await.status, 400);
    let nonce = c.nonce.clone().unwrap();
    let h = digest_header(OWNER_PUBLIC_KEY, OWNER_PRIVATE_KEY, "GET", "/api/atlas/v2", &nonce, "00000002");
    assert!(raw(&base, "GET", "/api/atlas/v2", &[("Authorization", h), accept(V1)], None).await.challenge().1);

    let st = ctl(&base, "GET", "state", None).await.json();
    assert_eq!(st["clusters"][1]["stateName"], "CREATING");
    assert!(!st.to_string().contains(OWNER_PRIVATE_KEY));

    let r = ctl(&base, "POST", &format!("clusters/{PROJECT_ID}/analytics"), Some(json!({"stateName": "IDLE"}))).await;
    assert_eq!(r.status, 200);
    assert_eq!(Atlas::owner(&s).get(&g("/clusters/analytics"), V_CLUSTERS).await.json()["stateName"], "IDLE");

    let r =
        ctl(&base, "POST", "config", Some(json!({"access_list_activation_delay_ms": 0, "rate_limit_headers": false})))
            .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["rate_limit_headers"], false);
    let mut c = Atlas::owner(&s);
    c.call("POST", &g("/accessList"), V1, Some(&json!([{"ipAddress": "192.0.2.44"}]))).await;
    let st = c.get(&g("/accessList/192.0.2.44/status"), V1).await;
    assert_eq!(st.json()["STATUS"], "ACTIVE");
    assert!(st.header("ratelimit-limit").is_none());
    assert_eq!(ctl(&base, "POST", "config", Some(json!({"bogus": 1}))).await.status, 400);
    assert_eq!(ctl(&base, "GET", "nothing", None).await.status, 404);
}

#[tokio::test]
async fn dropping_the_sim_stops_it() {
    let s = sim().await;
    let base = s.base_url();
    assert_eq!(ctl(&base, "GET", "health", None).await.status, 200);
    drop(s);
    let r = reqwest::Client::new().get(format!("{base}/__sim/health")).send().await;
    assert!(r.is_err(), "still answering after drop: {r:?}");
}
