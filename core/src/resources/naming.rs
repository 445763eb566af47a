//! Deterministic names for what an import makes, so a second import (or one after a crash)
//! finds the same database user and secret: both come from (connection, product, component,
//! env). Within Atlas's rules: database user names of at most 64 characters here (letters,
//! digits, `-`); secret keys UPPER_SNAKE of at most 128.

use crate::secrets::reference::MAX_KEY_LEN;

const MAX_USER_LEN: usize = 64;

/// An 8-hex-digit digest of `s`: keeps truncated names distinct.
fn short_digest(s: &str) -> String {
    use md5::{Digest, Md5};
    Md5::digest(s.as_bytes()).iter().take(4).map(|b| format!("{b:02x}")).collect()
}

fn fit(full: String, max: usize, sep: char) -> String {
    if full.len() <= max {
        return full;
    }
    let digest = short_digest(&full);
    let keep = max - digest.len() - 1;
    let head = full[..keep].trim_end_matches(sep);
    format!("{head}{sep}{digest}")
}

/// `ductape-<connection>-<product>-<component>-<env>`, `_` as `-`.
pub fn database_user(connection: &str, product: &str, component: &str, env: &str) -> String {
    let full = format!("ductape-{connection}-{product}-{component}-{env}").replace('_', "-");
    fit(full, MAX_USER_LEN, '-')
}

/// `ATLAS_<CONNECTION>_<PRODUCT>_<COMPONENT>_<ENV>_URL`.
pub fn secret_key(connection: &str, product: &str, component: &str, env: &str) -> String {
    let upper = |s: &str| s.to_ascii_uppercase().replace('-', "_");
    let full = format!("ATLAS_{}_{}_{}_{}_URL", upper(connection), upper(product), upper(component), upper(env));
    if full.len() <= MAX_KEY_LEN {
        return full;
    }
    fit(full[..full.len() - 4].to_string(), MAX_KEY_LEN - 4, '_').to_ascii_uppercase() + "_URL"
}

/// A password of 32 characters from `A-Z a-z 0-9` (about 190 bits), from the OS's random source.
pub fn password() -> crate::crypto::SecretString {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut bytes = zeroize::Zeroizing::new([0u8; 64]);
    let mut out = zeroize::Zeroizing::new(String::with_capacity(32));
    while out.len() < 32 {
        crate::crypto::random_bytes(&mut bytes[..]);
        // 62 * 4 = 248: bytes at or above it are dropped, so every character is equally likely.
        let missing = 32 - out.len();
        out.extend(bytes.iter().filter(|b| **b < 248).map(|b| ALPHABET[(*b % 62) as usize] as char).take(missing));
    }
    crate::crypto::SecretString::new(out.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::reference::key_is_well_formed;

    #[test]
    fn names_are_deterministic_and_fit() {
        assert_eq!(
            database_user("prod_atlas", "my-product", "db-mongo", "prd"),
            "ductape-prod-atlas-my-product-db-mongo-prd"
        );
        assert_eq!(
            secret_key("prod_atlas", "my-product", "db-mongo", "prd"),
            "ATLAS_PROD_ATLAS_MY_PRODUCT_DB_MONGO_PRD_URL"
        );
        let long = "x".repeat(64);
        let (u1, u2) = (database_user(&long, &long, &long, "dev"), database_user(&long, &long, &long, "prd"));
        assert!(u1.len() <= 64 && u2.len() <= 64 && u1 != u2, "{u1} {u2}");
        let (k1, k2) = (secret_key(&long, &long, &long, "dev"), secret_key(&long, &long, &long, "prd"));
        assert!(k1.len() <= 128 && k1 != k2 && key_is_well_formed(&k1) && k1.ends_with("_URL"), "{k1}");
    }

    #[test]
    fn passwords_are_32_alphanumerics_and_differ() {
        let (a, b) = (password(), password());
        assert_eq!(a.expose().len(), 32);
        assert!(a.expose().bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a.expose(), b.expose());
    }
}
