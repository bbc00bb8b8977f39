//! One call: typed, JSON, retry safety and the fixes of the classification.

use std::sync::Arc;
use std::time::Duration;

use im_client::{ApiInfo, Error, GiveUpReason, RetryPolicy, RetrySafety};
use im_protocol::ErrorCode;
use im_transport::TransportError;
use im_transport::test_util::ReplayTransport;
use serde_json::json;
use tokio::time::Instant;

use crate::support::{APP, builder, fail, ok};

#[tokio::test(start_paused = true)]
async fn call_json_reaches_an_api_that_is_not_a_blocklist_api() {
    let answer = ok(
        r#""ResultItem":[{"UserID":"bob","ResultCode":0,"ResultInfo":"","AccountStatus":"Imported"},
                         {"UserID":"eve","ResultCode":0,"ResultInfo":"","AccountStatus":"NotImported"}]"#,
    );
    let replay = ReplayTransport::new().then_json(200, answer);
    let client = builder(Arc::new(replay.clone())).build();

    let body = json!({"CheckItem": [{"UserID": "bob"}, {"UserID": "eve"}]});
    let answer = client
        .call_json("v4/im_open_login_svc/account_check", &body)
        .await
        .expect("answered");

    assert_eq!(answer["ResultItem"][0]["AccountStatus"], "Imported");
    assert_eq!(answer["ResultItem"][1]["AccountStatus"], "NotImported");
    // The status fields were checked and left out of the answer.
    assert!(answer.get("ActionStatus").is_none());
    let requests = replay.requests();
    assert_eq!(requests.len(), 1);
    let sent = &requests[0];
    assert_eq!(sent.uri.path(), "/v4/im_open_login_svc/account_check");
    assert_eq!(sent.query_param("sdkappid"), Some(APP.to_string().as_str()));
    assert_eq!(sent.query_param("identifier"), Some("administrator"));
    assert_eq!(sent.query_param("contenttype"), Some("json"));
    assert!(
        sent.query_param("usersig")
            .is_some_and(|sig| !sig.is_empty())
    );
    assert_eq!(sent.body_json().expect("JSON body"), body);
}

#[tokio::test(start_paused = true)]
async fn a_path_outside_the_spec_is_unsafe_so_an_ambiguous_failure_is_not_repeated() {
    let replay = ReplayTransport::new()
        .then_status(502)
        .then_json(200, ok(""));
    let client = builder(Arc::new(replay.clone())).build();

    let error = client
        .call_json("v4/openim/sendmsg", &json!({"To_Account": "bob"}))
        .await
        .expect_err("a 502 may hide a sent message");

    assert_eq!(error.http_status(), Some(502), "{error:?}");
    assert_eq!((error.attempts(), error.gave_up()), (1, None));
    assert_eq!(replay.requests().len(), 1, "sent once");
}

#[tokio::test(start_paused = true)]
async fn an_unsafe_api_is_retried_after_a_rate_limit_answer_and_a_refused_connection() {
    let replay = ReplayTransport::new()
        .then_json(200, fail(60007))
        .then_error(TransportError::connect("refused"))
        .then_json(200, ok(r#""MsgTime":1700000000"#));
    let client = builder(Arc::new(replay.clone())).build();

    let answer = client
        .call_json("v4/openim/sendmsg", &json!({"To_Account": "bob"}))
        .await
        .expect("the service did nothing the first two times");

    assert_eq!(answer["MsgTime"], 1_700_000_000);
    assert_eq!(replay.requests().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn the_caller_can_say_a_custom_api_is_safe_to_repeat() {
    let replay = ReplayTransport::new()
        .then_status(502)
        .then_error(TransportError::timeout())
        .then_json(200, ok(r#""ResultItem":[]"#));
    let client = builder(Arc::new(replay.clone())).build();
    let api = ApiInfo::custom("v4/im_open_login_svc/account_check")
        .expect("valid path")
        .with_safety(RetrySafety::Read);

    let answer: serde_json::Value = client
        .call_api(&api, &json!({"CheckItem": []}))
        .await
        .expect("retried");

    assert_eq!(answer["ResultItem"], json!([]));
    assert_eq!(replay.requests().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_request_refused_before_sending_is_not_retried() {
    let replay = ReplayTransport::new()
        .then_error(TransportError::invalid_request("plain http is not allowed"))
        .then_json(200, ok(""));
    let client = builder(Arc::new(replay.clone())).build();
    let api = ApiInfo::custom("v4/x/y")
        .expect("valid")
        .with_safety(RetrySafety::Read);

    let error = client
        .call_api::<_, serde_json::Value>(&api, &json!({}))
        .await
        .expect_err("refused");

    assert!(
        matches!(error.last(), Error::Transport(t) if !t.is_connect()),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    assert_eq!(replay.requests().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_body_that_cannot_be_encoded_is_an_encode_error_and_nothing_is_sent() {
    let replay = ReplayTransport::new().then_json(200, ok(""));
    let client = builder(Arc::new(replay.clone())).build();
    let api = ApiInfo::custom("v4/x/y")
        .expect("valid")
        .with_safety(RetrySafety::Read);
    // A map with non-string keys has no JSON form.
    let body = std::collections::BTreeMap::from([((1, 2), 3)]);

    let error = client
        .call_api::<_, serde_json::Value>(&api, &body)
        .await
        .expect_err("cannot encode");

    assert!(matches!(error, Error::Encode(_)), "{error:?}");
    assert!(replay.requests().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_retry_later_code_waits_longer_than_a_retry_code() {
    // 30006 is `retry`, 30007 is `retry-later` in the catalog.
    let mut waits = Vec::new();
    for code in [30006, 30007] {
        let replay = ReplayTransport::new()
            .then_json(200, fail(code))
            .then_json(200, ok(""));
        let client = builder(Arc::new(replay)).build();
        let api = ApiInfo::custom("v4/x/y")
            .expect("valid")
            .with_safety(RetrySafety::Read);
        let start = Instant::now();
        client
            .call_api::<_, serde_json::Value>(&api, &json!({}))
            .await
            .expect("retried");
        waits.push(start.elapsed());
    }
    assert!(waits[0] < Duration::from_millis(100), "{waits:?}");
    assert!(waits[1] >= Duration::from_secs(2), "{waits:?}");
}

#[tokio::test(start_paused = true)]
async fn retries_stop_at_the_attempt_limit_with_the_last_error() {
    let replay = ReplayTransport::new()
        .then_status(503)
        .then_status(503)
        .then_status(503);
    let client = builder(Arc::new(replay.clone()))
        .retry_policy(RetryPolicy::default().with_max_attempts(3))
        .build();

    let error = client
        .call(&im_protocol::GetBlocklistRequest::first_page("alice", 10))
        .await
        .expect_err("every attempt failed");

    assert_eq!(
        (error.attempts(), error.gave_up()),
        (3, Some(GiveUpReason::AttemptsExhausted))
    );
    assert!(matches!(
        error.last(),
        Error::HttpStatus {
            status: 503,
            retry_after: None
        }
    ));
    assert_eq!(error.code(), None);
    // A 503 is transient: retrying later could succeed, though the engine gave up.
    assert!(error.is_retryable());
    let request_id = error.request_id().expect("the last attempt was sent");
    let last_sent = replay.requests().pop().expect("sent");
    assert_eq!(
        last_sent.query_param("random"),
        Some(request_id.to_string().as_str())
    );
    assert_eq!(
        error.to_string(),
        format!(
            "BlackListGet failed: HTTP status 503 (3 attempts, gave up: attempt limit reached, request id {request_id})"
        )
    );
    assert_eq!(replay.requests().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn an_expired_usersig_is_renewed_once() {
    let replay = ReplayTransport::new()
        .then_json(200, fail(70001))
        .then_json(200, fail(70001))
        .then_json(200, ok(""));
    let client = builder(Arc::new(replay.clone())).build();

    let error = client
        .call_json("v4/openim/sendmsg", &json!({}))
        .await
        .expect_err("renewed once only");

    assert_eq!(error.code(), Some(ErrorCode::SIG_EXPIRED));
    assert_eq!(replay.requests().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn call_json_checks_accounts_on_the_emulator() {
    let key = "emulator key";
    let emulator = im_emulator::Emulator::new(APP, im_client::SecretKey::from(key));
    emulator.import_accounts(["bob"]);
    let signer = im_client::Signer::new(APP, "administrator", im_client::SecretKey::from(key));
    let endpoint = im_client::Endpoint::region(im_client::Region::China);
    let client = im_client::Client::builder(signer, emulator.transport(), endpoint).build();

    let answer = client
        .call_json(
            "v4/im_open_login_svc/account_check",
            &json!({"CheckItem": [{"UserID": "bob"}, {"UserID": "eve"}]}),
        )
        .await
        .expect("answered");

    let statuses: Vec<(&str, &str)> = answer["ResultItem"]
        .as_array()
        .expect("ResultItem")
        .iter()
        .map(|item| {
            (
                item["UserID"].as_str().unwrap_or_default(),
                item["AccountStatus"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(statuses, [("bob", "Imported"), ("eve", "NotImported")]);
}
