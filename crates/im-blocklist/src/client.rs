//! The client: configuration, one attempt, and the retry loop around it.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use backon::ExponentialBackoff;
use bytes::Bytes;
use im_protocol::{Api, Endpoint, QueryParams};
use im_sig::Signer;
use im_transport::{Transport, TransportError};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::Instrument as _;

use crate::error::{Error, GiveUpReason, InvalidInput};
use crate::pace::{AdaptivePacer, RateLimiter};
use crate::retry::{RetryBudget, RetryPolicy, Verdict, classify};

/// How long requests go to the backup host after the primary one could not be reached.
const FAILOVER_PERIOD: Duration = Duration::from_secs(60);

/// The most entries one `black_list_get` call may return.
pub(crate) const MAX_PAGE_SIZE: u32 = 1000;

/// The blocklist client. Cheap to clone; clones share the pacer, the retry budget and
/// the cached UserSig.
///
/// ```
/// use std::sync::Arc;
/// use im_blocklist::Blocklist;
/// use im_protocol::{Endpoint, Region};
/// use im_sig::{SecretKey, Signer};
/// use im_transport::test_util::ReplayTransport;
///
/// let signer = Signer::new(1_400_000_000, "administrator", SecretKey::from("app key"));
/// let transport = Arc::new(ReplayTransport::new());
/// let blocklist = Blocklist::builder(signer, transport, Endpoint::region(Region::Singapore))
///     .calls_per_second(100)
///     .build();
/// # let _ = blocklist;
/// ```
#[derive(Clone)]
pub struct Blocklist {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    transport: Arc<dyn Transport>,
    signer: Arc<Signer>,
    limiter: Arc<dyn RateLimiter>,
    pub(crate) policy: RetryPolicy,
    budget: RetryBudget,
    failover: Failover,
    pub(crate) max_in_flight: usize,
    pub(crate) page_size: u32,
}

/// Builds a [`Blocklist`].
pub struct BlocklistBuilder {
    signer: Arc<Signer>,
    transport: Arc<dyn Transport>,
    endpoint: Endpoint,
    limiter: Option<Arc<dyn RateLimiter>>,
    calls_per_second: Option<u32>,
    policy: RetryPolicy,
    max_in_flight: usize,
    page_size: u32,
}

impl Blocklist {
    /// Starts building a client that signs with `signer`, sends through `transport`,
    /// and talks to `endpoint`.
    pub fn builder(
        signer: impl Into<Arc<Signer>>,
        transport: Arc<dyn Transport>,
        endpoint: Endpoint,
    ) -> BlocklistBuilder {
        BlocklistBuilder {
            signer: signer.into(),
            transport,
            endpoint,
            limiter: None,
            calls_per_second: None,
            policy: RetryPolicy::default(),
            max_in_flight: 64,
            page_size: MAX_PAGE_SIZE,
        }
    }

    /// The retry policy in use.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.policy
    }
}

impl BlocklistBuilder {
    /// Paces calls at `calls_per_second` per API with the in-process [`AdaptivePacer`]
    /// (default: each API's documented limit, 200 calls/s).
    pub fn calls_per_second(mut self, calls_per_second: u32) -> Self {
        self.calls_per_second = Some(calls_per_second);
        self
    }

    /// Uses another rate limiter, e.g. one shared by several processes.
    pub fn rate_limiter(mut self, limiter: Arc<dyn RateLimiter>) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// Sets the retry policy.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Sets how many calls [`import`](Blocklist::import) keeps in flight (default 64,
    /// enough to reach 200 calls/s at 300 ms per call).
    pub fn max_in_flight(mut self, calls: usize) -> Self {
        self.max_in_flight = calls.max(1);
        self
    }

    /// Sets how many entries [`list`](Blocklist::list) asks for per page (1 to 1000,
    /// default 1000).
    pub fn page_size(mut self, entries: u32) -> Self {
        self.page_size = entries.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Blocklist {
        let limiter = self.limiter.unwrap_or_else(|| match self.calls_per_second {
            Some(rate) => Arc::new(AdaptivePacer::new(rate)),
            None => Arc::new(AdaptivePacer::documented()),
        });
        let (primary, backup) = self.endpoint.base_urls();
        Blocklist {
            inner: Arc::new(Inner {
                transport: self.transport,
                signer: self.signer,
                limiter,
                budget: RetryBudget::new(self.policy.budget()),
                policy: self.policy,
                failover: Failover::new(primary, backup),
                max_in_flight: self.max_in_flight,
                page_size: self.page_size,
            }),
        }
    }
}

impl fmt::Debug for Blocklist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Blocklist")
            .field("signer", &self.inner.signer)
            .field("transport", &self.inner.transport)
            .field("limiter", &self.inner.limiter)
            .field("policy", &self.inner.policy)
            .field("primary", &self.inner.failover.primary)
            .field("backup", &self.inner.failover.backup)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for BlocklistBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlocklistBuilder")
            .field("signer", &self.signer)
            .field("endpoint", &self.endpoint)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

/// Chooses between a region's primary and backup host.
#[derive(Debug)]
struct Failover {
    primary: String,
    backup: Option<String>,
    backup_until: Mutex<Option<Instant>>,
}

impl Failover {
    fn new(primary: String, backup: Option<String>) -> Self {
        Failover {
            primary,
            backup,
            backup_until: Mutex::new(None),
        }
    }

    /// The base URL to use now, and whether it is the backup.
    fn base(&self) -> (&str, bool) {
        let until = *self
            .backup_until
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match (&self.backup, until) {
            (Some(backup), Some(until)) if Instant::now() < until => (backup, true),
            _ => (&self.primary, false),
        }
    }

    /// Records that the host used could not be reached. Returns true when the next
    /// attempt goes to the other host.
    fn unreachable(&self, was_backup: bool) -> bool {
        if self.backup.is_none() {
            return false;
        }
        let mut until = self
            .backup_until
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if was_backup {
            *until = None;
            tracing::warn!("backup host unreachable; returning to the primary host");
        } else {
            *until = Some(Instant::now() + FAILOVER_PERIOD);
            tracing::warn!("primary host unreachable; using the backup host for a while");
        }
        true
    }
}

impl Inner {
    /// Sends one request and decodes its answer. Returns whether the backup host was used.
    async fn send<Req, Resp>(
        &self,
        api: Api,
        body: &Req,
        resign: bool,
    ) -> (Result<Resp, Error>, bool)
    where
        Req: Serialize + ?Sized,
        Resp: DeserializeOwned,
    {
        let (base, used_backup) = self.failover.base();
        let result = async {
            self.limiter.acquire(api).await?;
            let body = im_protocol::encode_json(body).map_err(Error::Decode)?;
            let usersig = if resign {
                self.signer.refresh()
            } else {
                self.signer.sig()
            };
            let url = im_protocol::request_url(
                base,
                api,
                &QueryParams {
                    sdkappid: self.signer.sdkappid(),
                    identifier: self.signer.identifier(),
                    usersig: usersig.expose_secret(),
                    random: fastrand::u32(..),
                },
            );
            let request = http::Request::post(url.into_string())
                .header(http::header::CONTENT_TYPE, "application/json")
                .body(Bytes::from(body))
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
            im_protocol::decode_response::<Resp>(response.body()).map_err(|error| match error {
                im_protocol::Error::Api(api_error) => Error::Api(api_error),
                other => Error::Decode(other),
            })
        }
        .await;
        (result, used_backup)
    }
}

/// The state of one logical call across its attempts: attempt count, backoff, deadline.
///
/// The attempt limit counts attempts in a row that settle nothing: a batch whose attempts
/// keep settling some accounts (while others fail with per-account retryable codes) goes
/// on until every account is settled, the deadline passes, or the retry budget runs out.
pub(crate) struct Call<'a> {
    inner: &'a Inner,
    api: Api,
    attempts: u32,
    /// Attempts in a row that settled nothing.
    failures: u32,
    deadline: Instant,
    backoff: ExponentialBackoff,
    resign_next: bool,
    resigned: bool,
    used_backup: bool,
}

impl<'a> Call<'a> {
    pub(crate) fn new(inner: &'a Inner, api: Api, deadline: Instant) -> Self {
        Call {
            inner,
            api,
            attempts: 0,
            failures: 0,
            deadline,
            backoff: inner.policy.backoff(),
            resign_next: false,
            resigned: false,
            used_backup: false,
        }
    }

    /// Makes one attempt, cut short at the call's deadline.
    pub(crate) async fn attempt<Req, Resp>(
        &mut self,
        body: &Req,
        accounts: usize,
    ) -> Result<Resp, Error>
    where
        Req: Serialize + ?Sized,
        Resp: DeserializeOwned,
    {
        self.attempts += 1;
        let resign = std::mem::take(&mut self.resign_next);
        let span = tracing::debug_span!(
            "attempt",
            api = self.api.name(),
            attempt = self.attempts,
            accounts
        );
        let remaining = self.deadline.saturating_duration_since(Instant::now());
        let sent = tokio::time::timeout(remaining, self.inner.send(self.api, body, resign))
            .instrument(span.clone())
            .await;
        let result = match sent {
            Ok((result, used_backup)) => {
                self.used_backup = used_backup;
                result
            }
            Err(_elapsed) => Err(Error::Transport(TransportError::timeout())),
        };
        match &result {
            Ok(_) => self.inner.budget.deposit(),
            Err(error) => span.in_scope(|| {
                tracing::debug!(code = ?error.code(), error = %error.report(), "attempt failed");
            }),
        }
        result
    }

    /// Decides, after a failed attempt, whether to try again, and waits before it.
    ///
    /// Returns whether the failed attempt may have been applied by the service, or the
    /// error that ends the call.
    pub(crate) async fn after_failure(&mut self, error: Error) -> Result<bool, Error> {
        self.failures += 1;
        match classify(&error) {
            Verdict::Fatal => Err(error),
            Verdict::Resign if !self.resigned => {
                self.resigned = true;
                self.resign_next = true;
                self.check_attempts_left(error)?;
                Ok(false)
            }
            Verdict::Resign => Err(error),
            Verdict::Retry {
                ambiguous,
                throttled,
                unreached,
                timeout,
            } => {
                if throttled {
                    self.inner.limiter.on_throttled(self.api);
                }
                let switched = unreached && self.inner.failover.unreachable(self.used_backup);
                // Moving to the backup host is immediate; when the backup cannot be reached
                // either, back off before trying the primary host again.
                let delay = if switched && !self.used_backup {
                    Duration::ZERO
                } else {
                    self.next_delay(throttled)
                };
                match self.pause(delay, timeout).await {
                    Ok(()) => Ok(ambiguous),
                    Err(reason) => Err(self.give_up(reason, error)),
                }
            }
        }
    }

    /// Waits before re-sending accounts that failed with a retryable per-account code.
    ///
    /// `progressed` says whether the last attempt settled any account: progress resets the
    /// attempt limit and the backoff, so a batch with scattered per-account failures keeps
    /// going; an attempt that settled nothing counts against the limit.
    pub(crate) async fn before_account_retry(
        &mut self,
        throttled: bool,
        progressed: bool,
    ) -> Result<(), GiveUpReason> {
        if progressed {
            self.failures = 0;
            self.backoff = self.inner.policy.backoff();
        } else {
            self.failures += 1;
        }
        if throttled {
            self.inner.limiter.on_throttled(self.api);
        }
        let delay = self.next_delay(throttled);
        self.pause(delay, false).await
    }

    /// How many attempts were made so far.
    pub(crate) fn attempts(&self) -> u32 {
        self.attempts
    }

    fn next_delay(&mut self, throttled: bool) -> Duration {
        let delay = self.backoff.next().unwrap_or_default();
        if throttled {
            delay.max(self.inner.policy.throttle_backoff())
        } else {
            delay
        }
    }

    fn check_attempts_left(&self, error: Error) -> Result<(), Error> {
        if self.failures >= self.inner.policy.max_attempts() {
            Err(self.give_up(GiveUpReason::AttemptsExhausted, error))
        } else {
            Ok(())
        }
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

    /// Ends the call after a failed attempt. A policy of a single attempt never retries,
    /// so its one error is the call's error as it is; otherwise the error says why no
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

/// Checks a requested page size.
pub(crate) fn validate_page_size(size: u32) -> Result<(), InvalidInput> {
    if size == 0 || size > MAX_PAGE_SIZE {
        Err(InvalidInput::PageSize(size))
    } else {
        Ok(())
    }
}
