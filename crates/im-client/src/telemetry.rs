//! What a call tells an operator: a `tracing` span per call, an event per retry, a WARN
//! event for a failure that ends a call, and (feature `metrics`) counters and a latency
//! histogram through the `metrics` facade.
//!
//! With no subscriber and no recorder this costs a few branches per call: `tracing`
//! skips disabled spans, and without the `metrics` feature the metric calls are empty.
//!
//! Span `im.call` (INFO): `sdkappid`, `api`, `accounts`; recorded on the way:
//! `attempts`, `request_id` (the last attempt's `random`), `code` (the final service code
//! of a failed call), `error` (what ended a failed call), and, for API families that
//! sort accounts, `succeeded`, `unchanged`, `failed`. Span `im.attempt` (DEBUG) per attempt.
//!
//! Metrics (labels `sdkappid`, `api`): `im_calls_total` (+ `outcome`: `ok` or what ended
//! the call), `im_attempts_total`, `im_retries_total` (+ `reason`),
//! `im_rate_limited_total` (rate-limit answers), `im_call_duration_seconds` (histogram).

use tokio::time::Instant;
use tracing::Span;
use tracing::field::Empty;

/// The span of one call of `api` for `sdkappid` with `accounts` items (0 for calls
/// without items). [`Client::call`](crate::Client::call) and friends open it themselves;
/// an API family opens it around [`Client::batch`](crate::Client::batch) and records the
/// account buckets into it with [`record_buckets`].
pub fn call_span(sdkappid: u64, api: &str, accounts: usize) -> Span {
    tracing::info_span!(
        "im.call",
        sdkappid,
        api,
        accounts,
        attempts = Empty,
        request_id = Empty,
        code = Empty,
        error = Empty,
        succeeded = Empty,
        unchanged = Empty,
        failed = Empty,
    )
}

/// Records how many accounts of the call ended in each bucket, on `span`.
pub fn record_buckets(span: &Span, succeeded: usize, unchanged: usize, failed: usize) {
    span.record("succeeded", succeeded);
    span.record("unchanged", unchanged);
    span.record("failed", failed);
}

/// Why a request is sent again, as a metric label and a word in the retry event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RetryReason {
    /// A new UserSig after the service refused the old one.
    Resign,
    /// The service or a gateway said the app calls too fast.
    Throttled,
    /// The service said to retry later (`Retry-After`, or a retry-later code).
    Later,
    /// The request never reached the service.
    Unreached,
    /// The attempt timed out.
    Timeout,
    /// Any other transient failure of the request (5xx, broken answer, retryable code).
    Transient,
    /// Some items of an answer failed with retryable codes.
    Items,
}

impl RetryReason {
    pub(crate) fn label(self) -> &'static str {
        match self {
            RetryReason::Resign => "resign",
            RetryReason::Throttled => "throttled",
            RetryReason::Later => "retry_later",
            RetryReason::Unreached => "unreached",
            RetryReason::Timeout => "timeout",
            RetryReason::Transient => "transient",
            RetryReason::Items => "items",
        }
    }
}

/// The metrics of one call; every method is empty without the `metrics` feature.
pub(crate) struct CallMetrics<'a> {
    #[cfg_attr(not(feature = "metrics"), allow(dead_code))]
    sdkappid: u64,
    #[cfg_attr(not(feature = "metrics"), allow(dead_code))]
    api: &'a str,
    #[cfg_attr(not(feature = "metrics"), allow(dead_code))]
    start: Instant,
}

impl<'a> CallMetrics<'a> {
    pub(crate) fn start(sdkappid: u64, api: &'a str) -> Self {
        CallMetrics {
            sdkappid,
            api,
            start: Instant::now(),
        }
    }

    /// One attempt is sent.
    pub(crate) fn attempt(&self) {
        #[cfg(feature = "metrics")]
        metrics::counter!("im_attempts_total", self.labels()).increment(1);
    }

    /// A request is sent again, for `reason`.
    pub(crate) fn retry(&self, reason: RetryReason) {
        #[cfg(feature = "metrics")]
        {
            let mut labels = self.labels();
            labels.push(metrics::Label::new("reason", reason.label()));
            metrics::counter!("im_retries_total", labels).increment(1);
        }
        #[cfg(not(feature = "metrics"))]
        let _ = reason;
    }

    /// The service (or a gateway) answered with a rate-limit code or HTTP 429.
    pub(crate) fn rate_limited(&self) {
        #[cfg(feature = "metrics")]
        metrics::counter!("im_rate_limited_total", self.labels()).increment(1);
    }

    /// The call ended: `outcome` is `ok` or the label of what ended it.
    pub(crate) fn finish(&self, outcome: &'static str) {
        #[cfg(feature = "metrics")]
        {
            let labels = self.labels();
            metrics::histogram!("im_call_duration_seconds", labels.clone())
                .record(self.start.elapsed().as_secs_f64());
            let mut labels = labels;
            labels.push(metrics::Label::new("outcome", outcome));
            metrics::counter!("im_calls_total", labels).increment(1);
        }
        #[cfg(not(feature = "metrics"))]
        let _ = outcome;
    }

    #[cfg(feature = "metrics")]
    fn labels(&self) -> Vec<metrics::Label> {
        vec![
            metrics::Label::new("sdkappid", self.sdkappid.to_string()),
            metrics::Label::new("api", self.api.to_owned()),
        ]
    }
}
