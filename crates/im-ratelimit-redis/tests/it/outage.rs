//! Redis going away mid-run: the chosen behaviour happens, and the limiter comes back.

use std::error::Error as _;
use std::sync::Arc;
use std::time::Duration;

use im_client::{Client, Endpoint, Error, RateKey, RateLimiter, Region, SecretKey, Signer};
use im_protocol::Api;
use im_ratelimit_redis::{Grant, RedisLimiterError, RedisRateLimiter, Unavailable};
use im_transport::test_util::ReplayTransport;
use serde_json::json;

use crate::support::{Logs, RedisServer, silent_server};

const APP: u64 = 1_400_000_001;
const API: Api = Api::BlackListAdd;
const KEY: RateKey<'static> = RateKey::api(APP, API);

/// Acquires until a call is granted by Redis again; panics after `attempts` calls.
async fn until_shared(limiter: &RedisRateLimiter, attempts: usize) -> usize {
    for attempt in 1..=attempts {
        match limiter.acquire_grant(KEY).await {
            Ok(Grant::Shared { .. }) => return attempt,
            Ok(_) | Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
    panic!("the limiter did not return to Redis within {attempts} calls");
}

#[tokio::test]
#[cfg_attr(redis_server_missing, ignore = "needs redis-server")]
async fn with_fallback_calls_are_paced_locally_until_redis_returns() {
    let mut server = RedisServer::start();
    let (logs, _guard) = Logs::capture();
    let limiter = RedisRateLimiter::connect(&server.url())
        .await
        .unwrap()
        .calls_per_second(100)
        .recheck_interval(Duration::from_millis(100))
        .on_unavailable(Unavailable::FallBackToLocal);
    for _ in 0..5 {
        assert!(matches!(
            limiter.acquire_grant(KEY).await.unwrap(),
            Grant::Shared { .. }
        ));
    }

    server.kill();
    let mut local = 0;
    for _ in 0..30 {
        // Through the trait, as the client calls it: never an error.
        limiter.acquire(KEY).await.unwrap();
        if limiter.acquire_grant(KEY).await.unwrap() == Grant::Local {
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
#[cfg_attr(redis_server_missing, ignore = "needs redis-server")]
async fn with_fail_calls_fail_until_redis_returns() {
    let mut server = RedisServer::start();
    let limiter = Arc::new(
        RedisRateLimiter::connect(&server.url())
            .await
            .unwrap()
            .on_unavailable(Unavailable::Fail),
    );
    limiter.acquire(KEY).await.unwrap();
    // A client pacing its calls with the limiter; its transport records every request that
    // starts, and answers the first one.
    let transport = ReplayTransport::new()
        .then_json(200, r#"{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}"#);
    let body = json!({"From_Account": "alice", "To_Account": ["bob"]});
    let client = Client::builder(
        Signer::new(APP, "administrator", SecretKey::from("app key")),
        Arc::new(transport.clone()),
        Endpoint::region(Region::Singapore),
    )
    .rate_limiter(limiter.clone())
    .build();

    server.kill();
    for _ in 0..3 {
        // Through the trait: the limiter's own error, wrapped.
        let refused = limiter.acquire(KEY).await.unwrap_err();
        let cause = refused
            .cause()
            .downcast_ref::<RedisLimiterError>()
            .expect("the cause is the limiter's error");
        assert!(cause.is_unavailable(), "{cause:?}");

        // Through the client: the call fails before anything is sent.
        let error = client.call_json(API.path(), &body).await.unwrap_err();
        assert_eq!(error.request_id(), None, "nothing was sent");
        let Error::RateLimiter(refused) = error.last() else {
            panic!("expected a rate-limiter error, got {error:?}")
        };
        let cause = refused
            .source()
            .and_then(|source| source.downcast_ref::<RedisLimiterError>())
            .expect("the source is the limiter's error");
        assert!(cause.is_unavailable(), "{cause:?}");
        assert!(!error.is_retryable());
    }
    assert_eq!(transport.requests().len(), 0, "no call started unpaced");

    server.restart();
    until_shared(&limiter, 100).await;
    limiter.acquire(KEY).await.unwrap();
    client.call_json(API.path(), &body).await.unwrap();
    assert_eq!(transport.requests().len(), 1, "calls start again");
}

#[tokio::test]
async fn a_hung_redis_falls_back_after_the_operation_timeout() {
    let url = silent_server();
    let limiter = RedisRateLimiter::connect_lazy(&url)
        .unwrap()
        .operation_timeout(Duration::from_millis(100));
    assert_eq!(limiter.acquire_grant(KEY).await.unwrap(), Grant::Local);

    let failing = RedisRateLimiter::connect_lazy(&url)
        .unwrap()
        .operation_timeout(Duration::from_millis(100))
        .on_unavailable(Unavailable::Fail);
    let error = failing.acquire_grant(KEY).await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
}

#[tokio::test]
async fn connect_reports_an_unreachable_redis() {
    let port = crate::support::free_port();
    let error = RedisRateLimiter::connect(&format!("redis://127.0.0.1:{port}/"))
        .await
        .unwrap_err();
    assert!(error.is_unavailable(), "{error:?}");
}
