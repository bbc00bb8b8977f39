//! Pacing: at most N calls per second per app and API, slowing down when the service says so.
//!
//! [`RateLimiter`] is the seam: the in-process [`AdaptivePacer`] is the default, and a
//! limiter shared by several processes can implement the same trait.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use im_protocol::Api;
use tokio::time::Instant;

use crate::error::RateLimitError;

/// The budget a call spends: one app's calls to one API.
///
/// Limiters keep one budget per `(sdkappid, path)`, so one limiter can serve clients of
/// several apps. `documented_rate` is the API's documented limit, which a limiter uses
/// unless it was configured otherwise.
///
/// ```
/// use im_client::RateKey;
/// use im_protocol::Api;
///
/// let key = RateKey::api(1_400_000_000, Api::BlackListAdd);
/// assert_eq!(key.path, "v4/sns/black_list_add");
/// assert_eq!(key.documented_rate, 200);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RateKey<'a> {
    /// The app whose budget this is.
    pub sdkappid: u64,
    /// The API's path, e.g. `v4/sns/black_list_add`.
    pub path: &'a str,
    /// The API's documented limit in calls per second.
    pub documented_rate: u32,
}

impl RateKey<'static> {
    /// The key of a described API.
    pub const fn api(sdkappid: u64, api: Api) -> Self {
        RateKey {
            sdkappid,
            path: api.path(),
            documented_rate: api.default_calls_per_second(),
        }
    }
}

/// Grants permission to start calls, at most at the configured rate per app and API.
///
/// Implementations must be cheap to call concurrently from many tasks.
#[async_trait]
pub trait RateLimiter: Send + Sync + fmt::Debug {
    /// Waits until one more call may spend `key`'s budget, and counts it.
    async fn acquire(&self, key: RateKey<'_>) -> Result<(), RateLimitError>;

    /// Tells the limiter that the service answered a call with a rate-limit code, so
    /// someone else spends the same budget: the limiter should slow down for a while.
    ///
    /// `sent_at` is when the throttled call started (its slot was granted). Calls started
    /// before the limiter last slowed down were already on their way: their answers are
    /// echoes of the same episode, and a limiter should not slow down again for them.
    fn on_throttled(&self, key: RateKey<'_>, sent_at: Instant) {
        let _ = (key, sent_at);
    }

    /// Tells the limiter that the service (or a gateway) asked, with `Retry-After`, that
    /// no call spend `key`'s budget for `wait`: every caller should hold back that long,
    /// not only the call that was told.
    fn pause(&self, key: RateKey<'_>, wait: Duration) {
        let _ = (key, wait);
    }
}

/// How far a throttle answer cuts the rate (AWS's adaptive retry mode uses the same factor).
pub const THROTTLE_FACTOR: f64 = 0.7;
/// The slowest a lane goes, as a share of the nominal rate.
pub const MIN_RATE_SHARE: f64 = 0.05;
/// How long the rate takes to climb back to nominal after the last cut.
pub const THROTTLE_RECOVERY: Duration = Duration::from_secs(10);
/// The longest pause a `Retry-After` answer can impose on a lane.
const MAX_PAUSE: Duration = Duration::from_secs(300);
/// Calls are spaced 2% wider than `1 / rate`. Requests started exactly `1 / rate` apart
/// arrive with network jitter, and a service counting arrivals in a sliding one-second
/// window would then see `rate + 1` about half the time; 2% of a second absorbs 20 ms of
/// jitter at the cost of 2% of the throughput.
pub const HEADROOM: f64 = 0.02;

/// The in-process pacer: one lane per app and API, calls spaced evenly at the lane's rate.
///
/// A lane hands out slots `(1 + HEADROOM) / rate` seconds apart, in the order callers ask,
/// so no one-second window ever holds more than `rate` starts, even after network jitter.
/// Each caller sleeps until its own slot: one that wakes late does not hold up the others. When the service answers with a rate-limit code, the lane's rate drops to 70%
/// of its current value and then climbs back to nominal over ten seconds, unless another
/// throttle answer comes first. Answers to calls started before the last cut do not cut
/// again: they were already on their way (as TCP cuts once per round trip).
///
/// When an answer carries `Retry-After`, the lane starts no call until that time has
/// passed ([`RateLimiter::pause`]).
///
/// Clients share one budget per app and API in a process: a [`Client`](crate::Client)
/// built without a limiter or a rate of its own uses [`AdaptivePacer::shared`], so two
/// clients of one app spend one 200 calls/s budget, not two. Clients given their own
/// pacer (or [`calls_per_second`](crate::ClientBuilder::calls_per_second)) do not share.
///
/// Time is `tokio::time`, so tests with a paused clock run instantly and deterministically.
///
/// ```
/// use im_client::{AdaptivePacer, RateKey, RateLimiter};
/// use im_protocol::Api;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let pacer = AdaptivePacer::documented();
/// let key = RateKey::api(1_400_000_000, Api::BlackListAdd);
/// pacer.acquire(key).await.expect("the in-process pacer never fails");
/// assert_eq!(pacer.nominal_rate(key), 200.0);
/// # }
/// ```
pub struct AdaptivePacer {
    /// Rates set for one API, by path, for every app.
    by_path: HashMap<String, f64>,
    /// A rate for every API, when set; otherwise each key's documented rate.
    every_api: Option<f64>,
    /// One lane per app and API path; lanes are few and long-lived, so a list will do.
    lanes: Mutex<Vec<KeyedLane>>,
}

/// A lane with the app and API path it paces.
type KeyedLane = (u64, Box<str>, Arc<Lane>);

/// One lane: the slots handed out, and the throttle state.
#[derive(Debug, Default)]
struct Lane {
    schedule: Mutex<Schedule>,
    throttle: Mutex<Option<Throttle>>,
    /// No call starts before this moment (the service asked for it with `Retry-After`).
    paused_until: Mutex<Option<Instant>>,
}

/// The slots a lane has handed out.
#[derive(Debug, Default)]
struct Schedule {
    /// The earliest the next slot may be: one interval after the last one handed out.
    next: Option<Instant>,
    /// Callers holding a slot they have not reached yet.
    waiting: u32,
}

/// A caller's hold on a slot, counted in [`Schedule::waiting`] until it is dropped (also
/// when the caller gives up waiting).
struct Waiting<'a>(&'a Lane);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let mut schedule = lock(&self.0.schedule);
        schedule.waiting = schedule.waiting.saturating_sub(1);
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Throttle {
    at: Instant,
    rate: f64,
}

impl AdaptivePacer {
    /// A pacer allowing `calls_per_second` calls per second (at least 1) to every API of
    /// every app, whatever the API's documented limit.
    pub fn new(calls_per_second: u32) -> Self {
        AdaptivePacer {
            by_path: HashMap::new(),
            every_api: Some(f64::from(calls_per_second.max(1))),
            lanes: Mutex::new(Vec::new()),
        }
    }

    /// The process-wide pacer at each API's documented limit, which every client built
    /// without a limiter of its own shares: one budget per app and API in the process.
    ///
    /// Tests that run several tokio runtimes with paused clocks in one process (the
    /// default for `#[tokio::test(start_paused = true)]`) should give each client a pacer
    /// of its own ([`AdaptivePacer::documented`]): one lane shared across clocks that
    /// advance independently holds callers of one test behind another test's sleep.
    pub fn shared() -> Arc<AdaptivePacer> {
        static SHARED: OnceLock<Arc<AdaptivePacer>> = OnceLock::new();
        Arc::clone(SHARED.get_or_init(|| Arc::new(AdaptivePacer::documented())))
    }

    /// A pacer using each API's documented limit (200 calls/s for the blocklist APIs).
    pub fn documented() -> Self {
        AdaptivePacer {
            by_path: HashMap::new(),
            every_api: None,
            lanes: Mutex::new(Vec::new()),
        }
    }

    /// Sets the rate of one API (at least 1 call per second), for every app.
    pub fn with_rate(mut self, api: Api, calls_per_second: u32) -> Self {
        self.by_path
            .insert(api.path().to_owned(), f64::from(calls_per_second.max(1)));
        self
    }

    /// The nominal rate of `key`'s lane, in calls per second.
    pub fn nominal_rate(&self, key: RateKey<'_>) -> f64 {
        if let Some(rate) = self.by_path.get(key.path) {
            return *rate;
        }
        self.every_api
            .unwrap_or_else(|| f64::from(key.documented_rate.max(1)))
    }

    /// The rate `key`'s lane is paced at right now (below nominal after a throttle answer).
    pub fn current_rate(&self, key: RateKey<'_>) -> f64 {
        let throttle = *lock(&self.lane(key).throttle);
        effective_rate(self.nominal_rate(key), throttle, Instant::now())
    }

    fn lane(&self, key: RateKey<'_>) -> Arc<Lane> {
        let mut lanes = lock(&self.lanes);
        if let Some((_, _, lane)) = lanes
            .iter()
            .find(|(app, path, _)| *app == key.sdkappid && **path == *key.path)
        {
            return Arc::clone(lane);
        }
        let lane = Arc::new(Lane::default());
        lanes.push((key.sdkappid, key.path.into(), Arc::clone(&lane)));
        lane
    }
}

/// Locks a std mutex, using the data of a poisoned one as it is (it holds plain values).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Hands out the next slot at or after `earliest`: one interval after the last one handed
/// out, so slots stay evenly spaced however late their callers wake up. A late caller
/// neither pushes the others back nor lets them bunch up: `rate + 1` starts can fall in one
/// second only if a caller wakes more than [`HEADROOM`] of a second late. A next slot
/// further away than the waiting callers explain (each at most `longest` apart) comes from
/// a clock other than this runtime's, and is brought back.
fn reserve(
    schedule: &mut Schedule,
    earliest: Instant,
    interval: Duration,
    longest: Duration,
) -> Instant {
    let explained = earliest + longest * (schedule.waiting + 1);
    let slot = schedule
        .next
        .map_or(earliest, |next| next.max(earliest))
        .min(explained);
    schedule.next = Some(slot + interval);
    schedule.waiting += 1;
    slot
}

/// The rate of a lane at `now`: nominal without a throttle answer; after one, the throttled
/// rate climbing linearly back to nominal over [`THROTTLE_RECOVERY`].
fn effective_rate(nominal: f64, throttle: Option<Throttle>, now: Instant) -> f64 {
    let Some(throttle) = throttle else {
        return nominal;
    };
    let elapsed = now.saturating_duration_since(throttle.at).as_secs_f64();
    let progress = (elapsed / THROTTLE_RECOVERY.as_secs_f64()).min(1.0);
    let rate = throttle.rate + (nominal - throttle.rate) * progress;
    rate.clamp(nominal * MIN_RATE_SHARE, nominal)
}

#[async_trait]
impl RateLimiter for AdaptivePacer {
    async fn acquire(&self, key: RateKey<'_>) -> Result<(), RateLimitError> {
        let lane = self.lane(key);
        let nominal = self.nominal_rate(key);
        let longest = Duration::from_secs_f64((1.0 + HEADROOM) / (nominal * MIN_RATE_SHARE));
        loop {
            let now = Instant::now();
            let earliest = (*lock(&lane.paused_until))
                .filter(|until| *until > now)
                .map_or(now, |until| until.min(now + MAX_PAUSE));
            let throttle = *lock(&lane.throttle);
            let rate = effective_rate(nominal, throttle, now);
            let interval = Duration::from_secs_f64((1.0 + HEADROOM) / rate);
            let slot = reserve(&mut lock(&lane.schedule), earliest, interval, longest);
            let _waiting = Waiting(&lane);
            tokio::time::sleep_until(slot).await;
            // A pause asked for while waiting holds this call back too: it takes a slot
            // after the pause, behind the callers already there.
            let paused = (*lock(&lane.paused_until)).is_some_and(|until| until > Instant::now());
            if !paused {
                return Ok(());
            }
        }
    }

    fn on_throttled(&self, key: RateKey<'_>, sent_at: Instant) {
        self.throttled(key, sent_at);
    }

    fn pause(&self, key: RateKey<'_>, wait: Duration) {
        let lane = self.lane(key);
        let until = Instant::now() + wait.min(MAX_PAUSE);
        let mut paused = lock(&lane.paused_until);
        if paused.is_none_or(|current| current < until) {
            *paused = Some(until);
        }
        tracing::info!(
            sdkappid = key.sdkappid,
            api = key.path,
            wait_ms = wait.as_millis() as u64,
            "the service asked to wait (Retry-After); pausing this app and API"
        );
    }
}

impl AdaptivePacer {
    /// Slows `key`'s lane after a throttle answer to a call started at `sent_at`, unless
    /// the lane was cut after that call started; returns whether it cut.
    pub fn throttled(&self, key: RateKey<'_>, sent_at: Instant) -> bool {
        let nominal = self.nominal_rate(key);
        let lane = self.lane(key);
        let now = Instant::now();
        let mut throttle = lock(&lane.throttle);
        if throttle.is_some_and(|last| last.at > sent_at) {
            return false;
        }
        let current = effective_rate(nominal, *throttle, now);
        let rate = (current * THROTTLE_FACTOR).max(nominal * MIN_RATE_SHARE);
        *throttle = Some(Throttle { at: now, rate });
        tracing::debug!(
            sdkappid = key.sdkappid,
            api = key.path,
            rate,
            "rate limited by the service; slowing down"
        );
        true
    }

    /// Until when `key`'s lane starts no call, after a `Retry-After` answer.
    pub fn paused_until(&self, key: RateKey<'_>) -> Option<Instant> {
        (*lock(&self.lane(key).paused_until)).filter(|until| *until > Instant::now())
    }
}

impl fmt::Debug for AdaptivePacer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdaptivePacer")
            .field("every_api", &self.every_api)
            .field("by_path", &self.by_path)
            .finish_non_exhaustive()
    }
}

/// A limiter that never waits: for tests and for callers that pace elsewhere.
#[derive(Clone, Copy, Debug, Default)]
pub struct Unlimited;

#[async_trait]
impl RateLimiter for Unlimited {
    async fn acquire(&self, _key: RateKey<'_>) -> Result<(), RateLimitError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests;
