//! One call, top to bottom.
//!
//! ```text
//! encode the body (once)
//! loop:
//!     pace      RateLimiter::acquire(app, API), no later than the deadline
//!     sign      the cached admin UserSig (a new one after 70001 / 70052)
//!     send      URL with the query parameters, POST through the Transport, cut at the
//!               attempt timeout and the deadline
//!     decode    HTTP status (and Retry-After), then the envelope and the API's body
//!     classify  classify(error, retry safety) -> retry, re-sign or stop   (pure)
//!     wait      backoff / throttle / retry-later / Retry-After pause, attempt limit,
//!               deadline, budget
//! ```
//!
//! [`Client::run`] is that loop for a request whose body never changes; the per-item
//! batch helper ([`crate::batch`]) runs the same steps through [`Attempts`], re-encoding
//! only the items still pending.

use std::time::{Duration, SystemTime};

use backon::ExponentialBackoff;
use bytes::Bytes;
use im_protocol::QueryParams;
use im_transport::{RequestMetadata, TransportError};
use serde::Serialize;
use tokio::time::Instant;
use tracing::Instrument as _;

use crate::api::ApiInfo;
use crate::classify::{Verdict, classify};
use crate::client::Client;
use crate::error::{Error, GiveUpReason, RateLimitError};
use crate::pace::RateKey;
use crate::retry::{Wait, retry_after};
use crate::telemetry::{CallMetrics, RetryReason};

/// The `User-Agent` of every request: this crate and its version.
const USER_AGENT: &str = concat!("im-client/", env!("CARGO_PKG_VERSION"));

/// Encodes a request body as JSON. A body that cannot be encoded is never sent.
pub(crate) fn encode<T: Serialize + ?Sized>(body: &T) -> Result<Vec<u8>, Error> {
    im_protocol::encode_json(body).map_err(Error::Encode)
}

impl Client {
    /// Runs one request to the end: attempts until `decode` accepts an answer, or the
    /// failure is final. Records into the current `im.call` span.
    pub(crate) async fn run<T>(
        &self,
        api: &ApiInfo,
        body: Bytes,
        decode: impl Fn(&[u8]) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut attempts = Attempts::new(self, api, Instant::now() + self.policy.deadline());
        let result = loop {
            let answer = attempts.send(&body, 0).await;
            match answer.and_then(|bytes| decode(&bytes)) {
                Ok(value) => {
                    attempts.answered();
                    break Ok(value);
                }
                Err(error) => {
                    if let Err(error) = attempts.after_failure(error).await {
                        break Err(error);
                    }
                }
            }
        };
        attempts.finish(result.as_ref().err());
        result
    }

    /// One exchange: sign, send with `metadata` attached, and read the HTTP status. Returns
    /// the body of a 200 answer.
    async fn exchange(
        &self,
        base: &str,
        api: &ApiInfo,
        body: Bytes,
        resign: bool,
        request_id: u32,
        metadata: RequestMetadata,
    ) -> Result<Bytes, Error> {
        let usersig = if resign {
            self.inner.signer.refresh()
        } else {
            self.inner.signer.sig()
        };
        let url = im_protocol::request_url(
            base,
            api.path(),
            &QueryParams {
                sdkappid: self.inner.signer.sdkappid(),
                identifier: self.inner.signer.identifier(),
                usersig: usersig.expose_secret(),
                random: request_id,
            },
        );
        let request = http::Request::post(url.into_string())
            .header(http::header::CONTENT_TYPE, "application/json")
            .header(http::header::USER_AGENT, USER_AGENT)
            .extension(metadata)
            .body(body)
            .map_err(|error| {
                Error::Transport(TransportError::invalid_request(error.to_string()))
            })?;
        let response = self
            .inner
            .transport
            .send(request)
            .await
            .map_err(Error::Transport)?;
        if !response.status().is_success() {
            return Err(Error::HttpStatus {
                status: response.status().as_u16(),
                retry_after: response
                    .headers()
                    .get(http::header::RETRY_AFTER)
                    .and_then(|value| retry_after(value.as_bytes(), SystemTime::now())),
            });
        }
        Ok(response.into_body())
    }

    /// The rate budget a call to `api` spends.
    fn rate_key<'a>(&self, api: &'a ApiInfo) -> RateKey<'a> {
        RateKey {
            sdkappid: self.inner.signer.sdkappid(),
            path: api.path(),
            documented_rate: api.calls_per_second(),
        }
    }
}

/// The state of one request across its attempts: attempt count, backoff, deadline,
/// re-signing, the host in use, and what the call tells an operator.
///
/// The attempt limit counts attempts in a row that settle nothing: a batch whose attempts
/// keep settling some items (while others fail with retryable per-item codes) goes on
/// until every item is settled, the deadline passes, or the retry budget runs out.
pub(crate) struct Attempts<'c> {
    client: &'c Client,
    api: &'c ApiInfo,
    deadline: Instant,
    attempts: u32,
    /// Attempts in a row that settled nothing.
    failures: u32,
    backoff: ExponentialBackoff,
    resign_next: bool,
    resigned: bool,
    used_backup: bool,
    /// The pacer had no slot before the deadline: the call ends without sending.
    out_of_time: bool,
    /// The `random` of the last request sent.
    request_id: Option<u32>,
    /// When the last attempt's slot was granted: a throttle answer to it tells the limiter
    /// when the throttled call started.
    sent_at: Instant,
    metrics: CallMetrics<'c>,
}

impl<'c> Attempts<'c> {
    pub(crate) fn new(client: &'c Client, api: &'c ApiInfo, deadline: Instant) -> Self {
        Attempts {
            client,
            api,
            deadline,
            attempts: 0,
            failures: 0,
            backoff: client.policy.backoff(),
            resign_next: false,
            resigned: false,
            used_backup: false,
            out_of_time: false,
            request_id: None,
            sent_at: Instant::now(),
            metrics: CallMetrics::start(client.inner.signer.sdkappid(), api.name()),
        }
    }

    /// Makes one attempt: waits for the pacer (until the deadline at most), then signs and
    /// sends, cut at the attempt timeout or the deadline, whichever comes first. `items` is
    /// for the span only.
    pub(crate) async fn send(&mut self, body: &Bytes, items: usize) -> Result<Bytes, Error> {
        self.attempts += 1;
        let paced = tokio::time::timeout_at(
            self.deadline,
            self.client
                .inner
                .limiter
                .acquire(self.client.rate_key(self.api)),
        )
        .await;
        match paced {
            Ok(Ok(())) => self.sent_at = Instant::now(),
            Ok(Err(error)) => return Err(Error::RateLimiter(error)),
            Err(_elapsed) => {
                self.out_of_time = true;
                return Err(Error::RateLimiter(RateLimitError::new(
                    "no slot in the rate budget before the call's deadline",
                )));
            }
        }
        let resign = std::mem::take(&mut self.resign_next);
        let request_id = fastrand::u32(..);
        self.request_id = Some(request_id);
        self.metrics.attempt();
        let span = tracing::debug_span!(
            "im.attempt",
            api = self.api.name(),
            attempt = self.attempts,
            request_id,
            items
        );
        let (base, used_backup) = self.client.inner.failover.base();
        self.used_backup = used_backup;
        let now = Instant::now();
        let cut = self
            .deadline
            .min(now + self.client.policy.attempt_timeout());
        let metadata = RequestMetadata::new(
            self.api.shared_name(),
            self.attempts,
            self.api.transport_safety(),
        )
        .with_remaining_deadline(self.deadline.saturating_duration_since(now))
        .with_attempt_timeout(cut.saturating_duration_since(now))
        .with_request_id(request_id);
        let exchange =
            self.client
                .exchange(base, self.api, body.clone(), resign, request_id, metadata);
        let result = match tokio::time::timeout_at(cut, exchange)
            .instrument(span.clone())
            .await
        {
            Ok(result) => result,
            Err(_elapsed) => Err(Error::Transport(TransportError::timeout())),
        };
        if let Err(error) = &result {
            span.in_scope(|| {
                tracing::debug!(code = ?error.code(), error = %error.report(), "attempt failed");
            });
        }
        result
    }

    /// Records that an attempt was answered and its answer decoded.
    pub(crate) fn answered(&self) {
        self.client.inner.budget.deposit();
    }

    /// Counts a per-item answer that said the app calls too fast.
    pub(crate) fn item_rate_limited(&self) {
        self.metrics.rate_limited();
    }

    /// Decides, after a failed attempt, whether to try again, and waits before it.
    ///
    /// Returns whether the failed attempt may have been applied by the service, or the
    /// error that ends the request (an [`Error::Call`]).
    pub(crate) async fn after_failure(&mut self, error: Error) -> Result<bool, Error> {
        self.failures += 1;
        if error.is_rate_limited() {
            self.metrics.rate_limited();
        }
        if self.out_of_time {
            return Err(self.end(Some(GiveUpReason::DeadlineExceeded), error));
        }
        match classify(&error, self.api.safety()) {
            Verdict::Fatal => Err(self.end(None, error)),
            Verdict::Resign if !self.resigned => {
                self.resigned = true;
                self.resign_next = true;
                if self.failures >= self.client.policy.max_attempts() {
                    return Err(self.end(Some(GiveUpReason::AttemptsExhausted), error));
                }
                self.retrying(RetryReason::Resign, Duration::ZERO, &error);
                Ok(false)
            }
            Verdict::Resign => Err(self.end(None, error)),
            Verdict::Retry(retry) => {
                let key = self.client.rate_key(self.api);
                if retry.wait == Wait::Throttled {
                    self.client.inner.limiter.on_throttled(key, self.sent_at);
                }
                let asked = match &error {
                    Error::HttpStatus { retry_after, .. } => *retry_after,
                    _ => None,
                };
                let switched =
                    retry.unreached && self.client.inner.failover.unreachable(self.used_backup);
                // Moving to the backup host is immediate; when the backup cannot be reached
                // either, back off before trying the primary host again.
                let mut delay = if switched && !self.used_backup {
                    Duration::ZERO
                } else {
                    self.next_delay(retry.wait)
                };
                let reason = match asked {
                    Some(asked) => {
                        // Every caller of this app and API waits, not only this call; a
                        // wait past the deadline ends the call now instead.
                        if Instant::now() + asked < self.deadline {
                            self.client.inner.limiter.pause(key, asked);
                        }
                        delay = delay.max(asked);
                        RetryReason::Later
                    }
                    None if retry.unreached => RetryReason::Unreached,
                    None if retry.timeout => RetryReason::Timeout,
                    None => match retry.wait {
                        Wait::Throttled => RetryReason::Throttled,
                        Wait::Later => RetryReason::Later,
                        Wait::Backoff => RetryReason::Transient,
                    },
                };
                match self.pause(delay, retry.timeout).await {
                    Ok(()) => {
                        self.retrying(reason, delay, &error);
                        Ok(retry.ambiguous)
                    }
                    Err(give_up) => Err(self.end(Some(give_up), error)),
                }
            }
        }
    }

    /// Waits before re-sending items that failed with a retryable per-item code.
    ///
    /// `progressed` says whether the last attempt settled any item: progress resets the
    /// attempt limit and the backoff, so a batch with scattered per-item failures keeps
    /// going; an attempt that settled nothing counts against the limit.
    pub(crate) async fn before_item_retry(
        &mut self,
        wait: Wait,
        progressed: bool,
    ) -> Result<(), GiveUpReason> {
        if progressed {
            self.failures = 0;
            self.backoff = self.client.policy.backoff();
        } else {
            self.failures += 1;
        }
        if wait == Wait::Throttled {
            self.client
                .inner
                .limiter
                .on_throttled(self.client.rate_key(self.api), self.sent_at);
        }
        let delay = self.next_delay(wait);
        self.pause(delay, false).await?;
        self.metrics.retry(RetryReason::Items);
        tracing::info!(
            api = self.api.name(),
            attempt = self.attempts,
            reason = RetryReason::Items.label(),
            delay_ms = delay.as_millis() as u64,
            "retrying the items that failed with retryable codes"
        );
        Ok(())
    }

    /// How many attempts were made so far.
    pub(crate) fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Records the end of one request in the metrics.
    pub(crate) fn finish_request(&self, error: Option<&Error>) {
        match error {
            None => self.metrics.finish("ok"),
            Some(error) => self.metrics.finish(error.failure().label()),
        }
    }

    /// Records the end of a one-request call in the current span and the metrics; a
    /// failure that ends the call is logged at WARN.
    pub(crate) fn finish(&self, error: Option<&Error>) {
        self.finish_request(error);
        let span = tracing::Span::current();
        span.record("attempts", self.attempts);
        if let Some(id) = self.request_id {
            span.record("request_id", id);
        }
        if let Some(error) = error {
            let failure = error.failure();
            if let Some(code) = failure.code() {
                span.record("code", code.0);
            }
            span.record("error", tracing::field::display(failure));
            tracing::warn!(api = self.api.name(), error = %error.report(), "call failed");
        }
    }

    fn retrying(&self, reason: RetryReason, delay: Duration, error: &Error) {
        self.metrics.retry(reason);
        tracing::info!(
            api = self.api.name(),
            attempt = self.attempts,
            reason = reason.label(),
            failure = %error.failure(),
            delay_ms = delay.as_millis() as u64,
            "retrying"
        );
    }

    fn next_delay(&mut self, wait: Wait) -> Duration {
        let delay = self.backoff.next().unwrap_or_default();
        delay.max(self.client.policy.floor(wait))
    }

    async fn pause(&mut self, delay: Duration, after_timeout: bool) -> Result<(), GiveUpReason> {
        if self.failures >= self.client.policy.max_attempts() {
            return Err(GiveUpReason::AttemptsExhausted);
        }
        if Instant::now() + delay >= self.deadline {
            return Err(GiveUpReason::DeadlineExceeded);
        }
        if !self.client.inner.budget.withdraw(after_timeout) {
            return Err(GiveUpReason::RetryBudgetExhausted);
        }
        tokio::time::sleep(delay).await;
        Ok(())
    }

    /// Ends the request with the last attempt's error, wrapped with the call's story:
    /// attempts, request id, and why retrying stopped (`None` when it could not help, or
    /// when the policy allows a single attempt and so never retries).
    pub(crate) fn end(&self, gave_up: Option<GiveUpReason>, last: Error) -> Error {
        let single = self.client.policy.max_attempts() == 1;
        let gave_up =
            gave_up.filter(|reason| !(single && *reason == GiveUpReason::AttemptsExhausted));
        Error::called(
            self.api.name().to_owned().into(),
            self.attempts,
            gave_up,
            self.request_id,
            last,
        )
    }
}
