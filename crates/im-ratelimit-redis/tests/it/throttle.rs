//! A throttle answer in one process slows every process.
//!
//! Redis runs on the wall clock, so these tests assert what holds whatever the timing: the
//! other process sees a rate below nominal and never below 70% of it (the rate only climbs
//! after the answer), other lanes keep theirs, and the lane's TTL is present and bounded.
//! The exact rates, their climb back and the spacing they cause are the script's decisions,
//! checked on a controlled clock in `src/script/decisions.rs`.

use std::time::Duration;

use im_client::{RateKey, RateLimiter};
use im_protocol::Api;
use im_ratelimit_redis::RedisRateLimiter;
use redis::AsyncCommands;
use tokio::time::Instant;

use crate::support::{RedisServer, raw_connection};

const APP: u64 = 1_400_000_001;
const RATE: u32 = 100;

async fn limiter(server: &RedisServer) -> RedisRateLimiter {
    RedisRateLimiter::connect(&server.url())
        .await
        .unwrap()
        .calls_per_second(RATE)
}

/// Waits until the shared rate of `key`'s lane is below nominal, and returns it. The update
/// travels in the background; the bound (a minute) only guards against a hang.
async fn throttled_rate(limiter: &RedisRateLimiter, key: RateKey<'_>) -> f64 {
    for _ in 0..6_000 {
        let rate = limiter.current_rate(key).await.unwrap();
        if rate < f64::from(RATE) {
            return rate;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the rate of {key:?} never dropped below nominal");
}

#[tokio::test]
#[cfg_attr(redis_server_missing, ignore = "needs redis-server")]
async fn a_throttle_answer_slows_every_process() {
    let server = RedisServer::start();
    let one = limiter(&server).await;
    let other = limiter(&server).await;
    let lane = RateKey::api(APP, Api::BlackListAdd);
    assert_eq!(other.current_rate(lane).await.unwrap(), f64::from(RATE));

    let sent_before = Instant::now();
    one.on_throttled(lane, sent_before);
    let throttled = throttled_rate(&other, lane).await;
    assert!(
        (f64::from(RATE) * 0.7..f64::from(RATE)).contains(&throttled),
        "70% of the rate, climbing back: {throttled}"
    );

    // An answer to a call sent before this process slowed down is an echo of the same
    // episode: it sends nothing, so the rate never drops to 70% of 70%.
    one.on_throttled(lane, sent_before);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let echoed = other.current_rate(lane).await.unwrap();
    assert!(echoed >= f64::from(RATE) * 0.7, "{echoed} after an echo");

    // Other lanes are untouched: other APIs, and the same API of another app.
    assert_eq!(
        one.current_rate(RateKey::api(APP, Api::BlackListCheck))
            .await
            .unwrap(),
        f64::from(RATE)
    );
    assert_eq!(
        one.current_rate(RateKey::api(APP + 1, Api::BlackListAdd))
            .await
            .unwrap(),
        f64::from(RATE)
    );

    // The throttle state is kept until the ten-second recovery is over, and a second more.
    let mut redis = raw_connection(&server.url()).await;
    let ttl: i64 = redis.pttl(one.lane_key(lane)).await.unwrap();
    assert!((1..=11_000).contains(&ttl), "pttl {ttl}");
}
