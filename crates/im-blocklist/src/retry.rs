//! Retry policy, retry budget, and the pure decision of what to do after a failure.

use std::sync::Mutex;
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBackoff, ExponentialBuilder};
use im_protocol::{ErrorCode, RetryClass};

use crate::error::Error;

/// How a call is retried.
///
/// ```
/// use std::time::Duration;
/// use im_blocklist::RetryPolicy;
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
    deadline: Duration,
    budget: u32,
}

impl Default for RetryPolicy {
    /// Five attempts, backoff from 100 ms doubling up to 5 s with jitter, at least 1 s after
    /// a rate-limit answer, a 30 s deadline per request, and a budget of 500 retry tokens.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
            throttle_backoff: Duration::from_secs(1),
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

    /// Sets the time one request may take, all attempts and pauses included. A call with
    /// more than 1000 accounts is several requests, each with its own deadline.
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

    /// The time one request may take, all attempts included.
    pub fn deadline(&self) -> Duration {
        self.deadline
    }

    pub(crate) fn throttle_backoff(&self) -> Duration {
        self.throttle_backoff
    }

    pub(crate) fn budget(&self) -> u32 {
        self.budget
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

/// What to do after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Try again.
    Retry {
        /// The failed attempt may have been applied by the service.
        ambiguous: bool,
        /// The service asked us to slow down.
        throttled: bool,
        /// The request never reached the service (a backup host may be tried at once).
        unreached: bool,
        /// The attempt timed out (retries after timeouts cost more budget).
        timeout: bool,
    },
    /// Make a new UserSig, then try again at once (once per call).
    Resign,
    /// Retrying cannot help.
    Fatal,
}

impl Verdict {
    const fn retry(ambiguous: bool) -> Verdict {
        Verdict::Retry {
            ambiguous,
            throttled: false,
            unreached: false,
            timeout: false,
        }
    }
}

/// Classifies a failed attempt. A pure function of the error.
pub(crate) fn classify(error: &Error) -> Verdict {
    match error {
        Error::Transport(transport) if transport.is_connect() => Verdict::Retry {
            ambiguous: false,
            throttled: false,
            unreached: true,
            timeout: false,
        },
        Error::Transport(transport) => Verdict::Retry {
            ambiguous: true,
            throttled: false,
            unreached: false,
            timeout: transport.is_timeout(),
        },
        Error::HttpStatus { status: 429 } => throttled(),
        Error::HttpStatus { status } if *status >= 500 => Verdict::retry(true),
        Error::Decode(_) => Verdict::retry(true),
        Error::Api(api) => classify_code(api.code()),
        _ => Verdict::Fatal,
    }
}

/// Classifies a service error code by its catalog retry class.
pub(crate) fn classify_code(code: ErrorCode) -> Verdict {
    match code.retry_class() {
        RetryClass::Retry | RetryClass::RetryLater => Verdict::retry(true),
        RetryClass::RateLimited => throttled(),
        RetryClass::Resign => Verdict::Resign,
        _ => Verdict::Fatal,
    }
}

fn throttled() -> Verdict {
    Verdict::Retry {
        ambiguous: false,
        throttled: true,
        unreached: false,
        timeout: false,
    }
}

/// Whether a per-account result code is worth sending that account again
/// (30006 internal error, 30007 timeout, 30008 write conflict, and their kin).
pub(crate) fn is_retryable_item(code: ErrorCode) -> bool {
    !code.is_ok()
        && matches!(
            code.retry_class(),
            RetryClass::Retry | RetryClass::RetryLater | RetryClass::RateLimited
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use im_protocol::ApiError;
    use im_transport::TransportError;

    fn api(code: i64) -> Error {
        Error::Api(ApiError::new(ErrorCode(code), "test"))
    }

    #[test]
    fn transport_failures_are_retried_and_connect_failures_are_not_ambiguous() {
        assert!(matches!(
            classify(&Error::Transport(TransportError::connect("refused"))),
            Verdict::Retry {
                ambiguous: false,
                unreached: true,
                ..
            }
        ));
        assert!(matches!(
            classify(&Error::Transport(TransportError::timeout())),
            Verdict::Retry {
                ambiguous: true,
                timeout: true,
                ..
            }
        ));
    }

    #[test]
    fn http_statuses() {
        assert!(matches!(
            classify(&Error::HttpStatus { status: 502 }),
            Verdict::Retry {
                ambiguous: true,
                ..
            }
        ));
        assert!(matches!(
            classify(&Error::HttpStatus { status: 429 }),
            Verdict::Retry {
                throttled: true,
                ..
            }
        ));
        assert_eq!(classify(&Error::HttpStatus { status: 404 }), Verdict::Fatal);
    }

    #[test]
    fn service_codes_follow_the_catalog() {
        assert!(matches!(
            classify(&api(60007)),
            Verdict::Retry {
                throttled: true,
                ..
            }
        ));
        assert!(matches!(
            classify(&api(30006)),
            Verdict::Retry {
                ambiguous: true,
                ..
            }
        ));
        assert_eq!(classify(&api(70001)), Verdict::Resign);
        assert_eq!(classify(&api(70052)), Verdict::Resign);
        assert_eq!(classify(&api(70009)), Verdict::Fatal);
        assert_eq!(classify(&api(123_456)), Verdict::Fatal);
    }

    #[test]
    fn retryable_items() {
        for code in [30006, 30007, 30008] {
            assert!(is_retryable_item(ErrorCode(code)));
        }
        for code in [0, 30001, 30003, 30013, 31307] {
            assert!(!is_retryable_item(ErrorCode(code)));
        }
    }

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
}
