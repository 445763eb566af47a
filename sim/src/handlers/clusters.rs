//! Dedicated clusters (three resource versions), flex clusters, and cluster change status.

use serde_json::{json, Map, Value};

use super::{link, Ctx, Reply};
use crate::clock::rfc3339;
use crate::dataplane::{self, is_mongos};
use crate::errors::ApiError;
use crate::media::{V2023_01_01, V2023_02_01};
use crate::paging::Page;
use crate::state::{Cluster, FlexCluster};

pub fn cluster_not_found(g: &str, name: &str) -> ApiError {
    ApiError::new(
        404,
        "CLUSTER_NOT_FOUND",
        format!("No cluster named {name} exists in group {g}."),
        vec![json!(name), json!(g)],
    )
}

fn flex_in_cluster_api(name: &str) -> ApiError {
    ApiError::bad_request(
        "CANNOT_USE_FLEX_CLUSTER_IN_CLUSTER_API",
        format!("Flex cluster {name} cannot be used in the Cluster API."),
        vec![json!(name)],
    )
}

fn dedicated_in_flex_api(name: &str) -> ApiError {
    ApiError::bad_request(
        "CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API",
        format!("Cluster {name} cannot be used in the Flex API."),
        vec![json!(name)],
    )
}

/// Whether Atlas has published connection strings yet: not while the cluster is being created.
fn operational(state: &str) -> bool {
    state != "CREATING"
}

/// Atlas's form, used when the data plane is off: three nodes, or three mongos routers on
/// port 27016 (no `replicaSet`) for sharded clusters.
fn standard_uri(host_prefix: &str, domain: &str, rs: &str, mongos: bool) -> String {
    let port = if mongos { 27016 } else { 27017 };
    let hosts: Vec<String> = (0..3).map(|i| format!("{host_prefix}-shard-00-0{i}.{domain}:{port}")).collect();
    let rs = if mongos { String::new() } else { format!("&replicaSet=atlas-{rs}-shard-0") };
    format!("mongodb://{}/?ssl=true&authSource=admin{rs}", hosts.join(","))
}

/// The last `n` characters of an id (seeds may use short ids).
pub(crate) fn tail(id: &str, n: usize) -> &str {
    let start = id.char_indices().rev().nth(n.saturating_sub(1)).map_or(0, |(i, _)| i);
    &id[start..]
}

fn split_srv(srv_host: &str) -> (&str, &str) {
    srv_host.split_once('.').unwrap_or((srv_host, "mongodb.net"))
}

fn cluster_strings(c: &Cluster) -> Value {
    if !operational(&c.state_name) {
        return json!({});
    }
    let (label, domain) = split_srv(&c.srv_host);
    let mongos = is_mongos(&c.cluster_type);
    // With the data plane on, `standard` reaches the simulated cluster; `standardSrv` keeps
    // Atlas's form (it needs DNS, so local clients use `standard`).
    let standard = if c.listener_hosts.is_empty() {
        standard_uri(label, domain, tail(&c.id, 6), mongos)
    } else {
        dataplane::standard_uri(&c.listener_hosts, mongos, &c.id)
    };
    json!({
        "standard": standard,
        "standardSrv": format!("mongodb+srv://{}", c.srv_host),
    })
}

fn major(v: &str) -> String {
    v.split('.').take(2).collect::<Vec<_>>().join(".")
}

fn disk_gb(size: &str) -> f64 {
    match size {
        "M0" => 0.5,
        "M10" => 10.0,
        "M20" => 20.0,
        "M30" => 40.0,
        _ => 80.0,
    }
}

/// The older versions' top-level `diskSizeGB`, which their schema bounds to 10..4096 GB: a free
/// cluster's 0.5 GB is left out there (it stays in the hardware specs, as in the current version).
fn legacy_disk_size(m: &mut Map<String, Value>, c: &Cluster) {
    if c.provider_name != "TENANT" {
        m.insert("diskSizeGB".into(), json!(disk_gb(&c.instance_size)));
    }
}

fn hardware(c: &Cluster, nodes: u32) -> Value {
    if c.provider_name == "TENANT" {
        return json!({ "diskSizeGB": disk_gb(&c.instance_size), "effectiveInstanceSize": c.instance_size, "instanceSize": c.instance_size });
    }
    json!({
        "diskIOPS": 3000,
        "diskSizeGB": disk_gb(&c.instance_size),
        "ebsVolumeType": "STANDARD",
        "instanceSize": c.instance_size,
        "nodeCount": nodes,
    })
}

fn region_config(c: &Cluster) -> Value {
    if c.provider_name == "TENANT" {
        return json!({
            "backingProviderName": "AWS",
            "electableSpecs": hardware(c, 3),
            "priority": 7,
            "providerName": "TENANT",
            "regionName": c.region_name,
        });
    }
    json!({
        "analyticsSpecs": hardware(c, 0),
        "autoScaling": { "compute": { "enabled": false, "scaleDownEnabled": false }, "diskGB": { "enabled": true } },
        "electableSpecs": hardware(c, 3),
        "priority": 7,
        "providerName": c.provider_name,
        "readOnlySpecs": hardware(c, 0),
        "regionName": c.region_name,
    })
}

fn common(base: &str, c: &Cluster) -> Map<String, Value> {
    let self_href = format!("{base}/api/atlas/v2/groups/{}/clusters/{}", c.group_id, c.name);
    let v = json!({
        "backupEnabled": false,
        "biConnector": { "enabled": false, "readPreference": "secondary" },
        "clusterType": c.cluster_type,
        "connectionStrings": cluster_strings(c),
        "createDate": rfc3339(c.create_date),
        "diskWarmingMode": "FULLY_WARMED",
        "encryptionAtRestProvider": "NONE",
        "globalClusterSelfManagedSharding": false,
        "groupId": c.group_id,
        "id": c.id,
        "labels": [],
        "links": [
            link(self_href.clone(), "self"),
            link(format!("{self_href}/backup/restoreJobs"), "https://cloud.mongodb.com/restoreJobs"),
            link(format!("{self_href}/backup/snapshots"), "https://cloud.mongodb.com/snapshots"),
        ],
        "mongoDBMajorVersion": major(&c.mongodb_version),
        "mongoDBVersion": c.mongodb_version,
        "name": c.name,
        "paused": c.paused,
        "pitEnabled": false,
        "rootCertType": "ISRGROOTX1",
        "stateName": c.state_name,
        "tags": [],
        "terminationProtectionEnabled": false,
        "versionReleaseSystem": "LTS",
    });
    match v {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

/// The cluster in the shape of the negotiated version.
pub fn cluster_view(base: &str, c: &Cluster, version: &str) -> Value {
    let mut m = common(base, c);
    if version == V2023_01_01 || version == V2023_02_01 {
        m.insert(
            "advancedConfiguration".into(),
            json!({ "customOpensslCipherConfigTls12": [], "customOpensslCipherConfigTls13": [], "minimumEnabledTlsProtocol": "TLS1_2", "tlsCipherConfigMode": "DEFAULT" }),
        );
    }
    match version {
        V2023_01_01 => {
            let srv = cluster_strings(c);
            m.insert(
                "autoScaling".into(),
                json!({ "compute": { "enabled": false, "scaleDownEnabled": false }, "diskGBEnabled": true }),
            );
            legacy_disk_size(&mut m, c);
            if let Some(s) = srv.get("standard") {
                m.insert("mongoURI".into(), s.clone());
            }
            if let Some(s) = srv.get("standardSrv") {
                m.insert("srvAddress".into(), s.clone());
            }
            m.insert("numShards".into(), json!(1));
            m.insert("providerBackupEnabled".into(), json!(false));
            m.insert(
                "providerSettings".into(),
                json!({ "diskIOPS": 3000, "instanceSizeName": c.instance_size, "providerName": c.provider_name, "regionName": c.region_name }),
            );
            m.insert("replicationFactor".into(), json!(3));
            m.insert(
                "replicationSpecs".into(),
                json!([{
                    "id": c.replication_spec_id,
                    "numShards": 1,
                    "regionsConfig": { c.region_name.clone(): { "analyticsNodes": 0, "electableNodes": 3, "priority": 7, "readOnlyNodes": 0 } },
                    "zoneName": "Zone 1",
                }]),
            );
        }
        V2023_02_01 => {
            legacy_disk_size(&mut m, c);
            m.insert(
                "replicationSpecs".into(),
                json!([{ "id": c.replication_spec_id, "numShards": 1, "regionConfigs": [region_config(c)], "zoneId": c.zone_id, "zoneName": "Zone 1" }]),
            );
        }
        _ => {
            let specs = json!([{ "id": c.replication_spec_id, "regionConfigs": [region_config(c)], "zoneId": c.zone_id, "zoneName": "Zone 1" }]);
            m.insert("adaptiveCapacity".into(), Value::Null);
            m.insert("effectiveDatabaseEdition".into(), json!("CORE"));
            m.insert("effectiveReplicationSpecs".into(), specs.clone());
            m.insert("featureCompatibilityVersion".into(), json!(major(&c.mongodb_version)));
            m.insert("internalClusterRole".into(), json!("NONE"));
            m.insert("redactClientLogData".into(), json!(false));
            m.insert("replicationSpecs".into(), specs);
            m.insert("retainBackups".into(), json!(false));
            m.insert("useAwsTimeBasedSnapshotCopyForFastInitialSync".into(), json!(false));
        }
    }
    Value::Object(m)
}

pub fn list(ctx: &mut Ctx, g: &str) -> Result<Reply, ApiError> {
    let page = Page::parse(&ctx.query)?;
    let items = ctx
        .st
        .world
        .clusters
        .iter()
        .filter(|c| c.group_id == g)
        .map(|c| cluster_view(&ctx.base, c, ctx.version))
        .collect();
    Ok(Reply::ok(page.wrap(&format!("{}/api/atlas/v2/groups/{g}/clusters", ctx.base), items)))
}

pub fn get(ctx: &mut Ctx, g: &str, name: &str) -> Result<Reply, ApiError> {
    let w = &ctx.st.world;
    if let Some(c) = w.cluster(g, name) {
        return Ok(Reply::ok(cluster_view(&ctx.base, c, ctx.version)));
    }
    if w.flex_cluster(g, name).is_some() {
        return Err(flex_in_cluster_api(name));
    }
    Err(cluster_not_found(g, name))
}

fn flex_view(f: &FlexCluster) -> Value {
    let (_, domain) = split_srv(&f.srv_host);
    let strings = if operational(&f.state_name) {
        // Flex hosts are named after an internal id, not the cluster (see the recordings).
        let prefix = format!("ac-{}", tail(&f.id, 7));
        let standard = if f.listener_hosts.is_empty() {
            standard_uri(&prefix, domain, tail(&f.id, 6), false)
        } else {
            dataplane::standard_uri(&f.listener_hosts, false, &f.id)
        };
        json!({ "standard": standard, "standardSrv": format!("mongodb+srv://{}", f.srv_host) })
    } else {
        json!({})
    };
    json!({
        "backupSettings": { "enabled": true },
        "clusterType": "REPLICASET",
        "connectionStrings": strings,
        "createDate": rfc3339(f.create_date),
        "groupId": f.group_id,
        "id": f.id,
        "mongoDBVersion": f.mongodb_version,
        "name": f.name,
        "providerSettings": { "backingProviderName": f.backing_provider_name, "diskSizeGB": 5.0, "providerName": "FLEX", "regionName": f.region_name },
        "stateName": f.state_name,
        "tags": [],
        "terminationProtectionEnabled": false,
        "versionReleaseSystem": "LTS",
    })
}

pub fn list_flex(ctx: &mut Ctx, g: &str) -> Result<Reply, ApiError> {
    let page = Page::parse(&ctx.query)?;
    let items = ctx.st.world.flex_clusters.iter().filter(|c| c.group_id == g).map(flex_view).collect();
    Ok(Reply::ok(page.wrap(&format!("{}/api/atlas/v2/groups/{g}/flexClusters", ctx.base), items)))
}

pub fn get_flex(ctx: &mut Ctx, g: &str, name: &str) -> Result<Reply, ApiError> {
    let w = &ctx.st.world;
    if let Some(f) = w.flex_cluster(g, name) {
        return Ok(Reply::ok(flex_view(f)));
    }
    if w.cluster(g, name).is_some() {
        return Err(dedicated_in_flex_api(name));
    }
    Err(cluster_not_found(g, name))
}

/// `changeStatus` is PENDING until the latest database-user change reaches the cluster.
pub fn status(ctx: &mut Ctx, g: &str, name: &str) -> Result<Reply, ApiError> {
    let w = &ctx.st.world;
    if !w.has_cluster(g, name) {
        return Err(cluster_not_found(g, name));
    }
    let now = ctx.st.now();
    let pending = w.pending_changes.get(&(g.to_string(), name.to_string())).is_some_and(|t| now < *t);
    Ok(Reply::ok(json!({
        "changeStatus": if pending { "PENDING" } else { "APPLIED" },
        "links": [link(format!("{}/api/atlas/v2/groups/{g}/clusters/{name}/status", ctx.base), "self")],
    })))
}
