//! The framework-free handler: `WebhookHandler::handle` and `handle`.

use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use im_webhook::{
    Callback, CallbackQuery, Event, Pair, Reply, Token, Verifier, WebhookHandler, handle,
};

const APP: u64 = 1_400_000_000;
const TOKEN: &str = "xxxxyyyy";
const TIME: u64 = 1_669_872_112;
const ADD: &str = include_str!("data/blocklist-add.json");
const OK_REPLY: &str = r#"{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}"#;

/// What the application's function saw.
#[derive(Default)]
struct Seen {
    calls: AtomicUsize,
    events: Mutex<Vec<Event>>,
}

/// The answer of a handler, boxed so the tests can name it.
type Answer = Pin<Box<dyn Future<Output = http::Response<Bytes>>>>;

/// A handler at a fixed time whose function records each event and answers `reply`.
fn recording_handler(reply: Reply) -> (impl Fn(Request<Bytes>) -> Answer, Arc<Seen>) {
    let seen = Arc::new(Seen::default());
    let recorder = Arc::clone(&seen);
    let handler = WebhookHandler::new(Verifier::new(APP, Token::new(TOKEN)), move |event| {
        let recorder = Arc::clone(&recorder);
        let reply = reply.clone();
        async move {
            recorder.calls.fetch_add(1, Ordering::SeqCst);
            recorder.events.lock().unwrap().push(event);
            reply
        }
    })
    .with_clock(|| TIME)
    .with_body_limit(4096);
    let call = move |request: Request<Bytes>| {
        let handler = handler.clone();
        Box::pin(async move { handler.handle(request).await }) as Answer
    };
    (call, seen)
}

fn signed_query() -> CallbackQuery {
    CallbackQuery::new(APP, "Sns.CallbackBlackListAdd")
        .with_client_ip("127.0.0.1")
        .with_platform("RESTAPI")
        .signed(&Token::new(TOKEN), TIME)
}

fn post(query: &str, body: impl Into<Bytes>) -> Request<Bytes> {
    Request::builder()
        .method(Method::POST)
        .uri(format!("/im/callback?{query}"))
        .body(body.into())
        .unwrap()
}

fn json(body: &[u8]) -> serde_json::Value {
    serde_json::from_slice(body).unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_valid_callback_reaches_the_function_once_and_gets_the_documented_reply() {
    let (handle, seen) = recording_handler(Reply::ok());
    let response = handle(post(&signed_query().to_query_string(), ADD)).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.body(), OK_REPLY);
    assert_eq!(seen.calls.load(Ordering::SeqCst), 1);
    assert_eq!(
        *seen.events.lock().unwrap(),
        vec![Event::BlocklistAdded {
            pairs: vec![Pair::new("id", "id1"), Pair::new("id", "id2")]
        }]
    );
}

#[tokio::test(start_paused = true)]
async fn the_functions_failure_reply_is_sent_with_200() {
    let (handle, seen) = recording_handler(Reply::fail("database down"));
    let response = handle(post(&signed_query().to_query_string(), ADD)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.body(),
        r#"{"ActionStatus":"FAIL","ErrorCode":1,"ErrorInfo":"database down"}"#
    );
    assert_eq!(seen.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn an_unknown_command_reaches_the_function_as_unknown() {
    let (handle, seen) = recording_handler(Reply::ok());
    let query = CallbackQuery::new(APP, "State.StateChange").signed(&Token::new(TOKEN), TIME);
    let body = include_str!("data/state-change.json");
    let response = handle(post(&query.to_query_string(), body)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let events = seen.events.lock().unwrap();
    assert!(
        matches!(&events[..], [Event::Unknown { command, body: raw }]
            if command == "State.StateChange" && raw["Info"]["Action"] == "Login"),
        "{events:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn bad_requests_are_answered_with_4xx_and_never_passed_on() {
    let token = Token::new(TOKEN);
    let good = signed_query();
    let with = |change: &dyn Fn(&mut CallbackQuery)| {
        let mut query = good.clone();
        change(&mut query);
        query.to_query_string()
    };
    let good_sign = good.sign.clone().unwrap();
    let mut flipped = good_sign.clone().into_bytes();
    flipped[10] = if flipped[10] == b'0' { b'1' } else { b'0' };
    let flipped = String::from_utf8(flipped).unwrap();

    let cases: Vec<(&str, Request<Bytes>, StatusCode, &str)> = vec![
        (
            "tampered Sign",
            post(&with(&|q| q.sign = Some(flipped.clone())), ADD),
            StatusCode::FORBIDDEN,
            "Sign does not match",
        ),
        (
            "tampered RequestTime",
            post(
                &with(&|q| q.request_time = Some((TIME + 1).to_string())),
                ADD,
            ),
            StatusCode::FORBIDDEN,
            "Sign does not match",
        ),
        (
            "stale",
            post(&with(&|q| *q = q.clone().signed(&token, TIME - 61)), ADD),
            StatusCode::FORBIDDEN,
            "too old",
        ),
        (
            "from the future",
            post(&with(&|q| *q = q.clone().signed(&token, TIME + 61)), ADD),
            StatusCode::FORBIDDEN,
            "in the future",
        ),
        (
            "missing Sign",
            post(&with(&|q| q.sign = None), ADD),
            StatusCode::BAD_REQUEST,
            "Sign is missing",
        ),
        (
            "missing RequestTime",
            post(&with(&|q| q.request_time = None), ADD),
            StatusCode::BAD_REQUEST,
            "RequestTime is missing",
        ),
        (
            "missing SdkAppid",
            post(&with(&|q| q.sdkappid = None), ADD),
            StatusCode::BAD_REQUEST,
            "SdkAppid is missing",
        ),
        (
            "wrong SdkAppid",
            post(&with(&|q| q.sdkappid = Some("1400000001".into())), ADD),
            StatusCode::FORBIDDEN,
            "expected 1400000000",
        ),
        (
            "non-numeric RequestTime",
            post(&with(&|q| q.request_time = Some("now".into())), ADD),
            StatusCode::BAD_REQUEST,
            "RequestTime is invalid",
        ),
        (
            "no query at all",
            Request::post("/im/callback")
                .body(Bytes::from(ADD))
                .unwrap(),
            StatusCode::BAD_REQUEST,
            "SdkAppid is missing",
        ),
        (
            "missing CallbackCommand",
            post(&with(&|q| q.callback_command = None), ADD),
            StatusCode::BAD_REQUEST,
            "CallbackCommand is missing",
        ),
        (
            "body command differs",
            post(
                &with(&|q| q.callback_command = Some("Sns.CallbackBlackListDelete".into())),
                ADD,
            ),
            StatusCode::BAD_REQUEST,
            "differs from the query",
        ),
        (
            "malformed body",
            post(&good.to_query_string(), "{\"PairList\": 5}"),
            StatusCode::BAD_REQUEST,
            "not a valid callback",
        ),
        (
            "empty body",
            post(&good.to_query_string(), ""),
            StatusCode::BAD_REQUEST,
            "not a valid callback",
        ),
        (
            "GET",
            Request::get(format!("/im/callback?{}", good.to_query_string()))
                .body(Bytes::new())
                .unwrap(),
            StatusCode::METHOD_NOT_ALLOWED,
            "method GET is not allowed",
        ),
        (
            "body over the limit",
            post(&good.to_query_string(), vec![b' '; 4097]),
            StatusCode::PAYLOAD_TOO_LARGE,
            "exceeds 4096 bytes",
        ),
    ];

    for (what, request, status, reason) in cases {
        let (handle, seen) = recording_handler(Reply::ok());
        let response = handle(request).await;
        assert_eq!(response.status(), status, "{what}");
        assert_eq!(seen.calls.load(Ordering::SeqCst), 0, "{what}: passed on");
        let body = json(response.body());
        assert_eq!(body["ActionStatus"], "FAIL", "{what}");
        assert_eq!(body["ErrorCode"], 1, "{what}");
        let info = body["ErrorInfo"].as_str().unwrap();
        assert!(info.contains(reason), "{what}: {info}");
        assert!(!info.contains(TOKEN), "{what}: token in {info}");
        assert!(!info.contains(&good_sign), "{what}: Sign in {info}");
        if status == StatusCode::METHOD_NOT_ALLOWED {
            assert_eq!(response.headers()["allow"], "POST");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn the_body_limit_is_inclusive() {
    let (handle, seen) = recording_handler(Reply::ok());
    let mut body = ADD.as_bytes().to_vec();
    body.resize(4096, b' ');
    let response = handle(post(&signed_query().to_query_string(), body)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(seen.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn the_plain_function_needs_no_handler() {
    let verifier = Verifier::new(APP, Token::new(TOKEN));
    let callback = Callback::new(
        APP,
        Event::BlocklistRemoved {
            pairs: vec![Pair::new("a", "b")],
        },
    )
    .signed(&Token::new(TOKEN), TIME);
    let query = callback.query().to_query_string();
    let calls = AtomicUsize::new(0);

    let response = handle(
        &verifier,
        TIME + 10,
        Some(&query),
        &callback.body(),
        async |event| {
            calls.fetch_add(1, Ordering::SeqCst);
            assert_eq!(event.pairs(), Some(&[Pair::new("a", "b")][..]));
            Reply::ok()
        },
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.body(), OK_REPLY);

    let response = handle(
        &verifier,
        TIME + 61,
        Some(&query),
        &callback.body(),
        async |_| {
            calls.fetch_add(1, Ordering::SeqCst);
            Reply::ok()
        },
    )
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn the_system_clock_is_the_default() {
    // A callback signed for the epoch is far outside the window of the real clock.
    let handler = WebhookHandler::new(Verifier::new(APP, Token::new(TOKEN)), |_| async {
        Reply::ok()
    });
    let query = CallbackQuery::new(APP, "Sns.CallbackBlackListAdd").signed(&Token::new(TOKEN), 0);
    let response = handler.handle(post(&query.to_query_string(), ADD)).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(
        json(response.body())["ErrorInfo"]
            .as_str()
            .unwrap()
            .contains("too old")
    );
    assert!(format!("{handler:?}").contains("[REDACTED]"));
    assert!(!format!("{handler:?}").contains(TOKEN));
}
