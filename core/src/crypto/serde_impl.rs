//! `SecretString` from JSON strings (requests, options). Never serialised; the one secret a reply
//! carries on purpose is a [`RevealedSecret`].
//! Its JSON Schema is a string marked `"x-secret": true` (and `writeOnly`): the operation
//! description derives each request's secret fields from that mark, so the type is the one
//! declaration of what is secret.
//!
//! A value of the wrong type is refused without quoting it: serde's own message would
//! (``invalid type: integer `12345`, expected a string``), and a secret field's value must not
//! come back in an error, whatever its type.

use super::SecretString;
use serde::de::{self, Deserialize, Deserializer, Unexpected, Visitor};
use std::fmt;

impl<'de> Deserialize<'de> for SecretString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // `deserialize_any`: serde_json's `deserialize_string` reports a wrong type itself, quoting it.
        d.deserialize_any(SecretVisitor)
    }
}

/// The mark on a secret field's schema.
pub const SECRET_MARK: &str = "x-secret";

impl schemars::JsonSchema for SecretString {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SecretString".into()
    }

    /// Inlined, so that the mark sits on the field's own schema.
    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "writeOnly": true, (SECRET_MARK): true })
    }
}

/// A secret a reply answers once, on purpose: the workspace key `workspace.rotateKey` generated
/// and could not store for its caller. It serialises to its value (the only secret type that
/// does), its schema is a string marked `"x-secret": true` and `readOnly`, `Debug` is redacted,
/// and the value is wiped on drop like a [`SecretString`].
#[derive(Clone, PartialEq, Eq)]
pub struct RevealedSecret(pub SecretString);

impl fmt::Debug for RevealedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl serde::Serialize for RevealedSecret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.expose())
    }
}

impl schemars::JsonSchema for RevealedSecret {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RevealedSecret".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "readOnly": true, (SECRET_MARK): true })
    }
}

struct SecretVisitor;

impl SecretVisitor {
    fn refuse<E: de::Error>(&self, kind: &'static str) -> Result<SecretString, E> {
        Err(E::invalid_type(Unexpected::Other(kind), self))
    }
}

impl<'de> Visitor<'de> for SecretVisitor {
    type Value = SecretString;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<SecretString, E> {
        Ok(SecretString::new(v))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<SecretString, E> {
        Ok(SecretString::new(v))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<SecretString, E> {
        self.refuse("a boolean")
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<SecretString, E> {
        self.refuse("a number")
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<SecretString, E> {
        self.refuse("a number")
    }

    fn visit_i128<E: de::Error>(self, _: i128) -> Result<SecretString, E> {
        self.refuse("a number")
    }

    fn visit_u128<E: de::Error>(self, _: u128) -> Result<SecretString, E> {
        self.refuse("a number")
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<SecretString, E> {
        self.refuse("a number")
    }

    fn visit_char<E: de::Error>(self, _: char) -> Result<SecretString, E> {
        self.refuse("a character")
    }

    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<SecretString, E> {
        self.refuse("bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Req {
        secret: SecretString,
    }

    #[test]
    fn a_secret_of_the_wrong_type_is_not_quoted() {
        assert_eq!(serde_json::from_value::<Req>(json!({"secret": "s3cret"})).unwrap().secret.expose(), "s3cret");
        for value in [json!(918273645), json!(-918273645), json!(9182.73645), json!(true), json!(["s3cret"])] {
            let from_value = serde_json::from_value::<Req>(json!({ "secret": value })).unwrap_err().to_string();
            let from_text =
                serde_json::from_str::<Req>(&json!({ "secret": value }).to_string()).unwrap_err().to_string();
            for e in [from_value, from_text] {
                assert!(e.contains("expected a string"), "{e}");
                assert!(!e.contains("918273645") && !e.contains("9182.7") && !e.contains("true"), "{e}");
                assert!(!e.contains("s3cret"), "{e}");
            }
        }
    }
}
