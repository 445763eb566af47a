use serde_json::{json, Value};

use crate::common::*;

fn user(name: &str) -> Value {
    json!({
        "databaseName": "admin", "groupId": PROJECT_ID, "username": name, "password": "Sup3r-secret-pw",
        "roles": [{"databaseName": "admin", "roleName": "readWriteAnyDatabase"}],
        "scopes": [{"name": "Cluster0", "type": "CLUSTER"}], "description": "made by a test"
    })
}

#[tokio::test]
async fn create_get_update_delete_without_echoing_the_password() {
    let s = sim().await;
    let mut c = Atlas::owner(&s);
    let r = c.call("POST", &g("/databaseUsers"), V1, Some(&user("app-user"))).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(!r.text.contains("Sup3r-secret-pw") && r.json().get("password").is_none());
    let j = r.json();
    assert_eq!(j["username"], "app-user");
    assert_eq!(j["databaseName"], "admin");
    assert_eq!(j["scopes"], json!([{"name": "Cluster0", "type": "CLUSTER"}]));
    assert_eq!(j["x509Type"], "NONE");
    assert_eq!(j["links"][0]["href"], format!("{}{}", s.base_url(), g("/databaseUsers/admin/app-user")));

    let got = c.get(&g("/databaseUsers/admin/app-user"), V1).await;
    assert_eq!(got.status, 200);
    assert!(!got.text.contains("Sup3r-secret-pw"));

    let r = c
        .call(
            "PATCH",
            &g("/databaseUsers/admin/app-user"),
            V1,
            Some(&json!({"roles": [{"databaseName": "admin", "roleName": "read"}], "password": "another-password"})),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["roles"], json!([{"databaseName": "admin", "roleName": "read"}]));
    assert!(!r.text.contains("another-password"));

    let list = c.get(&g("/databaseUsers"), V1).await.json();
    assert_eq!(list["totalCount"], 1);
    assert!(!list.to_string().contains("password"));

    assert_eq!(c.call("DELETE", &g("/databaseUsers/admin/app-user"), V1, None).await.status, 204);
    c.get(&g("/databaseUsers/admin/app-user"), V1).await.assert_error(404, "USER_NOT_FOUND");
    c.call("DELETE", &g("/databaseUsers/admin/app-user"), V1, None).await.assert_error(404, "USER_NOT_FOUND");
    // Never logged either.
    assert!(!format!("{:?}", s.request_log()).contains("Sup3r"));
}

#[tokio::test]
async fn duplicates_are_409() {
    let s = sim().await;
    let mut c = Atlas::owner(&s);
    assert_eq!(c.call("POST", &g("/databaseUsers"), V1, Some(&user("dup"))).await.status, 201);
    c.call("POST", &g("/databaseUsers"), V1, Some(&user("dup"))).await.assert_error(409, "USER_ALREADY_EXISTS");
}

#[tokio::test]
async fn at_most_100_users_per_project() {
    let s = sim().await;
    let mut c = Atlas::owner(&s);
    for i in 0..100 {
        let r = c.call("POST", &g("/databaseUsers"), V1, Some(&user(&format!("u{i:03}")))).await;
        assert_eq!(r.status, 201, "user {i}: {}", r.text);
    }
    c.call("POST", &g("/databaseUsers"), V1, Some(&user("one-too-many")))
        .await
        .assert_error(403, "DATABASE_USER_LIMIT_EXCEEDED");
    let page = c.get(&g("/databaseUsers?itemsPerPage=500"), V1).await.json();
    assert_eq!(page["totalCount"], 100);
    assert_eq!(page["results"].as_array().unwrap().len(), 100);
}

#[tokio::test]
async fn validation() {
    let s = sim().await;
    let mut c = Atlas::owner(&s);
    let mut short = user("shorty");
    short["password"] = json!("short");
    c.call("POST", &g("/databaseUsers"), V1, Some(&short)).await.assert_error(400, "INVALID_ATTRIBUTE");
    let mut no_pw = user("nopw");
    no_pw.as_object_mut().unwrap().remove("password");
    c.call("POST", &g("/databaseUsers"), V1, Some(&no_pw)).await.assert_error(400, "MISSING_ATTRIBUTE");
    let mut bad_scope = user("scoped");
    bad_scope["scopes"] = json!([{"name": "no-such-cluster", "type": "CLUSTER"}]);
    c.call("POST", &g("/databaseUsers"), V1, Some(&bad_scope)).await.assert_error(400, "INVALID_ATTRIBUTE");
    let mut no_name = user("x");
    no_name.as_object_mut().unwrap().remove("username");
    c.call("POST", &g("/databaseUsers"), V1, Some(&no_name)).await.assert_error(400, "MISSING_ATTRIBUTE");
    let mut no_roles = user("y");
    no_roles.as_object_mut().unwrap().remove("roles");
    c.call("POST", &g("/databaseUsers"), V1, Some(&no_roles)).await.assert_error(400, "MISSING_ATTRIBUTE");
    let r = c.call("POST", &g("/databaseUsers"), V1, Some(&json!("not an object"))).await;
    r.assert_error(400, "INVALID_JSON");
    // The spec requires groupId in the body, naming the path's project.
    let mut no_group = user("z");
    no_group.as_object_mut().unwrap().remove("groupId");
    let r = c.call("POST", &g("/databaseUsers"), V1, Some(&no_group)).await;
    r.assert_error(400, "MISSING_ATTRIBUTE");
    assert_eq!(r.json()["parameters"], json!(["groupId"]));
    let mut other_group = user("z");
    other_group["groupId"] = json!("111111111111111111111111");
    c.call("POST", &g("/databaseUsers"), V1, Some(&other_group)).await.assert_error(400, "INVALID_ATTRIBUTE");
    assert_eq!(c.get(&g("/databaseUsers"), V1).await.json()["totalCount"], 0);
}

#[tokio::test]
async fn temporary_users_expire() {
    let s = sim().await;
    let mut c = Atlas::owner(&s);
    let mut u = user("temp");
    let at = (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    u["deleteAfterDate"] = json!(at);
    let r = c.call("POST", &g("/databaseUsers"), V1, Some(&u)).await;
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["deleteAfterDate"], json!(at));
    s.advance_clock(std::time::Duration::from_secs(3 * 3600));
    c.get(&g("/databaseUsers/admin/temp"), V1).await.assert_error(404, "USER_NOT_FOUND");
}

#[tokio::test]
async fn passwords_can_be_verified_but_never_read() {
    let s = sim_with(|c| c.user_apply_delay = std::time::Duration::from_secs(30)).await;
    let mut c = Atlas::owner(&s);
    assert_eq!(c.call("POST", &g("/databaseUsers"), V1, Some(&user("app"))).await.status, 201);
    assert!(s.verify_database_user(PROJECT_ID, "admin", "app", "Sup3r-secret-pw"));
    assert!(!s.verify_database_user(PROJECT_ID, "admin", "app", "wrong-password"));
    assert!(!s.verify_database_user(PROJECT_ID, "admin", "nobody", "Sup3r-secret-pw"));
    let check = |pw: &'static str| {
        let base = s.base_url();
        async move {
            let body = json!({"groupId": PROJECT_ID, "username": "app", "password": pw}).to_string();
            raw(&base, "POST", "/__sim/verify-user", &[], Some(body)).await.json()
        }
    };
    // Created a moment ago: right password, but the change has not reached the cluster yet.
    assert_eq!(check("Sup3r-secret-pw").await, json!({"valid": true, "applied": false}));
    s.advance_clock(std::time::Duration::from_secs(31));
    assert_eq!(check("Sup3r-secret-pw").await, json!({"valid": true, "applied": true}));
    assert_eq!(check("nope-nope").await, json!({"valid": false, "applied": false}));
    // A password change through PATCH is what verifies afterwards.
    c.call("PATCH", &g("/databaseUsers/admin/app"), V1, Some(&json!({"password": "rotated-password"}))).await;
    assert!(s.verify_database_user(PROJECT_ID, "admin", "app", "rotated-password"));
    assert!(!s.verify_database_user(PROJECT_ID, "admin", "app", "Sup3r-secret-pw"));
}
