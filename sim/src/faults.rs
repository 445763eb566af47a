//! Fault injection: make chosen requests fail the way real networks and real Atlas do.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// A fault applies to requests matching `route` (`"GET /api/atlas/v2/groups/*/clusters*"`, method
/// optional, `*` matches any run of characters including `/`, matched against the path without
/// the query). With `count` it fires for the next N matching requests and is then removed; with
/// `probability` it fires on each matching request with that chance (from `fault_seed`), and
/// with both, N times at that chance; with neither it fires on every matching request until cleared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fault {
    pub route: String,
    #[serde(flatten)]
    pub kind: FaultKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum FaultKind {
    /// 429 `RATE_LIMITED_TOKEN_BUCKET` with `Retry-After`.
    #[serde(rename = "429")]
    TooManyRequests {
        #[serde(default = "one")]
        retry_after_secs: u64,
    },
    /// 500 `UNEXPECTED_ERROR` in the Atlas error envelope.
    #[serde(rename = "500")]
    InternalError,
    /// 503 with an HTML body, as a load balancer in front of Atlas answers.
    #[serde(rename = "503")]
    ServiceUnavailableHtml,
    /// Close the connection without answering.
    #[serde(rename = "drop")]
    DropConnection,
    /// Process the request normally (its changes are made), then close the connection without
    /// answering: a write whose answer was lost on the way back.
    #[serde(rename = "drop_after")]
    DropAfterHandling,
    /// Wait, then answer normally.
    #[serde(rename = "delay")]
    Delay { delay_ms: u64 },
    /// Answer a correctly signed Digest request with 401 `stale=true`.
    /// Only requests that carry Digest credentials match.
    #[serde(rename = "stale_nonce")]
    StaleNonce,
}

fn one() -> u64 {
    1
}

impl Fault {
    pub fn next(route: &str, kind: FaultKind, count: u32) -> Fault {
        Fault { route: route.to_string(), kind, count: Some(count), probability: None }
    }
    pub fn with_probability(route: &str, kind: FaultKind, probability: f64) -> Fault {
        Fault { route: route.to_string(), kind, count: None, probability: Some(probability) }
    }
    pub fn always(route: &str, kind: FaultKind) -> Fault {
        Fault { route: route.to_string(), kind, count: None, probability: None }
    }

    pub fn matches(&self, method: &str, path: &str) -> bool {
        let pat = self.route.trim();
        let (m, p) = match pat.split_once(' ') {
            Some((m, p)) => (Some(m.trim()), p.trim()),
            None => (None, pat),
        };
        if let Some(m) = m {
            if m != "*" && !m.eq_ignore_ascii_case(method) {
                return false;
            }
        }
        glob(p.as_bytes(), path.as_bytes())
    }
}

/// `*`-only glob; iterative with backtracking to the last star.
fn glob(pat: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while si < s.len() {
        if pi < pat.len() && pat[pi] != b'*' && pat[pi] == s[si] {
            pi += 1;
            si += 1;
        } else if pi < pat.len() && pat[pi] == b'*' {
            star = Some(pi);
            mark = si;
            pi += 1;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    while pi < pat.len() && pat[pi] == b'*' {
        pi += 1;
    }
    pi == pat.len()
}

pub struct FaultSet {
    faults: Vec<Fault>,
    rng: StdRng,
}

impl FaultSet {
    pub fn new(faults: Vec<Fault>, seed: u64) -> Self {
        FaultSet { faults, rng: StdRng::seed_from_u64(seed) }
    }
    pub fn add(&mut self, f: Fault) {
        self.faults.push(f);
    }
    pub fn clear(&mut self) {
        self.faults.clear();
    }
    pub fn list(&self) -> Vec<Fault> {
        self.faults.clone()
    }

    /// The fault to apply to this request, if any; consumes one use of a counted fault.
    pub fn take(&mut self, method: &str, path: &str, has_digest: bool) -> Option<FaultKind> {
        for i in 0..self.faults.len() {
            let f = &self.faults[i];
            if !f.matches(method, path) {
                continue;
            }
            if f.kind == FaultKind::StaleNonce && !has_digest {
                continue;
            }
            if let Some(p) = f.probability {
                let roll: f64 = self.rng.gen();
                if roll >= p {
                    continue;
                }
            }
            let kind = f.kind.clone();
            if let Some(n) = f.count {
                if n <= 1 {
                    self.faults.remove(i);
                } else {
                    self.faults[i].count = Some(n - 1);
                }
            }
            return Some(kind);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_patterns() {
        let f = Fault::always("GET /api/atlas/v2/groups/*/clusters*", FaultKind::InternalError);
        assert!(f.matches("GET", "/api/atlas/v2/groups/abc/clusters"));
        assert!(f.matches("GET", "/api/atlas/v2/groups/abc/clusters/Cluster0"));
        assert!(!f.matches("POST", "/api/atlas/v2/groups/abc/clusters"));
        assert!(!f.matches("GET", "/api/atlas/v2/groups/abc/accessList"));
        let any = Fault::always("/api/*", FaultKind::InternalError);
        assert!(any.matches("DELETE", "/api/atlas/v2"));
        assert!(!any.matches("GET", "/other"));
    }

    #[test]
    fn counted_faults_run_out() {
        let mut s = FaultSet::new(vec![Fault::next("*", FaultKind::InternalError, 2)], 1);
        assert!(s.take("GET", "/x", false).is_some());
        assert!(s.take("GET", "/x", false).is_some());
        assert!(s.take("GET", "/x", false).is_none());
    }

    #[test]
    fn probability_and_count_combine() {
        let mut s = FaultSet::new(
            vec![Fault { route: "*".into(), kind: FaultKind::InternalError, count: Some(2), probability: Some(0.5) }],
            3,
        );
        let fired = (0..200).filter(|_| s.take("GET", "/x", false).is_some()).count();
        assert_eq!(fired, 2);
        let mut never = FaultSet::new(vec![Fault::with_probability("*", FaultKind::InternalError, 0.0)], 3);
        assert!((0..100).all(|_| never.take("GET", "/x", false).is_none()));
    }

    #[test]
    fn json_form() {
        let f: Fault = serde_json::from_str(r#"{"route":"GET /a*","kind":"delay","delay_ms":250,"count":1}"#).unwrap();
        assert_eq!(f.kind, FaultKind::Delay { delay_ms: 250 });
        let f: Fault = serde_json::from_str(r#"{"route":"*","kind":"503","probability":0.5}"#).unwrap();
        assert_eq!(f.kind, FaultKind::ServiceUnavailableHtml);
        assert_eq!(f.probability, Some(0.5));
    }
}
