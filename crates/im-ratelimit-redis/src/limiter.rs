//! The limiter: the engine's `RateLimiter` seam, backed by the lane script, falling back
//! to an in-process pacer during an outage ([`crate::outage`]).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use im_client::{AdaptivePacer, RateKey, RateLimitError, RateLimiter};
use im_protocol::Api;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::time::Instant;

use crate::error::RedisLimiterError;
use crate::outage::{Health, Unavailable};
use crate::redact::redact_url;
use crate::script::{LaneScript, Reservation};

/// The key prefix used unless [`RedisRateLimiter::key_prefix`] sets another.
pub const DEFAULT_KEY_PREFIX: &str = "tim:rate";
/// How long one Redis operation may take before the limiter treats Redis as unavailable,
/// unless [`RedisRateLimiter::operation_timeout`] sets another.
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_millis(500);
/// How often, during an outage, one call tries Redis again, unless
/// [`RedisRateLimiter::recheck_interval`] sets another.
pub const DEFAULT_RECHECK_INTERVAL: Duration = Duration::from_secs(1);
/// How long [`RedisRateLimiter::connect`] and each reconnection attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// How a call was granted by [`RedisRateLimiter::acquire_grant`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Grant {
    /// Redis reserved the call's slot in the shared budget.
    Shared {
        /// The slot's start time on the Redis server's clock, since the Unix epoch.
        /// Slots of one lane are at least one interval (`(1 + HEADROOM) / rate`) apart.
        slot: Duration,
        /// How long the call waited for its slot: from the Redis server's time when the
        /// slot was reserved to the slot; zero when the lane was free.
        wait: Duration,
    },
    /// Redis was unavailable: the call was paced by this process alone.
    Local,
}

/// A [`RateLimiter`] whose budget is shared, through Redis, by every process using the same
/// Redis and key prefix, one budget per app and API.
///
/// Each (app, API) pair is a lane: a Redis hash at `{prefix}:{sdkappid}:{api path}`, e.g.
/// `tim:rate:1400000000:v4/sns/black_list_add`. A Lua script reserves slots in it one
/// interval apart, on the Redis server's clock, so no one-second window ever holds more starts
/// than the rate, however many processes share it and however their clocks differ. See the
/// [crate documentation](crate) for the script and the failure modes.
///
/// ```no_run
/// use std::sync::Arc;
/// use im_client::RateLimiter;
/// use im_ratelimit_redis::{RedisRateLimiter, Unavailable};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let limiter = RedisRateLimiter::connect("redis://127.0.0.1:6379/")
///     .await?
///     .calls_per_second(200)
///     .on_unavailable(Unavailable::FallBackToLocal);
/// let limiter: Arc<dyn RateLimiter> = Arc::new(limiter);
/// # let _ = limiter; Ok(()) }
/// ```
pub struct RedisRateLimiter {
    conn: ConnectionManager,
    script: LaneScript,
    /// The URL without its password, for `Debug`.
    redacted_url: String,
    prefix: String,
    default_rate: Option<u32>,
    rates: HashMap<Api, u32>,
    on_unavailable: Unavailable,
    timeout: Duration,
    recheck: Duration,
    local: AdaptivePacer,
    health: Mutex<Health>,
}

impl RedisRateLimiter {
    /// Connects to the Redis at `url` and checks that it answers. One limiter serves any
    /// number of apps: each call's [`RateKey`] names its app and API.
    ///
    /// The URL has the form `redis://[[user]:password@]host[:port][/db]`. Connections are
    /// re-established automatically after a failure.
    ///
    /// # Errors
    ///
    /// [`RedisLimiterError::InvalidUrl`] for a malformed URL; an unavailability error
    /// ([`RedisLimiterError::is_unavailable`]) or [`RedisLimiterError::Rejected`] (e.g. a
    /// wrong password) when Redis cannot be used now.
    pub async fn connect(url: &str) -> Result<Self, RedisLimiterError> {
        let limiter = Self::connect_lazy(url)?;
        let mut conn = limiter.conn.clone();
        let check = limiter.script.load(&mut conn);
        match tokio::time::timeout(CONNECT_TIMEOUT, check).await {
            Ok(Ok(())) => Ok(limiter),
            Ok(Err(error)) => Err(error),
            Err(_) => Err(RedisLimiterError::Timeout(CONNECT_TIMEOUT)),
        }
    }

    /// Like [`connect`](Self::connect), without contacting Redis now: the first call does.
    ///
    /// Useful with [`Unavailable::FallBackToLocal`] when a process must start even while
    /// Redis is down. Call it from within a Tokio runtime.
    ///
    /// # Errors
    ///
    /// [`RedisLimiterError::InvalidUrl`] for a malformed URL, and
    /// [`RedisLimiterError::NoRuntime`] outside a Tokio runtime.
    pub fn connect_lazy(url: &str) -> Result<Self, RedisLimiterError> {
        let client = redis::Client::open(url).map_err(RedisLimiterError::from_redis)?;
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(RedisLimiterError::NoRuntime);
        }
        // One connection attempt per failure: the limiter decides when to try again.
        let config = ConnectionManagerConfig::new()
            .set_number_of_retries(0)
            .set_connection_timeout(Some(CONNECT_TIMEOUT));
        let conn = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(RedisLimiterError::from_redis)?;
        let mut limiter = RedisRateLimiter {
            conn,
            script: LaneScript::new(),
            redacted_url: redact_url(url),
            prefix: DEFAULT_KEY_PREFIX.to_owned(),
            default_rate: None,
            rates: HashMap::new(),
            on_unavailable: Unavailable::default(),
            timeout: DEFAULT_OPERATION_TIMEOUT,
            recheck: DEFAULT_RECHECK_INTERVAL,
            local: AdaptivePacer::documented(),
            health: Mutex::new(Health::default()),
        };
        limiter.local = limiter.local_pacer();
        Ok(limiter)
    }

    /// Sets the rate of every API, in calls per second (at least 1); the default is each
    /// API's documented limit (200 for the blocklist APIs).
    ///
    /// Every process sharing a lane should use the same rate.
    pub fn calls_per_second(mut self, calls_per_second: u32) -> Self {
        self.default_rate = Some(calls_per_second.max(1));
        self.rates.clear();
        self.local = self.local_pacer();
        self
    }

    /// Sets the rate of one API, in calls per second (at least 1).
    pub fn with_rate(mut self, api: Api, calls_per_second: u32) -> Self {
        self.rates.insert(api, calls_per_second.max(1));
        self.local = self.local_pacer();
        self
    }

    /// Sets the prefix of the Redis keys (default [`DEFAULT_KEY_PREFIX`]).
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Chooses what happens when Redis is unavailable (default
    /// [`Unavailable::FallBackToLocal`]).
    pub fn on_unavailable(mut self, behaviour: Unavailable) -> Self {
        self.on_unavailable = behaviour;
        self
    }

    /// Sets how long one Redis operation may take (default [`DEFAULT_OPERATION_TIMEOUT`]).
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets how often, during an outage, one call tries Redis again (default
    /// [`DEFAULT_RECHECK_INTERVAL`]). Only used with [`Unavailable::FallBackToLocal`]:
    /// with [`Unavailable::Fail`] every call tries Redis.
    pub fn recheck_interval(mut self, interval: Duration) -> Self {
        self.recheck = interval;
        self
    }

    /// The nominal rate of `key`'s lane, in calls per second.
    pub fn nominal_rate(&self, key: RateKey<'_>) -> u32 {
        self.rates
            .iter()
            .find(|(api, _)| api.path() == key.path)
            .map(|(_, rate)| *rate)
            .or(self.default_rate)
            .unwrap_or(key.documented_rate)
            .max(1)
    }

    /// The Redis key of `key`'s lane: `{prefix}:{sdkappid}:{api path}`.
    pub fn lane_key(&self, key: RateKey<'_>) -> String {
        format!("{}:{}:{}", self.prefix, key.sdkappid, key.path)
    }

    /// The rate `key`'s lane is paced at right now across all processes, in calls per second
    /// (below nominal after a throttle answer).
    ///
    /// # Errors
    ///
    /// When Redis cannot be used.
    pub async fn current_rate(&self, key: RateKey<'_>) -> Result<f64, RedisLimiterError> {
        let mut conn = self.conn.clone();
        let lane = self.lane_key(key);
        let peek = self.script.peek(&mut conn, &lane, self.nominal_rate(key));
        with_timeout(self.timeout, peek).await
    }

    /// Waits until one more call may spend `key`'s budget, counts it, and says how it was
    /// granted.
    ///
    /// # Errors
    ///
    /// Only with [`Unavailable::Fail`], when Redis cannot be used.
    pub async fn acquire_grant(&self, key: RateKey<'_>) -> Result<Grant, RedisLimiterError> {
        if self
            .health()
            .should_try(self.on_unavailable, Instant::now(), self.recheck)
        {
            match self.reserve(key).await {
                Ok(reservation) => {
                    self.mark_up();
                    tokio::time::sleep(reservation.wait).await;
                    return Ok(Grant::Shared {
                        slot: reservation.slot,
                        wait: reservation.wait,
                    });
                }
                Err(error) => {
                    self.mark_down(&error);
                    if self.on_unavailable == Unavailable::Fail {
                        return Err(error);
                    }
                }
            }
        }
        self.local
            .acquire(key)
            .await
            .map_err(|error| RedisLimiterError::Fallback(Box::new(error)))?;
        Ok(Grant::Local)
    }

    async fn reserve(&self, key: RateKey<'_>) -> Result<Reservation, RedisLimiterError> {
        let mut conn = self.conn.clone();
        let lane = self.lane_key(key);
        let acquire = self
            .script
            .acquire(&mut conn, &lane, self.nominal_rate(key));
        with_timeout(self.timeout, acquire).await
    }

    fn health(&self) -> MutexGuard<'_, Health> {
        self.health
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn mark_up(&self) {
        if let Some(outage) = self.health().mark_up(Instant::now()) {
            tracing::info!(
                redis = %self.redacted_url,
                outage_ms = outage.as_millis(),
                "Redis answers again; the call budget is shared again"
            );
        }
    }

    fn mark_down(&self, error: &RedisLimiterError) {
        if self.health().mark_down(Instant::now(), self.recheck) {
            let consequence = match self.on_unavailable {
                Unavailable::Fail => "calls fail until it answers again",
                Unavailable::FallBackToLocal => {
                    "pacing calls in this process only until it answers again"
                }
            };
            tracing::warn!(
                redis = %self.redacted_url,
                error = %error.report(),
                "the shared rate limiter cannot use Redis; {consequence}"
            );
        }
    }

    /// An in-process pacer with the same rates, for outages.
    fn local_pacer(&self) -> AdaptivePacer {
        let mut pacer = match self.default_rate {
            Some(rate) => AdaptivePacer::new(rate),
            None => AdaptivePacer::documented(),
        };
        for (api, rate) in &self.rates {
            pacer = pacer.with_rate(*api, *rate);
        }
        pacer
    }
}

/// Runs one Redis operation with the operation timeout.
async fn with_timeout<T>(
    timeout: Duration,
    operation: impl Future<Output = Result<T, RedisLimiterError>>,
) -> Result<T, RedisLimiterError> {
    tokio::time::timeout(timeout, operation)
        .await
        .unwrap_or(Err(RedisLimiterError::Timeout(timeout)))
}

#[async_trait]
impl RateLimiter for RedisRateLimiter {
    async fn acquire(&self, key: RateKey<'_>) -> Result<(), RateLimitError> {
        self.acquire_grant(key)
            .await
            .map(|_| ())
            .map_err(RateLimitError::new)
    }

    /// Slows `key`'s lane for every process: the shared rate drops to 70% of its current
    /// value and climbs back to nominal over ten seconds (unless the call started before
    /// this process last slowed the lane down). The update is sent by a background
    /// task; this method never waits.
    fn on_throttled(&self, key: RateKey<'_>, sent_at: Instant) {
        // The fallback pacer slows down too, so an outage starts from the reduced rate. It
        // also tells echoes apart: an answer to a call started before this process last
        // slowed the lane down changes nothing, here or in Redis.
        if !self.local.throttled(key, sent_at) || self.health().is_down() {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let mut conn = self.conn.clone();
        let script = self.script.clone();
        let lane = self.lane_key(key);
        let nominal = self.nominal_rate(key);
        let timeout = self.timeout;
        runtime.spawn(async move {
            let throttle = script.throttle(&mut conn, &lane, nominal);
            match with_timeout(timeout, throttle).await {
                Ok(rate) => tracing::debug!(
                    lane,
                    rate,
                    "rate limited by the service; slowing down every process"
                ),
                Err(error) => tracing::debug!(
                    lane,
                    error = %error.report(),
                    "could not share a rate-limit answer through Redis"
                ),
            }
        });
    }
}

impl fmt::Debug for RedisRateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisRateLimiter")
            .field("url", &self.redacted_url)
            .field("prefix", &self.prefix)
            .field("default_rate", &self.default_rate)
            .field("rates", &self.rates)
            .field("on_unavailable", &self.on_unavailable)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn debug_hides_the_password() {
        let limiter =
            RedisRateLimiter::connect_lazy("redis://app:s3cret@127.0.0.1:1/").expect("a valid URL");
        let debug = format!("{limiter:?}");
        assert!(!debug.contains("s3cret"), "{debug}");
        assert!(debug.contains("redis://app:***@127.0.0.1:1/"), "{debug}");
    }

    #[tokio::test]
    async fn rates_default_to_the_documented_limits() {
        const APP: u64 = 1400;
        let limiter = RedisRateLimiter::connect_lazy("redis://127.0.0.1:1/").unwrap();
        for api in Api::ALL {
            assert_eq!(
                limiter.nominal_rate(RateKey::api(APP, *api)),
                api.default_calls_per_second()
            );
        }
        let custom = RateKey {
            sdkappid: APP,
            path: "v4/custom/api",
            documented_rate: 20,
        };
        assert_eq!(
            limiter.nominal_rate(custom),
            20,
            "the key's documented rate"
        );
        let limiter = limiter
            .calls_per_second(50)
            .with_rate(Api::BlackListCheck, 0)
            .key_prefix("test");
        assert_eq!(
            limiter.nominal_rate(RateKey::api(APP, Api::BlackListAdd)),
            50
        );
        assert_eq!(
            limiter.nominal_rate(RateKey::api(APP, Api::BlackListCheck)),
            1
        );
        assert_eq!(limiter.nominal_rate(custom), 50);
        assert_eq!(
            limiter.lane_key(RateKey::api(APP, Api::BlackListAdd)),
            "test:1400:v4/sns/black_list_add"
        );
        assert_eq!(
            limiter.lane_key(RateKey::api(1401, Api::BlackListAdd)),
            "test:1401:v4/sns/black_list_add",
            "each app has its own lane"
        );
    }

    #[test]
    fn outside_a_runtime_the_limiter_is_refused() {
        let error = RedisRateLimiter::connect_lazy("redis://127.0.0.1/").unwrap_err();
        assert!(matches!(error, RedisLimiterError::NoRuntime));
    }

    #[tokio::test]
    async fn a_malformed_url_is_refused() {
        let error = RedisRateLimiter::connect_lazy("https://cache/").unwrap_err();
        assert!(matches!(error, RedisLimiterError::InvalidUrl(_)));
    }
}
