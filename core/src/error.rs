//! The few public error codes. Every failure that leaves the core is one of these, so each
//! language can map a code to one exception type and users can match on it.

use serde::Serialize;
use std::fmt;

/// Declares the codes once: the enum, its wire names, [`ErrorCode::ALL`] and each code's summary,
/// which the operation description (`ops::describe`) hands to every binding.
macro_rules! error_codes {
    ($($(#[doc = $doc:literal])+ $variant:ident = $wire:literal,)+) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, schemars::JsonSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl ErrorCode {
            /// Every code, in documentation order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $wire,)+
                }
            }

            /// One line saying when the code is used.
            pub fn summary(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => concat!($($doc),+).trim_ascii(),)+
                }
            }
        }
    };
}

error_codes! {
    /// A request field is missing, of the wrong type, unknown, or has a bad value.
    InvalidArgument = "invalid_argument",
    /// The operation name is not known (or is a debug operation this build or client does not enable).
    UnknownOperation = "unknown_operation",
    /// No such connection (or it was deleted), product, environment, component or secret.
    NotFound = "not_found",
    /// The name is taken, or the state changed while the call ran.
    Conflict = "conflict",
    /// The secret exists but this app or environment may not use it (out of scope, or not in the environment).
    PermissionDenied = "permission_denied",
    /// The call is valid but not in this state (e.g. validate before complete, a closed client).
    FailedPrecondition = "failed_precondition",
    /// The provider, service or type exists in the product but this project does not implement it.
    Unsupported = "unsupported",
    /// An Atlas limit would be passed (e.g. 200 entries in a project's IP access list); nothing was changed.
    LimitExceeded = "limit_exceeded",
    /// Atlas refused the API key or service account (wrong public/private key, expired token).
    AtlasUnauthorized = "atlas_unauthorized",
    /// The caller's IP is not on the API key's access list (not the project IP access list).
    AtlasForbiddenIp = "atlas_forbidden_ip",
    /// The key is valid but lacks a role the operation needs.
    AtlasMissingRole = "atlas_missing_role",
    /// Any other error answered by Atlas (including 5xx after retries).
    AtlasError = "atlas_error",
    /// Atlas could not be reached (connection refused or dropped).
    Network = "network",
    /// Atlas did not answer in time.
    Timeout = "timeout",
    /// Atlas kept answering 429 after the retries (or asked to wait too long).
    RateLimited = "rate_limited",
    /// The workspace database or key file failed (wrong workspace key, corrupt or locked file).
    Workspace = "workspace",
    /// The call was cancelled by its caller.
    Cancelled = "cancelled",
    /// A bug: an internal failure, including a panic inside the core (the host process survives).
    Internal = "internal",
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

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    #[test]
    fn wire_names_match_serde_and_every_code_has_a_summary() {
        for code in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str(), "{code:?}");
            assert!(!code.summary().is_empty() && !code.summary().contains("  "), "{code:?}");
        }
        assert_eq!(ErrorCode::ALL.len(), 18);
    }
}
