//! The Atlas resources the core reads, as far as it uses them (unknown fields are ignored).

use serde::{Deserialize, Serialize};

/// `GET /api/atlas/v2`: the caller's key and its roles.
#[derive(Debug, Clone, Deserialize)]
pub struct SystemStatus {
    #[serde(rename = "apiKey", default)]
    pub api_key: Option<ApiKey>,
    #[serde(rename = "appName", default)]
    pub app_name: Option<String>,
}

/// A programmatic API key: the caller's (`GET /api/atlas/v2`) or a project's
/// (`GET /groups/{groupId}/apiKeys` items). Atlas masks `privateKey`; it is not read.
#[derive(Debug, Clone, Deserialize)]
pub struct ApiKey {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(rename = "publicKey", default)]
    pub public_key: Option<String>,
    #[serde(default)]
    pub roles: Vec<RoleAssignment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleAssignment {
    #[serde(rename = "groupId", default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    #[serde(rename = "orgId", default, skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    #[serde(rename = "roleName")]
    pub role_name: String,
}

/// `GET /groups/{groupId}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Group {
    pub id: String,
    pub name: String,
    #[serde(rename = "orgId", default)]
    pub org_id: Option<String>,
    #[serde(rename = "clusterCount", default)]
    pub cluster_count: Option<i64>,
}

/// `GET /api/private/ipinfo`.
#[derive(Debug, Clone, Deserialize)]
pub struct IpInfo {
    #[serde(rename = "currentIpv4Address", default)]
    pub current_ipv4_address: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_recorded_group_and_api_keys() {
        let g: Group = serde_json::from_str(r#"{"clusterCount":0,"created":"2026-08-10T03:05:16Z","id":"6a793feb2c88faeba59bd8f6","links":[],"name":"e2e-proj-939","orgId":"a0123456789abcdef012345a","tags":[{"key":"env","value":"e2e"}],"withDefaultAlertsSettings":true}"#).unwrap();
        assert_eq!(g.name, "e2e-proj-939");
        assert_eq!(g.org_id.as_deref(), Some("a0123456789abcdef012345a"));
        let p: crate::atlas::paging::Page<ApiKey> = serde_json::from_str(r#"{"links":[],"results":[{"desc":"e2e-test","id":"6a793fbd2c88faeba59bd3b1","links":[],"privateKey":"********-****-****-85daa09d408a","publicKey":"flezioeg","roles":[{"groupId":"b0123456789abcdef012345b","roleName":"GROUP_DATA_ACCESS_READ_ONLY"},{"orgId":"a0123456789abcdef012345a","roleName":"ORG_MEMBER"}]}],"totalCount":1}"#).unwrap();
        assert_eq!(p.results[0].roles[1].role_name, "ORG_MEMBER");
        assert_eq!(p.results[0].roles[0].group_id.as_deref(), Some("b0123456789abcdef012345b"));
    }
}
