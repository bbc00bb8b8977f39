//! The retry policy (how many attempts, how long to wait, when to stop) and the retry
//! budget shared by the calls of one client.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use backon::{BackoffBuilder, ExponentialBackoff, ExponentialBuilder};

/// How a call is retried.
///
/// ```
/// use std::time::Duration;
/// use im_client::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .with_max_attempts(3)
///     .with_deadline(Duration::from_secs(10));
/// assert_eq!(policy.max_attempts(), 3);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    throttle_backoff: Duration,
    retry_later_backoff: Duration,
    attempt_timeout: Duration,
    deadline: Duration,
    budget: u32,
}

impl Default for RetryPolicy {
    /// Five attempts, backoff from 100 ms doubling up to 5 s with jitter, at least 1 s after
    /// a rate-limit answer and 2 s after a "retry later" code, 10 s per attempt (the service
    /// answers within 3 s), a 30 s deadline per request, and a budget of 500 retry tokens.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
            throttle_backoff: Duration::from_secs(1),
            retry_later_backoff: Duration::from_secs(2),
            attempt_timeout: Duration::from_secs(10),
            deadline: Duration::from_secs(30),
            budget: 500,
        }
    }
}

impl RetryPolicy {
    /// A policy that makes one attempt and never retries.
    pub fn never() -> Self {
        RetryPolicy::default().with_max_attempts(1)
    }

    /// Sets the most attempts per call, the first one included (at least 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the first backoff delay and the longest one.
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// Sets the shortest pause after the service answered with a rate-limit code.
    pub fn with_throttle_backoff(mut self, pause: Duration) -> Self {
        self.throttle_backoff = pause;
        self
    }

    /// Sets the shortest pause after a code of the `retry-later` class (the service is
    /// busy or a dependency is down: trying again at once would not help).
    pub fn with_retry_later_backoff(mut self, pause: Duration) -> Self {
        self.retry_later_backoff = pause;
        self
    }

    /// Sets the time one attempt may take, from sending to the end of the answer; an attempt
    /// that takes longer is abandoned as a timeout (and retried when that is safe). The
    /// engine enforces it whatever the transport does.
    pub fn with_attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// Sets the time one request may take, all attempts and pauses included. A call with
    /// more items than one request carries is several requests, each with its own deadline.
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Sets the client-wide retry budget in tokens; a retry costs 5 tokens (10 after a
    /// timeout), a successful call gives 1 back. With the budget spent, calls fail after
    /// their first attempt, so a failing service is not hammered.
    pub fn with_budget(mut self, tokens: u32) -> Self {
        self.budget = tokens;
        self
    }

    /// The most attempts per call.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The time one attempt may take.
    pub fn attempt_timeout(&self) -> Duration {
        self.attempt_timeout
    }

    /// The time one request may take, all attempts included.
    pub fn deadline(&self) -> Duration {
        self.deadline
    }

    /// The size of the client-wide retry budget, in tokens.
    pub fn budget(&self) -> u32 {
        self.budget
    }

    /// The shortest pause before a retry that waits `wait`.
    pub(crate) fn floor(&self, wait: Wait) -> Duration {
        match wait {
            Wait::Backoff => Duration::ZERO,
            Wait::Throttled => self.throttle_backoff,
            Wait::Later => self.retry_later_backoff,
        }
    }

    /// The backoff delays of one call: exponential with jitter, capped.
    pub(crate) fn backoff(&self) -> ExponentialBackoff {
        ExponentialBuilder::new()
            .with_min_delay(self.initial_backoff)
            .with_max_delay(self.max_backoff)
            .with_jitter()
            .without_max_times()
            .build()
    }
}

/// How long an HTTP answer's `Retry-After` header asks to wait: delay-seconds, or an HTTP
/// date (compared with `now`). `None` when the header is absent or unreadable; a date in
/// the past is no wait. A pure function.
///
/// ```
/// # use std::time::{Duration, SystemTime};
/// # use im_client::retry_after;
/// let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// assert_eq!(retry_after(b"2", now), Some(Duration::from_secs(2)));
/// assert_eq!(
///     retry_after(b"Tue, 14 Nov 2023 22:13:50 GMT", now),
///     Some(Duration::from_secs(30))
/// );
/// assert_eq!(retry_after(b"soon", now), None);
/// ```
pub fn retry_after(value: &[u8], now: SystemTime) -> Option<Duration> {
    let text = std::str::from_utf8(value).ok()?.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(text).ok()?;
    Some(at.duration_since(now).unwrap_or_default())
}

/// How long a retry waits, by what the failure said.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wait {
    /// The usual backoff.
    Backoff,
    /// At least the throttle pause: the service asked us to slow down.
    Throttled,
    /// At least the retry-later pause: the service is busy.
    Later,
}

impl Wait {
    /// The longer of two waits, for an attempt whose items failed in several ways.
    pub(crate) fn max(self, other: Wait) -> Wait {
        match (self, other) {
            (Wait::Later, _) | (_, Wait::Later) => Wait::Later,
            (Wait::Throttled, _) | (_, Wait::Throttled) => Wait::Throttled,
            _ => Wait::Backoff,
        }
    }
}

/// Token cost of a retry.
const RETRY_COST: u32 = 5;
/// Token cost of a retry after a timeout (timeouts are costly for both sides).
const TIMEOUT_RETRY_COST: u32 = 10;
/// Tokens a successful call gives back.
const SUCCESS_REFUND: u32 = 1;

/// The client-wide retry budget: a token bucket shared by all calls of one client.
#[derive(Debug)]
pub(crate) struct RetryBudget {
    capacity: u32,
    tokens: Mutex<u32>,
}

impl RetryBudget {
    pub(crate) fn new(capacity: u32) -> Self {
        RetryBudget {
            capacity,
            tokens: Mutex::new(capacity),
        }
    }

    /// Takes the cost of one retry; false when the budget cannot pay for it.
    pub(crate) fn withdraw(&self, timeout: bool) -> bool {
        let cost = if timeout {
            TIMEOUT_RETRY_COST
        } else {
            RETRY_COST
        };
        let mut tokens = self
            .tokens
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if *tokens >= cost {
            *tokens -= cost;
            true
        } else {
            false
        }
    }

    /// Refunds a little after a successful call.
    pub(crate) fn deposit(&self) {
        let mut tokens = self
            .tokens
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *tokens = (*tokens + SUCCESS_REFUND).min(self.capacity);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_runs_out_and_refills_slowly() {
        let budget = RetryBudget::new(12);
        assert!(budget.withdraw(false));
        assert!(!budget.withdraw(true));
        assert!(budget.withdraw(false));
        assert!(!budget.withdraw(false));
        for _ in 0..5 {
            budget.deposit();
        }
        assert!(budget.withdraw(false));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy::default()
            .with_backoff(Duration::from_millis(100), Duration::from_millis(400));
        let delays: Vec<Duration> = policy.backoff().take(6).collect();
        // Jitter adds up to 100% of the base delay.
        assert!(delays[0] >= Duration::from_millis(100) && delays[0] <= Duration::from_millis(200));
        assert!(delays[5] >= Duration::from_millis(400) && delays[5] <= Duration::from_millis(800));
    }

    #[test]
    fn retry_later_waits_longer_than_a_retry() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.floor(Wait::Backoff), Duration::ZERO);
        assert!(policy.floor(Wait::Later) > policy.floor(Wait::Throttled));
        assert!(policy.floor(Wait::Later) > policy.initial_backoff);
        assert_eq!(Wait::Backoff.max(Wait::Later), Wait::Later);
        assert_eq!(Wait::Throttled.max(Wait::Backoff), Wait::Throttled);
    }
}
