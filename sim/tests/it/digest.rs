use std::time::Duration;

use serde_json::json;

use crate::common::*;

const BODY_401: &str = "{\n  \"error\" : 401,\n  \"reason\" : \"Unauthorized\",\n  \"detail\" : \"You are not authorized for this resource.\",\n  \"errorCode\" : \"UNEXPECTED_ERROR\"\n}";

#[tokio::test]
async fn challenge_is_verbatim() {
    let s = sim().await;
    let r = raw(&s.base_url(), "GET", &g("/clusters"), &[accept(V_CLUSTERS)], None).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.text, BODY_401);
    assert_eq!(r.header("content-length").as_deref(), Some("142"));
    assert_eq!(r.header("content-type").as_deref(), Some("application/json"));
    let h = r.header("www-authenticate").unwrap();
    let (nonce, stale) = r.challenge();
    assert_eq!(
        h,
        format!(
            "Digest realm=\"MMS Public API\", domain=\"\", nonce=\"{nonce}\", algorithm=MD5, qop=\"auth\", stale=false"
        )
    );
    assert!(!stale);
    assert_eq!(nonce.len(), 32);
    assert!(nonce.chars().all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/'));
    // The challenge has no X-Error-Code, like the recordings.
    assert!(r.header("x-error-code").is_none());
}

#[tokio::test]
async fn right_key_succeeds_and_wrong_keys_get_the_same_401() {
    let s = sim().await;
    let ok = Atlas::owner(&s).get("/api/atlas/v2", V1).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.json()["apiKey"]["publicKey"], OWNER_PUBLIC_KEY);

    let wrong_private =
        Atlas::new(&s, OWNER_PUBLIC_KEY, "00000000-0000-0000-0000-000000000000").get("/api/atlas/v2", V1).await;
    let wrong_public = Atlas::new(&s, "nosuchky", OWNER_PRIVATE_KEY).get("/api/atlas/v2", V1).await;
    for r in [&wrong_private, &wrong_public] {
        assert_eq!(r.status, 401);
        assert_eq!(r.text, BODY_401);
        assert!(!r.challenge().1);
    }
}

#[tokio::test]
async fn nc_must_start_at_one_and_increase() {
    let s = sim().await;
    let base = s.base_url();
    let t = "/api/atlas/v2";
    let nonce = fresh_nonce(&base).await;
    let send = |nc: &'static str| {
        let base = base.clone();
        let nonce = nonce.clone();
        async move {
            let h = digest_header(OWNER_PUBLIC_KEY, OWNER_PRIVATE_KEY, "GET", t, &nonce, nc);
            raw(&base, "GET", t, &[("Authorization", h), accept(V1)], None).await.status
        }
    };
    assert_eq!(send("00000000").await, 401, "nc 0 is refused");
    assert_eq!(send("00000001").await, 200);
    assert_eq!(send("00000001").await, 401, "replayed nc is refused");
    assert_eq!(send("00000003").await, 200, "a higher nc reuses the nonce");
    assert_eq!(send("00000002").await, 401, "a lower nc is refused");
    assert_eq!(send("00000004").await, 200);
}

#[tokio::test]
async fn unknown_nonce_and_wrong_uri_are_refused() {
    let s = sim().await;
    let base = s.base_url();
    // A nonce the server never issued (or forgot in a reset): correct answer -> stale=true so the
    // client retries; wrong answer -> a plain 401.
    let h = digest_header(
        OWNER_PUBLIC_KEY,
        OWNER_PRIVATE_KEY,
        "GET",
        "/api/atlas/v2",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "00000001",
    );
    let r = raw(&base, "GET", "/api/atlas/v2", &[("Authorization", h), accept(V1)], None).await;
    assert_eq!(r.status, 401);
    assert!(r.challenge().1);
    let h = digest_header(
        OWNER_PUBLIC_KEY,
        "wrong",
        "GET",
        "/api/atlas/v2",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "00000001",
    );
    let r = raw(&base, "GET", "/api/atlas/v2", &[("Authorization", h), accept(V1)], None).await;
    assert_eq!(r.status, 401);
    assert!(!r.challenge().1);

    // The uri must be the raw target, query and escapes included.
    let target = format!("{}?itemsPerPage=1", g("/accessList"));
    let nonce = fresh_nonce(&base).await;
    let h = digest_header(OWNER_PUBLIC_KEY, OWNER_PRIVATE_KEY, "GET", &g("/accessList"), &nonce, "00000001");
    assert_eq!(raw(&base, "GET", &target, &[("Authorization", h), accept(V1)], None).await.status, 401);
    let h = digest_header(OWNER_PUBLIC_KEY, OWNER_PRIVATE_KEY, "GET", &target, &nonce, "00000002");
    assert_eq!(raw(&base, "GET", &target, &[("Authorization", h), accept(V1)], None).await.status, 200);

    let escaped = g("/accessList/198.51.100.7%2F32");
    let decoded = g("/accessList/198.51.100.7/32");
    let h = digest_header(OWNER_PUBLIC_KEY, OWNER_PRIVATE_KEY, "GET", &decoded, &nonce, "00000003");
    assert_eq!(raw(&base, "GET", &escaped, &[("Authorization", h), accept(V1)], None).await.status, 401);
    let h = digest_header(OWNER_PUBLIC_KEY, OWNER_PRIVATE_KEY, "GET", &escaped, &nonce, "00000004");
    assert_eq!(raw(&base, "GET", &escaped, &[("Authorization", h), accept(V1)], None).await.status, 200);
}

#[tokio::test]
async fn method_is_part_of_the_digest() {
    let s = sim().await;
    let base = s.base_url();
    let nonce = fresh_nonce(&base).await;
    let h =
        digest_header(OWNER_PUBLIC_KEY, OWNER_PRIVATE_KEY, "GET", &g("/accessList/198.51.100.7"), &nonce, "00000001");
    let r = raw(&base, "DELETE", &g("/accessList/198.51.100.7"), &[("Authorization", h), accept(V1)], None).await;
    assert_eq!(r.status, 401);
    assert_eq!(Atlas::owner(&s).get(&g("/accessList"), V1).await.json()["totalCount"], 1, "nothing was deleted");
}

#[tokio::test]
async fn nonces_go_stale_after_the_ttl() {
    let s = sim_with(|c| c.nonce_ttl = Duration::from_secs(30)).await;
    let base = s.base_url();
    let nonce = fresh_nonce(&base).await;
    let send = |nc: &'static str| {
        let (base, nonce) = (base.clone(), nonce.clone());
        async move {
            let h = digest_header(OWNER_PUBLIC_KEY, OWNER_PRIVATE_KEY, "GET", "/api/atlas/v2", &nonce, nc);
            raw(&base, "GET", "/api/atlas/v2", &[("Authorization", h), accept(V1)], None).await
        }
    };
    assert_eq!(send("00000001").await.status, 200);
    s.advance_clock(Duration::from_secs(25));
    assert_eq!(send("00000002").await.status, 200);
    s.advance_clock(Duration::from_secs(6));
    let r = send("00000003").await;
    assert_eq!(r.status, 401);
    assert_eq!(r.text, BODY_401);
    let (new_nonce, stale) = r.challenge();
    assert!(stale, "a correct answer on an expired nonce is stale=true");
    assert_ne!(new_nonce, nonce);
    // A wrong password on an expired nonce is not "stale": stale only means "retry with a new nonce".
    let h = digest_header(OWNER_PUBLIC_KEY, "wrong", "GET", "/api/atlas/v2", &nonce, "00000004");
    let r = raw(&base, "GET", "/api/atlas/v2", &[("Authorization", h), accept(V1)], None).await;
    assert!(!r.challenge().1);
    // The client recovers with the new nonce.
    let h = digest_header(OWNER_PUBLIC_KEY, OWNER_PRIVATE_KEY, "GET", "/api/atlas/v2", &new_nonce, "00000001");
    assert_eq!(raw(&base, "GET", "/api/atlas/v2", &[("Authorization", h), accept(V1)], None).await.status, 200);
}

#[tokio::test]
async fn default_nonce_ttl_is_sixty_seconds() {
    let s = sim().await;
    let mut c = Atlas::owner(&s);
    assert_eq!(c.get("/api/atlas/v2", V1).await.status, 200);
    let nonce = c.nonce.clone().unwrap();
    s.advance_clock(Duration::from_secs(55));
    assert_eq!(c.get("/api/atlas/v2", V1).await.status, 200);
    assert_eq!(c.nonce.as_ref(), Some(&nonce));
    s.advance_clock(Duration::from_secs(6));
    assert_eq!(c.get("/api/atlas/v2", V1).await.status, 200, "client retried after stale=true");
    assert_ne!(c.nonce.as_ref(), Some(&nonce));
}

#[tokio::test]
async fn unauthenticated_post_has_no_side_effects() {
    let s = sim().await;
    let body = json!([{ "ipAddress": "192.0.2.10", "comment": "should not be added" }]).to_string();
    let r = raw(
        &s.base_url(),
        "POST",
        &g("/accessList"),
        &[accept(V1), ("Content-Type", format!("application/vnd.atlas.{V1}+json"))],
        Some(body.clone()),
    )
    .await;
    assert_eq!(r.status, 401);
    let user = json!({"groupId": PROJECT_ID, "username": "ghost", "password": "password123", "databaseName": "admin", "roles": [{"databaseName": "admin", "roleName": "readWrite"}]}).to_string();
    let r = raw(
        &s.base_url(),
        "POST",
        &g("/databaseUsers"),
        &[accept(V1), ("Content-Type", "application/json".into())],
        Some(user),
    )
    .await;
    assert_eq!(r.status, 401);
    // Nor with a wrong key.
    let r = Atlas::new(&s, OWNER_PUBLIC_KEY, "wrong")
        .call("POST", &g("/accessList"), V1, Some(&serde_json::from_str(&body).unwrap()))
        .await;
    assert_eq!(r.status, 401);
    let mut c = Atlas::owner(&s);
    let list = c.get(&g("/accessList"), V1).await.json();
    assert_eq!(list["totalCount"], 1);
    assert_eq!(c.get(&g("/databaseUsers"), V1).await.json()["totalCount"], 0);
    let log = s.request_log();
    assert!(!log[0].credentials_sent && log[0].auth_scheme.is_none());
    assert_eq!(log[0].body_len, body.len(), "the body was sent, and ignored");
}

#[tokio::test]
async fn clients_recover_after_a_reset_forgets_their_nonce() {
    let s = sim().await;
    let mut c = Atlas::owner(&s);
    assert_eq!(c.get("/api/atlas/v2", V1).await.status, 200);
    let before = c.nonce.clone();
    s.reset();
    assert_eq!(c.get("/api/atlas/v2", V1).await.status, 200);
    assert_ne!(c.nonce, before, "the client took the fresh nonce from the stale=true challenge");
    let statuses: Vec<u16> = s.request_log().iter().map(|l| l.status).collect();
    assert_eq!(statuses, vec![401, 200]);
}
