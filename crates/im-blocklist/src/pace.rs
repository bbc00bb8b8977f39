//! Pacing: at most N calls per second per API, slowing down when the service says so.
//!
//! [`RateLimiter`] is the seam: the in-process [`AdaptivePacer`] is the default, and a
//! limiter shared by several processes can implement the same trait.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use im_protocol::Api;
use tokio::time::Instant;

use crate::error::Error;

/// Grants permission to start calls, at most at the configured rate per API.
///
/// Implementations must be cheap to call concurrently from many tasks.
#[async_trait]
pub trait RateLimiter: Send + Sync + fmt::Debug {
    /// Waits until one more call to `api` may start, and counts it.
    async fn acquire(&self, api: Api) -> Result<(), Error>;

    /// Tells the limiter that the service answered a call to `api` with a rate-limit code,
    /// so someone else spends the same budget: the limiter should slow down for a while.
    fn on_throttled(&self, api: Api) {
        let _ = api;
    }
}

/// How far a throttle answer cuts the rate (AWS's adaptive retry mode uses the same factor).
const THROTTLE_FACTOR: f64 = 0.7;
/// The slowest the pacer goes, as a share of the nominal rate.
const MIN_SHARE: f64 = 0.05;
/// How long the rate takes to climb back to nominal after the last throttle answer.
const RECOVERY: Duration = Duration::from_secs(10);

/// The in-process pacer: one lane per API, calls spaced evenly at the lane's rate.
///
/// A lane starts calls at most every `1 / rate` seconds, so no one-second window ever
/// holds more than `rate` starts. When the service answers with a rate-limit code, the
/// lane's rate drops to 70% of its current value and then climbs back to nominal over
/// ten seconds, unless another throttle answer comes first.
///
/// Time is `tokio::time`, so tests with a paused clock run instantly and deterministically.
///
/// ```
/// use im_blocklist::{AdaptivePacer, RateLimiter};
/// use im_protocol::Api;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let pacer = AdaptivePacer::new(200);
/// pacer.acquire(Api::BlackListAdd).await.expect("the in-process pacer never fails");
/// # }
/// ```
pub struct AdaptivePacer {
    nominal: HashMap<Api, f64>,
    default_rate: f64,
    lanes: Mutex<HashMap<Api, Lane>>,
}

#[derive(Debug, Default)]
struct Lane {
    next_slot: Option<Instant>,
    throttle: Option<Throttle>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Throttle {
    at: Instant,
    rate: f64,
}

impl AdaptivePacer {
    /// A pacer allowing `calls_per_second` calls per second to each API (at least 1).
    pub fn new(calls_per_second: u32) -> Self {
        AdaptivePacer {
            nominal: HashMap::new(),
            default_rate: f64::from(calls_per_second.max(1)),
            lanes: Mutex::new(HashMap::new()),
        }
    }

    /// A pacer using each API's documented limit (200 calls/s for the blocklist APIs).
    pub fn documented() -> Self {
        let mut pacer = AdaptivePacer::new(200);
        for api in Api::ALL {
            pacer = pacer.with_rate(*api, api.default_calls_per_second());
        }
        pacer
    }

    /// Sets the rate of one API.
    pub fn with_rate(mut self, api: Api, calls_per_second: u32) -> Self {
        self.nominal.insert(api, f64::from(calls_per_second.max(1)));
        self
    }

    /// The nominal rate of `api`, in calls per second.
    pub fn nominal_rate(&self, api: Api) -> f64 {
        self.nominal.get(&api).copied().unwrap_or(self.default_rate)
    }

    /// The rate `api` is paced at right now (below nominal after a throttle answer).
    pub fn current_rate(&self, api: Api) -> f64 {
        let nominal = self.nominal_rate(api);
        let lanes = self
            .lanes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let throttle = lanes.get(&api).and_then(|lane| lane.throttle);
        effective_rate(nominal, throttle, Instant::now())
    }

    /// Reserves the next start time of `api`'s lane.
    fn reserve(&self, api: Api) -> Instant {
        let nominal = self.nominal_rate(api);
        let now = Instant::now();
        let mut lanes = self
            .lanes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let lane = lanes.entry(api).or_default();
        let slot = lane.next_slot.map_or(now, |next| next.max(now));
        let rate = effective_rate(nominal, lane.throttle, slot);
        lane.next_slot = Some(slot + Duration::from_secs_f64(1.0 / rate));
        slot
    }
}

/// The rate of a lane at `now`: nominal without a throttle answer; after one, the throttled
/// rate climbing linearly back to nominal over [`RECOVERY`].
fn effective_rate(nominal: f64, throttle: Option<Throttle>, now: Instant) -> f64 {
    let Some(throttle) = throttle else {
        return nominal;
    };
    let elapsed = now.saturating_duration_since(throttle.at).as_secs_f64();
    let progress = (elapsed / RECOVERY.as_secs_f64()).min(1.0);
    let rate = throttle.rate + (nominal - throttle.rate) * progress;
    rate.clamp(nominal * MIN_SHARE, nominal)
}

#[async_trait]
impl RateLimiter for AdaptivePacer {
    async fn acquire(&self, api: Api) -> Result<(), Error> {
        let slot = self.reserve(api);
        tokio::time::sleep_until(slot).await;
        Ok(())
    }

    fn on_throttled(&self, api: Api) {
        let nominal = self.nominal_rate(api);
        let now = Instant::now();
        let mut lanes = self
            .lanes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let lane = lanes.entry(api).or_default();
        let current = effective_rate(nominal, lane.throttle, now);
        let rate = (current * THROTTLE_FACTOR).max(nominal * MIN_SHARE);
        lane.throttle = Some(Throttle { at: now, rate });
        tracing::debug!(
            api = api.name(),
            rate,
            "rate limited by the service; slowing down"
        );
    }
}

impl fmt::Debug for AdaptivePacer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdaptivePacer")
            .field("default_rate", &self.default_rate)
            .field("nominal", &self.nominal)
            .finish_non_exhaustive()
    }
}

/// A limiter that never waits: for tests and for callers that pace elsewhere.
#[derive(Clone, Copy, Debug, Default)]
pub struct Unlimited;

#[async_trait]
impl RateLimiter for Unlimited {
    async fn acquire(&self, _api: Api) -> Result<(), Error> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn rate_drops_on_throttle_and_recovers() {
        let pacer = AdaptivePacer::new(200);
        let api = Api::BlackListAdd;
        assert_eq!(pacer.current_rate(api), 200.0);
        pacer.on_throttled(api);
        assert!((pacer.current_rate(api) - 140.0).abs() < 1e-9);
        pacer.on_throttled(api);
        assert!((pacer.current_rate(api) - 98.0).abs() < 1e-9);
        tokio::time::advance(RECOVERY / 2).await;
        assert!((pacer.current_rate(api) - 149.0).abs() < 1e-6);
        tokio::time::advance(RECOVERY).await;
        assert_eq!(pacer.current_rate(api), 200.0);
        // Another API's lane is untouched.
        assert_eq!(pacer.current_rate(Api::BlackListCheck), 200.0);
    }

    #[tokio::test(start_paused = true)]
    async fn slots_are_spaced_by_the_interval() {
        let pacer = AdaptivePacer::new(100);
        let start = Instant::now();
        for expected_ms in [0u64, 10, 20, 30] {
            pacer.acquire(Api::BlackListGet).await.expect("never fails");
            assert_eq!(start.elapsed(), Duration::from_millis(expected_ms));
        }
    }

    #[test]
    fn rate_never_falls_below_the_floor() {
        let now = Instant::now();
        let throttle = Throttle {
            at: now,
            rate: 0.001,
        };
        assert_eq!(effective_rate(200.0, Some(throttle), now), 10.0);
    }
}
