//! A small, independent Digest client for the tests (written from RFC 7616, not from the
//! simulator's code) and response helpers.

use md5::{Digest, Md5};
use reqwest::header::HeaderMap;
use serde_json::Value;

pub use atlas_sim::seed::*;
pub use atlas_sim::{Fault, FaultKind, Sim, SimConfig};

pub const V1: &str = "2023-01-01";
pub const V_CLUSTERS: &str = "2024-08-05";
pub const V_FLEX: &str = "2024-11-13";

pub async fn sim() -> Sim {
    Sim::start(SimConfig::default()).await.expect("sim starts")
}

pub async fn sim_with(f: impl FnOnce(&mut SimConfig)) -> Sim {
    let mut c = SimConfig::default();
    f(&mut c);
    Sim::start(c).await.expect("sim starts")
}

pub fn md5_hex(s: &str) -> String {
    Md5::digest(s.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

pub fn digest_header(user: &str, pass: &str, method: &str, uri: &str, nonce: &str, nc: &str) -> String {
    let cnonce = "0a4f113b";
    let ha1 = md5_hex(&format!("{user}:MMS Public API:{pass}"));
    let ha2 = md5_hex(&format!("{method}:{uri}"));
    let resp = md5_hex(&format!("{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}"));
    format!(
        "Digest username=\"{user}\", realm=\"MMS Public API\", nonce=\"{nonce}\", uri=\"{uri}\", algorithm=MD5, qop=auth, nc={nc}, cnonce=\"{cnonce}\", response=\"{resp}\""
    )
}

#[derive(Debug)]
pub struct R {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl R {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).map(|v| v.to_str().unwrap().to_string())
    }
    /// Nonce and stale flag from `WWW-Authenticate`.
    pub fn challenge(&self) -> (String, bool) {
        let h = self.header("www-authenticate").expect("challenge header");
        let nonce = h.split("nonce=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        (nonce, h.ends_with("stale=true"))
    }
    /// Asserts the Atlas error envelope, status and code.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "body: {}", self.text);
        let j = self.json();
        assert_eq!(j["errorCode"], code, "body: {}", self.text);
        assert_eq!(j["error"], status);
        assert!(
            j["reason"].is_string() && j["detail"].is_string() && j["parameters"].is_array(),
            "envelope: {}",
            self.text
        );
        assert_eq!(self.header("x-error-code").as_deref(), Some(code));
        assert_eq!(self.header("content-type").as_deref(), Some("application/json"));
    }
}

pub async fn to_r(resp: reqwest::Response) -> R {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap_or_default();
    R { status, headers, text }
}

/// Sends one request with explicit headers and no automatic authentication.
pub async fn raw(base: &str, method: &str, target: &str, headers: &[(&str, String)], body: Option<String>) -> R {
    let http = reqwest::Client::new();
    let mut rb = http.request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), format!("{base}{target}"));
    for (k, v) in headers {
        rb = rb.header(*k, v);
    }
    if let Some(b) = body {
        rb = rb.body(b);
    }
    to_r(rb.send().await.expect("request sent")).await
}

pub fn accept(v: &str) -> (&'static str, String) {
    ("Accept", format!("application/vnd.atlas.{v}+json"))
}

/// Gets a fresh nonce from an unauthenticated request.
pub async fn fresh_nonce(base: &str) -> String {
    let r = raw(base, "GET", "/api/atlas/v2", &[accept(V1)], None).await;
    assert_eq!(r.status, 401);
    r.challenge().0
}

/// A Digest client that reuses its nonce with an increasing `nc` (like a careful client).
pub struct Atlas {
    pub base: String,
    pub user: String,
    pub pass: String,
    pub nonce: Option<String>,
    pub nc: u32,
    pub ip: Option<String>,
}

impl Atlas {
    pub fn new(sim: &Sim, user: &str, pass: &str) -> Atlas {
        Atlas { base: sim.base_url(), user: user.into(), pass: pass.into(), nonce: None, nc: 0, ip: None }
    }
    pub fn owner(sim: &Sim) -> Atlas {
        Atlas::new(sim, OWNER_PUBLIC_KEY, OWNER_PRIVATE_KEY)
    }
    pub fn with_ip(mut self, ip: &str) -> Atlas {
        self.ip = Some(ip.into());
        self
    }

    pub async fn get(&mut self, target: &str, version: &str) -> R {
        self.call("GET", target, version, None).await
    }

    pub async fn call(&mut self, method: &str, target: &str, version: &str, body: Option<&Value>) -> R {
        for _ in 0..3 {
            if self.nonce.is_none() {
                self.nonce = Some(fresh_nonce(&self.base).await);
                self.nc = 0;
            }
            self.nc += 1;
            let nc = format!("{:08x}", self.nc);
            let auth = digest_header(&self.user, &self.pass, method, target, self.nonce.as_ref().unwrap(), &nc);
            let mut headers = vec![("Authorization", auth), accept(version)];
            if body.is_some() {
                headers.push(("Content-Type", format!("application/vnd.atlas.{version}+json")));
            }
            if let Some(ip) = &self.ip {
                headers.push(("X-Sim-Client-Ip", ip.clone()));
            }
            let r = raw(&self.base, method, target, &headers, body.map(|b| b.to_string())).await;
            if r.status == 401 && r.header("www-authenticate").is_some_and(|h| h.ends_with("stale=true")) {
                self.nonce = Some(r.challenge().0);
                self.nc = 0;
                continue;
            }
            return r;
        }
        panic!("nonce kept going stale");
    }
}

pub fn g(path: &str) -> String {
    format!("/api/atlas/v2/groups/{PROJECT_ID}{path}")
}
