//! Redis going away mid-run: the chosen behaviour happens, and the limiter comes back.

use std::time::Duration;

use im_blocklist::{Error, RateLimiter};
use im_protocol::Api;
use im_ratelimit_redis::{Grant, RedisLimiterError, RedisRateLimiter, Unavailable};

use crate::support::{Logs, RedisServer, silent_server};

const API: Api = Api::BlackListAdd;

/// Acquires until a call is granted by Redis again; panics after `attempts` calls.
async fn until_shared(limiter: &RedisRateLimiter, attempts: usize) -> usize {
    for attempt in 1..=attempts {
        match limiter.acquire_grant(API).await {
            Ok(Grant::Shared { .. }) => return attempt,
            Ok(_) | Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
    panic!("the limiter did not return to Redis within {attempts} calls");
}

#[tokio::test]
async fn with_fallback_calls_are_paced_locally_until_redis_returns() {
    let Some(mut server) = RedisServer::start() else {
        return;
    };
    let (logs, _guard) = Logs::capture();
    let limiter = RedisRateLimiter::connect(&server.url(), 1_400_000_001)
        .await
        .unwrap()
        .calls_per_second(100)
        .recheck_interval(Duration::from_millis(100))
        .on_unavailable(Unavailable::FallBackToLocal);
    for _ in 0..5 {
        assert!(matches!(
            limiter.acquire_grant(API).await.unwrap(),
            Grant::Shared { .. }
        ));
    }

    server.kill();
    let mut local = 0;
    for _ in 0..30 {
        // Through the trait, as the blocklist client calls it: never an error.
        limiter.acquire(API).await.unwrap();
        if limiter.acquire_grant(API).await.unwrap() == Grant::Local {
            local += 1;
        }
    }
    assert!(local >= 25, "only {local} of 30 calls were paced locally");
    let warnings = logs.text().matches("cannot use Redis").count();
    assert_eq!(warnings, 1, "one warning per outage:\n{}", logs.text());
    assert!(logs.text().contains("WARN"), "{}", logs.text());

    server.restart();
    until_shared(&limiter, 100).await;
    assert!(
        logs.text().contains("Redis answers again"),
        "{}",
        logs.text()
    );
}

#[tokio::test]
async fn with_fail_calls_fail_until_redis_returns() {
    let Some(mut server) = RedisServer::start() else {
        return;
    };
    let limiter = RedisRateLimiter::connect(&server.url(), 1_400_000_001)
        .await
        .unwrap()
        .on_unavailable(Unavailable::Fail);
    limiter.acquire(API).await.unwrap();

    server.kill();
    for _ in 0..3 {
        let error = limiter.acquire(API).await.unwrap_err();
        let Error::RateLimiter(cause) = &error else {
            panic!("expected a rate-limiter error, got {error:?}")
        };
        let cause = cause
            .downcast_ref::<RedisLimiterError>()
            .expect("the cause is the limiter's error");
        assert!(cause.is_unavailable(), "{cause:?}");
        assert!(!error.is_retryable());
    }

    server.restart();
    until_shared(&limiter, 100).await;
    limiter.acquire(API).await.unwrap();
}

#[tokio::test]
async fn a_hung_redis_falls_back_after_the_operation_timeout() {
    let url = silent_server();
    let limiter = RedisRateLimiter::connect_lazy(&url, 1_400_000_001)
        .unwrap()
        .operation_timeout(Duration::from_millis(100));
    assert_eq!(limiter.acquire_grant(API).await.unwrap(), Grant::Local);

    let failing = RedisRateLimiter::connect_lazy(&url, 1_400_000_001)
        .unwrap()
        .operation_timeout(Duration::from_millis(100))
        .on_unavailable(Unavailable::Fail);
    let error = failing.acquire_grant(API).await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
}

#[tokio::test]
async fn connect_reports_an_unreachable_redis() {
    let port = crate::support::free_port();
    let error = RedisRateLimiter::connect(&format!("redis://127.0.0.1:{port}/"), 1)
        .await
        .unwrap_err();
    assert!(error.is_unavailable(), "{error:?}");
}
