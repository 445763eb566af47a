//! Checks and values every feature's records share: ids, timestamps, free text, and the
//! "null clears, missing keeps" form of partial updates.

use crate::error::{Error, Result};
use serde::{Deserialize, Deserializer};

pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub fn new_id() -> String {
    let b: [u8; 16] = rand::random();
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    // UUID v4 layout
    format!("{}-{}-4{}-{:x}{}-{}", &h[0..8], &h[8..12], &h[13..16], (b[8] & 0x3) | 0x8, &h[17..20], &h[20..32])
}

/// Trimmed free text of at most `max` characters, without control characters but newline and tab.
pub fn check_text(field: &str, value: &str, max: usize, allow_empty: bool) -> Result<String> {
    let v = value.trim().to_string();
    if v.is_empty() && !allow_empty {
        return Err(Error::invalid(field, format!("{field} must not be empty")));
    }
    if v.chars().count() > max {
        return Err(Error::invalid(field, format!("{field} must be at most {max} characters")));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Error::invalid(field, format!("{field} must not contain control characters")));
    }
    Ok(v)
}

/// An RFC 3339 timestamp (`2027-01-31T12:00:00Z`, any offset), as UTC with milliseconds, the
/// form every record uses (so that stored timestamps compare as text).
pub fn check_timestamp(field: &str, value: &str) -> Result<String> {
    let t = chrono::DateTime::parse_from_rfc3339(value.trim()).map_err(|_| {
        Error::invalid(field, format!("{field} must be an RFC 3339 timestamp such as 2027-01-31T12:00:00Z"))
    })?;
    Ok(t.with_timezone(&chrono::Utc).to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

/// For `Option<Option<T>>` fields of partial updates: missing is `None` (keep), `null` is
/// `Some(None)` (clear), a value is `Some(Some(v))`. Use with `#[serde(default)]`.
pub fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> std::result::Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Lowercase letters, digits and `-`, starting with a letter or digit, at most `max` long:
/// product and component tags, app tags.
pub fn is_hyphen_tag(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && s.as_bytes()[0].is_ascii_alphanumeric()
        && !s.ends_with('-')
}

/// The "did you mean" for a malformed tag: only for a display name typed into the tag field
/// (it has a space). Credentials never contain one, and a suggestion built from a pasted key
/// (`A1b2-...` -> `a1b2_...`) would echo the key: SECURITY.md promises a bad tag is never echoed.
pub fn tag_suggestion(raw: &str, slug: impl Fn(&str) -> Option<String>) -> String {
    let named = raw.trim().contains(' ') && raw.len() <= 64;
    named.then(|| slug(raw)).flatten().map(|s| format!("; did you mean '{s}'?")).unwrap_or_default()
}

/// "My Product" -> `my-product`. `None` when nothing usable is left.
pub fn hyphen_slug(s: &str, max: usize) -> Option<String> {
    slug(s, '-', max)
}

/// Lowercase letters and digits of `s`, each run of anything else one `sep`, at most `max` long.
pub fn slug(s: &str, sep: char, max: usize) -> Option<String> {
    let mut out = String::new();
    let mut pending_sep = false;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_sep && !out.is_empty() {
                out.push(sep);
            }
            pending_sep = false;
            out.push(c.to_ascii_lowercase());
        } else {
            pending_sep = true;
        }
    }
    out.truncate(max);
    let out = out.trim_end_matches(sep).to_string();
    (!out.is_empty()).then_some(out)
}

/// An environment slug (`dev`, `stg`, `prd`, `snd`): 2 to 10 lowercase letters, digits or `-`,
/// starting with a letter.
pub fn check_env_slug(field: &str, raw: &str) -> Result<String> {
    let s = raw.trim();
    let ok = (2..=10).contains(&s.len())
        && s.as_bytes()[0].is_ascii_lowercase()
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        return Ok(s.to_string());
    }
    Err(Error::invalid(
        field,
        format!("{field} must be an environment slug: 2 to 10 lowercase letters, digits or '-', starting with a letter (e.g. dev, stg, prd)"),
    ))
}

/// A non-empty list of distinct items, each checked by `check` (errors name `field[i]`).
pub fn check_list(
    field: &str,
    items: &[String],
    max: usize,
    what: &str,
    check: impl Fn(&str, &str) -> Result<String>,
) -> Result<Vec<String>> {
    if items.is_empty() {
        return Err(Error::invalid(
            field,
            format!("{field} must name at least one {what}; omit it (or null) for every {what}"),
        ));
    }
    if items.len() > max {
        return Err(Error::invalid(field, format!("{field} may name at most {max} entries")));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let v = check(&format!("{field}[{i}]"), item)?;
        if !out.contains(&v) {
            out.push(v);
        }
    }
    Ok(out)
}

/// The longest description of any record.
pub const MAX_DESCRIPTION_LEN: usize = 2000;

/// An optional description, trimmed and checked; blank is none.
pub fn description(d: Option<&str>) -> Result<Option<String>> {
    Ok(d.map(|t| check_text("description", t, MAX_DESCRIPTION_LEN, true)).transpose()?.filter(|t| !t.is_empty()))
}

/// An Atlas cluster name: letters, digits and `-`, at most 64 characters, not starting or ending
/// with `-` (`resource` of an import, `instance` of a component env).
pub fn check_cluster_name(field: &str, raw: &str) -> Result<String> {
    let s = raw.trim();
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-');
    if ok {
        return Ok(s.to_string());
    }
    Err(Error::invalid(
        field,
        format!("{field} must be a cluster name: letters, digits and '-', at most 64 characters"),
    ))
}
