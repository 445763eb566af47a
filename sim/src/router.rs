//! Maps a method and raw path to an operation. Path segments stay percent-encoded here
//! (so `1.2.3.4%2F32` is one segment); handlers decode them.

use crate::authz::Perm;
use crate::media::{V2023_01_01, V2023_02_01, V2024_08_05, V2024_11_13};
use crate::rate_limit::RateGroup;

#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    SystemStatus,
    IpInfo,
    DefaultMongoVersion,
    OAuthToken,
    GetGroup { g: String },
    ListApiKeys { g: String },
    GetOrgApiKey { org: String, key_id: String },
    ListAccess { g: String },
    CreateAccess { g: String },
    GetAccess { g: String, entry: String },
    DeleteAccess { g: String, entry: String },
    AccessStatus { g: String, entry: String },
    ListClusters { g: String },
    GetCluster { g: String, name: String },
    ClusterStatus { g: String, name: String },
    ListFlex { g: String },
    GetFlex { g: String, name: String },
    ListUsers { g: String },
    CreateUser { g: String },
    GetUser { g: String, db: String, user: String },
    UpdateUser { g: String, db: String, user: String },
    DeleteUser { g: String, db: String, user: String },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    Op(Op),
    MethodNotAllowed,
    NotFound,
}

const CLUSTER_VERSIONS: &[&str] = &[V2023_01_01, V2023_02_01, V2024_08_05];
const V1: &[&str] = &[V2023_01_01];
const FLEX: &[&str] = &[V2024_11_13];

impl Op {
    /// Versions the operation answers; empty for the unversioned private/oauth endpoints.
    pub fn versions(&self) -> &'static [&'static str] {
        match self {
            Op::IpInfo | Op::DefaultMongoVersion | Op::OAuthToken => &[],
            Op::ListClusters { .. } | Op::GetCluster { .. } => CLUSTER_VERSIONS,
            Op::ListFlex { .. } | Op::GetFlex { .. } => FLEX,
            _ => V1,
        }
    }

    pub fn group_id(&self) -> Option<&str> {
        use Op::*;
        match self {
            GetGroup { g }
            | ListApiKeys { g }
            | ListAccess { g }
            | CreateAccess { g }
            | GetAccess { g, .. }
            | DeleteAccess { g, .. }
            | AccessStatus { g, .. }
            | ListClusters { g }
            | GetCluster { g, .. }
            | ClusterStatus { g, .. }
            | ListFlex { g }
            | GetFlex { g, .. }
            | ListUsers { g }
            | CreateUser { g }
            | GetUser { g, .. }
            | UpdateUser { g, .. }
            | DeleteUser { g, .. } => Some(g),
            _ => None,
        }
    }

    /// From the spec's `x-rolesRequirements`; `None` needs no role (`GET /api/atlas/v2`).
    pub fn perm(&self) -> Option<Perm> {
        use Op::*;
        match self {
            CreateAccess { .. } | DeleteAccess { .. } => Some(Perm::NetworkAccessManager),
            CreateUser { .. } | UpdateUser { .. } | DeleteUser { .. } => Some(Perm::DatabaseAccessAdmin),
            GetOrgApiKey { .. } => Some(Perm::OrgMember),
            SystemStatus | IpInfo | DefaultMongoVersion | OAuthToken => None,
            _ => Some(Perm::ProjectReadOnly),
        }
    }

    pub fn rate_group(&self) -> Option<RateGroup> {
        use Op::*;
        match self {
            IpInfo | DefaultMongoVersion | OAuthToken => None,
            ListClusters { .. } | GetCluster { .. } | ClusterStatus { .. } => Some(RateGroup::Clusters),
            ListUsers { .. } | CreateUser { .. } | GetUser { .. } | UpdateUser { .. } | DeleteUser { .. } => {
                Some(RateGroup::DatabaseUsers)
            }
            _ => Some(RateGroup::Default),
        }
    }
}

pub fn route(method: &str, path: &str) -> Route {
    let trimmed = path.strip_suffix('/').filter(|p| !p.is_empty()).unwrap_or(path);
    let segs: Vec<&str> = trimmed.split('/').skip(1).collect();
    let s = |v: &str| v.to_string();
    // (allowed methods, op constructor per method)
    let found: Option<Vec<(&str, Op)>> = match segs.as_slice() {
        ["api", "atlas", "v2"] => Some(vec![("GET", Op::SystemStatus)]),
        ["api", "private", "ipinfo"] => Some(vec![("GET", Op::IpInfo)]),
        ["api", "private", "unauth", "nds", "defaultMongoDBMajorVersion"] => {
            Some(vec![("GET", Op::DefaultMongoVersion)])
        }
        ["api", "oauth", "token"] => Some(vec![("POST", Op::OAuthToken)]),
        ["api", "atlas", "v2", "orgs", org, "apiKeys", id] => {
            Some(vec![("GET", Op::GetOrgApiKey { org: s(org), key_id: s(id) })])
        }
        ["api", "atlas", "v2", "groups", g, rest @ ..] => {
            let g = s(g);
            match rest {
                [] => Some(vec![("GET", Op::GetGroup { g })]),
                ["apiKeys"] => Some(vec![("GET", Op::ListApiKeys { g })]),
                ["accessList"] => {
                    Some(vec![("GET", Op::ListAccess { g: g.clone() }), ("POST", Op::CreateAccess { g })])
                }
                ["accessList", e] => Some(vec![
                    ("GET", Op::GetAccess { g: g.clone(), entry: s(e) }),
                    ("DELETE", Op::DeleteAccess { g, entry: s(e) }),
                ]),
                ["accessList", e, "status"] => Some(vec![("GET", Op::AccessStatus { g, entry: s(e) })]),
                ["clusters"] => Some(vec![("GET", Op::ListClusters { g })]),
                ["clusters", n] => Some(vec![("GET", Op::GetCluster { g, name: s(n) })]),
                ["clusters", n, "status"] => Some(vec![("GET", Op::ClusterStatus { g, name: s(n) })]),
                ["flexClusters"] => Some(vec![("GET", Op::ListFlex { g })]),
                ["flexClusters", n] => Some(vec![("GET", Op::GetFlex { g, name: s(n) })]),
                ["databaseUsers"] => {
                    Some(vec![("GET", Op::ListUsers { g: g.clone() }), ("POST", Op::CreateUser { g })])
                }
                ["databaseUsers", db, u] => Some(vec![
                    ("GET", Op::GetUser { g: g.clone(), db: s(db), user: s(u) }),
                    ("PATCH", Op::UpdateUser { g: g.clone(), db: s(db), user: s(u) }),
                    ("DELETE", Op::DeleteUser { g, db: s(db), user: s(u) }),
                ]),
                _ => None,
            }
        }
        _ => None,
    };
    match found {
        None => Route::NotFound,
        Some(ops) => {
            ops.into_iter().find(|(m, _)| *m == method).map(|(_, op)| Route::Op(op)).unwrap_or(Route::MethodNotAllowed)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(route("GET", "/api/atlas/v2"), Route::Op(Op::SystemStatus));
        assert_eq!(route("GET", "/api/atlas/v2/"), Route::Op(Op::SystemStatus));
        assert_eq!(
            route("DELETE", "/api/atlas/v2/groups/g/accessList/1.2.3.4%2F32"),
            Route::Op(Op::DeleteAccess { g: "g".into(), entry: "1.2.3.4%2F32".into() })
        );
        assert_eq!(route("PUT", "/api/atlas/v2/groups/g/accessList"), Route::MethodNotAllowed);
        // An unescaped slash splits the entry and matches nothing, as on Atlas.
        assert_eq!(route("GET", "/api/atlas/v2/groups/g/accessList/10.0.0.0/24"), Route::NotFound);
        assert_eq!(route("GET", "/api/atlas/v2/nothing"), Route::NotFound);
    }
}
