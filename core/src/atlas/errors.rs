//! Typed Atlas errors: what Atlas answered (`errorCode`, `detail`, `parameters`) or what went
//! wrong on the way, and their mapping to the public error codes.

use crate::error::{Error, ErrorCode};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::time::Duration;

/// The body of an Atlas error: `{"detail","error","errorCode","parameters","reason"}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AtlasApiError {
    /// HTTP status (`error` in the body; the response status wins).
    #[serde(rename = "error", default)]
    pub status: u16,
    #[serde(rename = "errorCode", default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub detail: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub parameters: Vec<Value>,
}

impl AtlasApiError {
    /// Parses an error body; a non-JSON body (e.g. an HTML 503 page) keeps only the status.
    pub fn from_body(status: u16, content_type: &str, body: &[u8], header_code: Option<&str>) -> Self {
        let mut e = serde_json::from_slice::<AtlasApiError>(body).unwrap_or_else(|_| AtlasApiError {
            detail: Some(if body.is_empty() {
                "empty response body".to_string()
            } else {
                format!(
                    "non-JSON response body ({})",
                    if content_type.is_empty() { "no content type" } else { content_type }
                )
            }),
            ..Default::default()
        });
        e.status = status;
        if e.error_code.as_deref().is_none_or(str::is_empty) {
            e.error_code = header_code.map(str::to_string).filter(|s| !s.is_empty());
        }
        e
    }

    pub fn code(&self) -> Option<&str> {
        self.error_code.as_deref()
    }

    /// The first parameter as text (Atlas puts the IP, group ID or cluster name there).
    pub fn param(&self, i: usize) -> Option<String> {
        self.parameters.get(i).map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))
    }

    pub fn is_ip_access_error(&self) -> bool {
        self.status == 403
            && matches!(self.code(), Some("IP_ADDRESS_NOT_ON_ACCESS_LIST") | Some("ORG_REQUIRES_ACCESS_LIST"))
    }

    /// 401 for a valid key without the role the operation needs.
    pub fn is_missing_role(&self) -> bool {
        self.status == 401 && self.code() == Some("USER_UNAUTHORIZED")
    }

    pub fn is_not_in_group(&self) -> bool {
        self.status == 401 && self.code() == Some("NOT_IN_GROUP")
    }

    /// 401 that means the credentials themselves were refused.
    pub fn is_bad_credentials(&self) -> bool {
        self.status == 401 && !self.is_missing_role() && !self.is_not_in_group()
    }
}

/// Anything that can go wrong calling Atlas.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AtlasError {
    /// Atlas answered with an error status.
    #[error("Atlas answered {} {} to {method} {path}{}", .error.status, .error.code().unwrap_or(""), attempts_note(*.attempts))]
    Api { method: String, path: String, error: Box<AtlasApiError>, attempts: u32 },
    /// Rate limited (429) and the retry budget ran out, or `Retry-After` was too long to wait.
    #[error("Atlas rate-limited {method} {path}{}{}", .retry_after.map(|s| format!(" (Retry-After: {s}s)")).unwrap_or_default(), attempts_note(*.attempts))]
    RateLimited { method: String, path: String, retry_after: Option<u64>, attempts: u32 },
    /// Could not connect, or the connection dropped before a response.
    #[error("could not reach Atlas at {base} for {method} {path}: {message}{}", attempts_note(*.attempts))]
    Network { base: String, method: String, path: String, message: String, attempts: u32 },
    #[error("Atlas did not answer {method} {path} within {}ms{}", .after.as_millis(), attempts_note(*.attempts))]
    Timeout { method: String, path: String, after: Duration, attempts: u32 },
    /// Atlas answered 2xx with a body that does not parse.
    #[error("unexpected response from Atlas to {method} {path}: {message}")]
    Decode { method: String, path: String, message: String },
    /// The answer's body was larger than `max_response_bytes`; reading stopped there.
    #[error("Atlas's answer to {method} {path} is larger than max_response_bytes ({limit} bytes); raise the max_response_bytes option if this answer is expected")]
    TooLarge { method: String, path: String, limit: usize },
    /// A paginated list held more than [`crate::atlas::paging::MAX_LIST_ITEMS`] items: Atlas
    /// kept sending pages (whatever its `totalCount` said); reading stopped there.
    #[error(
        "Atlas's list at GET {path} holds more than {limit} items (read over {pages} pages); reading stopped there"
    )]
    ListTooManyItems { path: String, pages: u32, limit: usize },
    /// A paginated list's answers came to more than `max_response_bytes` in total.
    #[error("Atlas's list at GET {path} holds more than max_response_bytes ({limit} bytes) over {pages} pages; reading stopped there; raise the max_response_bytes option if this list is expected")]
    ListTooManyBytes { path: String, pages: u32, limit: usize },
    /// Atlas asked for an HTTP authentication this client does not speak (a Digest algorithm
    /// other than MD5, or a qop other than `auth`): nothing is said about the credentials.
    #[error("Atlas asked {method} {path} to authenticate with HTTP Digest {offered}; this client speaks MD5 with qop=auth only (the credentials were not tried)")]
    UnsupportedAuth { method: String, path: String, offered: String },
    #[error("{0}")]
    Config(String),
}

fn attempts_note(attempts: u32) -> String {
    if attempts > 1 {
        format!(" (gave up after {attempts} attempts)")
    } else {
        String::new()
    }
}

impl AtlasError {
    pub fn api(&self) -> Option<&AtlasApiError> {
        match self {
            AtlasError::Api { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The public error code.
    pub fn code(&self) -> ErrorCode {
        match self {
            AtlasError::Api { error, .. } => match error.status {
                401 if error.is_missing_role() => ErrorCode::AtlasMissingRole,
                401 => ErrorCode::AtlasUnauthorized,
                403 if error.is_ip_access_error() => ErrorCode::AtlasForbiddenIp,
                404 => ErrorCode::NotFound,
                409 => ErrorCode::Conflict,
                429 => ErrorCode::RateLimited,
                _ => ErrorCode::AtlasError,
            },
            AtlasError::RateLimited { .. } => ErrorCode::RateLimited,
            AtlasError::Network { .. } => ErrorCode::Network,
            AtlasError::Timeout { .. } => ErrorCode::Timeout,
            AtlasError::Decode { .. }
            | AtlasError::TooLarge { .. }
            | AtlasError::ListTooManyItems { .. }
            | AtlasError::ListTooManyBytes { .. } => ErrorCode::AtlasError,
            AtlasError::UnsupportedAuth { .. } => ErrorCode::Unsupported,
            AtlasError::Config(_) => ErrorCode::InvalidArgument,
        }
    }

    /// A message for people: what happened and, where Atlas users commonly trip, what to do.
    pub fn user_message(&self) -> String {
        match self {
            AtlasError::Api { error, .. } => {
                let base = self.to_string();
                match (error.status, error.code()) {
                    (403, Some("IP_ADDRESS_NOT_ON_ACCESS_LIST")) => ip_access_list_message(error.param(0).as_deref()),
                    (403, Some("ORG_REQUIRES_ACCESS_LIST")) => org_requires_access_list_message(None),
                    (401, Some("USER_UNAUTHORIZED")) => format!(
                        "{base}: the API key is valid but lacks the role this operation needs (Atlas: {})",
                        error.detail.as_deref().unwrap_or("not authorized")
                    ),
                    (401, Some("NOT_IN_GROUP")) => {
                        format!("{base}: the API key is valid but is not a member of this project; invite it to the project with Project Owner")
                    }
                    (401, _) => format!("{base}: Atlas refused the credentials (wrong public key, private key, or service account secret)"),
                    _ => match &error.detail {
                        Some(d) => format!("{base}: {d}"),
                        None => base,
                    },
                }
            }
            other => other.to_string(),
        }
    }

    pub fn details(&self) -> Value {
        match self {
            AtlasError::Api { method, path, error, attempts } => json!({
                "http_status": error.status,
                "atlas_error_code": error.error_code,
                "atlas_detail": error.detail,
                "atlas_parameters": error.parameters,
                "method": method, "path": path, "attempts": attempts,
            }),
            AtlasError::RateLimited { method, path, retry_after, attempts } => json!({
                "http_status": 429, "retry_after_secs": retry_after, "method": method, "path": path, "attempts": attempts,
            }),
            AtlasError::Network { method, path, attempts, .. } | AtlasError::Timeout { method, path, attempts, .. } => {
                json!({ "method": method, "path": path, "attempts": attempts })
            }
            AtlasError::Decode { method, path, .. } => json!({ "method": method, "path": path }),
            AtlasError::UnsupportedAuth { method, path, offered } => {
                json!({ "method": method, "path": path, "offered": offered })
            }
            AtlasError::TooLarge { method, path, limit } => {
                json!({ "method": method, "path": path, "max_response_bytes": limit })
            }
            AtlasError::ListTooManyItems { path, pages, limit } => {
                json!({ "method": "GET", "path": path, "pages": pages, "max_list_items": limit })
            }
            AtlasError::ListTooManyBytes { path, pages, limit } => {
                json!({ "method": "GET", "path": path, "pages": pages, "max_response_bytes": limit })
            }
            AtlasError::Config(_) => Value::Null,
        }
    }
}

/// What to tell a user whose caller IP is not on the API key's access list.
pub fn ip_access_list_message(ip: Option<&str>) -> String {
    let who = ip.map(|ip| format!("IP address {ip}")).unwrap_or_else(|| "this machine's IP address".to_string());
    let add = ip.unwrap_or("this machine's public IP address");
    format!(
        "Atlas refused the request because {who} is not on the API key's access list. Add {add} to the API key's \
         access list in Atlas: Organization Access Manager > Applications > API Keys > (this key) > Edit > Add Access \
         List Entry. This is the API access list of the key, not the project's Network Access (IP access list), \
         which only controls connections to clusters."
    )
}

pub fn org_requires_access_list_message(ip: Option<&str>) -> String {
    let add = ip
        .map(|ip| format!("this machine's IP address {ip}"))
        .unwrap_or_else(|| "this machine's public IP address".to_string());
    format!(
        "Atlas refused the request because the organization requires every API key to have an API access list and \
         this key has none. Add {add} to the API key's access list in Atlas: Organization Access Manager > \
         Applications > API Keys > (this key) > Edit > Add Access List Entry. This is the API access list of the key, \
         not the project's Network Access (IP access list)."
    )
}

impl From<AtlasError> for Error {
    fn from(e: AtlasError) -> Self {
        let details = e.details();
        let mut out = Error::new(e.code(), e.user_message());
        if !details.is_null() {
            out = out.with_details(details);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_recorded_401_and_html_503() {
        let body = br#"{
  "error" : 401,
  "reason" : "Unauthorized",
  "detail" : "You are not authorized for this resource.",
  "errorCode" : "UNEXPECTED_ERROR"
}"#;
        let e = AtlasApiError::from_body(401, "application/json", body, None);
        assert_eq!(e.code(), Some("UNEXPECTED_ERROR"));
        assert!(e.is_bad_credentials());
        let e = AtlasApiError::from_body(503, "text/html", b"<html>down</html>", None);
        assert_eq!(e.status, 503);
        assert!(e.detail.unwrap().contains("text/html"));
    }

    #[test]
    fn maps_to_public_codes() {
        let mk = |status, code: &str, params: Vec<Value>| AtlasError::Api {
            method: "GET".into(),
            path: "/api/atlas/v2".into(),
            error: Box::new(AtlasApiError {
                status,
                error_code: Some(code.into()),
                parameters: params,
                ..Default::default()
            }),
            attempts: 1,
        };
        let ip = mk(403, "IP_ADDRESS_NOT_ON_ACCESS_LIST", vec![json!("198.51.100.9")]);
        assert_eq!(ip.code(), ErrorCode::AtlasForbiddenIp);
        let m = ip.user_message();
        assert!(
            m.contains("198.51.100.9")
                && m.contains("API key's access list")
                && m.contains("not the project's Network Access")
        );
        assert_eq!(mk(401, "USER_UNAUTHORIZED", vec![]).code(), ErrorCode::AtlasMissingRole);
        assert_eq!(mk(401, "UNEXPECTED_ERROR", vec![]).code(), ErrorCode::AtlasUnauthorized);
        let nf = Error::from(mk(404, "GROUP_NOT_FOUND", vec![json!("5c843ba379358e5b3dc2dec6")]));
        assert_eq!(nf.code, ErrorCode::NotFound);
        assert_eq!(nf.details.unwrap()["atlas_error_code"], "GROUP_NOT_FOUND");
        assert_eq!(mk(429, "RATE_LIMITED_TOKEN_BUCKET", vec![]).code(), ErrorCode::RateLimited);
    }
}
