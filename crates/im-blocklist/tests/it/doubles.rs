//! The client's retries, scripted with typed answers on a strict replay: every request the
//! client sends must be scripted, and every scripted answer used.

use std::sync::Arc;

use im_blocklist::Blocklist;
use im_protocol::test_util::Answer;
use im_protocol::{Endpoint, ErrorCode, Region, Relation};
use im_transport::test_util::ReplayTransport;

use crate::support::signer;

fn blocklist(replay: &ReplayTransport) -> Blocklist {
    Blocklist::builder(
        signer(),
        Arc::new(replay.clone()),
        Endpoint::region(Region::Singapore),
    )
    .build()
}

fn to_accounts(request: &im_transport::test_util::RecordedRequest) -> Vec<String> {
    serde_json::from_value(request.body_json().unwrap()["To_Account"].clone()).unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_retryable_account_is_sent_again_alone() {
    let replay = ReplayTransport::new()
        .then_answer(Answer::blocklist_add().ok("bob").failed("carol", 30006))
        .then_answer(Answer::blocklist_add().ok("carol"));

    let outcome = blocklist(&replay)
        .add("alice", ["bob", "carol"])
        .await
        .unwrap();

    replay.assert_done();
    assert_eq!(outcome.succeeded, ["bob", "carol"]);
    let requests = replay.requests();
    assert_eq!(to_accounts(&requests[0]), ["bob", "carol"]);
    assert_eq!(to_accounts(&requests[1]), ["carol"]);
}

#[tokio::test(start_paused = true)]
async fn a_rate_limited_call_backs_off_and_succeeds() {
    let replay = ReplayTransport::new()
        .then_answer(Answer::rate_limited())
        .then_answer(
            Answer::blocklist_check()
                .relation("bob", Relation::BothWay)
                .failed("carol", 30003),
        );

    let outcome = blocklist(&replay)
        .check("alice", ["bob", "carol"], im_protocol::CheckType::Both)
        .await
        .unwrap();

    replay.assert_done();
    assert_eq!(outcome.relation("bob"), Some(Relation::BothWay));
    assert_eq!(outcome.failed.len(), 1);
    assert_eq!(outcome.failed[0].code(), Some(ErrorCode(30003)));
}

#[tokio::test(start_paused = true)]
async fn a_fatal_request_error_is_not_retried() {
    // Strict: a retry would find no answer scripted and fail the test.
    let replay = ReplayTransport::new().then_answer(Answer::fail(ErrorCode::ACCOUNT_NOT_FOUND));

    let error = blocklist(&replay).add("alice", ["bob"]).await.unwrap_err();

    replay.assert_done();
    assert_eq!(error.code(), Some(ErrorCode::ACCOUNT_NOT_FOUND));
    assert_eq!(error.attempts(), 1);
}

#[tokio::test(start_paused = true)]
#[should_panic(
    expected = "request #2 (POST /v4/sns/black_list_add) arrived after the script's 1 steps"
)]
async fn an_unscripted_retry_fails_the_test_at_once() {
    // The engine retries a 502; the script forgot the second answer.
    let replay = ReplayTransport::new().then_status(502);

    let _ = blocklist(&replay).add("alice", ["bob"]).await;
}

#[tokio::test(start_paused = true)]
async fn a_lenient_replay_lets_a_test_watch_the_client_give_up() {
    let replay = ReplayTransport::new().then_status(502).lenient();

    let error = blocklist(&replay).add("alice", ["bob"]).await.unwrap_err();

    assert!(error.attempts() > 1, "{error}");
    assert_eq!(replay.requests().len() as u32, error.attempts());
}
