//! Token buckets per endpoint group and caller, on simulated time so tests can refill them
//! by advancing the clock.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::config::{Bucket, RateLimits};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateGroup {
    Clusters,
    DatabaseUsers,
    Default,
    OAuth,
}

impl RateGroup {
    pub fn bucket(self, l: &RateLimits) -> Bucket {
        match self {
            RateGroup::Clusters => l.clusters,
            RateGroup::DatabaseUsers => l.database_users,
            RateGroup::Default => l.default,
            RateGroup::OAuth => l.oauth,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Allowed {
    pub limit: u32,
    pub remaining: u32,
}

#[derive(Debug, Default)]
pub struct RateLimiter {
    buckets: HashMap<(RateGroup, String), (f64, DateTime<Utc>)>,
}

impl RateLimiter {
    /// Takes one token; `Err(retry_after_secs)` when the bucket is empty.
    pub fn take(
        &mut self,
        limits: &RateLimits,
        group: RateGroup,
        caller: &str,
        now: DateTime<Utc>,
    ) -> Result<Allowed, u64> {
        let b = group.bucket(limits);
        let cap = b.capacity as f64;
        let entry = self.buckets.entry((group, caller.to_string())).or_insert((cap, now));
        let elapsed = (now - entry.1).num_milliseconds().max(0) as f64 / 1000.0;
        entry.0 = (entry.0 + elapsed * b.refill_per_sec).min(cap);
        entry.1 = now;
        if entry.0 >= 1.0 {
            entry.0 -= 1.0;
            Ok(Allowed { limit: b.capacity, remaining: entry.0.floor() as u32 })
        } else if b.refill_per_sec > 0.0 {
            Err(((1.0 - entry.0) / b.refill_per_sec).ceil().max(1.0) as u64)
        } else {
            Err(60)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_empties_and_refills() {
        let limits = RateLimits::uniform(2, 1.0);
        let mut r = RateLimiter::default();
        let t0 = Utc::now();
        assert_eq!(r.take(&limits, RateGroup::Default, "k", t0).unwrap().remaining, 1);
        assert_eq!(r.take(&limits, RateGroup::Default, "k", t0).unwrap().remaining, 0);
        assert_eq!(r.take(&limits, RateGroup::Default, "k", t0), Err(1));
        // Another caller and another group have their own buckets.
        assert!(r.take(&limits, RateGroup::Default, "other", t0).is_ok());
        assert!(r.take(&limits, RateGroup::Clusters, "k", t0).is_ok());
        assert!(r.take(&limits, RateGroup::Default, "k", t0 + chrono::Duration::seconds(1)).is_ok());
    }
}
