//! The few public error codes. Every failure that leaves the core is one of these, so each
//! language can map a code to one exception type and users can match on it.

use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A request field is missing, of the wrong type, unknown, or has a bad value.
    InvalidArgument,
    /// The operation name is not known.
    UnknownOperation,
    NotFound,
    Conflict,
    /// The call is valid but not in this state (e.g. validate before complete).
    FailedPrecondition,
    /// The provider, service or type exists in the product but this project does not implement it.
    Unsupported,
    /// Atlas refused the API key (wrong public/private key, expired token).
    AtlasUnauthorized,
    /// The caller's IP is not on the API key's access list (not the project IP access list).
    AtlasForbiddenIp,
    /// The key is valid but lacks a role the operation needs.
    AtlasMissingRole,
    /// Any other error answered by Atlas.
    AtlasError,
    Network,
    Timeout,
    RateLimited,
    /// The workspace database or key file failed (wrong workspace key, corrupt file).
    Workspace,
    Cancelled,
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidArgument => "invalid_argument",
            ErrorCode::UnknownOperation => "unknown_operation",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Conflict => "conflict",
            ErrorCode::FailedPrecondition => "failed_precondition",
            ErrorCode::Unsupported => "unsupported",
            ErrorCode::AtlasUnauthorized => "atlas_unauthorized",
            ErrorCode::AtlasForbiddenIp => "atlas_forbidden_ip",
            ErrorCode::AtlasMissingRole => "atlas_missing_role",
            ErrorCode::AtlasError => "atlas_error",
            ErrorCode::Network => "network",
            ErrorCode::Timeout => "timeout",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Workspace => "workspace",
            ErrorCode::Cancelled => "cancelled",
            ErrorCode::Internal => "internal",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The one public error. `message` never contains a secret: build it from field names and
/// non-secret values only.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
#[error("{code}: {message}")]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
    /// The request field at fault, as a dotted path (`scopes[1]`), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Machine-readable extras (e.g. Atlas `errorCode`, HTTP status, `retry_after_secs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error { code, message: message.into(), field: None, details: None }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error { code: ErrorCode::InvalidArgument, message: message.into(), field: Some(field.into()), details: None }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
