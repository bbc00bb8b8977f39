//! Pacing: at most N calls per second per API, slowing down when the service says so.
//!
//! [`RateLimiter`] is the seam: the in-process [`AdaptivePacer`] is the default, and a
//! limiter shared by several processes can implement the same trait.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
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
/// Calls are spaced 2% wider than `1 / rate`. Requests started exactly `1 / rate` apart
/// arrive with network jitter, and a service counting arrivals in a sliding one-second
/// window would then see `rate + 1` about half the time; 2% of a second absorbs 20 ms of
/// jitter at the cost of 2% of the throughput.
pub const HEADROOM: f64 = 0.02;

/// The in-process pacer: one lane per API, calls spaced evenly at the lane's rate.
///
/// A lane starts calls at most every `(1 + HEADROOM) / rate` seconds, so no one-second
/// window ever holds more than `rate` starts, even after network jitter. Callers wait in
/// order. When the service answers with a rate-limit code, the lane's rate drops to 70%
/// of its current value and then climbs back to nominal over ten seconds, unless another
/// throttle answer comes first.
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
    lanes: Mutex<HashMap<Api, Arc<Lane>>>,
}

/// One API's lane: a fair gate that callers pass one at a time, and the throttle state.
#[derive(Debug, Default)]
struct Lane {
    /// The previous call's slot and the moment it actually started. Waiters hold the gate
    /// while they sleep, so they go in order.
    gate: tokio::sync::Mutex<Option<Start>>,
    throttle: Mutex<Option<Throttle>>,
}

/// When a call was scheduled to start, and when it did.
#[derive(Clone, Copy, Debug)]
struct Start {
    slot: Instant,
    actual: Instant,
}

/// How far a late wake-up may be made up for: the next slot is at least this close to one
/// interval after the previous call's actual start. Slots follow each other at the paced
/// interval, so timer rounding costs no throughput; a late wake-up is made up for by at most
/// this much, so it never lets a burst through. Any `k` consecutive starts then span at
/// least `k * interval - CATCH_UP`, which with [`HEADROOM`] keeps `rate` starts per second.
const CATCH_UP: Duration = Duration::from_millis(2);

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
        let throttle = *lock(&self.lane(api).throttle);
        effective_rate(self.nominal_rate(api), throttle, Instant::now())
    }

    fn lane(&self, api: Api) -> Arc<Lane> {
        Arc::clone(lock(&self.lanes).entry(api).or_default())
    }
}

/// Locks a std mutex, using the data of a poisoned one as it is (it holds plain values).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The slot after `previous`: one interval after its slot, but no earlier than one interval
/// (less [`CATCH_UP`]) after it actually started, and not in the past.
fn next_slot(previous: Start, interval: Duration, now: Instant) -> Instant {
    let paced = previous.slot + interval;
    let after_actual = (previous.actual + interval)
        .checked_sub(CATCH_UP)
        .unwrap_or(previous.actual);
    paced.max(after_actual).max(now)
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
        let lane = self.lane(api);
        let mut previous = lane.gate.lock().await;
        let now = Instant::now();
        let slot = match *previous {
            None => now,
            Some(start) => {
                let throttle = *lock(&lane.throttle);
                let rate = effective_rate(self.nominal_rate(api), throttle, now);
                let interval = Duration::from_secs_f64((1.0 + HEADROOM) / rate);
                next_slot(start, interval, now)
            }
        };
        tokio::time::sleep_until(slot).await;
        *previous = Some(Start {
            slot,
            actual: Instant::now(),
        });
        Ok(())
    }

    fn on_throttled(&self, api: Api) {
        let nominal = self.nominal_rate(api);
        let lane = self.lane(api);
        let now = Instant::now();
        let mut throttle = lock(&lane.throttle);
        let current = effective_rate(nominal, *throttle, now);
        let rate = (current * THROTTLE_FACTOR).max(nominal * MIN_SHARE);
        *throttle = Some(Throttle { at: now, rate });
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
        let pacer = AdaptivePacer::new(102);
        let start = Instant::now();
        for expected_ms in [0u64, 10, 20, 30] {
            pacer.acquire(Api::BlackListGet).await.expect("never fails");
            let elapsed = start.elapsed().as_secs_f64() * 1000.0;
            // 102 calls/s with 2% headroom is one call every 10 ms.
            assert!((elapsed - expected_ms as f64).abs() < 0.01, "{elapsed} ms");
        }
    }

    #[test]
    fn late_starts_are_made_up_for_by_at_most_the_catch_up() {
        let t0 = Instant::now();
        let interval = Duration::from_millis(5);
        let on_time = Start {
            slot: t0,
            actual: t0,
        };
        assert_eq!(next_slot(on_time, interval, t0), t0 + interval);
        // The previous call started 1 ms late (timer rounding): no throughput is lost.
        let a_bit_late = Start {
            slot: t0,
            actual: t0 + Duration::from_millis(1),
        };
        assert_eq!(next_slot(a_bit_late, interval, t0), t0 + interval);
        // 30 ms late: the next call still waits an interval less the catch-up.
        let very_late = Start {
            slot: t0,
            actual: t0 + Duration::from_millis(30),
        };
        assert_eq!(
            next_slot(very_late, interval, t0),
            t0 + Duration::from_millis(33)
        );
        // An idle lane starts at once.
        let later = t0 + Duration::from_secs(1);
        assert_eq!(next_slot(on_time, interval, later), later);
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
