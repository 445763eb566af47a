//! Versioned media types. Atlas picks the resource version from `Accept`
//! (`application/vnd.atlas.<date>+json`); each operation names the version it was written against.

pub const V2023_01_01: &str = "2023-01-01";
pub const V2024_08_05: &str = "2024-08-05";
pub const V2024_11_13: &str = "2024-11-13";

/// The version each operation the core uses is written against.
pub mod versions {
    use super::*;
    pub const SYSTEM_STATUS: &str = V2023_01_01;
    pub const GROUPS: &str = V2023_01_01;
    pub const GROUP_API_KEYS: &str = V2023_01_01;
    pub const ACCESS_LIST: &str = V2023_01_01;
    pub const DATABASE_USERS: &str = V2023_01_01;
    pub const CLUSTERS: &str = V2024_08_05;
    pub const CLUSTER_STATUS: &str = V2023_01_01;
    pub const FLEX_CLUSTERS: &str = V2024_11_13;
    /// `/api/private/ipinfo` is unversioned; Atlas accepts plain JSON.
    pub const IP_INFO: &str = V2023_01_01;
}

/// `application/vnd.atlas.<version>+json`
pub fn media_type(version: &str) -> String {
    format!("application/vnd.atlas.{version}+json")
}

#[cfg(test)]
mod tests {
    #[test]
    fn media_type_format() {
        assert_eq!(super::media_type(super::versions::CLUSTERS), "application/vnd.atlas.2024-08-05+json");
    }
}
