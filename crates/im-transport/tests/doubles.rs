//! The test doubles behave as documented, seen through `Arc<dyn Transport>`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use im_transport::test_util::{FnTransport, NeverTransport, ReplayTransport, json_response};
use im_transport::{Transport, TransportError, TransportErrorKind};

fn request(body: &'static str) -> http::Request<Bytes> {
    http::Request::post("https://example.com/v4/sns/black_list_add?sdkappid=1400000000&usersig=sig")
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Bytes::from_static(body.as_bytes()))
        .unwrap()
}

#[tokio::test]
async fn replay_answers_in_order_and_records_every_request() {
    let replay = ReplayTransport::new()
        .then_status(502)
        .then_error(TransportError::timeout())
        .then_json(200, r#"{"ActionStatus":"OK","ErrorCode":0}"#);
    let transport: Arc<dyn Transport> = Arc::new(replay.clone());

    let first = transport.send(request(r#"{"n":1}"#)).await.unwrap();
    let second = transport.send(request(r#"{"n":2}"#)).await.unwrap_err();
    let third = transport.send(request(r#"{"n":3}"#)).await.unwrap();

    assert_eq!(first.status(), 502);
    assert!(first.body().is_empty());
    assert!(second.is_timeout());
    assert_eq!(third.status(), 200);
    assert_eq!(third.headers()["content-type"], "application/json");
    assert_eq!(third.body(), r#"{"ActionStatus":"OK","ErrorCode":0}"#);

    let recorded = replay.requests();
    assert_eq!(recorded.len(), 3);
    let numbers: Vec<_> = recorded
        .iter()
        .map(|r| r.body_json().unwrap()["n"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [1, 2, 3]);
    assert_eq!(recorded[0].method, http::Method::POST);
    assert_eq!(recorded[0].uri.path(), "/v4/sns/black_list_add");
    assert_eq!(recorded[0].query_param("sdkappid"), Some("1400000000"));
    assert_eq!(recorded[0].query_param("missing"), None);
    assert_eq!(recorded[0].headers["content-type"], "application/json");
    assert_eq!(replay.remaining(), 0);
}

#[tokio::test]
#[should_panic(
    expected = "request #2 (POST /v4/sns/black_list_add) arrived after the script's 1 steps ran out"
)]
async fn a_strict_replay_fails_the_test_at_a_request_after_the_script() {
    let replay = ReplayTransport::new().then_status(200);

    replay.send(request("{}")).await.unwrap();
    let _ = replay.send(request("{}")).await;
}

#[tokio::test]
async fn the_strict_message_does_not_show_the_query() {
    let replay = ReplayTransport::new();
    let task = tokio::spawn({
        let replay = replay.clone();
        async move { replay.send(request("{}")).await }
    });

    let panic = task.await.unwrap_err().into_panic();
    let message = panic.downcast_ref::<String>().unwrap();

    assert!(message.contains("script's 0 steps"), "{message}");
    assert!(!message.contains("usersig"), "{message}");
    assert_eq!(replay.requests().len(), 1, "the extra request is recorded");
}

#[tokio::test]
async fn a_lenient_replay_answers_an_error_when_the_script_runs_out() {
    let replay = ReplayTransport::new().then_status(200).lenient();

    replay.send(request("{}")).await.unwrap();
    let error = replay.send(request("{}")).await.unwrap_err();

    assert_eq!(error.kind(), TransportErrorKind::Other);
    let cause = std::error::Error::source(&error).map(ToString::to_string);
    assert_eq!(cause.as_deref(), Some("replay script exhausted"));
    assert_eq!(
        replay.requests().len(),
        2,
        "the extra request is recorded too"
    );
    replay.assert_done();
}

#[tokio::test]
async fn assert_done_passes_when_every_step_was_used() {
    let replay = ReplayTransport::new().then_status(200).then_status(502);

    replay.send(request("{}")).await.unwrap();
    replay.send(request("{}")).await.unwrap();

    replay.assert_done();
}

#[tokio::test]
#[should_panic(expected = "1 of 2 scripted steps unused (1 requests received)")]
async fn assert_done_fails_when_a_step_is_left() {
    let replay = ReplayTransport::new().then_status(200).then_status(502);

    replay.send(request("{}")).await.unwrap();

    replay.assert_done();
}

#[tokio::test]
#[should_panic(
    expected = "requests arrived after the script's 0 steps ran out: POST /v4/sns/black_list_add"
)]
async fn assert_done_fails_after_an_overrun_whose_panic_was_caught() {
    let replay = ReplayTransport::new();
    let task = tokio::spawn({
        let replay = replay.clone();
        async move { replay.send(request("{}")).await }
    });
    assert!(task.await.is_err(), "the request panicked in its task");

    replay.assert_done();
}

#[tokio::test]
async fn then_answer_takes_anything_that_becomes_a_response() {
    let replay = ReplayTransport::new().then_answer(json_response(http::StatusCode::OK, "{}"));

    let response = replay.send(request("{}")).await.unwrap();

    assert_eq!(response.body(), "{}");
    replay.assert_done();
}

#[tokio::test]
async fn replay_rejects_an_invalid_status_when_the_step_runs() {
    let replay = ReplayTransport::new().then_status(1000);

    let error = replay.send(request("{}")).await.unwrap_err();

    assert_eq!(error.kind(), TransportErrorKind::Other);
}

#[tokio::test(start_paused = true)]
async fn a_delayed_step_outlasts_a_shorter_deadline_and_is_spent() {
    let replay = ReplayTransport::new()
        .then_after(
            Duration::from_secs(30),
            Ok(json_response(http::StatusCode::OK, "late")),
        )
        .then_after(
            Duration::from_secs(1),
            Ok(json_response(http::StatusCode::OK, "on time")),
        );

    let first = tokio::time::timeout(Duration::from_secs(5), replay.send(request("{}"))).await;
    let second = tokio::time::timeout(Duration::from_secs(5), replay.send(request("{}"))).await;

    assert!(first.is_err(), "the 30 s step must not answer within 5 s");
    assert_eq!(second.unwrap().unwrap().body(), "on time");
    assert_eq!(replay.requests().len(), 2);
}

#[tokio::test]
async fn fn_transport_works_as_a_shared_trait_object() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let transport: Arc<dyn Transport> = Arc::new(FnTransport::new(move |request| {
        let call = counter.fetch_add(1, Ordering::SeqCst) + 1;
        async move {
            if request.uri().path() == "/fail" {
                return Err(TransportError::connect(std::io::Error::from(
                    std::io::ErrorKind::ConnectionRefused,
                )));
            }
            let body = format!("call {call}: {}", String::from_utf8_lossy(request.body()));
            Ok(json_response(http::StatusCode::OK, body))
        }
    }));

    let response = transport.send(request("hello")).await.unwrap();
    let failing = http::Request::get("https://example.com/fail")
        .body(Bytes::new())
        .unwrap();
    let error = transport.send(failing).await.unwrap_err();

    assert_eq!(response.body(), "call 1: hello");
    assert!(error.is_connect());
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn fn_transport_from_sync_and_boxed_transports() {
    let transport: Box<dyn Transport> = Box::new(FnTransport::from_sync(|request| {
        Ok(json_response(
            http::StatusCode::CREATED,
            request.into_body(),
        ))
    }));
    // A boxed transport is itself a transport, so it can be wrapped again.
    let shared: Arc<dyn Transport> = Arc::new(transport);

    let response = shared.send(request("[1]")).await.unwrap();

    assert_eq!(response.status(), http::StatusCode::CREATED);
    assert_eq!(response.body(), "[1]");
}

#[tokio::test(start_paused = true)]
async fn never_transport_never_answers_but_counts_calls() {
    let never = NeverTransport::new();
    let transport: Arc<dyn Transport> = Arc::new(never.clone());

    let result = tokio::time::timeout(Duration::from_secs(60), transport.send(request("{}"))).await;

    assert!(result.is_err());
    assert_eq!(never.calls(), 1);
}
