//! Each app and each API has its own lane.

use std::time::Duration;

use im_client::RateKey;
use im_protocol::Api;
use im_ratelimit_redis::{Grant, RedisRateLimiter};
use redis::AsyncCommands;

use crate::support::{RedisServer, raw_connection};

const APP: u64 = 1_400_000_001;
const OTHER_APP: u64 = 1_400_000_002;

/// The slot Redis granted, and how long the call waited for it.
fn slot(grant: Grant) -> (Duration, Duration) {
    match grant {
        Grant::Shared { slot, wait } => (slot, wait),
        other => panic!("Redis was up, yet a call was granted {other:?}"),
    }
}

#[tokio::test]
#[cfg_attr(redis_server_missing, ignore = "needs redis-server")]
async fn other_apps_and_apis_are_not_slowed() {
    let server = RedisServer::start();
    // One call per second: a call in a shared lane would wait a whole second.
    // One limiter serves both apps; another key prefix is another set of lanes.
    let limiter = RedisRateLimiter::connect(&server.url())
        .await
        .unwrap()
        .calls_per_second(1);
    let other_prefix = RedisRateLimiter::connect(&server.url())
        .await
        .unwrap()
        .calls_per_second(1)
        .key_prefix("staging:rate");
    let interval = Duration::from_secs(1);
    let add = RateKey::api(APP, Api::BlackListAdd);

    let (first, _) = slot(limiter.acquire_grant(add).await.unwrap());
    let other_app = slot(
        limiter
            .acquire_grant(RateKey::api(OTHER_APP, Api::BlackListAdd))
            .await
            .unwrap(),
    );
    let other_api = slot(
        limiter
            .acquire_grant(RateKey::api(APP, Api::BlackListCheck))
            .await
            .unwrap(),
    );
    let other_keys = slot(other_prefix.acquire_grant(add).await.unwrap());
    // A lane of its own is free: granted at once, whatever the time between the calls.
    for (lane, (_, wait)) in [
        ("another app", other_app),
        ("another API", other_api),
        ("another key prefix", other_keys),
    ] {
        assert_eq!(wait, Duration::ZERO, "{lane} waited for app 1's add lane");
    }
    let (second, _) = slot(limiter.acquire_grant(add).await.unwrap());
    assert!(second >= first + interval, "the same lane is paced");

    let mut redis = raw_connection(&server.url()).await;
    let mut keys: Vec<String> = redis.keys("*").await.unwrap();
    keys.sort();
    assert_eq!(
        keys,
        [
            "staging:rate:1400000001:v4/sns/black_list_add",
            "tim:rate:1400000001:v4/sns/black_list_add",
            "tim:rate:1400000001:v4/sns/black_list_check",
            "tim:rate:1400000002:v4/sns/black_list_add",
        ]
    );
    assert_eq!(
        limiter.lane_key(add),
        "tim:rate:1400000001:v4/sns/black_list_add"
    );
    assert_eq!(
        limiter.lane_key(RateKey::api(OTHER_APP, Api::BlackListAdd)),
        "tim:rate:1400000002:v4/sns/black_list_add"
    );
    // Idle lanes expire: a key outlives its last slot by about a second.
    let ttl: i64 = redis
        .pttl(limiter.lane_key(RateKey::api(APP, Api::BlackListCheck)))
        .await
        .unwrap();
    assert!((1..=2000).contains(&ttl), "pttl {ttl}");
}
