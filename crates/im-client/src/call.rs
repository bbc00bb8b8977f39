//! One call, top to bottom.
//!
//! ```text
//! encode the body (once)
//! loop:
//!     pace      RateLimiter::acquire(app, API)
//!     sign      the cached admin UserSig (a new one after 70001 / 70052)
//!     send      URL with the query parameters, POST through the Transport, cut at the deadline
//!     decode    HTTP status, then the envelope and the API's body
//!     classify  classify(error, retry safety) -> retry, re-sign or stop   (pure)
//!     wait      backoff / throttle / retry-later pause, attempt limit, deadline, budget
//! ```
//!
//! [`Inner::run`] is that loop for a request whose body never changes; the per-item
//! batch helper ([`crate::batch`]) runs the same steps through [`Attempts`], re-encoding
//! only the items still pending.

use std::time::Duration;

use backon::ExponentialBackoff;
use bytes::Bytes;
use im_protocol::QueryParams;
use im_transport::TransportError;
use serde::Serialize;
use tokio::time::Instant;
use tracing::Instrument as _;

use crate::api::ApiInfo;
use crate::classify::{Verdict, classify};
use crate::client::Inner;
use crate::error::{Error, GiveUpReason};
use crate::pace::RateKey;
use crate::retry::Wait;

/// Encodes a request body as JSON. A body that cannot be encoded is never sent.
pub(crate) fn encode<T: Serialize + ?Sized>(body: &T) -> Result<Vec<u8>, Error> {
    im_protocol::encode_json(body).map_err(Error::Encode)
}

impl Inner {
    /// Runs one request to the end: attempts until `decode` accepts an answer, or the
    /// failure is final.
    pub(crate) async fn run<T>(
        &self,
        api: &ApiInfo,
        body: Bytes,
        decode: impl Fn(&[u8]) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut attempts = Attempts::new(self, api, Instant::now() + self.policy.deadline());
        loop {
            let answer = attempts.send(&body, 0).await;
            match answer.and_then(|bytes| decode(&bytes)) {
                Ok(value) => {
                    attempts.answered();
                    return Ok(value);
                }
                Err(error) => {
                    attempts.after_failure(error).await?;
                }
            }
        }
    }

    /// One exchange: pace, sign, send, and read the HTTP status. Returns the body of a 200
    /// answer, and whether the backup host was used.
    async fn exchange(
        &self,
        api: &ApiInfo,
        body: Bytes,
        resign: bool,
    ) -> (Result<Bytes, Error>, bool) {
        let (base, used_backup) = self.failover.base();
        let result = async {
            self.limiter
                .acquire(rate_key(self, api))
                .await
                .map_err(Error::RateLimiter)?;
            let usersig = if resign {
                self.signer.refresh()
            } else {
                self.signer.sig()
            };
            let url = im_protocol::request_url(
                base,
                api.path(),
                &QueryParams {
                    sdkappid: self.signer.sdkappid(),
                    identifier: self.signer.identifier(),
                    usersig: usersig.expose_secret(),
                    random: fastrand::u32(..),
                },
            );
            let request = http::Request::post(url.into_string())
                .header(http::header::CONTENT_TYPE, "application/json")
                .body(body)
                .map_err(|error| {
                    Error::Transport(TransportError::invalid_request(error.to_string()))
                })?;
            let response = self
                .transport
                .send(request)
                .await
                .map_err(Error::Transport)?;
            if !response.status().is_success() {
                return Err(Error::HttpStatus {
                    status: response.status().as_u16(),
                });
            }
            Ok(response.into_body())
        }
        .await;
        (result, used_backup)
    }
}

/// The rate budget a call to `api` spends.
fn rate_key<'a>(inner: &Inner, api: &'a ApiInfo) -> RateKey<'a> {
    RateKey {
        sdkappid: inner.signer.sdkappid(),
        path: api.path(),
        documented_rate: api.calls_per_second(),
    }
}

/// The state of one request across its attempts: attempt count, backoff, deadline,
/// re-signing and the host in use.
///
/// The attempt limit counts attempts in a row that settle nothing: a batch whose attempts
/// keep settling some items (while others fail with retryable per-item codes) goes on
/// until every item is settled, the deadline passes, or the retry budget runs out.
pub(crate) struct Attempts<'c> {
    inner: &'c Inner,
    api: &'c ApiInfo,
    deadline: Instant,
    attempts: u32,
    /// Attempts in a row that settled nothing.
    failures: u32,
    backoff: ExponentialBackoff,
    resign_next: bool,
    resigned: bool,
    used_backup: bool,
}

impl<'c> Attempts<'c> {
    pub(crate) fn new(inner: &'c Inner, api: &'c ApiInfo, deadline: Instant) -> Self {
        Attempts {
            inner,
            api,
            deadline,
            attempts: 0,
            failures: 0,
            backoff: inner.policy.backoff(),
            resign_next: false,
            resigned: false,
            used_backup: false,
        }
    }

    /// Makes one attempt, cut short at the deadline. `items` is for the span only.
    pub(crate) async fn send(&mut self, body: &Bytes, items: usize) -> Result<Bytes, Error> {
        self.attempts += 1;
        let resign = std::mem::take(&mut self.resign_next);
        let span = tracing::debug_span!(
            "attempt",
            api = self.api.name(),
            attempt = self.attempts,
            items
        );
        let remaining = self.deadline.saturating_duration_since(Instant::now());
        let exchange = self.inner.exchange(self.api, body.clone(), resign);
        let sent = tokio::time::timeout(remaining, exchange)
            .instrument(span.clone())
            .await;
        let result = match sent {
            Ok((result, used_backup)) => {
                self.used_backup = used_backup;
                result
            }
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
        self.inner.budget.deposit();
    }

    /// Decides, after a failed attempt, whether to try again, and waits before it.
    ///
    /// Returns whether the failed attempt may have been applied by the service, or the
    /// error that ends the request.
    pub(crate) async fn after_failure(&mut self, error: Error) -> Result<bool, Error> {
        self.failures += 1;
        match classify(&error, self.api.safety()) {
            Verdict::Fatal => Err(error),
            Verdict::Resign if !self.resigned => {
                self.resigned = true;
                self.resign_next = true;
                if self.failures >= self.inner.policy.max_attempts() {
                    return Err(self.give_up(GiveUpReason::AttemptsExhausted, error));
                }
                Ok(false)
            }
            Verdict::Resign => Err(error),
            Verdict::Retry(retry) => {
                if retry.wait == Wait::Throttled {
                    self.inner
                        .limiter
                        .on_throttled(rate_key(self.inner, self.api));
                }
                let switched = retry.unreached && self.inner.failover.unreachable(self.used_backup);
                // Moving to the backup host is immediate; when the backup cannot be reached
                // either, back off before trying the primary host again.
                let delay = if switched && !self.used_backup {
                    Duration::ZERO
                } else {
                    self.next_delay(retry.wait)
                };
                match self.pause(delay, retry.timeout).await {
                    Ok(()) => Ok(retry.ambiguous),
                    Err(reason) => Err(self.give_up(reason, error)),
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
            self.backoff = self.inner.policy.backoff();
        } else {
            self.failures += 1;
        }
        if wait == Wait::Throttled {
            self.inner
                .limiter
                .on_throttled(rate_key(self.inner, self.api));
        }
        let delay = self.next_delay(wait);
        self.pause(delay, false).await
    }

    /// How many attempts were made so far.
    pub(crate) fn attempts(&self) -> u32 {
        self.attempts
    }

    fn next_delay(&mut self, wait: Wait) -> Duration {
        let delay = self.backoff.next().unwrap_or_default();
        delay.max(self.inner.policy.floor(wait))
    }

    async fn pause(&mut self, delay: Duration, after_timeout: bool) -> Result<(), GiveUpReason> {
        if self.failures >= self.inner.policy.max_attempts() {
            return Err(GiveUpReason::AttemptsExhausted);
        }
        if Instant::now() + delay >= self.deadline {
            return Err(GiveUpReason::DeadlineExceeded);
        }
        if !self.inner.budget.withdraw(after_timeout) {
            return Err(GiveUpReason::RetryBudgetExhausted);
        }
        tokio::time::sleep(delay).await;
        Ok(())
    }

    /// Ends the request after a failed attempt. A policy of a single attempt never retries,
    /// so its one error is the request's error as it is; otherwise the error says why no
    /// further attempt was made.
    pub(crate) fn give_up(&self, reason: GiveUpReason, last: Error) -> Error {
        if reason == GiveUpReason::AttemptsExhausted && self.inner.policy.max_attempts() == 1 {
            return last;
        }
        tracing::debug!(api = self.api.name(), attempts = self.attempts, %reason, "giving up");
        Error::GaveUp {
            attempts: self.attempts,
            reason,
            last: Box::new(last),
        }
    }
}
