//! `SecretString` from JSON strings (requests, options). Never serialised.

use super::SecretString;
use serde::{Deserialize, Deserializer};

impl<'de> Deserialize<'de> for SecretString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(SecretString::new)
    }
}
