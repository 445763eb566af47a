//! Versioned media types: `Accept: application/vnd.atlas.<date>+json` picks the resource version.

use crate::errors::ApiError;

pub const V2023_01_01: &str = "2023-01-01";
pub const V2023_02_01: &str = "2023-02-01";
pub const V2024_08_05: &str = "2024-08-05";
pub const V2024_11_13: &str = "2024-11-13";

/// `Deprecation` and `Sunset` values Atlas sends for the older cluster versions.
pub const CLUSTER_DEPRECATION: &str = "Mon, 5 Aug 2024 00:00:00 GMT";
pub const CLUSTER_SUNSET: &str = "Thu, 1 Jul 2027 00:00:00 GMT";

/// Chooses the first version in `Accept` that the operation supports. Wildcards, plain
/// `application/json` and unknown dates are refused, as Atlas refuses them (406).
pub fn negotiate(accept: Option<&str>, supported: &[&'static str]) -> Result<&'static str, ApiError> {
    let accept = accept.ok_or_else(ApiError::invalid_version)?;
    for item in accept.split(',') {
        let mt = item.split(';').next().unwrap_or("").trim();
        if let Some(date) = mt.strip_prefix("application/vnd.atlas.").and_then(|r| r.strip_suffix("+json")) {
            if let Some(v) = supported.iter().find(|v| **v == date) {
                return Ok(v);
            }
        }
    }
    Err(ApiError::invalid_version())
}

pub fn content_type(version: &str) -> String {
    format!("application/vnd.atlas.{version}+json;charset=utf-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation() {
        let s = &[V2023_01_01, V2024_08_05];
        assert_eq!(negotiate(Some("application/vnd.atlas.2024-08-05+json"), s).unwrap(), V2024_08_05);
        assert_eq!(negotiate(Some("application/vnd.atlas.2023-01-01+json;charset=utf-8"), s).unwrap(), V2023_01_01);
        assert!(negotiate(Some("application/vnd.atlas.2099-01-01+json"), s).is_err());
        assert!(negotiate(Some("application/json"), s).is_err());
        assert!(negotiate(Some("*/*"), s).is_err());
        assert!(negotiate(None, s).is_err());
    }
}
