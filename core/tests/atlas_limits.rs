//! What the Atlas client does with answers no real Atlas should give: absurd token lifetimes,
//! oversized bodies, odd Digest challenges (against the canned server).

mod common;

use common::canned::{self, Answer};
use common::*;
use ductape_core::atlas::{AtlasClient, AtlasError, ClientConfig, Credentials, RetryPolicy};
use ductape_core::crypto::SecretString;
use ductape_core::ErrorCode;
use serde_json::json;
use std::time::Duration;

fn config(base: &str, max_response_bytes: usize) -> ClientConfig {
    ClientConfig {
        base_url: base.to_string(),
        request_timeout: Duration::from_secs(5),
        retry: RetryPolicy { max_retries: 0, ..Default::default() },
        max_response_bytes,
    }
}

fn sa() -> Credentials {
    Credentials::ServiceAccount {
        client_id: seed::SA_CLIENT_ID.into(),
        client_secret: SecretString::new(seed::SA_CLIENT_SECRET),
    }
}

fn status_body() -> serde_json::Value {
    json!({"apiKey": null, "appName": "MongoDB Atlas", "build": "x", "links": [], "throttling": false})
}

#[tokio::test]
async fn sec04_a_token_lifetime_of_u64_max_does_not_panic() {
    let server = canned::serve(|r| {
        if r.path == "/api/oauth/token" {
            // serde_json would write u64::MAX as a number as well; spelt out to be plain
            let body = br#"{"access_token":"tok","expires_in":18446744073709551615,"token_type":"Bearer"}"#;
            Answer {
                status: 200,
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: body.to_vec(),
            }
        } else {
            Answer::json(200, status_body())
        }
    })
    .await;
    let c = AtlasClient::new(reqwest::Client::new(), config(&server.base_url, 1 << 20), sa());
    c.system_status().await.unwrap();
    c.system_status().await.unwrap();
    let tokens = server.seen().iter().filter(|r| r.path == "/api/oauth/token").count();
    assert_eq!(tokens, 1, "the capped lifetime still caches the token");
}

#[tokio::test]
async fn sec05_answers_past_max_response_bytes_fail_with_the_limit() {
    let big = "x".repeat(4096);
    let server = canned::serve(move |r| match r.path.as_str() {
        "/api/oauth/token" => Answer::json(200, json!({"access_token": "tok", "expires_in": 3600})),
        _ => Answer::json(200, json!({"apiKey": null, "padding": big})),
    })
    .await;
    let c = AtlasClient::new(reqwest::Client::new(), config(&server.base_url, 1024), sa());
    let e = c.system_status().await.unwrap_err();
    assert!(matches!(e, AtlasError::TooLarge { limit: 1024, .. }), "{e:?}");
    assert_eq!(e.code(), ErrorCode::AtlasError);
    let public = ductape_core::Error::from(e);
    assert!(public.message.contains("max_response_bytes (1024 bytes)"), "{}", public.message);
    assert_eq!(public.details.unwrap()["max_response_bytes"], 1024);
    // the same answer under the default cap is read
    let c = AtlasClient::new(reqwest::Client::new(), config(&server.base_url, 16 << 20), sa());
    assert!(c.system_status().await.is_ok());
    // and the option is checked
    let dir = temp_workspace("cap");
    let mut o = options(&server.base_url, &dir);
    o.max_response_bytes = Some(0);
    assert_eq!(ductape_core::Ductape::open(o).unwrap_err().field.as_deref(), Some("max_response_bytes"));
}

/// A server whose 401 offers only `challenge`, and answers any signed request 200.
async fn digest_server(challenge: &'static str) -> canned::Canned {
    canned::serve(move |r| match r.header("authorization") {
        Some(_) => Answer::json(200, status_body()),
        None => {
            Answer::json(401, json!({"error": 401, "errorCode": "UNAUTHORIZED"})).header("WWW-Authenticate", challenge)
        }
    })
    .await
}

#[tokio::test]
async fn sec07_several_challenges_in_one_header_are_answered_with_md5() {
    let server = digest_server(
        r#"Digest realm="MMS Public API", nonce="n256", algorithm=SHA-256, qop="auth", Digest realm="MMS Public API", nonce="n5", algorithm=MD5, qop="auth""#,
    )
    .await;
    let creds = Credentials::ApiKey {
        public_key: seed::OWNER_PUBLIC_KEY.into(),
        private_key: SecretString::new(seed::OWNER_PRIVATE_KEY),
    };
    let c = AtlasClient::new(reqwest::Client::new(), config(&server.base_url, 1 << 20), creds);
    c.system_status().await.unwrap();
    let signed = server.seen().into_iter().find_map(|r| r.header("authorization").map(str::to_string)).unwrap();
    assert!(signed.contains("nonce=\"n5\"") && signed.contains("algorithm=MD5"), "{signed}");
}

#[tokio::test]
async fn sec07_an_unsupported_digest_leaves_the_status_and_blames_no_key() {
    for challenge in [
        r#"Digest realm="MMS Public API", nonce="n", algorithm=SHA-256, qop="auth""#,
        r#"Digest realm="MMS Public API", nonce="n", algorithm=MD5, qop="auth-int""#,
    ] {
        let server = digest_server(challenge).await;
        let dir = temp_workspace("unsupported-digest");
        let d = open(&server.base_url, &dir);
        create(&d, "conn").await;
        complete_key(&d, "conn", seed::PROJECT_ID, seed::OWNER_PUBLIC_KEY, seed::OWNER_PRIVATE_KEY).await;
        let v = validate(&d, "conn").await;
        assert_eq!(v["valid"], false, "{v}");
        assert_eq!(v["code"], "unsupported", "{v}");
        assert_eq!(v["status"], "pending", "status unchanged: {v}");
        assert_eq!(failed_checks(&v), vec!["credentials"], "{v}");
        assert!(v["message"].as_str().unwrap().contains("MD5 with qop=auth only"), "{v}");
        // no signed request was sent: the credentials were not tried
        assert!(server.seen().iter().all(|r| r.header("authorization").is_none()));
        let f = call(&d, "cloud.connections.fetch", json!({"tag": "conn"})).await;
        assert_eq!(f["metadata"]["last_validation_error"]["transient"], true, "{f}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Pages of a list, forever: every page full, `totalCount` lying, a `next` link. The server
/// answers 500 past page 40 (well past the cap), so a client without a total cap fails there.
async fn endless_list(items_per_page: usize, padding: usize) -> canned::Canned {
    let pad = "p".repeat(padding);
    canned::serve(move |r| {
        if r.path == "/api/oauth/token" {
            return Answer::json(200, json!({"access_token": "tok", "expires_in": 3600}));
        }
        let page: u64 = r.path.split("pageNum=").nth(1).and_then(|n| n.parse().ok()).unwrap_or(1);
        if page > 40 {
            return Answer::json(500, json!({"error": 500, "errorCode": "READ_PAST_THE_CAP"}));
        }
        let items: Vec<_> = (0..items_per_page).map(|i| json!({"id": format!("{page}-{i}"), "pad": pad})).collect();
        let next = format!("{}?pageNum={}", r.path.split('?').next().unwrap_or(""), page + 1);
        Answer::json(
            200,
            json!({"results": items, "totalCount": 1_000_000_000u64, "links": [{"rel": "next", "href": next}]}),
        )
    })
    .await
}

#[tokio::test]
async fn sec11_a_list_that_never_ends_stops_at_its_total_cap() {
    let path = format!("/api/atlas/v2/groups/{}/clusters", seed::PROJECT_ID);
    let version = ductape_core::atlas::media::versions::CLUSTERS;

    // 500 small items a page: the item cap (10,000) stops it after 21 pages.
    let server = endless_list(500, 0).await;
    let c = AtlasClient::new(reqwest::Client::new(), config(&server.base_url, 16 << 20), sa());
    let e = ductape_core::Error::from(c.get_all::<serde_json::Value>(&path, version, 500).await.unwrap_err());
    assert_eq!(e.code, ErrorCode::AtlasError, "{e:?}");
    let d = e.details.clone().unwrap_or_default();
    assert_eq!((d["max_list_items"].as_u64(), d["pages"].as_u64()), (Some(10_000), Some(21)), "{e:?}");
    assert!(e.message.contains("more than 10000 items"), "{}", e.message);
    // The project IP access list is read the same way.
    let e = ductape_core::network::atlas::list_all(&c, seed::PROJECT_ID, |_, _| {}).await.unwrap_err();
    assert!(matches!(e, AtlasError::ListTooManyItems { limit: 10_000, pages: 21, .. }), "{e:?}");

    // One item of 10 KB a page: the byte cap (max_response_bytes, 64 KiB here) stops it after 7.
    let server = endless_list(1, 10_000).await;
    let c = AtlasClient::new(reqwest::Client::new(), config(&server.base_url, 64 << 10), sa());
    let e = ductape_core::Error::from(c.get_all::<serde_json::Value>(&path, version, 500).await.unwrap_err());
    let d = e.details.clone().unwrap_or_default();
    assert_eq!((d["max_response_bytes"].as_u64(), d["pages"].as_u64()), (Some(65_536), Some(7)), "{e:?}");
    assert!(e.message.contains("more than max_response_bytes (65536 bytes)"), "{}", e.message);
}
