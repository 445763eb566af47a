//! The server side of SCRAM-SHA-1 and SCRAM-SHA-256 (RFC 5802, RFC 7677) as MongoDB speaks it,
//! on the RustCrypto primitives (no maintained crate offers the server side).
//!
//! Like MongoDB, the simulator keeps only `StoredKey` and `ServerKey` per mechanism, never the
//! password. MongoDB's SCRAM-SHA-1 hashes `user:mongo:password` with MD5 first (a legacy of its
//! MONGODB-CR days); SCRAM-SHA-256 uses the SASLprep'd password, and the simulator only accepts
//! passwords whose SASLprep is the identity (printable ASCII), which is what Atlas's generated
//! passwords are.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// MongoDB's default iteration counts (`scramIterationCount`, `scramSHA256IterationCount`).
const SHA1_ITERATIONS: u32 = 10_000;
const SHA256_ITERATIONS: u32 = 15_000;
const NONCE_BYTES: usize = 24;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    Sha1,
    Sha256,
}

impl Mechanism {
    pub fn parse(name: &str) -> Option<Mechanism> {
        match name {
            "SCRAM-SHA-1" => Some(Mechanism::Sha1),
            "SCRAM-SHA-256" => Some(Mechanism::Sha256),
            _ => None,
        }
    }

    fn hash(self, data: &[u8]) -> Vec<u8> {
        match self {
            Mechanism::Sha1 => Sha1::digest(data).to_vec(),
            Mechanism::Sha256 => Sha256::digest(data).to_vec(),
        }
    }

    fn hmac(self, key: &[u8], msg: &[u8]) -> Vec<u8> {
        match self {
            Mechanism::Sha1 => {
                let mut m = Hmac::<Sha1>::new_from_slice(key).expect("HMAC takes any key length");
                m.update(msg);
                m.finalize().into_bytes().to_vec()
            }
            Mechanism::Sha256 => {
                let mut m = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
                m.update(msg);
                m.finalize().into_bytes().to_vec()
            }
        }
    }

    /// PBKDF2-HMAC (RFC 8018) with one block of output, which is all SCRAM uses.
    fn salted_password(self, password: &[u8], salt: &[u8], iterations: u32) -> Vec<u8> {
        let key = if password.len() > 64 { self.hash(password) } else { password.to_vec() };
        let u1 = self.hmac(&key, &[salt, &1u32.to_be_bytes()].concat());
        match self {
            Mechanism::Sha1 => kdf::iterate(kdf::SHA1_IV, kdf::sha1_compress, &key, u1, iterations),
            Mechanism::Sha256 => kdf::iterate(kdf::SHA256_IV, kdf::sha256_compress, &key, u1, iterations),
        }
    }
}

/// The PBKDF2 iterations as raw compressions of the RustCrypto hashes. The `pbkdf2` crate's
/// generic HMAC code is compiled unoptimised in debug builds (it is instantiated in this crate),
/// which made one user take a quarter of a second at MongoDB's iteration counts; the compression
/// functions themselves live in `sha1`/`sha2`, built optimised (see the workspace profile). A test
/// checks this against the `pbkdf2` crate.
mod kdf {
    use sha2::digest::generic_array::GenericArray;

    pub const SHA1_IV: [u32; 5] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476, 0xc3d2_e1f0];
    pub const SHA256_IV: [u32; 8] =
        [0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19];

    pub fn sha1_compress(state: &mut [u32; 5], block: &[u8; 64]) {
        sha1::compress(state, std::slice::from_ref(GenericArray::from_slice(block)));
    }

    pub fn sha256_compress(state: &mut [u32; 8], block: &[u8; 64]) {
        sha2::compress256(state, std::slice::from_ref(GenericArray::from_slice(block)));
    }

    fn pad(key: &[u8], byte: u8) -> [u8; 64] {
        let mut b = [byte; 64];
        b.iter_mut().zip(key).for_each(|(x, k)| *x ^= k);
        b
    }

    fn put_words<const N: usize>(block: &mut [u8; 64], words: &[u32; N]) {
        for (i, w) in words.iter().enumerate() {
            block[4 * i..4 * i + 4].copy_from_slice(&w.to_be_bytes());
        }
    }

    /// `U1 ^ U2 ^ ... ^ Un` where `U(i+1) = HMAC(key, U(i))`; `key` is at most one block. Each
    /// HMAC of a digest-sized message is two compressions of one padded block (the pads were
    /// absorbed once); the loop allocates nothing, as it runs unoptimised in debug builds.
    pub fn iterate<const N: usize>(
        iv: [u32; N],
        compress: fn(&mut [u32; N], &[u8; 64]),
        key: &[u8],
        u1: Vec<u8>,
        iterations: u32,
    ) -> Vec<u8> {
        let (mut inner, mut outer) = (iv, iv);
        compress(&mut inner, &pad(key, 0x36));
        compress(&mut outer, &pad(key, 0x5c));
        let len = N * 4;
        let mut block = [0u8; 64];
        block[..len].copy_from_slice(&u1);
        block[len] = 0x80;
        block[56..].copy_from_slice(&(((64 + len) * 8) as u64).to_be_bytes());
        let mut acc = [0u32; N];
        for (i, a) in acc.iter_mut().enumerate() {
            *a = u32::from_be_bytes(u1[4 * i..4 * i + 4].try_into().expect("4 bytes"));
        }
        for _ in 1..iterations {
            let mut s = inner;
            compress(&mut s, &block);
            put_words(&mut block, &s);
            let mut s = outer;
            compress(&mut s, &block);
            put_words(&mut block, &s);
            for i in 0..N {
                acc[i] ^= s[i];
            }
        }
        acc.iter().flat_map(|w| w.to_be_bytes()).collect()
    }
}

/// What a server keeps for one mechanism (RFC 5802 section 3).
#[derive(Clone, PartialEq, Eq)]
pub struct KeySet {
    pub salt: Vec<u8>,
    pub iterations: u32,
    pub stored_key: Vec<u8>,
    pub server_key: Vec<u8>,
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeySet(..)")
    }
}

impl KeySet {
    fn derive(mech: Mechanism, password: &[u8], salt: Vec<u8>, iterations: u32) -> KeySet {
        let salted = mech.salted_password(password, &salt, iterations);
        let client_key = mech.hmac(&salted, b"Client Key");
        KeySet { stored_key: mech.hash(&client_key), server_key: mech.hmac(&salted, b"Server Key"), salt, iterations }
    }
}

/// The SCRAM credentials of one database user, for both mechanisms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub sha1: KeySet,
    pub sha256: Option<KeySet>,
}

impl Credentials {
    pub fn new(username: &str, password: &str) -> Credentials {
        let mongo_cr = crate::state::hex(&md5_digest(format!("{username}:mongo:{password}").as_bytes()));
        let sha1 = KeySet::derive(Mechanism::Sha1, mongo_cr.as_bytes(), random_bytes(16), SHA1_ITERATIONS);
        // Without a SASLprep implementation, only passwords it leaves unchanged get SCRAM-SHA-256.
        let sha256 = saslprep_is_identity(password)
            .then(|| KeySet::derive(Mechanism::Sha256, password.as_bytes(), random_bytes(28), SHA256_ITERATIONS));
        Credentials { sha1, sha256 }
    }

    pub fn keys(&self, mech: Mechanism) -> Option<&KeySet> {
        match mech {
            Mechanism::Sha1 => Some(&self.sha1),
            Mechanism::Sha256 => self.sha256.as_ref(),
        }
    }

    /// The names `hello`'s `saslSupportedMechs` lists for this user.
    pub fn mechanisms(&self) -> Vec<&'static str> {
        let mut v = vec!["SCRAM-SHA-1"];
        if self.sha256.is_some() {
            v.push("SCRAM-SHA-256");
        }
        v
    }
}

fn md5_digest(data: &[u8]) -> Vec<u8> {
    use md5::Md5;
    Md5::digest(data).to_vec()
}

fn saslprep_is_identity(p: &str) -> bool {
    p.bytes().all(|b| (0x20..0x7f).contains(&b))
}

fn random_bytes(n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    rand::thread_rng().fill_bytes(&mut v);
    v
}

/// The first client message, parsed: `n,,n=user,r=nonce`.
#[derive(Debug, Clone)]
pub struct ClientFirst {
    pub username: String,
    gs2_header: String,
    bare: String,
    nonce: String,
}

/// SCRAM usernames escape `,` and `=` as `=2C` and `=3D` (RFC 5802 section 5.1).
fn unescape_name(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('=') {
        out.push_str(&rest[..i]);
        let (c, tail) = match rest.get(i + 1..i + 3) {
            Some("2C") => (',', &rest[i + 3..]),
            Some("3D") => ('=', &rest[i + 3..]),
            _ => return None,
        };
        out.push(c);
        rest = tail;
    }
    out.push_str(rest);
    Some(out)
}

fn attr(part: &str, key: char) -> Option<&str> {
    part.strip_prefix(key).and_then(|r| r.strip_prefix('='))
}

impl ClientFirst {
    pub fn parse(payload: &[u8]) -> Option<ClientFirst> {
        let text = std::str::from_utf8(payload).ok()?;
        // gs2-header: channel-binding flag (no binding: `n` or `y`), optional authzid, then the bare message.
        let mut parts = text.splitn(3, ',');
        let flag = parts.next()?;
        let authzid = parts.next()?;
        let bare = parts.next()?;
        if flag != "n" && flag != "y" {
            return None;
        }
        let mut fields = bare.split(',');
        let username = unescape_name(attr(fields.next()?, 'n')?)?;
        let nonce = attr(fields.next()?, 'r')?.to_string();
        if username.is_empty() || nonce.is_empty() {
            return None;
        }
        Some(ClientFirst { username, gs2_header: format!("{flag},{authzid},"), bare: bare.to_string(), nonce })
    }
}

/// A conversation after the server's first message, waiting for the client's proof.
#[derive(Debug, Clone)]
pub struct Conversation {
    pub mechanism: Mechanism,
    pub username: String,
    keys: KeySet,
    client_first_bare: String,
    server_first: String,
    nonce: String,
    gs2_header: String,
}

impl Conversation {
    /// Answers the client's first message with `r=<nonce>,s=<salt>,i=<iterations>`.
    pub fn start(mechanism: Mechanism, first: ClientFirst, keys: KeySet) -> (Conversation, String) {
        let nonce = format!("{}{}", first.nonce, B64.encode(random_bytes(NONCE_BYTES)));
        let server_first = format!("r={nonce},s={},i={}", B64.encode(&keys.salt), keys.iterations);
        let conv = Conversation {
            mechanism,
            username: first.username,
            keys,
            client_first_bare: first.bare,
            server_first: server_first.clone(),
            nonce,
            gs2_header: first.gs2_header,
        };
        (conv, server_first)
    }

    /// Checks `c=..,r=..,p=proof`; answers `v=<server signature>` when the proof is right.
    pub fn finish(&self, payload: &[u8]) -> Option<String> {
        let text = std::str::from_utf8(payload).ok()?;
        let (without_proof, proof) = text.rsplit_once(",p=")?;
        let mut fields = without_proof.split(',');
        let binding = attr(fields.next()?, 'c')?;
        let nonce = attr(fields.next()?, 'r')?;
        if B64.decode(binding).ok()? != self.gs2_header.as_bytes() || nonce != self.nonce {
            return None;
        }
        let proof = B64.decode(proof).ok()?;
        let auth_message = format!("{},{},{}", self.client_first_bare, self.server_first, without_proof);
        let m = self.mechanism;
        let signature = m.hmac(&self.keys.stored_key, auth_message.as_bytes());
        if proof.len() != signature.len() {
            return None;
        }
        let client_key: Vec<u8> = proof.iter().zip(&signature).map(|(a, b)| a ^ b).collect();
        if !constant_time_eq(&m.hash(&client_key), &self.keys.stored_key) {
            return None;
        }
        Some(format!("v={}", B64.encode(m.hmac(&self.keys.server_key, auth_message.as_bytes()))))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A client written from RFC 5802 (independent of the server code above), for both mechanisms.
    fn client_final(
        mech: Mechanism,
        password: &[u8],
        client_first_bare: &str,
        server_first: &str,
    ) -> (String, Vec<u8>) {
        let mut f = server_first.split(',');
        let nonce = f.next().unwrap().strip_prefix("r=").unwrap();
        let salt = B64.decode(f.next().unwrap().strip_prefix("s=").unwrap()).unwrap();
        let iters: u32 = f.next().unwrap().strip_prefix("i=").unwrap().parse().unwrap();
        let salted = mech.salted_password(password, &salt, iters);
        let client_key = mech.hmac(&salted, b"Client Key");
        let stored = mech.hash(&client_key);
        let without_proof = format!("c=biws,r={nonce}");
        let auth = format!("{client_first_bare},{server_first},{without_proof}");
        let sig = mech.hmac(&stored, auth.as_bytes());
        let proof: Vec<u8> = client_key.iter().zip(&sig).map(|(a, b)| a ^ b).collect();
        let server_sig = mech.hmac(&mech.hmac(&salted, b"Server Key"), auth.as_bytes());
        (format!("{without_proof},p={}", B64.encode(proof)), server_sig)
    }

    fn run(mech: Mechanism, creds: &Credentials, client_password: &[u8]) -> Option<String> {
        let first = ClientFirst::parse(b"n,,n=app=2Cuser,r=fyko+d2lbbFgONRv9qkxdawL").unwrap();
        assert_eq!(first.username, "app,user");
        let (conv, server_first) = Conversation::start(mech, first, creds.keys(mech).unwrap().clone());
        assert!(server_first.starts_with("r=fyko+d2lbbFgONRv9qkxdawL"));
        let (msg, want) = client_final(mech, client_password, "n=app=2Cuser,r=fyko+d2lbbFgONRv9qkxdawL", &server_first);
        let v = conv.finish(msg.as_bytes())?;
        assert_eq!(v, format!("v={}", B64.encode(want)));
        Some(v)
    }

    #[test]
    fn both_mechanisms_accept_the_right_password_only() {
        let creds = Credentials::new("app,user", "s3cret-pass");
        let sha1_pw = crate::state::hex(&md5_digest(b"app,user:mongo:s3cret-pass"));
        assert!(run(Mechanism::Sha1, &creds, sha1_pw.as_bytes()).is_some());
        assert!(run(Mechanism::Sha1, &creds, b"s3cret-pass").is_none(), "SHA-1 wants the MONGODB-CR digest");
        assert!(run(Mechanism::Sha256, &creds, b"s3cret-pass").is_some());
        assert!(run(Mechanism::Sha256, &creds, b"wrong-pass").is_none());
        assert_eq!(creds.mechanisms(), vec!["SCRAM-SHA-1", "SCRAM-SHA-256"]);
    }

    #[test]
    fn the_kdf_agrees_with_the_pbkdf2_crate() {
        for (pw, salt, iters) in
            [(&b"password"[..], &b"salt"[..], 1), (b"password", b"salt", 4096), (&[7u8; 80][..], b"s", 3)]
        {
            let mut want1 = [0u8; 20];
            pbkdf2::pbkdf2_hmac::<Sha1>(pw, salt, iters, &mut want1);
            assert_eq!(Mechanism::Sha1.salted_password(pw, salt, iters), want1.to_vec());
            let mut want256 = [0u8; 32];
            pbkdf2::pbkdf2_hmac::<Sha256>(pw, salt, iters, &mut want256);
            assert_eq!(Mechanism::Sha256.salted_password(pw, salt, iters), want256.to_vec());
        }
        // RFC 6070's second vector.
        let v = Mechanism::Sha1.salted_password(b"password", b"salt", 2);
        assert_eq!(crate::state::hex(&v), "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957");
        let t = std::time::Instant::now();
        let _ = Credentials::new("u", "password1");
        assert!(t.elapsed() < std::time::Duration::from_secs(2), "{:?}", t.elapsed());
    }

    #[test]
    fn malformed_messages_are_refused() {
        for bad in [&b"p=tls-unique,,n=u,r=x"[..], b"n,,r=x", b"n,,n=,r=x", b"n,,n=a=ZZ,r=x", b"\xff", b""] {
            assert!(ClientFirst::parse(bad).is_none(), "{bad:?}");
        }
        let creds = Credentials::new("u", "password1");
        let first = ClientFirst::parse(b"n,,n=u,r=abc").unwrap();
        let (conv, _) = Conversation::start(Mechanism::Sha256, first, creds.keys(Mechanism::Sha256).unwrap().clone());
        for bad in [&b"c=biws,r=abc,p=AAAA"[..], b"c=eSws,r=abc,p=AAAA", b"garbage", b""] {
            assert!(conv.finish(bad).is_none());
        }
    }

    #[test]
    fn a_non_ascii_password_has_no_sha256_credentials() {
        let creds = Credentials::new("u", "pässword");
        assert!(creds.sha256.is_none());
        assert_eq!(creds.mechanisms(), vec!["SCRAM-SHA-1"]);
    }
}
