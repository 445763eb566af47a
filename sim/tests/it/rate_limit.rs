use std::time::Duration;

use atlas_sim::RateLimits;

use crate::common::*;

#[tokio::test]
async fn token_bucket_answers_429_with_retry_after() {
    // A slow refill (one token per 100 s) so a slow machine cannot refill a token mid-test.
    let s = sim_with(|c| c.rate_limits = RateLimits::uniform(3, 0.01)).await;
    let mut c = Atlas::owner(&s);
    for expected in [2, 1, 0] {
        let r = c.get(&g("/accessList"), V1).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("ratelimit-limit").as_deref(), Some("3"));
        assert_eq!(r.header("ratelimit-remaining"), Some(expected.to_string()));
    }
    let r = c.get(&g("/accessList"), V1).await;
    r.assert_error(429, "RATE_LIMITED_TOKEN_BUCKET");
    assert_eq!(r.header("retry-after").as_deref(), Some("100"));
    assert_eq!(r.header("ratelimit-remaining").as_deref(), Some("0"));
    // Buckets are per endpoint group: clusters still have tokens.
    assert_eq!(c.get(&g("/clusters"), V_CLUSTERS).await.status, 200);
    // And per caller.
    assert_eq!(Atlas::new(&s, READONLY_PUBLIC_KEY, READONLY_PRIVATE_KEY).get(&g("/accessList"), V1).await.status, 200);
    s.advance_clock(Duration::from_secs(100));
    assert_eq!(c.get(&g("/accessList"), V1).await.status, 200);
}

#[tokio::test]
async fn headers_and_limiting_can_be_switched_off() {
    let s = sim_with(|c| {
        c.rate_limit_headers = false;
        c.rate_limits = RateLimits::uniform(1, 0.0);
    })
    .await;
    let mut c = Atlas::owner(&s);
    let r = c.get(&g("/accessList"), V1).await;
    assert_eq!(r.status, 200);
    assert!(r.header("ratelimit-limit").is_none() && r.header("ratelimit-remaining").is_none());
    c.get(&g("/accessList"), V1).await.assert_error(429, "RATE_LIMITED_TOKEN_BUCKET");
    s.configure(|c| c.rate_limit = false);
    for _ in 0..5 {
        assert_eq!(c.get(&g("/accessList"), V1).await.status, 200);
    }
}

#[tokio::test]
async fn default_limits_match_atlas_headers() {
    let s = sim().await;
    let mut c = Atlas::owner(&s);
    assert_eq!(c.get(&g("/clusters"), V_CLUSTERS).await.header("ratelimit-limit").as_deref(), Some("10000"));
    assert_eq!(c.get(&g("/accessList"), V1).await.header("ratelimit-limit").as_deref(), Some("1200"));
    assert_eq!(c.get(&g("/databaseUsers"), V1).await.header("ratelimit-limit").as_deref(), Some("10000"));
}
