use std::time::Duration;

use base64::Engine;
use serde_json::Value;

use crate::common::*;

fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}")))
}

async fn token(base: &str, id: &str, secret: &str) -> R {
    raw(
        base,
        "POST",
        "/api/oauth/token",
        &[
            ("Authorization", basic(id, secret)),
            ("Content-Type", "application/x-www-form-urlencoded".into()),
            ("Accept", "application/json".into()),
        ],
        Some("grant_type=client_credentials".into()),
    )
    .await
}

#[tokio::test]
async fn service_account_gets_a_bearer_token_that_expires() {
    let s = sim().await;
    let base = s.base_url();
    let r = token(&base, SA_CLIENT_ID, SA_CLIENT_SECRET).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let j: Value = r.json();
    assert_eq!(j["token_type"], "Bearer");
    assert_eq!(j["expires_in"], 3600);
    let t = j["access_token"].as_str().unwrap().to_string();
    let bearer = |t: &str| vec![("Authorization", format!("Bearer {t}")), accept(V_CLUSTERS)];
    let ok = raw(&base, "GET", &g("/clusters"), &bearer(&t), None).await;
    assert_eq!(ok.status, 200);
    let me = raw(&base, "GET", "/api/atlas/v2", &[("Authorization", format!("Bearer {t}")), accept(V1)], None).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["apiKey"], Value::Null, "a service account has no API key");
    // The service account is owner of prod-project only.
    raw(
        &base,
        "GET",
        &format!("/api/atlas/v2/groups/{OTHER_PROJECT_ID}"),
        &[("Authorization", format!("Bearer {t}")), accept(V1)],
        None,
    )
    .await
    .assert_error(401, "NOT_IN_GROUP");
    let log = s.request_log();
    assert_eq!(log.last().unwrap().auth_scheme.as_deref(), Some("Bearer"));
    assert_eq!(log[0].auth_scheme.as_deref(), Some("Basic"));
    s.advance_clock(Duration::from_secs(3601));
    assert_eq!(raw(&base, "GET", &g("/clusters"), &bearer(&t), None).await.status, 401);
    assert_eq!(raw(&base, "GET", &g("/clusters"), &bearer("not-a-token"), None).await.status, 401);
}

#[tokio::test]
async fn token_endpoint_refuses_bad_requests() {
    let s = sim().await;
    let base = s.base_url();
    let r = token(&base, SA_CLIENT_ID, "wrong").await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"], "invalid_client");
    assert_eq!(token(&base, "mdb_sa_id_nobody", SA_CLIENT_SECRET).await.status, 401);
    // An API key is not a service account.
    assert_eq!(token(&base, OWNER_PUBLIC_KEY, OWNER_PRIVATE_KEY).await.status, 401);
    let r = raw(
        &base,
        "POST",
        "/api/oauth/token",
        &[("Authorization", basic(SA_CLIENT_ID, SA_CLIENT_SECRET))],
        Some("grant_type=password".into()),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "unsupported_grant_type");
}

#[tokio::test]
async fn token_endpoint_rate_limit_says_rate_limited() {
    let s = sim_with(|c| c.rate_limits.oauth = atlas_sim::Bucket { capacity: 1, refill_per_sec: 0.1 }).await;
    let base = s.base_url();
    assert_eq!(token(&base, SA_CLIENT_ID, SA_CLIENT_SECRET).await.status, 200);
    let r = token(&base, SA_CLIENT_ID, SA_CLIENT_SECRET).await;
    r.assert_error(429, "RATE_LIMITED");
    assert!(r.header("retry-after").is_some());
}
