//! The connection record, statuses, providers, scopes, and the checks on user input.

use crate::error::{Error, ErrorCode, Result};
pub use crate::fields::{check_text, new_id, now, MAX_DESCRIPTION_LEN};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Every provider the product knows; only [`SUPPORTED_PROVIDER`] is implemented here.
pub const PROVIDERS: &[&str] = &["aws", "gcp", "azure", "mongodb_atlas", "neo4j_aura"];
pub const SUPPORTED_PROVIDER: &str = "mongodb_atlas";
pub const SCOPES: &[&str] = &["storage", "broker", "database", "graph", "vector"];
pub const DEFAULT_ATLAS_SCOPES: &[&str] = &["database"];
pub const MAX_TAG_LEN: usize = 64;
pub const MAX_DISPLAY_NAME_LEN: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pending,
    Active,
    Error,
    Revoked,
}

impl Status {
    pub const ALL: &'static [&'static str] = &["pending", "active", "error", "revoked"];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Active => "active",
            Status::Error => "error",
            Status::Revoked => "revoked",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "pending" => Some(Status::Pending),
            "active" | "validated" => Some(Status::Active),
            "error" => Some(Status::Error),
            "revoked" => Some(Status::Revoked),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// Programmatic API key (public + private key, HTTP Digest).
    ApiKey,
    /// Service account (client id + secret, OAuth client credentials).
    ServiceAccount,
}

/// The last failed validation, kept in `metadata.last_validation_error`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ValidationFailure {
    pub code: ErrorCode,
    /// The check that failed (`credentials`, `api_access_list`, `project`, `role`, `network`).
    pub check: String,
    pub message: String,
    pub at: String,
    /// True for failures on the way to Atlas (network, timeout, rate limit, Atlas 5xx): they
    /// say nothing about the credentials, so they do not change the status.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub transient: bool,
}

/// `metadata`: non-secret inputs, flags for the secrets, validation results. Keys other
/// features add (e.g. `networking`) are kept in `extra`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Metadata {
    #[serde(default)]
    pub project_id: Option<String>,
    #[serde(default)]
    pub atlas_public_key: Option<String>,
    #[serde(default)]
    pub has_atlas_private_key: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub atlas_client_id: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub has_atlas_client_secret: bool,
    #[serde(default)]
    pub auth_method: Option<AuthMethod>,
    /// The Atlas base URL the credentials were completed for; they are sent nowhere else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub atlas_base_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials_updated_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validated_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_validation_error: Option<ValidationFailure>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One stored connection (live or soft-deleted).
#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    pub tag: String,
    pub provider: String,
    pub display_name: String,
    pub description: Option<String>,
    pub status: Status,
    pub scopes: Vec<String>,
    pub account_identifier: Option<String>,
    pub metadata: Metadata,
    pub credentials_rev: i64,
    pub created_at: String,
    pub updated_at: String,
    pub deleted_at: Option<String>,
}

/// The public record. Never holds a secret.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Record {
    pub id: String,
    pub tag: String,
    pub display_name: String,
    pub description: Option<String>,
    pub provider: String,
    pub status: Status,
    pub scopes: Vec<String>,
    pub account_identifier: Option<String>,
    pub metadata: Metadata,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Row> for Record {
    fn from(r: &Row) -> Self {
        Record {
            id: r.id.clone(),
            tag: r.tag.clone(),
            display_name: r.display_name.clone(),
            description: r.description.clone(),
            provider: r.provider.clone(),
            status: r.status,
            scopes: r.scopes.clone(),
            account_identifier: r.account_identifier.clone(),
            metadata: r.metadata.clone(),
            created_at: r.created_at.clone(),
            updated_at: r.updated_at.clone(),
        }
    }
}

// ---- input checks. Messages never echo a value given for a credential field: users paste
// private keys into the wrong box.

/// `[a-z0-9_]`, starting with a letter or digit (length checked apart).
fn tag_is_well_formed(tag: &str) -> bool {
    tag.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && tag.as_bytes().first().is_some_and(u8::is_ascii_alphanumeric)
}

pub fn check_tag(field: &str, tag: &str) -> Result<()> {
    if tag.is_empty() {
        return Err(Error::invalid(field, format!("{field} must not be empty")));
    }
    if tag.len() > MAX_TAG_LEN {
        return Err(Error::invalid(field, format!("{field} must be at most {MAX_TAG_LEN} characters")));
    }
    if !tag_is_well_formed(tag) {
        let hint = crate::fields::tag_suggestion(tag, slugify);
        return Err(Error::invalid(
            field,
            format!("{field} is not a valid tag: use lowercase letters, digits and '_', starting with a letter or digit (the value given is not repeated here){hint}"),
        ));
    }
    Ok(())
}

/// The tag of a connection to look up (`tag` in fetch, validate, complete, update, delete),
/// trimmed: the create rule, checked before any use, and never echoed. Users paste secrets into
/// the wrong field, and an echoed 1 MiB tag would double the reply.
pub fn lookup_tag(raw: &str) -> Result<String> {
    lookup_tag_in("tag", raw)
}

/// [`lookup_tag`] for a request field of another name (`cloud` in products and resources): the
/// error names that field, in its field and in its message.
pub fn lookup_tag_in(field: &str, raw: &str) -> Result<String> {
    let tag = raw.trim();
    let rule = "a connection's tag is lowercase letters, digits and '_', starting with a letter or digit";
    let problem = if tag.is_empty() {
        format!("{field} must not be empty")
    } else if tag.len() > MAX_TAG_LEN {
        format!("{field} must be at most {MAX_TAG_LEN} characters ({rule})")
    } else if !tag_is_well_formed(tag) {
        format!("{field} is not a valid tag ({rule}); the value given is not repeated here")
    } else {
        return Ok(tag.to_string());
    };
    Err(Error::invalid(field, problem))
}

/// "Production Atlas" -> `production_atlas`. `None` when nothing usable is left.
pub fn slugify(s: &str) -> Option<String> {
    crate::fields::slug(s, '_', MAX_TAG_LEN)
}

pub fn check_provider(field: &str, provider: &str) -> Result<()> {
    if provider == SUPPORTED_PROVIDER {
        return Ok(());
    }
    if PROVIDERS.contains(&provider) {
        return Err(Error::new(
            ErrorCode::Unsupported,
            format!("provider '{provider}' is not supported yet; this version supports '{SUPPORTED_PROVIDER}'"),
        )
        .with_field(field));
    }
    Err(Error::invalid(
        field,
        format!(
            "{field} is not a known provider (the value given is not repeated here); known providers: {}",
            PROVIDERS.join(", ")
        ),
    ))
}

/// Checks scopes against the known set; drops duplicates, keeps order.
pub fn check_scopes(field: &str, scopes: &[String]) -> Result<Vec<String>> {
    if scopes.is_empty() {
        return Err(Error::invalid(field, format!("{field} must name at least one scope ({})", SCOPES.join(", "))));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, s) in scopes.iter().enumerate() {
        let s = s.trim().to_ascii_lowercase();
        if !SCOPES.contains(&s.as_str()) {
            return Err(Error::invalid(
                format!("{field}[{i}]"),
                format!(
                    "{field}[{i}] is not a known scope (the value given is not repeated here); known scopes: {}",
                    SCOPES.join(", ")
                ),
            ));
        }
        if !out.contains(&s) {
            out.push(s);
        }
    }
    Ok(out)
}

pub fn check_project_id(field: &str, id: &str) -> Result<String> {
    let id = id.trim();
    if id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        if id.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(Error::invalid(
                field,
                format!("{field} must be lowercase hex (Atlas project IDs are 24 lowercase hex characters)"),
            ));
        }
        return Ok(id.to_string());
    }
    Err(Error::invalid(
        field,
        format!("{field} must be the 24-character hexadecimal project ID (Atlas > Project Settings > Project ID); got {} characters", id.chars().count()),
    ))
}

/// Atlas public keys are 8 lowercase characters.
pub fn check_public_key(field: &str, key: &str) -> Result<String> {
    let k = key.trim();
    if k.len() == 8 && k.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
        return Ok(k.to_string());
    }
    Err(Error::invalid(
        field,
        format!("{field} must be the 8-character public key of an Atlas API key (lowercase letters)"),
    ))
}

/// Atlas private keys are UUIDs (36 characters, 8-4-4-4-12 hex).
pub fn check_private_key(field: &str, key: &str) -> Result<()> {
    if is_uuid(key.trim()) {
        return Ok(());
    }
    Err(Error::invalid(
        field,
        format!(
            "{field} does not look like an Atlas private key (a UUID such as xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)"
        ),
    ))
}

/// 36 characters, 8-4-4-4-12 hex: the shape of an Atlas private key.
fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

pub fn check_client_id(field: &str, id: &str) -> Result<String> {
    let id = id.trim();
    // The client ID is stored in plain text and shown in every record, so a secret pasted into
    // it (a service account secret, or an API private key) must be refused, not kept.
    if id.get(..10).is_some_and(|p| p.eq_ignore_ascii_case("mdb_sa_sk_")) || is_uuid(id) {
        return Err(Error::invalid(
            field,
            format!(
                "{field} looks like a secret (a service account secret starts with mdb_sa_sk_, an API private key is a UUID), not a client ID (mdb_sa_id_...); secrets go in atlas_client_secret"
            ),
        ));
    }
    let ok =
        id.len() >= 8 && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        return Ok(id.to_string());
    }
    Err(Error::invalid(
        field,
        format!("{field} does not look like an Atlas service account client ID (e.g. mdb_sa_id_...)"),
    ))
}

pub fn check_client_secret(field: &str, secret: &str) -> Result<()> {
    let s = secret.trim();
    if s.len() >= 16 && s.len() <= 512 && !s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Ok(());
    }
    Err(Error::invalid(
        field,
        format!("{field} does not look like an Atlas service account secret (e.g. mdb_sa_sk_...)"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_slugs() {
        assert!(check_tag("name", "prod_atlas").is_ok());
        assert!(check_tag("name", "a1").is_ok());
        let e = check_tag("name", "Production Atlas").unwrap_err();
        assert!(e.message.contains("did you mean 'production_atlas'"), "{}", e.message);
        // Never echoed, nor turned into a suggestion unless it is a typed name (has a space).
        let key = "0Ab1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d";
        let e = check_tag("name", key).unwrap_err();
        assert!(!e.message.to_ascii_lowercase().contains("0ab1c2d3"), "{}", e.message);
        assert!(check_tag("name", "_x").is_err());
        assert!(check_tag("name", "").is_err());
        assert!(check_tag("name", &"a".repeat(65)).is_err());
        assert_eq!(slugify("Production Atlas").as_deref(), Some("production_atlas"));
        assert_eq!(slugify("  My--DB (prod) ").as_deref(), Some("my_db_prod"));
        assert_eq!(slugify("!!!"), None);
    }

    #[test]
    fn sec08_lookup_tags_are_checked_without_echo() {
        assert_eq!(lookup_tag(" prod_atlas ").unwrap(), "prod_atlas");
        let pasted = "a0403a4f-0151-4922-ae89-523b69cd8e04";
        for bad in [pasted, "", "Prod", "_x", &"a".repeat(65), &"x".repeat(1 << 20)] {
            let e = lookup_tag(bad).unwrap_err();
            assert_eq!((e.code, e.field.as_deref()), (ErrorCode::InvalidArgument, Some("tag")));
            assert!(e.message.len() < 200, "{}", e.message);
            assert!(bad.is_empty() || !e.message.contains(bad), "{}", e.message);
            assert!(!e.message.contains("a0403a4f"), "{}", e.message);
        }
    }

    #[test]
    fn providers_and_scopes() {
        assert!(check_provider("provider", "mongodb_atlas").is_ok());
        assert_eq!(check_provider("provider", "aws").unwrap_err().code, ErrorCode::Unsupported);
        assert!(check_provider("provider", "aws").unwrap_err().message.contains("not supported yet"));
        assert_eq!(check_provider("provider", "oracle").unwrap_err().code, ErrorCode::InvalidArgument);
        assert_eq!(
            check_scopes("scopes", &["database".into(), "database".into(), "vector".into()]).unwrap(),
            vec!["database", "vector"]
        );
        assert_eq!(
            check_scopes("scopes", &["database".into(), "nope".into()]).unwrap_err().field.as_deref(),
            Some("scopes[1]")
        );
        assert!(check_scopes("scopes", &[]).is_err());
    }

    #[test]
    fn credential_shapes_without_echo() {
        assert!(check_project_id("project_id", "5c843ba379358e5b3dc2dec6").is_ok());
        assert!(check_project_id("project_id", "5C843BA379358E5B3DC2DEC6").is_err());
        let e = check_project_id("project_id", "a0403a4f-0151-4922-ae89-523b69cd8e04").unwrap_err();
        assert!(!e.message.contains("a0403a4f"));
        assert!(check_public_key("atlas_public_key", "awqxqtif").is_ok());
        let e = check_public_key("atlas_public_key", "a0403a4f-0151-4922-ae89-523b69cd8e04").unwrap_err();
        assert!(!e.message.contains("a0403a4f"));
        assert!(check_private_key("atlas_private_key", "a0403a4f-0151-4922-ae89-523b69cd8e04").is_ok());
        assert!(check_private_key("atlas_private_key", "nope").is_err());
        assert!(check_client_id("atlas_client_id", "mdb_sa_id_62f3375a109c0a5dd6bc4e08").is_ok());
        // secrets pasted into the client ID (stored in plain text, shown in records) are refused, unechoed
        for secret in
            ["mdb_sa_sk_ONUpl-n0Ggw80Joq-U_37hfk6ZgzqUbn", "MDB_SA_SK_abcdefgh", "a0403a4f-0151-4922-ae89-523b69cd8e04"]
        {
            let e = check_client_id("atlas_client_id", secret).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("atlas_client_id"));
            assert!(!e.message.contains(&secret[10..]), "{}", e.message);
        }
        assert!(check_client_id("atlas_client_id", "ééééééééé").is_err(), "no panic on a multibyte prefix");
        assert!(check_client_secret("atlas_client_secret", "mdb_sa_sk_ONUpl-n0Ggw80Joq-U_37hfk6ZgzqUbn").is_ok());
    }

    #[test]
    fn ids_look_like_uuids() {
        let id = new_id();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
    }

    #[test]
    fn status_names() {
        assert_eq!(Status::parse("validated"), Some(Status::Active));
        assert_eq!(serde_json::to_value(Status::Pending).unwrap(), "pending");
    }
}
