//! What an operator gets from a call: errors that say what happened, per-attempt timeouts,
//! per-call overrides, Retry-After, one budget per app and API, the User-Agent.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use im_client::{
    AdaptivePacer, Client, Endpoint, Error, GiveUpReason, RetryPolicy, SecretKey, Signer,
};
use im_emulator::Emulator;
use im_protocol::{Api, ErrorCode, GetBlocklistRequest};
use im_transport::test_util::{FnTransport, NeverTransport, ReplayTransport};
use serde_json::json;
use tokio::time::Instant;

use crate::support::{builder, fail, ok};

const KEY: &str = "app key";

#[tokio::test(start_paused = true)]
async fn a_failed_call_names_its_code_attempts_and_request_id_and_stays_short() {
    let huge = format!(
        r#"{{"ActionStatus":"FAIL","ErrorCode":70009,"ErrorInfo":"{}"}}"#,
        "x".repeat(3 << 20)
    );
    let replay = ReplayTransport::new().then_json(200, huge);
    let client = builder(Arc::new(replay.clone())).build();

    let error = client
        .call_json("v4/openim/sendmsg", &json!({}))
        .await
        .expect_err("70009 is fatal");

    let report = error.report();
    assert!(
        report.starts_with(
            "v4/openim/sendmsg failed: service error 70009 SIG_VERIFICATION_FAILED: xxx"
        ),
        "{}",
        &report[..100]
    );
    assert!(report.len() < 1_000, "{} bytes", report.len());
    assert!(report.contains("more bytes)"));
    assert_eq!(error.code(), Some(ErrorCode::SIG_VERIFICATION_FAILED));
    assert_eq!((error.attempts(), error.gave_up()), (1, None));
    assert!(!error.is_retryable() && !error.is_rate_limited() && !error.is_timeout());
    let sent = &replay.requests()[0];
    let request_id = error.request_id().expect("sent");
    assert_eq!(
        sent.query_param("random"),
        Some(request_id.to_string().as_str())
    );
    assert!(report.contains(&format!("request id {request_id}")));
    // Neither the URL, the UserSig nor the key is in the message.
    let usersig = sent.query_param("usersig").expect("signed");
    for secret in [usersig, KEY, "usersig", "https://"] {
        assert!(!report.contains(secret), "{secret}");
        assert!(!format!("{error:?}").contains(usersig));
    }
}

#[tokio::test(start_paused = true)]
async fn a_call_given_up_on_after_rate_limit_answers_is_still_retryable() {
    let mut replay = ReplayTransport::new();
    for _ in 0..5 {
        replay = replay.then_json(200, fail(60007));
    }
    let client = builder(Arc::new(replay.clone())).build();

    let error = client
        .call(&GetBlocklistRequest::first_page("alice", 10))
        .await
        .expect_err("every attempt was refused");

    assert_eq!(error.gave_up(), Some(GiveUpReason::AttemptsExhausted));
    assert_eq!(error.attempts(), 5);
    assert!(error.is_rate_limited());
    assert!(error.is_retryable(), "a later call could succeed");
    assert!(
        error.to_string().contains("60007 API_RATE_LIMITED"),
        "{error}"
    );
}

#[tokio::test(start_paused = true)]
async fn an_attempt_that_never_answers_is_cut_at_the_attempt_timeout() {
    let never = NeverTransport::new();
    let client = builder(Arc::new(never.clone())).build();
    let started = Instant::now();

    let error = client
        .call(&GetBlocklistRequest::first_page("alice", 10))
        .await
        .expect_err("nothing answers");

    // 30 s deadline, 10 s per attempt: three attempts, not one that eats the deadline.
    assert_eq!(never.calls(), 3);
    assert_eq!(error.attempts(), 3);
    assert!(error.is_timeout());
    assert_eq!(error.gave_up(), Some(GiveUpReason::DeadlineExceeded));
    assert!(started.elapsed() <= Duration::from_secs(30));
    assert!(matches!(error.last(), Error::Transport(t) if t.is_timeout()));
}

#[tokio::test(start_paused = true)]
async fn a_call_can_have_its_own_deadline_and_policy() {
    let never = NeverTransport::new();
    let client = builder(Arc::new(never.clone())).build();
    let started = Instant::now();

    let hurried = client.with_deadline(Duration::from_secs(2));
    let error = hurried
        .call(&GetBlocklistRequest::first_page("alice", 10))
        .await
        .expect_err("nothing answers");

    assert_eq!(started.elapsed(), Duration::from_secs(2));
    assert_eq!(error.attempts(), 1);
    assert!(error.is_timeout());
    // The original client keeps its policy.
    assert_eq!(client.retry_policy().deadline(), Duration::from_secs(30));
    let once = client.with_retry_policy(RetryPolicy::never());
    let replay = ReplayTransport::new().then_status(502);
    let single = builder(Arc::new(replay.clone()))
        .build()
        .with_retry_policy(RetryPolicy::never());
    let error = single
        .call(&GetBlocklistRequest::first_page("alice", 10))
        .await
        .expect_err("one 502");
    assert_eq!((error.attempts(), error.http_status()), (1, Some(502)));
    assert_eq!(once.retry_policy().max_attempts(), 1);
}

#[tokio::test(start_paused = true)]
async fn every_request_names_the_sdk_in_its_user_agent() {
    let replay = ReplayTransport::new().then_json(200, ok(""));
    let client = builder(Arc::new(replay.clone())).build();

    client
        .call_json("v4/openim/sendmsg", &json!({}))
        .await
        .expect("answered");

    let sent = &replay.requests()[0];
    let agent = sent.headers["user-agent"].to_str().expect("ASCII");
    assert_eq!(agent, concat!("im-client/", env!("CARGO_PKG_VERSION")));
}

/// A transport answering 503 with `Retry-After: 2` until `until`, then 200, recording when
/// each request arrived.
fn unavailable_until(until: Instant, arrivals: Arc<Mutex<Vec<Instant>>>) -> FnTransport {
    FnTransport::from_sync(move |_request| {
        let now = Instant::now();
        arrivals.lock().expect("not poisoned").push(now);
        let mut response = if now < until {
            let mut response = http::Response::new(Bytes::from_static(b"busy"));
            *response.status_mut() = http::StatusCode::SERVICE_UNAVAILABLE;
            response.headers_mut().insert(
                http::header::RETRY_AFTER,
                http::HeaderValue::from_static("2"),
            );
            response
        } else {
            http::Response::new(Bytes::from(ok(
                r#""BlackListItem":[],"StartIndex":0,"CurruentSequence":1"#,
            )))
        };
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        Ok(response)
    })
}

#[tokio::test(start_paused = true)]
async fn retry_after_holds_back_every_caller_of_the_app_and_api() {
    let start = Instant::now();
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    let transport = Arc::new(unavailable_until(
        start + Duration::from_secs(3),
        Arc::clone(&arrivals),
    ));
    let pacer: Arc<AdaptivePacer> = Arc::new(AdaptivePacer::documented());
    let client = |transport: Arc<FnTransport>| {
        builder(transport)
            .rate_limiter(Arc::clone(&pacer) as Arc<dyn im_client::RateLimiter>)
            .build()
    };
    let first = client(Arc::clone(&transport));
    let second = client(Arc::clone(&transport));
    let request = GetBlocklistRequest::first_page("alice", 10);

    let one = tokio::spawn({
        let request = request.clone();
        async move { first.call(&request).await }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let two = second.call(&request).await;

    assert!(two.is_ok(), "{two:?}");
    assert!(one.await.expect("ran").is_ok());
    let arrivals = arrivals.lock().expect("not poisoned").clone();
    // 0 s: 503; 2 s: 503 (both callers held back until then); 4 s: answered.
    let seconds: Vec<u64> = arrivals.iter().map(|at| (*at - start).as_secs()).collect();
    assert!(arrivals.len() <= 4, "{seconds:?}");
    assert!(
        arrivals[1..]
            .iter()
            .all(|at| *at - start >= Duration::from_secs(2)),
        "no request between the first 503 and its Retry-After: {seconds:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_beyond_the_deadline_ends_the_call_at_once() {
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    let transport = unavailable_until(
        Instant::now() + Duration::from_secs(60),
        Arc::clone(&arrivals),
    );
    let client = builder(Arc::new(transport))
        .build()
        .with_deadline(Duration::from_secs(1));
    let started = Instant::now();

    let error = client
        .call(&GetBlocklistRequest::first_page("alice", 10))
        .await
        .expect_err("unavailable");

    assert_eq!(started.elapsed(), Duration::ZERO);
    assert_eq!(error.gave_up(), Some(GiveUpReason::DeadlineExceeded));
    assert!(matches!(
        error.last(),
        Error::HttpStatus { status: 503, retry_after: Some(wait) } if *wait == Duration::from_secs(2)
    ));
    assert!(
        error
            .to_string()
            .contains("HTTP status 503, Retry-After 2 s"),
        "{error}"
    );
}

#[tokio::test(start_paused = true)]
async fn two_clients_of_one_app_share_one_budget_by_default() {
    // An app of this test alone: the default pacer is process-wide.
    const APP: u64 = 1_400_777_001;
    let emulator = Emulator::builder()
        .sdkappid(APP)
        .key(SecretKey::from(KEY))
        .build()
        .expect("emulator");
    let client = || {
        let signer = Signer::new(APP, "administrator", SecretKey::from(KEY));
        Client::builder(
            signer,
            emulator.transport(),
            Endpoint::custom_insecure_http("http://emulator.invalid").expect("URL"),
        )
        .build()
    };
    let calls = |client: Client| async move {
        for _ in 0..150 {
            let body = json!({"CheckItem": [{"UserID": "bob"}]});
            client
                .call_json(Api::AccountCheck.path(), &body)
                .await
                .expect("answered");
        }
    };

    tokio::join!(calls(client()), calls(client()));

    let times: Vec<Instant> = emulator
        .requests()
        .iter()
        .filter(|request| request.api == Some(Api::AccountCheck))
        .map(|request| {
            assert!(
                !request.rejected_by_rate_limit,
                "refused at {:?}",
                request.at
            );
            request.at
        })
        .collect();
    assert_eq!(times.len(), 300);
    let limit = Api::AccountCheck.default_calls_per_second() as usize;
    let busiest = times
        .iter()
        .map(|start| {
            times
                .iter()
                .filter(|at| **at >= *start && **at - *start < Duration::from_secs(1))
                .count()
        })
        .max()
        .unwrap_or_default();
    assert!(
        busiest <= limit,
        "{busiest} calls in one second, limit {limit}"
    );
}
