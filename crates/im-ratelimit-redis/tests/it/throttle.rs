//! A throttle answer in one process slows every process, and the rate recovers.

use std::time::Duration;

use im_client::{RateKey, RateLimiter};
use im_protocol::Api;
use im_ratelimit_redis::{Grant, RedisRateLimiter};
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

/// Waits until the shared rate of `key`'s lane is below `below`, and returns it.
async fn rate_below(limiter: &RedisRateLimiter, key: RateKey<'_>, below: f64) -> f64 {
    for _ in 0..200 {
        let rate = limiter.current_rate(key).await.unwrap();
        if rate < below {
            return rate;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the rate of {key:?} never dropped below {below}");
}

#[tokio::test]
async fn a_throttle_answer_slows_every_process() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let one = limiter(&server).await;
    let other = limiter(&server).await;
    let lane = RateKey::api(APP, Api::BlackListAdd);
    assert_eq!(other.current_rate(lane).await.unwrap(), f64::from(RATE));

    let sent_before = Instant::now();
    one.on_throttled(lane, sent_before);
    // The update travels in the background; the other process sees the lower rate.
    let throttled = rate_below(&other, lane, f64::from(RATE)).await;
    assert!(
        (70.0..75.0).contains(&throttled),
        "70% of the rate, climbing back: {throttled}"
    );
    // The other process's calls are now spaced wider than the nominal interval.
    let Grant::Shared { slot: first } = other.acquire_grant(lane).await.unwrap() else {
        panic!("Redis is up")
    };
    let Grant::Shared { slot: second } = other.acquire_grant(lane).await.unwrap() else {
        panic!("Redis is up")
    };
    let nominal_interval = Duration::from_secs(1) / RATE;
    assert!(
        second - first > nominal_interval,
        "interval {:?} after a throttle answer",
        second - first
    );

    // An answer to a call sent before this process slowed down is an echo of the same
    // episode: no second cut.
    one.on_throttled(lane, sent_before);
    // The updates travel in the background; give them ample time to land.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let echoed = one.current_rate(lane).await.unwrap();
    assert!(echoed >= throttled, "{echoed} after echoes of {throttled}");

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

    // The rate climbs back.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let later = one.current_rate(lane).await.unwrap();
    assert!(later > echoed, "{later} after {echoed}");

    // The throttle state outlives the ten-second recovery, and no longer.
    let mut redis = raw_connection(&server.url()).await;
    let ttl: i64 = redis.pttl(one.lane_key(lane)).await.unwrap();
    assert!((9_000..=11_000).contains(&ttl), "pttl {ttl}");
}

#[tokio::test]
async fn the_rate_climbs_back_linearly_over_ten_seconds() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let limiter = limiter(&server).await;
    let lane = RateKey::api(APP, Api::BlackListDelete);
    let lane_key = limiter.lane_key(lane);
    let mut redis = raw_connection(&server.url()).await;
    let (seconds, micros): (i64, i64) = redis::cmd("TIME").query_async(&mut redis).await.unwrap();
    let now = seconds * 1_000_000 + micros;

    // A throttle answer five seconds ago, at 40 calls/s: halfway back to 100.
    let () = redis
        .hset_multiple(
            &lane_key,
            &[
                ("throttled_rate", "40".to_owned()),
                ("throttled_at", (now - 5_000_000).to_string()),
            ],
        )
        .await
        .unwrap();
    let halfway = limiter.current_rate(lane).await.unwrap();
    assert!((70.0..70.5).contains(&halfway), "{halfway}");

    // Eleven seconds ago: fully recovered.
    let () = redis
        .hset(&lane_key, "throttled_at", (now - 11_000_000).to_string())
        .await
        .unwrap();
    assert_eq!(limiter.current_rate(lane).await.unwrap(), f64::from(RATE));

    // Never below 5% of nominal, however low the stored rate.
    let () = redis
        .hset_multiple(
            &lane_key,
            &[
                ("throttled_rate", "0.01".to_owned()),
                ("throttled_at", now.to_string()),
            ],
        )
        .await
        .unwrap();
    assert_eq!(limiter.current_rate(lane).await.unwrap(), 5.0);
}
