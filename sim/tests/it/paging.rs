use serde_json::{json, Value};

use crate::common::*;

#[tokio::test]
async fn pages_links_and_counts() {
    let s = sim().await;
    let mut c = Atlas::owner(&s);
    let items: Vec<Value> = (1..=5).map(|i| json!({ "ipAddress": format!("192.0.2.{i}") })).collect();
    c.call("POST", &g("/accessList"), V1, Some(&Value::Array(items))).await;
    let base = format!("{}{}", s.base_url(), g("/accessList"));

    let p1 = c.get(&g("/accessList?itemsPerPage=2"), V1).await.json();
    assert_eq!(p1["totalCount"], 6);
    assert_eq!(p1["results"].as_array().unwrap().len(), 2);
    assert_eq!(
        p1["links"],
        json!([
            {"href": format!("{base}?includeCount=true&pageNum=1&itemsPerPage=2"), "rel": "self"},
            {"href": format!("{base}?includeCount=true&itemsPerPage=2&pageNum=2"), "rel": "next"},
        ])
    );
    let p3 = c.get(&g("/accessList?itemsPerPage=2&pageNum=3&includeCount=false"), V1).await.json();
    assert!(p3.get("totalCount").is_none());
    assert_eq!(p3["results"][1]["ipAddress"], "192.0.2.5");
    assert!(p3["links"].as_array().unwrap().iter().all(|l| l["rel"] != "next"));
    let beyond = c.get(&g("/accessList?itemsPerPage=2&pageNum=9"), V1).await.json();
    assert_eq!(beyond["results"], json!([]));
    assert_eq!(beyond["totalCount"], 6);

    // Deterministic order: the same query twice gives the same page.
    let again = c.get(&g("/accessList?itemsPerPage=2"), V1).await.json();
    assert_eq!(again, p1);

    for bad in ["itemsPerPage=0", "itemsPerPage=501", "pageNum=0", "itemsPerPage=abc", "includeCount=maybe"] {
        let r = c.get(&g(&format!("/accessList?{bad}")), V1).await;
        r.assert_error(400, "INVALID_ATTRIBUTE");
    }
    assert_eq!(c.get(&g("/accessList?itemsPerPage=500"), V1).await.status, 200);
}

#[tokio::test]
async fn links_use_the_request_host() {
    let s = sim().await;
    let mut c = Atlas::owner(&s);
    c.get("/api/atlas/v2", V1).await;
    let nonce = c.nonce.clone().unwrap();
    let target = g("/clusters");
    let h = digest_header(OWNER_PUBLIC_KEY, OWNER_PRIVATE_KEY, "GET", &target, &nonce, "00000005");
    let r = raw(
        &s.base_url(),
        "GET",
        &target,
        &[("Authorization", h), accept(V_CLUSTERS), ("Host", "atlas.example.test:8080".into())],
        None,
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json()["links"][0]["href"],
        format!("http://atlas.example.test:8080{target}?includeCount=true&pageNum=1&itemsPerPage=100")
    );
}

#[tokio::test]
async fn every_list_pages() {
    let s = sim().await;
    let mut c = Atlas::owner(&s);
    for (path, v) in [
        ("/clusters", V_CLUSTERS),
        ("/flexClusters", V_FLEX),
        ("/databaseUsers", V1),
        ("/apiKeys", V1),
        ("/accessList", V1),
    ] {
        let r = c.get(&g(&format!("{path}?itemsPerPage=1&includeCount=true")), v).await;
        assert_eq!(r.status, 200, "{path}");
        let j = r.json();
        assert!(j["results"].as_array().unwrap().len() <= 1, "{path}");
        assert!(j["totalCount"].is_number(), "{path}");
        assert_eq!(j["links"][0]["rel"], "self");
        c.get(&g(&format!("{path}?itemsPerPage=501")), v).await.assert_error(400, "INVALID_ATTRIBUTE");
    }
}

#[tokio::test]
async fn pretty_prints_on_request() {
    let s = sim().await;
    let mut c = Atlas::owner(&s);
    let plain = c.get(&g(""), V1).await;
    let pretty = c.get(&g("?pretty=true"), V1).await;
    assert!(!plain.text.contains('\n'));
    assert!(pretty.text.contains("\n  \"clusterCount\""), "{}", pretty.text);
    assert_eq!(plain.json(), pretty.json());
}
