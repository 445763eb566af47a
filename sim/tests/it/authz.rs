use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn key_on_api_access_list_is_checked_against_the_caller_ip() {
    let s = sim().await;
    let r = Atlas::new(&s, BLOCKED_PUBLIC_KEY, BLOCKED_PRIVATE_KEY).get(&g("/clusters"), V_CLUSTERS).await;
    r.assert_error(403, "IP_ADDRESS_NOT_ON_ACCESS_LIST");
    assert_eq!(r.json()["parameters"], json!(["127.0.0.1"]));
    assert_eq!(r.json()["detail"], "IP address 127.0.0.1 is not allowed to access this resource.");
    // Even the no-role endpoint is behind the API access list.
    Atlas::new(&s, BLOCKED_PUBLIC_KEY, BLOCKED_PRIVATE_KEY)
        .get("/api/atlas/v2", V1)
        .await
        .assert_error(403, "IP_ADDRESS_NOT_ON_ACCESS_LIST");
    let ok = Atlas::new(&s, BLOCKED_PUBLIC_KEY, BLOCKED_PRIVATE_KEY)
        .with_ip("203.0.113.77")
        .get(&g("/clusters"), V_CLUSTERS)
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let log = s.request_log();
    assert_eq!(log.last().unwrap().client_ip, "203.0.113.77");
}

#[tokio::test]
async fn org_requiring_an_api_access_list_refuses_keys_without_one() {
    let s = sim().await;
    let r = Atlas::new(&s, STRICT_PUBLIC_KEY, STRICT_PRIVATE_KEY)
        .get(&format!("/api/atlas/v2/groups/{STRICT_PROJECT_ID}"), V1)
        .await;
    r.assert_error(403, "ORG_REQUIRES_ACCESS_LIST");
}

#[tokio::test]
async fn project_errors_follow_atlas_precedence() {
    let s = sim().await;
    // Missing project: 404 even for a key that is not in it (as recorded).
    let missing = "/api/atlas/v2/groups/111111111111111111111111/databaseUsers";
    let user = json!({"groupId": PROJECT_ID, "username": "u1", "password": "password123", "databaseName": "admin", "roles": [{"databaseName": "admin", "roleName": "readWrite"}]});
    let r = Atlas::owner(&s).call("POST", missing, V1, Some(&user)).await;
    r.assert_error(404, "GROUP_NOT_FOUND");
    assert_eq!(r.json()["detail"], "No group with ID 111111111111111111111111 exists.");
    assert_eq!(r.json()["parameters"], json!(["111111111111111111111111"]));
    Atlas::new(&s, READONLY_PUBLIC_KEY, READONLY_PRIVATE_KEY)
        .call("POST", missing, V1, Some(&user))
        .await
        .assert_error(404, "GROUP_NOT_FOUND");
    // Existing project, key not in it.
    Atlas::new(&s, OTHER_PUBLIC_KEY, OTHER_PRIVATE_KEY).get(&g(""), V1).await.assert_error(401, "NOT_IN_GROUP");
    // In the project, role missing: 401 (not 403).
    let r = Atlas::new(&s, READONLY_PUBLIC_KEY, READONLY_PRIVATE_KEY)
        .call("POST", &g("/accessList"), V1, Some(&json!([{"ipAddress": "192.0.2.1"}])))
        .await;
    r.assert_error(401, "USER_UNAUTHORIZED");
    assert_eq!(r.json()["detail"], "Current user is not authorized to perform this action.");
    Atlas::new(&s, READONLY_PUBLIC_KEY, READONLY_PRIVATE_KEY)
        .call("POST", &g("/databaseUsers"), V1, Some(&user))
        .await
        .assert_error(401, "USER_UNAUTHORIZED");
    // Read-only can read.
    assert_eq!(Atlas::new(&s, READONLY_PUBLIC_KEY, READONLY_PRIVATE_KEY).get(&g("/accessList"), V1).await.status, 200);
    // Malformed project id.
    Atlas::owner(&s).get("/api/atlas/v2/groups/not-a-project", V1).await.assert_error(400, "INVALID_GROUP_ID");
    // Nothing was created by the refused requests.
    assert_eq!(Atlas::owner(&s).get(&g("/accessList"), V1).await.json()["totalCount"], 1);
}

#[tokio::test]
async fn auth_comes_before_version_and_version_before_access_list() {
    let s = sim().await;
    // Unauthenticated with a bad Accept: still the challenge.
    let r = raw(&s.base_url(), "GET", &g("/clusters"), &[("Accept", "application/json".into())], None).await;
    assert_eq!(r.status, 401);
    // Authenticated with missing/unknown versions: 406.
    Atlas::owner(&s).get(&g("/clusters"), "2099-01-01").await.assert_error(406, "INVALID_VERSION_DATE");
    Atlas::owner(&s).get(&g("/flexClusters"), V1).await.assert_error(406, "INVALID_VERSION_DATE");
    // A blocked key with a bad version sees the 406 first.
    Atlas::new(&s, BLOCKED_PUBLIC_KEY, BLOCKED_PRIVATE_KEY)
        .get(&g("/clusters"), "2099-01-01")
        .await
        .assert_error(406, "INVALID_VERSION_DATE");
    // The access list comes before project checks: blocked key on a missing project.
    Atlas::new(&s, BLOCKED_PUBLIC_KEY, BLOCKED_PRIVATE_KEY)
        .get("/api/atlas/v2/groups/111111111111111111111111", V1)
        .await
        .assert_error(403, "IP_ADDRESS_NOT_ON_ACCESS_LIST");
    // Accept without any version at all.
    let mut c = Atlas::owner(&s);
    c.get("/api/atlas/v2", V1).await;
    let nonce = c.nonce.clone().unwrap();
    let h = digest_header(OWNER_PUBLIC_KEY, OWNER_PRIVATE_KEY, "GET", "/api/atlas/v2", &nonce, "00000009");
    raw(&s.base_url(), "GET", "/api/atlas/v2", &[("Authorization", h)], None)
        .await
        .assert_error(406, "INVALID_VERSION_DATE");
}

#[tokio::test]
async fn whoami_needs_no_role_and_lists_roles() {
    let s = sim().await;
    let r = Atlas::new(&s, OTHER_PUBLIC_KEY, OTHER_PRIVATE_KEY).get("/api/atlas/v2", V1).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type").as_deref(), Some("application/vnd.atlas.2023-01-01+json;charset=utf-8"));
    let j = r.json();
    assert_eq!(j["apiKey"]["publicKey"], OTHER_PUBLIC_KEY);
    assert_eq!(
        j["apiKey"]["roles"],
        json!([{"groupId": OTHER_PROJECT_ID, "roleName": "GROUP_OWNER"}, {"orgId": ORG_ID, "roleName": "ORG_MEMBER"}])
    );
    assert_eq!(j["appName"], "MongoDB Atlas");
    let blocked = Atlas::new(&s, BLOCKED_PUBLIC_KEY, BLOCKED_PRIVATE_KEY)
        .with_ip("203.0.113.1")
        .get("/api/atlas/v2", V1)
        .await
        .json();
    assert_eq!(blocked["apiKey"]["accessList"], json!([{"cidrBlock": "203.0.113.0/24", "ipAddress": null}]));
}

#[tokio::test]
async fn org_owner_owns_every_project_of_its_org() {
    let s = sim().await;
    let mut c = Atlas::new(&s, ORG_OWNER_PUBLIC_KEY, ORG_OWNER_PRIVATE_KEY);
    assert_eq!(c.get(&g(""), V1).await.status, 200);
    assert_eq!(c.get(&format!("/api/atlas/v2/groups/{OTHER_PROJECT_ID}"), V1).await.status, 200);
    let r = c.call("POST", &g("/accessList"), V1, Some(&json!([{"ipAddress": "192.0.2.99"}]))).await;
    assert_eq!(r.status, 201);
    // A project of another org.
    c.get(&format!("/api/atlas/v2/groups/{STRICT_PROJECT_ID}"), V1).await.assert_error(401, "NOT_IN_GROUP");
}

#[tokio::test]
async fn project_and_keys_views() {
    let s = sim().await;
    let mut c = Atlas::owner(&s);
    let p = c.get(&g(""), V1).await.json();
    assert_eq!(p["id"], PROJECT_ID);
    assert_eq!(p["name"], "prod-project");
    assert_eq!(p["orgId"], ORG_ID);
    assert_eq!(p["clusterCount"], 7);
    assert!(p["links"][0]["href"].as_str().unwrap().starts_with(&s.base_url()));
    let keys = c.get(&g("/apiKeys"), V1).await.json();
    let publics: Vec<&str> =
        keys["results"].as_array().unwrap().iter().map(|k| k["publicKey"].as_str().unwrap()).collect();
    assert_eq!(publics, vec![OWNER_PUBLIC_KEY, READONLY_PUBLIC_KEY, BLOCKED_PUBLIC_KEY]);
    for k in keys["results"].as_array().unwrap() {
        let masked = k["privateKey"].as_str().unwrap();
        assert!(masked.starts_with("********-****-****-") && masked.len() == 31, "{masked}");
    }
    assert!(!keys.to_string().contains(OWNER_PRIVATE_KEY));
    let id = keys["results"][0]["id"].as_str().unwrap().to_string();
    let one = c.get(&format!("/api/atlas/v2/orgs/{ORG_ID}/apiKeys/{id}"), V1).await;
    assert_eq!(one.status, 200);
    assert_eq!(one.json()["publicKey"], OWNER_PUBLIC_KEY);
}

#[tokio::test]
async fn unknown_resources_and_methods() {
    let s = sim().await;
    let r = Atlas::owner(&s).get("/api/atlas/v2/nothingHere", V1).await;
    r.assert_error(404, "RESOURCE_NOT_FOUND");
    let r = Atlas::owner(&s).call("PUT", &g("/accessList"), V1, None).await;
    r.assert_error(405, "METHOD_NOT_ALLOWED");
    // An unescaped slash in an access-list entry is another (missing) resource.
    Atlas::owner(&s).get(&g("/accessList/198.51.100.7/32"), V1).await.assert_error(404, "RESOURCE_NOT_FOUND");
}

#[tokio::test]
async fn ipinfo_reports_the_caller_ip() {
    let s = sim().await;
    let r = Atlas::owner(&s).get("/api/private/ipinfo", V1).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type").as_deref(), Some("application/json"));
    assert_eq!(r.json(), json!({"currentIpv4Address": "127.0.0.1"}));
    let r = Atlas::owner(&s).with_ip("52.161.45.225").get("/api/private/ipinfo", V1).await;
    assert_eq!(r.json(), json!({"currentIpv4Address": "52.161.45.225"}));
    let r = raw(&s.base_url(), "GET", "/api/private/ipinfo", &[], None).await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn strict_org_accepts_a_key_with_a_list_from_a_listed_ip_and_service_accounts_have_lists_too() {
    let s = sim().await;
    let mut seed = atlas_sim::Seed::default_seed();
    seed.api_keys.iter_mut().find(|k| k.public_key == STRICT_PUBLIC_KEY).unwrap().access_list = vec!["10.1.2.3".into()];
    seed.service_accounts[0].access_list = vec!["198.51.100.0/24".into()];
    s.load_seed(&seed).unwrap();
    let strict = format!("/api/atlas/v2/groups/{STRICT_PROJECT_ID}");
    assert_eq!(
        Atlas::new(&s, STRICT_PUBLIC_KEY, STRICT_PRIVATE_KEY).with_ip("10.1.2.3").get(&strict, V1).await.status,
        200
    );
    Atlas::new(&s, STRICT_PUBLIC_KEY, STRICT_PRIVATE_KEY)
        .with_ip("10.1.2.4")
        .get(&strict, V1)
        .await
        .assert_error(403, "IP_ADDRESS_NOT_ON_ACCESS_LIST");

    let basic = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("{SA_CLIENT_ID}:{SA_CLIENT_SECRET}"),
    );
    let tok = raw(
        &s.base_url(),
        "POST",
        "/api/oauth/token",
        &[("Authorization", format!("Basic {basic}"))],
        Some("grant_type=client_credentials".into()),
    )
    .await;
    let t = tok.json()["access_token"].as_str().unwrap().to_string();
    let call = |ip: &'static str| {
        let (base, t) = (s.base_url(), t.clone());
        async move {
            raw(
                &base,
                "GET",
                &g(""),
                &[("Authorization", format!("Bearer {t}")), accept(V1), ("X-Sim-Client-Ip", ip.into())],
                None,
            )
            .await
        }
    };
    assert_eq!(call("198.51.100.20").await.status, 200);
    call("192.0.2.1").await.assert_error(403, "IP_ADDRESS_NOT_ON_ACCESS_LIST");
}

#[tokio::test]
async fn sec03_system_status_can_hide_an_api_keys_roles() {
    let s = sim_with(|c| c.hide_api_key_in_system_status = true).await;
    let r = Atlas::new(&s, OWNER_PUBLIC_KEY, OWNER_PRIVATE_KEY).get("/api/atlas/v2", V1).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["apiKey"], serde_json::Value::Null);
    // and the control API turns it off again
    let c = reqwest::Client::new()
        .post(format!("{}/__sim/config", s.base_url()))
        .json(&json!({"hide_api_key_in_system_status": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(c.status(), 200);
    let r = Atlas::new(&s, OWNER_PUBLIC_KEY, OWNER_PRIVATE_KEY).get("/api/atlas/v2", V1).await;
    assert_eq!(r.json()["apiKey"]["publicKey"], OWNER_PUBLIC_KEY);
}
