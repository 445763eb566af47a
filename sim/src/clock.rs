//! Simulated time: wall-clock time plus an offset that tests advance, so expiries
//! (nonces, tokens, `deleteAfterDate`) and delays can be tested without sleeping.

use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, Default)]
pub struct SimClock {
    offset: Duration,
}

impl SimClock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset
    }
    pub fn advance(&mut self, by: std::time::Duration) {
        self.offset += Duration::from_std(by).unwrap_or_else(|_| Duration::zero());
    }
}

pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub fn parse_rfc3339(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}

pub fn to_chrono(d: std::time::Duration) -> Duration {
    Duration::from_std(d).unwrap_or_else(|_| Duration::zero())
}
