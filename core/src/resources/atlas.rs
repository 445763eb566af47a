//! The Atlas calls import and unlink make: clusters (dedicated, and flex after Atlas's
//! `CANNOT_USE_FLEX_CLUSTER_IN_CLUSTER_API`), a cluster's change status, database users.

use super::api::{ClusterMetadata, Resource};
use crate::atlas::media::versions;
use crate::atlas::{path_segment, AtlasClient, AtlasError, Call, API_PREFIX};
use crate::crypto::SecretString;
use reqwest::Method;
use serde_json::{json, Value};

/// A cluster as import needs it, from either API.
#[derive(Debug, Clone)]
pub struct Cluster {
    pub name: String,
    pub flex: bool,
    pub state: String,
    pub paused: bool,
    pub connection_strings: Value,
    pub raw: Value,
}

fn group(project: &str) -> String {
    format!("{API_PREFIX}/groups/{}", path_segment(project))
}

fn from_json(v: Value, flex: bool) -> Cluster {
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    Cluster {
        name: s("name"),
        flex,
        state: s("stateName"),
        paused: v.get("paused").and_then(Value::as_bool).unwrap_or(false),
        connection_strings: v.get("connectionStrings").cloned().unwrap_or(Value::Null),
        raw: v,
    }
}

/// The cluster `name`, dedicated or flex; `Ok(None)` when neither API has it.
pub async fn find_cluster(client: &AtlasClient, project: &str, name: &str) -> Result<Option<Cluster>, AtlasError> {
    let path = format!("{}/clusters/{}", group(project), path_segment(name));
    match client.get_json::<Value>(&path, versions::CLUSTERS).await {
        Ok(v) => Ok(Some(from_json(v, false))),
        Err(e) if is(&e, 400, "CANNOT_USE_FLEX_CLUSTER_IN_CLUSTER_API") => find_flex(client, project, name).await,
        Err(e) if status(&e) == Some(404) => Ok(None),
        Err(e) => Err(e),
    }
}

async fn find_flex(client: &AtlasClient, project: &str, name: &str) -> Result<Option<Cluster>, AtlasError> {
    let path = format!("{}/flexClusters/{}", group(project), path_segment(name));
    match client.get_json::<Value>(&path, versions::FLEX_CLUSTERS).await {
        Ok(v) => Ok(Some(from_json(v, true))),
        Err(e) if status(&e) == Some(404) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Every cluster of the project: dedicated and free ones (the clusters API), then flex ones.
pub async fn list_clusters(client: &AtlasClient, project: &str) -> Result<Vec<Resource>, AtlasError> {
    let dedicated: Vec<Value> =
        client.get_all(&format!("{}/clusters", group(project)), versions::CLUSTERS, 500).await?;
    let flex: Vec<Value> =
        client.get_all(&format!("{}/flexClusters", group(project)), versions::FLEX_CLUSTERS, 500).await?;
    Ok(dedicated.iter().map(|v| resource(v, false)).chain(flex.iter().map(|v| resource(v, true))).collect())
}

fn resource(v: &Value, flex: bool) -> Resource {
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let region = v.pointer("/replicationSpecs/0/regionConfigs/0").cloned().unwrap_or(Value::Null);
    let settings = v.get("providerSettings").cloned().unwrap_or(Value::Null);
    let (provider, tier, region_name) = if flex {
        (s(&settings, "backingProviderName"), Some("FLEX".to_string()), s(&settings, "regionName"))
    } else {
        let provider = s(&region, "providerName");
        let tier = region.pointer("/electableSpecs/instanceSize").and_then(Value::as_str).map(str::to_string);
        let backing = if provider.as_deref() == Some("TENANT") { s(&region, "backingProviderName") } else { provider };
        (backing, tier, s(&region, "regionName"))
    };
    let kind = match (flex, tier.as_deref()) {
        (true, _) => "flex",
        (false, Some("M0")) => "free",
        _ => "dedicated",
    };
    Resource {
        id: s(v, "id").unwrap_or_default(),
        name: s(v, "name").unwrap_or_default(),
        region: region_name,
        metadata: ClusterMetadata {
            kind: kind.to_string(),
            provider,
            tier,
            state: s(v, "stateName").unwrap_or_default(),
            version: s(v, "mongoDBVersion"),
            paused: v.get("paused").and_then(Value::as_bool).unwrap_or(false),
            cluster_type: s(v, "clusterType").or_else(|| flex.then(|| "REPLICASET".to_string())),
        },
    }
}

/// `changeStatus` of the cluster: `APPLIED` once every database-user change has reached it.
pub async fn change_status(client: &AtlasClient, project: &str, cluster: &str) -> Result<String, AtlasError> {
    let path = format!("{}/clusters/{}/status", group(project), path_segment(cluster));
    let v: Value = client.get_json(&path, versions::CLUSTER_STATUS).await?;
    Ok(v.get("changeStatus").and_then(Value::as_str).unwrap_or("PENDING").to_string())
}

/// What a database user is made with.
pub struct UserSpec<'a> {
    pub project: &'a str,
    pub username: &'a str,
    pub password: &'a SecretString,
    pub role: &'a str,
    pub cluster: &'a str,
    /// The ownership marker (`ownership::Marker::description`).
    pub description: String,
}

impl UserSpec<'_> {
    fn body(&self, create: bool) -> Value {
        let mut b = json!({
            "password": self.password.expose(),
            "roles": [{"roleName": self.role, "databaseName": "admin"}],
            "scopes": [{"type": "CLUSTER", "name": self.cluster}],
            "description": self.description,
        });
        if create {
            // The spec requires groupId in the body as well as in the path.
            b["groupId"] = json!(self.project);
            b["databaseName"] = json!("admin");
            b["username"] = json!(self.username);
        }
        b
    }
}

fn user_path(project: &str, username: &str) -> String {
    format!("{}/databaseUsers/admin/{}", group(project), path_segment(username))
}

/// The user's description when Atlas has the user (`Some(None)`: it has one without a
/// description), `None` when it does not. Nothing else of the user is kept: its roles and
/// scopes are not ours to show.
pub async fn find_user(
    client: &AtlasClient,
    project: &str,
    username: &str,
) -> Result<Option<Option<String>>, AtlasError> {
    match client.get_json::<Value>(&user_path(project, username), versions::DATABASE_USERS).await {
        Ok(v) => Ok(Some(v.get("description").and_then(Value::as_str).map(str::to_string))),
        Err(e) if status(&e) == Some(404) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Creates the user. A 409 (someone made it since `find_user` answered) is answered as
/// `Ok(false)`: the caller decides again on what Atlas now holds.
pub async fn create_user(client: &AtlasClient, spec: &UserSpec<'_>) -> Result<bool, AtlasError> {
    let path = format!("{}/databaseUsers", group(spec.project));
    match client.post_json::<Value>(&path, versions::DATABASE_USERS, &spec.body(true), false).await {
        Ok(_) => Ok(true),
        Err(e) if status(&e) == Some(409) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Gives an existing user the new password, role, scope and marker.
pub async fn update_user(client: &AtlasClient, spec: &UserSpec<'_>) -> Result<(), AtlasError> {
    let path = user_path(spec.project, spec.username);
    // Setting the same password again is harmless, so a PATCH may be repeated after a dropped connection.
    let call = Call::new(Method::PATCH, &path, versions::DATABASE_USERS).json_body(&spec.body(false)).idempotent(true);
    client.execute(call).await.map(|_| ())
}

/// Deletes the user; answers false when Atlas did not have it.
pub async fn delete_user(client: &AtlasClient, project: &str, username: &str) -> Result<bool, AtlasError> {
    match client.delete(&user_path(project, username), versions::DATABASE_USERS).await {
        Ok(()) => Ok(true),
        Err(e) if status(&e) == Some(404) => Ok(false),
        Err(e) => Err(e),
    }
}

fn status(e: &AtlasError) -> Option<u16> {
    e.api().map(|a| a.status)
}

fn is(e: &AtlasError, code: u16, error_code: &str) -> bool {
    e.api().is_some_and(|a| a.status == code && a.code() == Some(error_code))
}
