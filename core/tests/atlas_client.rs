//! The Atlas client against the simulator: round trips per call, nonce reuse, retries.

mod common;

use atlas_sim::faults::{Fault, FaultKind};
use common::*;
use ductape_core::atlas::{AtlasClient, AtlasError, ClientConfig, Credentials, RetryPolicy};
use ductape_core::crypto::SecretString;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn client(base: &str, max_retries: u32) -> AtlasClient {
    let config = ClientConfig {
        base_url: base.to_string(),
        request_timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            max_retries,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(100),
            ..Default::default()
        },
        max_response_bytes: ductape_core::atlas::DEFAULT_MAX_RESPONSE_BYTES,
    };
    let creds = Credentials::ApiKey {
        public_key: seed::OWNER_PUBLIC_KEY.into(),
        private_key: SecretString::new(seed::OWNER_PRIVATE_KEY),
    };
    AtlasClient::new(reqwest::Client::new(), config, creds)
}

#[tokio::test]
async fn n_calls_cost_n_plus_one_requests() {
    let sim = start_sim().await;
    let c = client(&sim.base_url(), 3);
    sim.clear_request_log();
    let n = 20;
    for i in 0..n {
        if i % 2 == 0 {
            c.system_status().await.unwrap();
        } else {
            c.group(seed::PROJECT_ID).await.unwrap();
        }
    }
    let log = sim.request_log();
    assert_eq!(log.len(), n + 1, "one challenge, then one request per call: {log:?}");
    assert_eq!(log.iter().filter(|r| r.status == 401).count(), 1);
    println!("FIGURE atlas client: {n} calls -> {} HTTP requests", log.len());
}

#[tokio::test]
async fn n_validations_cost_two_calls_each_plus_one_challenge() {
    let sim = start_sim().await;
    let dir = temp_workspace("rt");
    let d = open(&sim.base_url(), &dir);
    create(&d, "conn").await;
    complete_key(&d, "conn", seed::PROJECT_ID, seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await;
    sim.clear_request_log();
    let n = 10;
    let started = Instant::now();
    for _ in 0..n {
        assert_eq!(validate(&d, "conn").await["valid"], true);
    }
    let per_validate = started.elapsed() / n as u32;
    let log = sim.request_log();
    // each validate makes 2 Atlas calls (GET /api/atlas/v2, GET /groups/{id}): 2n calls, 2n+1 requests
    assert!(log.len() <= 2 * n + 1, "{} requests for {n} validations: {log:?}", log.len());
    println!(
        "FIGURE validate: {n} validations -> {} HTTP requests; {:?} per validate against the simulator",
        log.len(),
        per_validate
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn concurrent_calls_share_the_nonce_and_all_succeed() {
    let sim = start_sim().await;
    let c = Arc::new(client(&sim.base_url(), 3));
    sim.clear_request_log();
    let n = 32;
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let c = Arc::clone(&c);
            tokio::spawn(async move { c.system_status().await.map(|_| ()) })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().expect("every concurrent call succeeds");
    }
    let log = sim.request_log();
    let challenges = log.iter().filter(|r| r.status == 401).count();
    println!("FIGURE concurrent: {n} concurrent first calls -> {} requests ({challenges} answered 401)", log.len());
    // each concurrent request needs its own nonce (nc must grow per nonce): at most one challenge each
    assert!(log.len() <= 2 * n, "{}", log.len());
    // afterwards the pooled nonces serve later calls with one request each
    sim.clear_request_log();
    for _ in 0..n {
        c.system_status().await.unwrap();
    }
    assert_eq!(sim.request_log().len(), n);
}

#[tokio::test]
async fn concurrent_validations_all_succeed() {
    let sim = start_sim().await;
    let dir = temp_workspace("cval");
    let d = Arc::new(open(&sim.base_url(), &dir));
    create(&d, "conn").await;
    complete_key(&d, "conn", seed::PROJECT_ID, seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await;
    sim.clear_request_log();
    let (tasks, per) = (8, 15);
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let d = Arc::clone(&d);
            tokio::spawn(async move {
                for _ in 0..per {
                    let v = validate(&d, "conn").await;
                    assert_eq!(v["valid"], true, "{v}");
                }
            })
        })
        .collect();
    for h in handles {
        h.await.unwrap();
    }
    let n = tasks * per;
    let requests = sim.request_log().len();
    println!("FIGURE concurrent validate: {n} validations over {tasks} tasks -> {requests} requests");
    assert!(requests <= 2 * n + tasks, "{requests}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn stale_nonce_is_rechallenged_once() {
    let sim = start_sim().await;
    let c = client(&sim.base_url(), 3);
    c.system_status().await.unwrap();
    sim.advance_clock(Duration::from_secs(120));
    sim.clear_request_log();
    c.system_status().await.unwrap();
    c.system_status().await.unwrap();
    let log = sim.request_log();
    assert_eq!(log.len(), 3, "stale 401, the retry, then the next call on the new nonce: {log:?}");
}

#[tokio::test]
async fn wrong_credentials_cost_two_requests_and_are_unauthorized() {
    let sim = start_sim().await;
    let config = ClientConfig {
        base_url: sim.base_url(),
        request_timeout: Duration::from_secs(5),
        retry: RetryPolicy::default(),
        max_response_bytes: ductape_core::atlas::DEFAULT_MAX_RESPONSE_BYTES,
    };
    let creds = Credentials::ApiKey {
        public_key: seed::OWNER_PUBLIC_KEY.into(),
        private_key: SecretString::new("00000000-0000-4000-8000-000000000000"),
    };
    let c = AtlasClient::new(reqwest::Client::new(), config, creds);
    sim.clear_request_log();
    let e = c.system_status().await.unwrap_err();
    assert_eq!(e.code(), ductape_core::ErrorCode::AtlasUnauthorized);
    assert_eq!(sim.request_log().len(), 2);
    // later calls: the pooled nonce is tried, then the fresh one from its 401, and that is final
    sim.clear_request_log();
    assert_eq!(c.system_status().await.unwrap_err().code(), ductape_core::ErrorCode::AtlasUnauthorized);
    assert_eq!(sim.request_log().len(), 2);
}

#[tokio::test]
async fn a_server_that_forgot_the_nonce_costs_one_retry() {
    let sim = start_sim().await;
    let c = client(&sim.base_url(), 3);
    c.system_status().await.unwrap();
    sim.reset(); // forgets every nonce (like a restarted server)
    sim.clear_request_log();
    c.system_status().await.expect("re-challenged once");
    assert_eq!(sim.request_log().len(), 2);
}

async fn with_fault(kind: FaultKind, count: u32) -> (Result<(), AtlasError>, usize, Duration) {
    let sim = start_sim().await;
    let c = client(&sim.base_url(), 3);
    c.system_status().await.unwrap(); // take the challenge first
    sim.add_fault(Fault::next("GET /api/atlas/v2/groups/*", kind, count));
    sim.clear_request_log();
    let started = Instant::now();
    let r = c.group(seed::PROJECT_ID).await.map(|_| ());
    (r, sim.request_log().len(), started.elapsed())
}

#[tokio::test]
async fn retries_recover_from_429_500_503_and_drops() {
    for kind in [
        FaultKind::TooManyRequests { retry_after_secs: 0 },
        FaultKind::InternalError,
        FaultKind::ServiceUnavailableHtml,
        FaultKind::DropConnection,
    ] {
        let (r, requests, _) = with_fault(kind.clone(), 2).await;
        assert!(r.is_ok(), "{kind:?}: {r:?}");
        assert_eq!(requests, 3, "{kind:?}: two failures then success");
    }
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let (r, _, elapsed) = with_fault(FaultKind::TooManyRequests { retry_after_secs: 1 }, 1).await;
    assert!(r.is_ok());
    assert!(elapsed >= Duration::from_millis(950), "waited {elapsed:?}");
}

#[tokio::test]
async fn retries_stop_at_the_bound_with_a_clear_error() {
    let cases = [
        (FaultKind::InternalError, ductape_core::ErrorCode::AtlasError, "500"),
        (FaultKind::ServiceUnavailableHtml, ductape_core::ErrorCode::AtlasError, "503"),
        (FaultKind::TooManyRequests { retry_after_secs: 0 }, ductape_core::ErrorCode::RateLimited, "rate-limited"),
        (FaultKind::DropConnection, ductape_core::ErrorCode::Network, "could not reach Atlas"),
    ];
    for (kind, code, needle) in cases {
        let (r, requests, _) = with_fault(kind.clone(), 100).await;
        let e = r.unwrap_err();
        assert_eq!(e.code(), code, "{kind:?}: {e}");
        let msg = e.to_string();
        assert!(msg.contains(needle) && msg.contains("gave up after 4 attempts"), "{kind:?}: {msg}");
        assert_eq!(requests, 4, "{kind:?}: 1 try + 3 retries");
        let public: ductape_core::Error = e.into();
        assert_eq!(public.code, code);
        assert_eq!(public.details.unwrap()["attempts"], 4);
    }
}

#[tokio::test]
async fn a_post_is_not_repeated_after_a_drop_or_500() {
    let sim = start_sim().await;
    let c = client(&sim.base_url(), 3);
    c.system_status().await.unwrap();
    for kind in [FaultKind::DropConnection, FaultKind::InternalError] {
        sim.add_fault(Fault::next("POST /api/atlas/v2/groups/*/accessList", kind.clone(), 1));
        sim.clear_request_log();
        let path = format!("/api/atlas/v2/groups/{}/accessList", seed::PROJECT_ID);
        let body = json!([{"ipAddress": "192.0.2.10", "comment": "test"}]);
        let r: Result<serde_json::Value, _> =
            c.post_json(&path, ductape_core::atlas::media::versions::ACCESS_LIST, &body, false).await;
        assert!(r.is_err(), "{kind:?}");
        assert_eq!(sim.request_log().len(), 1, "{kind:?}: not repeated");
        sim.clear_faults();
    }
}

#[tokio::test]
async fn validate_under_faults_succeeds_and_reports_exhaustion_as_network() {
    let sim = start_sim().await;
    let dir = temp_workspace("vfault");
    let d = open(&sim.base_url(), &dir);
    create(&d, "conn").await;
    complete_key(&d, "conn", seed::PROJECT_ID, seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await;
    sim.add_fault(Fault::next("GET /api/atlas/v2*", FaultKind::ServiceUnavailableHtml, 2));
    sim.add_fault(Fault::next("GET /api/atlas/v2/groups/*", FaultKind::TooManyRequests { retry_after_secs: 0 }, 2));
    let v = validate(&d, "conn").await;
    assert_eq!(v["valid"], true, "{v}");
    sim.add_fault(Fault::always("GET /api/atlas/v2/groups/*", FaultKind::InternalError));
    let v = validate(&d, "conn").await;
    assert_eq!(v["valid"], false);
    assert_eq!(failed_checks(&v), vec!["network"]);
    assert_eq!(v["status"], "active", "a transient failure keeps the status");
    assert!(v["message"].as_str().unwrap().contains("gave up after 4 attempts"), "{v}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn timeouts_are_reported_as_timeout() {
    let sim = start_sim().await;
    let config = ClientConfig {
        base_url: sim.base_url(),
        request_timeout: Duration::from_millis(200),
        retry: RetryPolicy { max_retries: 1, base_delay: Duration::from_millis(5), ..Default::default() },
        max_response_bytes: ductape_core::atlas::DEFAULT_MAX_RESPONSE_BYTES,
    };
    let creds = Credentials::ApiKey {
        public_key: seed::OWNER_PUBLIC_KEY.into(),
        private_key: SecretString::new(seed::OWNER_PRIVATE_KEY),
    };
    let c = AtlasClient::new(reqwest::Client::new(), config, creds);
    c.system_status().await.unwrap();
    sim.add_fault(Fault::always("GET /api/atlas/v2/groups/*", FaultKind::Delay { delay_ms: 1000 }));
    let e = c.group(seed::PROJECT_ID).await.unwrap_err();
    assert_eq!(e.code(), ductape_core::ErrorCode::Timeout, "{e}");
}

#[test]
fn http_base_urls_are_refused_unless_loopback() {
    let dir = temp_workspace("http");
    let e = ductape_core::Ductape::open(options("http://cloud.mongodb.com", &dir)).unwrap_err();
    assert_eq!(e.code, ductape_core::ErrorCode::InvalidArgument);
    assert_eq!(e.field.as_deref(), Some("atlas_base_url"));
    assert!(ductape_core::Ductape::open(options("https://cloud.mongodb.com", &dir)).is_ok());
}

fn sa_client(base: &str) -> AtlasClient {
    let config = ClientConfig {
        base_url: base.to_string(),
        request_timeout: Duration::from_secs(5),
        retry: RetryPolicy { base_delay: Duration::from_millis(10), ..Default::default() },
        max_response_bytes: ductape_core::atlas::DEFAULT_MAX_RESPONSE_BYTES,
    };
    let creds = Credentials::ServiceAccount {
        client_id: seed::SA_CLIENT_ID.into(),
        client_secret: SecretString::new(seed::SA_CLIENT_SECRET),
    };
    AtlasClient::new(reqwest::Client::new(), config, creds)
}

#[tokio::test]
async fn service_account_token_is_cached_and_renewed_when_refused() {
    let sim = start_sim().await;
    let c = sa_client(&sim.base_url());
    sim.clear_request_log();
    for _ in 0..5 {
        c.group(seed::PROJECT_ID).await.unwrap();
    }
    let log = sim.request_log();
    assert_eq!(log.iter().filter(|r| r.path.starts_with("/api/oauth/token")).count(), 1, "{log:?}");
    assert_eq!(log.len(), 6);
    assert!(log
        .iter()
        .filter(|r| !r.path.starts_with("/api/oauth"))
        .all(|r| r.auth_scheme.as_deref() == Some("Bearer")));
    // the simulator's clock passes the token's expiry: Atlas refuses it, the client renews once
    sim.advance_clock(Duration::from_secs(2 * 3600));
    sim.clear_request_log();
    c.group(seed::PROJECT_ID).await.unwrap();
    let log = sim.request_log();
    assert_eq!(log.len(), 3, "refused, new token, retried: {log:?}");
}

#[tokio::test]
async fn token_endpoint_rate_limits_are_retried() {
    let sim = start_sim().await;
    let c = sa_client(&sim.base_url());
    sim.add_fault(Fault::next("POST /api/oauth/token", FaultKind::TooManyRequests { retry_after_secs: 0 }, 2));
    c.system_status().await.unwrap();
    let tokens = sim.request_log().iter().filter(|r| r.path.starts_with("/api/oauth/token")).count();
    assert_eq!(tokens, 3);
}

#[tokio::test]
async fn paging_collects_every_page() {
    let sim = start_sim().await;
    let c = client(&sim.base_url(), 3);
    let all = c.group_api_keys(seed::PROJECT_ID).await.unwrap();
    assert!(all.len() >= 3, "{all:?}");
    sim.clear_request_log();
    let path = format!("/api/atlas/v2/groups/{}/apiKeys", seed::PROJECT_ID);
    let paged: Vec<ductape_core::atlas::models::ApiKey> =
        c.get_all(&path, ductape_core::atlas::media::versions::GROUP_API_KEYS, 1).await.unwrap();
    assert_eq!(paged.len(), all.len());
    let log = sim.request_log();
    assert_eq!(log.len(), all.len(), "one request per page of one, stopping at totalCount: {log:?}");
    assert!(log[1].path.contains("pageNum=2"), "{log:?}");
    let keys: Vec<_> = paged.iter().filter_map(|k| k.public_key.clone()).collect();
    assert!(keys.contains(&seed::OWNER_PUBLIC_KEY.to_string()));
}

#[tokio::test]
async fn a_real_token_bucket_is_waited_out() {
    let config = atlas_sim::SimConfig { rate_limits: atlas_sim::RateLimits::uniform(3, 2.0), ..Default::default() };
    let sim = atlas_sim::Sim::start(config).await.unwrap();
    let c = client(&sim.base_url(), 5);
    for _ in 0..6 {
        c.group(seed::PROJECT_ID).await.expect("429s are waited out");
    }
    let log = sim.request_log();
    let limited = log.iter().filter(|r| r.status == 429).count();
    println!("FIGURE token bucket: 6 calls, {limited} answered 429 and were retried");
    assert!(limited >= 1, "{log:?}");
}

#[tokio::test]
async fn a_cancelled_call_returns_its_nonce() {
    let sim = start_sim().await;
    let dir = temp_workspace("cancel");
    let d = Arc::new(open(&sim.base_url(), &dir));
    create(&d, "conn").await;
    complete_key(&d, "conn", seed::PROJECT_ID, seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await;
    assert_eq!(validate(&d, "conn").await["valid"], true);
    // Long enough that the aborted request can never be answered (and logged) during the test,
    // whether or not the simulator notices that the client went away.
    sim.add_fault(Fault::next("GET /api/atlas/v2/groups/*", FaultKind::Delay { delay_ms: 120_000 }, 1));
    let call = ductape_core::runtime::spawn_call(
        Arc::clone(&d),
        "cloud.connections.validate".into(),
        json!({"tag": "conn"}).to_string(),
        None,
    );
    // Dropped while its request (holding a nonce) is in the simulator's delay: the call is aborted.
    wait_until("the delayed request reaches the simulator", || sim.faults().is_empty()).await;
    let alive = || ductape_core::runtime::handle().metrics().num_alive_tasks();
    let peak = alive();
    drop(call);
    // The abort takes effect on a runtime worker; the task's drop (which returns the nonce) is done
    // once the runtime counts one task fewer. (Validating at once raced it on a loaded machine.)
    wait_until("the aborted task is dropped", || alive() < peak).await;
    sim.clear_request_log();
    let v = validate(&d, "conn").await;
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(sim.request_log().len(), 2, "the nonce went back to the pool: {:?}", sim.request_log());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_retry_after_too_long_to_wait_fails_at_once() {
    let (r, requests, elapsed) = with_fault(FaultKind::TooManyRequests { retry_after_secs: 3600 }, 1).await;
    let e = r.unwrap_err();
    assert_eq!(e.code(), ductape_core::ErrorCode::RateLimited);
    assert_eq!(requests, 1);
    // Not an hour: a bound a loaded machine keeps (the request count above says it did not retry).
    assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");
    let public: ductape_core::Error = e.into();
    assert_eq!(public.details.unwrap()["retry_after_secs"], 3600);
    assert!(public.message.contains("Retry-After: 3600s"), "{}", public.message);
}
