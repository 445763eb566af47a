use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use serde_json::{json, Value};

use crate::common::*;

async fn post(c: &mut Atlas, entries: Value) -> R {
    c.call("POST", &g("/accessList"), V1, Some(&entries)).await
}

fn entries(list: &Value) -> Vec<String> {
    list["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["cidrBlock"].as_str().or(e["awsSecurityGroup"].as_str()).unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn post_returns_201_with_the_whole_list_and_canonical_single_ips() {
    let s = sim().await;
    let mut c = Atlas::owner(&s);
    let r = post(&mut c, json!([{ "ipAddress": "192.168.0.243", "comment": "test" }, { "cidrBlock": "10.0.0.0/24" }]))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.header("content-type").as_deref(), Some("application/vnd.atlas.2023-01-01+json;charset=utf-8"));
    let j = r.json();
    assert_eq!(j["totalCount"], 3);
    assert_eq!(entries(&j), vec!["198.51.100.7/32", "192.168.0.243/32", "10.0.0.0/24"]);
    let single = &j["results"][1];
    assert_eq!(single["ipAddress"], "192.168.0.243");
    assert_eq!(single["cidrBlock"], "192.168.0.243/32");
    assert_eq!(single["groupId"], PROJECT_ID);
    assert_eq!(single["links"][0]["href"], format!("{}{}", s.base_url(), g("/accessList/192.168.0.243%2F32")));
    assert!(j["results"][2].get("ipAddress").is_none());
    assert_eq!(
        j["links"][0]["href"],
        format!("{}{}?includeCount=true&pageNum=1&itemsPerPage=100", s.base_url(), g("/accessList"))
    );
}

#[tokio::test]
async fn re_adding_is_an_upsert() {
    let s = sim().await;
    let mut c = Atlas::owner(&s);
    assert_eq!(post(&mut c, json!([{ "ipAddress": "192.0.2.1", "comment": "first" }])).await.status, 201);
    let r = post(&mut c, json!([{ "cidrBlock": "192.0.2.1/32", "comment": "second" }])).await;
    assert_eq!(r.status, 201);
    let j = r.json();
    assert_eq!(j["totalCount"], 2);
    assert_eq!(j["results"][1]["comment"], "second");
}

#[tokio::test]
async fn entries_are_addressed_bare_escaped_or_as_blocks() {
    let s = sim().await;
    let mut c = Atlas::owner(&s);
    post(&mut c, json!([{ "cidrBlock": "10.0.0.0/24" }])).await;
    for t in [
        "/accessList/198.51.100.7",
        "/accessList/198.51.100.7%2F32",
        "/accessList/198.51.100.7%2f32",
        "/accessList/10.0.0.0%2F24",
    ] {
        let r = c.get(&g(t), V1).await;
        assert_eq!(r.status, 200, "{t}: {}", r.text);
    }
    assert_eq!(c.get(&g("/accessList/198.51.100.7"), V1).await.json()["comment"], "office VPN");
    c.get(&g("/accessList/10.0.0.1"), V1).await.assert_error(404, "ATLAS_NETWORK_PERMISSION_ENTRY_NOT_FOUND");
    let r = c.call("DELETE", &g("/accessList/10.0.0.0%2F24"), V1, None).await;
    assert_eq!(r.status, 204);
    assert_eq!(r.text, "");
    assert_eq!(r.header("content-type").as_deref(), Some("application/vnd.atlas.2023-01-01+json;charset=utf-8"));
    c.call("DELETE", &g("/accessList/10.0.0.0%2F24"), V1, None)
        .await
        .assert_error(404, "ATLAS_NETWORK_PERMISSION_ENTRY_NOT_FOUND");
    assert_eq!(c.call("DELETE", &g("/accessList/198.51.100.7"), V1, None).await.status, 204);
    assert_eq!(c.get(&g("/accessList"), V1).await.json()["totalCount"], 0);
}

#[tokio::test]
async fn status_is_pending_then_active() {
    let s = sim_with(|c| c.access_list_activation_delay = Duration::from_secs(30)).await;
    let mut c = Atlas::owner(&s);
    post(&mut c, json!([{ "ipAddress": "192.0.2.5" }])).await;
    let st = c.get(&g("/accessList/192.0.2.5%2F32/status"), V1).await;
    assert_eq!(st.status, 200);
    assert_eq!(st.json(), json!({"STATUS": "PENDING"}));
    // Seeded entries are active from the start.
    assert_eq!(c.get(&g("/accessList/198.51.100.7/status"), V1).await.json(), json!({"STATUS": "ACTIVE"}));
    s.advance_clock(Duration::from_secs(31));
    assert_eq!(c.get(&g("/accessList/192.0.2.5/status"), V1).await.json(), json!({"STATUS": "ACTIVE"}));
    c.get(&g("/accessList/192.0.2.77/status"), V1).await.assert_error(404, "ATLAS_NETWORK_PERMISSION_ENTRY_NOT_FOUND");
}

#[tokio::test]
async fn validation_errors() {
    let s = sim().await;
    let mut c = Atlas::owner(&s);
    let cases = [
        (json!([{ "ipAddress": "300.1.2.3" }]), "INVALID_IP_ADDRESS_OR_CIDR_NOTATION"),
        (json!([{ "ipAddress": "10.0.0.0/24" }]), "INVALID_IP_ADDRESS_OR_CIDR_NOTATION"),
        (json!([{ "cidrBlock": "10.0.0/24" }]), "INVALID_IP_ADDRESS_OR_CIDR_NOTATION"),
        (json!([{ "cidrBlock": "10.0.0.1/24" }]), "INVALID_CIDR_BLOCK"),
        (json!([{ "cidrBlock": "10.0.0.0/40" }]), "INVALID_CIDR_BLOCK"),
        (
            json!([{ "ipAddress": "10.0.0.1", "cidrBlock": "10.0.0.1/32" }]),
            "MULTIPLE_VALUES_SPECIFIED_FOR_ONE_NETWORK_PERMISSION_ENTRY",
        ),
        (json!([{ "ipAddress": "10.0.0.1" }, { "cidrBlock": "10.0.0.1/32" }]), "DUPLICATE_ADDRESSES_IN_INPUT"),
        (json!([{ "ipAddress": "10.0.0.1", "comment": "x".repeat(81) }]), "INVALID_NETWORK_PERMISSION_COMMENT"),
        (json!([{ "comment": "nothing" }]), "INVALID_IP_ADDRESS_OR_CIDR_NOTATION"),
        (json!({ "ipAddress": "10.0.0.1" }), "INVALID_JSON"),
    ];
    for (body, code) in cases {
        let r = post(&mut c, body.clone()).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        r.assert_error(400, code);
    }
    // An 80-character comment is fine. Nothing from the failed posts was stored.
    let r = post(&mut c, json!([{ "ipAddress": "10.0.0.1", "comment": "x".repeat(80) }])).await;
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["totalCount"], 2);
}

#[tokio::test]
async fn at_most_200_entries() {
    let s = sim().await;
    let mut c = Atlas::owner(&s);
    let many: Vec<Value> =
        (0..199).map(|i| json!({ "ipAddress": format!("10.1.{}.{}", i / 250, i % 250 + 1) })).collect();
    let r = post(&mut c, Value::Array(many)).await;
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["totalCount"], 200);
    // Re-adding an existing entry at the limit still works.
    assert_eq!(post(&mut c, json!([{ "ipAddress": "10.1.0.1", "comment": "again" }])).await.status, 201);
    let r = post(&mut c, json!([{ "ipAddress": "192.0.2.200" }])).await;
    r.assert_error(403, "ATLAS_NETWORK_PERMISSIONS_LIMIT_EXCEEDED");
    assert_eq!(c.get(&g("/accessList?itemsPerPage=1"), V1).await.json()["totalCount"], 200);
}

#[tokio::test]
async fn delete_after_date_entries_expire() {
    let s = sim().await;
    let mut c = Atlas::owner(&s);
    let at = (Utc::now() + chrono::Duration::minutes(5)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let r = post(&mut c, json!([{ "ipAddress": "192.168.0.243", "comment": "test", "deleteAfterDate": at }])).await;
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["results"][1]["deleteAfterDate"], at);
    s.advance_clock(Duration::from_secs(4 * 60));
    assert_eq!(c.get(&g("/accessList"), V1).await.json()["totalCount"], 2);
    s.advance_clock(Duration::from_secs(2 * 60));
    assert_eq!(c.get(&g("/accessList"), V1).await.json()["totalCount"], 1);
    c.get(&g("/accessList/192.168.0.243"), V1).await.assert_error(404, "ATLAS_NETWORK_PERMISSION_ENTRY_NOT_FOUND");

    let past = (Utc::now() - chrono::Duration::minutes(5)).to_rfc3339_opts(SecondsFormat::Secs, true);
    post(&mut c, json!([{ "ipAddress": "192.0.2.9", "deleteAfterDate": past }]))
        .await
        .assert_error(400, "INVALID_DELETE_AFTER_DATE");
    let far = (Utc::now() + chrono::Duration::days(8)).to_rfc3339_opts(SecondsFormat::Secs, true);
    post(&mut c, json!([{ "ipAddress": "192.0.2.9", "deleteAfterDate": far }]))
        .await
        .assert_error(400, "INVALID_DELETE_AFTER_DATE");
}

#[tokio::test]
async fn security_groups_are_kept_apart_from_addresses() {
    let s = sim().await;
    let mut c = Atlas::owner(&s);
    let r = post(&mut c, json!([{ "awsSecurityGroup": "sg-903004f8" }])).await;
    assert_eq!(r.status, 201);
    assert_eq!(entries(&r.json()), vec!["198.51.100.7/32", "sg-903004f8"]);
    assert_eq!(c.get(&g("/accessList/sg-903004f8"), V1).await.status, 200);
}

#[tokio::test]
async fn ipv6_addresses_and_blocks() {
    let s = sim().await;
    let mut c = Atlas::owner(&s);
    let r = post(&mut c, json!([{ "ipAddress": "2001:db8::1" }, { "cidrBlock": "2001:db8:1::/48" }])).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let j = r.json();
    assert_eq!(j["results"][1]["cidrBlock"], "2001:db8::1/128");
    assert_eq!(j["results"][1]["ipAddress"], "2001:db8::1");
    assert_eq!(c.get(&g("/accessList/2001:db8:1::%2F48"), V1).await.status, 200);
    assert_eq!(c.call("DELETE", &g("/accessList/2001:db8::1"), V1, None).await.status, 204);
    post(&mut c, json!([{ "cidrBlock": "2001:db8::1/48" }])).await.assert_error(400, "INVALID_CIDR_BLOCK");
}

#[tokio::test]
async fn concurrent_writes_to_one_list_conflict_when_writes_take_time() {
    let s = sim_with(|c| c.access_list_write_duration = Duration::from_millis(300)).await;
    let (mut a, mut b) = (Atlas::owner(&s), Atlas::owner(&s));
    // each client's challenge first, so both POSTs go out signed at once
    a.get(&g("/accessList"), V1).await;
    b.get(&g("/accessList"), V1).await;
    let (ra, rb) = tokio::join!(post(&mut a, json!([{ "ipAddress": "192.0.2.1" }])), async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        post(&mut b, json!([{ "ipAddress": "192.0.2.2" }])).await
    });
    assert_eq!(ra.status, 201, "{}", ra.text);
    rb.assert_error(409, "ACCESS_LIST_WRITE_IN_PROGRESS");
    // reads are not held up, and once the write is done the next one goes through
    assert_eq!(b.get(&g("/accessList"), V1).await.status, 200);
    assert_eq!(post(&mut b, json!([{ "ipAddress": "192.0.2.2" }])).await.status, 201);
    let entries_now = entries(&b.get(&g("/accessList"), V1).await.json());
    assert_eq!(entries_now, vec!["198.51.100.7/32", "192.0.2.1/32", "192.0.2.2/32"]);
}
