use std::time::Duration;

use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn list_has_dedicated_clusters_only_in_seed_order() {
    let s = sim().await;
    let r = Atlas::owner(&s).get(&g("/clusters"), V_CLUSTERS).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type").as_deref(), Some("application/vnd.atlas.2024-08-05+json;charset=utf-8"));
    assert!(r.header("deprecation").is_none() && r.header("sunset").is_none());
    let j = r.json();
    let names: Vec<&str> = j["results"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        vec![CLUSTER_IDLE, CLUSTER_CREATING, CLUSTER_PAUSED, CLUSTER_SHARDED, CLUSTER_GEOSHARDED, CLUSTER_FREE]
    );
    assert_eq!(j["totalCount"], 6);
}

#[tokio::test]
async fn states_paused_and_connection_strings() {
    let s = sim().await;
    let mut c = Atlas::owner(&s);
    let idle = c.get(&g("/clusters/Cluster0"), V_CLUSTERS).await.json();
    assert_eq!(idle["stateName"], "IDLE");
    assert_eq!(idle["paused"], false);
    assert_eq!(idle["connectionStrings"]["standardSrv"], CLUSTER_IDLE_SRV);
    assert!(idle["connectionStrings"]["standard"].as_str().unwrap().starts_with("mongodb://"));
    assert_eq!(idle["replicationSpecs"][0]["regionConfigs"][0]["electableSpecs"]["instanceSize"], "M10");
    assert_eq!(idle["replicationSpecs"][0]["regionConfigs"][0]["providerName"], "AWS");
    assert_eq!(idle["replicationSpecs"][0]["regionConfigs"][0]["regionName"], "US_EAST_1");
    assert_eq!(idle["clusterType"], "REPLICASET");
    assert_eq!(idle["groupId"], PROJECT_ID);
    assert_eq!(idle["links"][0]["href"], format!("{}{}", s.base_url(), g("/clusters/Cluster0")));
    // Never credentials in a connection string.
    assert!(!idle["connectionStrings"].to_string().contains('@'));

    let creating = c.get(&g("/clusters/analytics"), V_CLUSTERS).await.json();
    assert_eq!(creating["stateName"], "CREATING");
    assert_eq!(creating["connectionStrings"], json!({}));

    let paused = c.get(&g("/clusters/archive"), V_CLUSTERS).await.json();
    assert_eq!(paused["stateName"], "IDLE");
    assert_eq!(paused["paused"], true);

    // Once the cluster is operational its strings appear.
    assert!(s.set_cluster_state(PROJECT_ID, "analytics", "IDLE", None));
    let ready = c.get(&g("/clusters/analytics"), V_CLUSTERS).await.json();
    assert!(ready["connectionStrings"]["standardSrv"].as_str().unwrap().starts_with("mongodb+srv://"));
}

#[tokio::test]
async fn flex_and_dedicated_apis_refuse_each_other() {
    let s = sim().await;
    let mut c = Atlas::owner(&s);
    let r = c.get(&g("/clusters/flex-dev"), V_CLUSTERS).await;
    r.assert_error(400, "CANNOT_USE_FLEX_CLUSTER_IN_CLUSTER_API");
    assert_eq!(r.json()["detail"], "Flex cluster flex-dev cannot be used in the Cluster API.");
    assert_eq!(r.json()["parameters"], json!(["flex-dev"]));
    c.get(&g("/flexClusters/Cluster0"), V_FLEX).await.assert_error(400, "CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API");
    let r = c.get(&g("/clusters/nope"), V_CLUSTERS).await;
    r.assert_error(404, "CLUSTER_NOT_FOUND");
    assert_eq!(r.json()["detail"], format!("No cluster named nope exists in group {PROJECT_ID}."));
    c.get(&g("/flexClusters/nope"), V_FLEX).await.assert_error(404, "CLUSTER_NOT_FOUND");

    let flex = c.get(&g("/flexClusters"), V_FLEX).await;
    assert_eq!(flex.header("content-type").as_deref(), Some("application/vnd.atlas.2024-11-13+json;charset=utf-8"));
    let j = flex.json();
    assert_eq!(j["totalCount"], 1);
    let f = &j["results"][0];
    assert_eq!(f["name"], FLEX_CLUSTER);
    assert_eq!(f["providerSettings"]["providerName"], "FLEX");
    assert_eq!(f["providerSettings"]["backingProviderName"], "AWS");
    assert_eq!(f["stateName"], "IDLE");
    assert_eq!(c.get(&g("/flexClusters/flex-dev"), V_FLEX).await.json()["name"], FLEX_CLUSTER);
}

#[tokio::test]
async fn older_cluster_versions_are_deprecated() {
    let s = sim().await;
    let mut c = Atlas::owner(&s);
    for v in ["2023-01-01", "2023-02-01"] {
        let r = c.get(&g("/clusters/Cluster0"), v).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-type").unwrap(), format!("application/vnd.atlas.{v}+json;charset=utf-8"));
        assert_eq!(r.header("deprecation").as_deref(), Some("Mon, 5 Aug 2024 00:00:00 GMT"));
        assert_eq!(r.header("sunset").as_deref(), Some("Thu, 1 Jul 2027 00:00:00 GMT"));
    }
    // Deprecation headers ride on errors too (as recorded for the flex 400).
    let r = c.get(&g("/clusters/flex-dev"), "2023-02-01").await;
    r.assert_error(400, "CANNOT_USE_FLEX_CLUSTER_IN_CLUSTER_API");
    assert!(r.header("deprecation").is_some());
    let legacy = c.get(&g("/clusters/Cluster0"), "2023-01-01").await.json();
    assert_eq!(legacy["providerSettings"]["instanceSizeName"], "M10");
    assert_eq!(legacy["srvAddress"], CLUSTER_IDLE_SRV);
    let adv = c.get(&g("/clusters/Cluster0"), "2023-02-01").await.json();
    assert_eq!(adv["replicationSpecs"][0]["numShards"], 1);
}

async fn status(c: &mut Atlas, name: &str) -> String {
    let t = g(&format!("/clusters/{name}/status"));
    c.get(&t, V1).await.json()["changeStatus"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn change_status_is_pending_after_a_user_change_then_applied() {
    let s = sim_with(|c| c.user_apply_delay = Duration::from_secs(10)).await;
    let mut c = Atlas::owner(&s);
    assert_eq!(status(&mut c, "Cluster0").await, "APPLIED");
    let user = json!({"groupId": PROJECT_ID, "username": "app", "password": "s3cret-pass", "databaseName": "admin",
        "roles": [{"databaseName": "admin", "roleName": "readWrite"}], "scopes": [{"name": "Cluster0", "type": "CLUSTER"}]});
    assert_eq!(c.call("POST", &g("/databaseUsers"), V1, Some(&user)).await.status, 201);
    assert_eq!(status(&mut c, "Cluster0").await, "PENDING");
    assert_eq!(status(&mut c, "archive").await, "APPLIED", "out of the user's scope");
    s.advance_clock(Duration::from_secs(11));
    assert_eq!(status(&mut c, "Cluster0").await, "APPLIED");
    c.get(&g("/clusters/nope/status"), V1).await.assert_error(404, "CLUSTER_NOT_FOUND");
}

#[tokio::test]
async fn creating_clusters_can_finish_on_their_own() {
    let s = sim_with(|c| c.cluster_create_duration = Some(Duration::from_secs(600))).await;
    let mut c = Atlas::owner(&s);
    let before = c.get(&g("/clusters/analytics"), V_CLUSTERS).await.json();
    assert_eq!(before["stateName"], "CREATING");
    assert_eq!(before["connectionStrings"], json!({}));
    s.advance_clock(Duration::from_secs(601));
    let after = c.get(&g("/clusters/analytics"), V_CLUSTERS).await.json();
    assert_eq!(after["stateName"], "IDLE");
    assert_eq!(after["connectionStrings"]["standardSrv"], "mongodb+srv://analytics.x1y2z.mongodb.net");
    // Without the setting (the default), CREATING stays.
    let s2 = sim().await;
    s2.advance_clock(Duration::from_secs(86_400));
    assert_eq!(Atlas::owner(&s2).get(&g("/clusters/analytics"), V_CLUSTERS).await.json()["stateName"], "CREATING");
}
