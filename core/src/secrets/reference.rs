//! `$Secret{KEY}` references inside a value: parsing a template into literal text and keys.
//! Errors name the field and the position, never the text around it (a template may hold a
//! literal password beside its references).

use crate::error::{Error, Result};
use std::collections::HashSet;

pub const OPEN: &str = "$Secret{";

/// The longest key.
pub const MAX_KEY_LEN: usize = 128;

#[derive(Debug, PartialEq)]
pub enum Part<'a> {
    Text(&'a str),
    Ref(&'a str),
}

/// UPPER_SNAKE: `A-Z`, digits and `_`, starting with a letter.
pub fn key_is_well_formed(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= MAX_KEY_LEN
        && key.as_bytes()[0].is_ascii_uppercase()
        && key.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// The key of a request field, trimmed and checked. A bad one is not echoed: users paste
/// values into the key box.
pub fn check_key(field: &str, raw: &str) -> Result<String> {
    let key = raw.trim();
    if key_is_well_formed(key) {
        return Ok(key.to_string());
    }
    let problem = if key.is_empty() {
        "must not be empty".to_string()
    } else if key.len() > MAX_KEY_LEN {
        format!("must be at most {MAX_KEY_LEN} characters")
    } else {
        "must be UPPER_SNAKE: A-Z, digits and '_', starting with a letter (e.g. MONGO_URL); the value given is not repeated here".to_string()
    };
    Err(Error::invalid(field, format!("{field} {problem}")))
}

/// Splits `text` into literal parts and references. `$Secret{` without a closing `}`, an empty
/// `$Secret{}` and a reference whose key is not UPPER_SNAKE are `invalid_argument` on `field`.
///
/// One pass: each search starts where the previous reference ended, so every byte is looked at
/// a bounded number of times; the position an error names is counted once, for that error.
pub fn parse<'a>(field: &str, text: &'a str) -> Result<Vec<Part<'a>>> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(OPEN) {
        if at > 0 {
            parts.push(Part::Text(&rest[..at]));
        }
        let after = &rest[at + OPEN.len()..];
        let refused = |problem: &str| malformed(field, &text[..text.len() - rest.len() + at], problem);
        let Some(close) = after.find('}') else { return Err(refused("has no closing '}'")) };
        let key = &after[..close];
        if key.is_empty() {
            return Err(refused("is empty ($Secret{})"));
        }
        if !key_is_well_formed(key) {
            return Err(refused("does not name an UPPER_SNAKE key"));
        }
        parts.push(Part::Ref(key));
        rest = &after[close + 1..];
    }
    if !rest.is_empty() {
        parts.push(Part::Text(rest));
    }
    Ok(parts)
}

/// The error for the reference that starts after `before`, by its position in characters.
fn malformed(field: &str, before: &str, problem: &str) -> Error {
    let position = before.chars().count() + 1;
    Error::invalid(field, format!("{field}: the reference at character {position} {problem}"))
}

/// The keys `parts` reference, in order of first appearance.
pub fn keys<'a>(parts: &[Part<'a>]) -> Vec<&'a str> {
    let mut seen = HashSet::new();
    parts
        .iter()
        .filter_map(|p| match p {
            Part::Ref(k) => Some(*k),
            Part::Text(_) => None,
        })
        .filter(|k| seen.insert(*k))
        .collect()
}

/// The key when `text` is exactly one reference and nothing else.
pub fn sole_reference(text: &str) -> Option<&str> {
    match parse("", text).ok()?.as_slice() {
        [Part::Ref(k)] => Some(k),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_references_and_text() {
        let parts = parse("value", "mongodb://u:$Secret{PW}@h/$Secret{DB_2}x").unwrap();
        assert_eq!(
            parts,
            [Part::Text("mongodb://u:"), Part::Ref("PW"), Part::Text("@h/"), Part::Ref("DB_2"), Part::Text("x")]
        );
        assert_eq!(parse("value", "plain").unwrap(), [Part::Text("plain")]);
        assert_eq!(parse("value", "").unwrap(), []);
        assert_eq!(keys(&parse("v", "$Secret{A}$Secret{B}$Secret{A}").unwrap()), ["A", "B"]);
        assert_eq!(sole_reference("$Secret{MONGO_URL}"), Some("MONGO_URL"));
        assert_eq!(sole_reference(" $Secret{MONGO_URL}"), None);
        // `$Secret` without the brace, and a lone `}`, are text
        assert_eq!(parse("v", "$Secret x } $Secre{A}").unwrap(), [Part::Text("$Secret x } $Secre{A}")]);
    }

    #[test]
    fn malformed_references_name_the_position_not_the_text() {
        let cases = [
            ("pw=hunter2 $Secret{", "value: the reference at character 12 has no closing '}'"),
            ("$Secret{}", "value: the reference at character 1 is empty ($Secret{})"),
            ("é$Secret{lower}", "value: the reference at character 2 does not name an UPPER_SNAKE key"),
            ("$Secret{A B}", "value: the reference at character 1 does not name an UPPER_SNAKE key"),
            ("$Secret{A}$Secret{", "value: the reference at character 11 has no closing '}'"),
        ];
        for (text, want) in cases {
            let e = parse("value", text).unwrap_err();
            assert_eq!((e.field.as_deref(), e.message.as_str()), (Some("value"), want), "{text}");
            assert!(!e.message.contains("hunter2"));
        }
    }

    #[test]
    fn thousands_of_references_keep_their_order_and_each_key_once() {
        let text: String = (0..5000).map(|i| format!("$Secret{{K{}}}-", i % 4000)).collect();
        let parts = parse("value", &text).unwrap();
        assert_eq!(parts.len(), 10_000);
        let keys = keys(&parts);
        assert_eq!(keys.len(), 4000);
        assert_eq!((keys[0], keys[3999]), ("K0", "K3999"));
        let late = format!("{}$Secret{{x}}", "é".repeat(70_000));
        assert_eq!(
            parse("value", &late).unwrap_err().message,
            "value: the reference at character 70001 does not name an UPPER_SNAKE key"
        );
    }

    #[test]
    fn keys_are_upper_snake() {
        for good in ["A", "MONGO_URL", "K2", "A_1_B", &"K".repeat(128)] {
            assert_eq!(check_key("key", good).unwrap(), good);
        }
        assert_eq!(check_key("key", "  PADDED ").unwrap(), "PADDED");
        for bad in ["", "lower", "1LEAD", "_LEAD", "WITH-HYPHEN", "WITH SPACE", "ÄB", &"K".repeat(129)] {
            let e = check_key("key", bad).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("key"), "{bad}");
        }
    }
}
