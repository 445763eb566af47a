//! Retry policy: bounded exponential backoff with jitter (uniform in the upper half), `Retry-After` honoured.
//!
//! What is retried (see `AtlasClient::execute`):
//! - 429: always (Atlas refused the call before doing anything), waiting at least `Retry-After`;
//! - connect failures: always (the request never left);
//! - 5xx (including a 503 HTML page from a proxy) and connections dropped after the request was
//!   sent: only when the call is safe to repeat (GET/HEAD/PUT/DELETE, or a POST marked idempotent).

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Retries after the first attempt (so at most `max_retries + 1` attempts).
    pub max_retries: u32,
    /// First backoff; doubles each retry.
    pub base_delay: Duration,
    /// Cap of one backoff.
    pub max_delay: Duration,
    /// A `Retry-After` longer than this is not waited for: the call fails with `rate_limited`.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Backoff before retry number `retry` (1-based): uniformly random in
    /// `[d/2, d]` where `d = min(max_delay, base * 2^(retry-1))`.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = self.base_delay.saturating_mul(1u32 << retry.saturating_sub(1).min(16));
        let d = exp.min(self.max_delay);
        let half = d / 2;
        let jitter_ms = if half.as_millis() > 0 { rand::random::<u64>() % (half.as_millis() as u64 + 1) } else { 0 };
        half + Duration::from_millis(jitter_ms)
    }

    /// The wait before retrying a 429: `Retry-After` if given (never less than the backoff).
    pub fn rate_limit_wait(&self, retry: u32, retry_after: Option<u64>) -> Option<Duration> {
        let backoff = self.backoff(retry);
        match retry_after {
            Some(s) if Duration::from_secs(s) > self.max_retry_after => None,
            Some(s) => Some(Duration::from_secs(s).max(backoff)),
            None => Some(backoff),
        }
    }

    /// The wait before the next retry of a call that has had `retries` retries and is
    /// `repeatable` (no answer and safe to resend, or a 5xx to an idempotent call); `None`
    /// when it is not safe or the retries are spent.
    pub(crate) fn retry_wait(&self, retries: u32, repeatable: bool) -> Option<Duration> {
        (repeatable && retries < self.max_retries).then(|| self.backoff(retries + 1))
    }

    /// The wait before retrying a 429 after `retries` retries (see [`Self::rate_limit_wait`]);
    /// `None` when the retries are spent or `Retry-After` asks for too long.
    pub(crate) fn rate_limit_retry(&self, retries: u32, retry_after: Option<u64>) -> Option<Duration> {
        if retries < self.max_retries {
            self.rate_limit_wait(retries + 1, retry_after)
        } else {
            None
        }
    }
}

/// Parses `Retry-After` as delta-seconds (Atlas's form) or an HTTP date.
pub fn parse_retry_after(value: &str) -> Option<u64> {
    let v = value.trim();
    if let Ok(s) = v.parse::<u64>() {
        return Some(s);
    }
    chrono::DateTime::parse_from_rfc2822(v).ok().map(|t| (t.timestamp() - chrono::Utc::now().timestamp()).max(0) as u64)
}

/// Whether a method is safe to send twice.
pub fn idempotent_method(method: &reqwest::Method) -> bool {
    matches!(
        *method,
        reqwest::Method::GET
            | reqwest::Method::HEAD
            | reqwest::Method::PUT
            | reqwest::Method::DELETE
            | reqwest::Method::OPTIONS
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_jittered_and_capped() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
            ..Default::default()
        };
        for _ in 0..50 {
            let b1 = p.backoff(1);
            assert!(b1 >= Duration::from_millis(50) && b1 <= Duration::from_millis(100));
            let b3 = p.backoff(3);
            assert!(b3 >= Duration::from_millis(200) && b3 <= Duration::from_millis(400));
            assert!(p.backoff(30) <= Duration::from_millis(1000));
        }
        assert_eq!(p.rate_limit_wait(1, Some(2)).unwrap(), Duration::from_secs(2));
        assert!(p.rate_limit_wait(1, Some(3600)).is_none());
    }

    #[test]
    fn retries_stop_at_the_bound() {
        let p = RetryPolicy { max_retries: 2, ..Default::default() };
        assert!(p.retry_wait(0, true).is_some() && p.retry_wait(1, true).is_some());
        assert!(p.retry_wait(2, true).is_none());
        assert!(p.retry_wait(0, false).is_none());
        assert!(p.rate_limit_retry(1, Some(1)).is_some());
        assert!(p.rate_limit_retry(2, Some(1)).is_none());
        assert!(p.rate_limit_retry(0, Some(3600)).is_none());
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after(" 7 "), Some(7));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(0));
        assert_eq!(parse_retry_after("soon"), None);
    }
}
