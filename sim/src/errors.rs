//! The Atlas error envelope: `{"detail","error","errorCode","parameters","reason"}` with
//! `Content-Type: application/json` and an `X-Error-Code` header.

use serde_json::{json, Value};

#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub detail: String,
    pub params: Vec<Value>,
    /// Extra headers (e.g. `Retry-After`).
    pub headers: Vec<(String, String)>,
}

impl ApiError {
    pub fn new(status: u16, code: &str, detail: impl Into<String>, params: Vec<Value>) -> ApiError {
        ApiError { status, code: code.to_string(), detail: detail.into(), params, headers: Vec::new() }
    }

    pub fn with_header(mut self, name: &str, value: String) -> ApiError {
        self.headers.push((name.to_string(), value));
        self
    }

    pub fn body(&self) -> Value {
        json!({
            "detail": self.detail,
            "error": self.status,
            "errorCode": self.code,
            "parameters": self.params,
            "reason": reason(self.status),
        })
    }

    pub fn bad_request(code: &str, detail: impl Into<String>, params: Vec<Value>) -> ApiError {
        ApiError::new(400, code, detail, params)
    }

    pub fn group_not_found(group_id: &str) -> ApiError {
        ApiError::new(404, "GROUP_NOT_FOUND", format!("No group with ID {group_id} exists."), vec![json!(group_id)])
    }

    pub fn invalid_group_id(group_id: &str) -> ApiError {
        ApiError::bad_request(
            "INVALID_GROUP_ID",
            format!("An invalid group ID {group_id} was specified."),
            vec![json!(group_id)],
        )
    }

    pub fn not_in_group() -> ApiError {
        ApiError::new(401, "NOT_IN_GROUP", "Current user is not in the group, or the group does not exist.", vec![])
    }

    pub fn user_unauthorized() -> ApiError {
        ApiError::new(401, "USER_UNAUTHORIZED", "Current user is not authorized to perform this action.", vec![])
    }

    pub fn ip_not_on_access_list(ip: &str) -> ApiError {
        ApiError::new(
            403,
            "IP_ADDRESS_NOT_ON_ACCESS_LIST",
            format!("IP address {ip} is not allowed to access this resource."),
            vec![json!(ip)],
        )
    }

    pub fn org_requires_access_list() -> ApiError {
        ApiError::new(
            403,
            "ORG_REQUIRES_ACCESS_LIST",
            "This organization requires access through an access list of ip ranges.",
            vec![],
        )
    }

    pub fn invalid_version() -> ApiError {
        ApiError::new(
            406,
            "INVALID_VERSION_DATE",
            "The version date specified in the Accept header is missing or not valid for this resource.",
            vec![],
        )
    }

    pub fn rate_limited(retry_after_secs: u64) -> ApiError {
        ApiError::new(
            429,
            "RATE_LIMITED_TOKEN_BUCKET",
            "You have exceeded the rate limit for this resource. Try again later.",
            vec![],
        )
        .with_header("Retry-After", retry_after_secs.to_string())
    }

    pub fn unexpected() -> ApiError {
        ApiError::new(500, "UNEXPECTED_ERROR", "Unexpected error.", vec![])
    }

    pub fn resource_not_found(path: &str) -> ApiError {
        ApiError::new(404, "RESOURCE_NOT_FOUND", format!("Cannot find resource {path}."), vec![json!(path)])
    }

    pub fn method_not_allowed(method: &str, path: &str) -> ApiError {
        ApiError::new(
            405,
            "METHOD_NOT_ALLOWED",
            format!("Method {method} is not allowed on resource {path}."),
            vec![json!(method), json!(path)],
        )
    }

    pub fn invalid_json(detail: impl Into<String>) -> ApiError {
        ApiError::bad_request("INVALID_JSON", detail, vec![])
    }

    pub fn invalid_attribute(attr: &str) -> ApiError {
        ApiError::bad_request("INVALID_ATTRIBUTE", format!("Invalid attribute {attr} specified."), vec![json!(attr)])
    }

    pub fn missing_attribute(attr: &str) -> ApiError {
        ApiError::bad_request(
            "MISSING_ATTRIBUTE",
            format!("The required attribute {attr} was not specified."),
            vec![json!(attr)],
        )
    }
}

pub fn reason(status: u16) -> &'static str {
    hyper::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Unknown")
}
