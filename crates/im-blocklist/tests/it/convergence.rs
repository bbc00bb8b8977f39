//! After an ambiguous attempt, "already blocked" / "not blocked" means the write converged.

use std::sync::Arc;

use im_blocklist::Blocklist;
use im_protocol::{Endpoint, Region};
use im_transport::TransportError;
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

/// The answer to an add of `bob` that says he is blocked already, with `code`.
fn already_blocked(code: i64) -> String {
    format!(
        r#"{{"ResultItem":[{{"To_Account":"bob","ResultCode":{code},"ResultInfo":"Err_SNS_BlackListAdd_Already_Exist"}}],
            "Fail_Account":["bob"],"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}}"#
    )
}

#[tokio::test(start_paused = true)]
async fn already_blocked_after_a_timeout_is_success() {
    for code in [30001, 31307] {
        let replay = ReplayTransport::new()
            .then_error(TransportError::timeout())
            .then_json(200, already_blocked(code));

        let outcome = blocklist(&replay).add("alice", ["bob"]).await.unwrap();

        assert_eq!(replay.requests().len(), 2, "code {code}");
        assert_eq!(outcome.succeeded, ["bob"], "code {code}");
        assert!(outcome.unchanged.is_empty(), "code {code}");
        assert!(outcome.failed.is_empty(), "code {code}");
    }
}

#[tokio::test(start_paused = true)]
async fn already_blocked_after_a_502_or_a_broken_body_is_success() {
    let replay = ReplayTransport::new()
        .then_status(502)
        .then_error(TransportError::body("connection reset"))
        .then_json(200, already_blocked(31307));

    let outcome = blocklist(&replay).add("alice", ["bob"]).await.unwrap();

    assert_eq!(replay.requests().len(), 3);
    assert_eq!(outcome.succeeded, ["bob"]);
    assert!(outcome.unchanged.is_empty());
}

#[tokio::test(start_paused = true)]
async fn already_blocked_on_a_first_attempt_is_unchanged() {
    for code in [30001, 31307] {
        let replay = ReplayTransport::new().then_json(200, already_blocked(code));

        let outcome = blocklist(&replay).add("alice", ["bob"]).await.unwrap();

        assert_eq!(replay.requests().len(), 1, "code {code}");
        assert_eq!(outcome.unchanged, ["bob"], "code {code}");
        assert!(outcome.succeeded.is_empty(), "code {code}");
        assert!(outcome.failed.is_empty(), "code {code}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_connect_failure_is_not_ambiguous() {
    // The request never reached the service, so "already blocked" afterwards was true
    // before the call: unchanged.
    let replay = ReplayTransport::new()
        .then_error(TransportError::connect("connection refused"))
        .then_json(200, already_blocked(31307));

    let outcome = blocklist(&replay).add("alice", ["bob"]).await.unwrap();

    assert_eq!(replay.requests().len(), 2);
    assert_eq!(outcome.unchanged, ["bob"]);
}

#[tokio::test(start_paused = true)]
async fn not_blocked_after_a_timeout_on_remove_is_success() {
    let not_blocked = r#"{"ResultItem":[
            {"To_Account":"bob","ResultCode":30001,"ResultInfo":"Err_SNS_BlackListDelete_Not_Exist"},
            {"To_Account":"carol","ResultCode":0,"ResultInfo":""}],
        "Fail_Account":["bob"],"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}"#;
    let replay = ReplayTransport::new()
        .then_error(TransportError::timeout())
        .then_json(200, not_blocked)
        .then_json(200, not_blocked);

    let converged = blocklist(&replay)
        .remove("alice", ["bob", "carol"])
        .await
        .unwrap();
    assert_eq!(converged.succeeded, ["bob", "carol"]);

    let first_attempt = blocklist(&replay)
        .remove("alice", ["bob", "carol"])
        .await
        .unwrap();
    assert_eq!(first_attempt.succeeded, ["carol"]);
    assert_eq!(first_attempt.unchanged, ["bob"]);
}

/// A service answering every add and remove item with a bare 30001 (no text that says
/// why), and checks with `relation` for every account.
fn bare_30001_service(relation: im_blocklist::Relation) -> crate::support::FakeService {
    use crate::support::{FakeService, Reply};
    FakeService::new(move |request| {
        let accounts = request.to_accounts();
        if request.recorded.uri.path().ends_with("black_list_check") {
            Reply::check(accounts.into_iter().map(|account| (account, relation, 0)))
        } else {
            Reply::ok(im_protocol::UpdateBlocklistResponse::new(
                accounts
                    .iter()
                    .map(|account| im_protocol::AccountResult::new(account, 30001, ""))
                    .collect(),
            ))
        }
    })
}

#[tokio::test(start_paused = true)]
async fn a_bare_30001_is_confirmed_with_a_check_before_it_is_called_failed() {
    use im_blocklist::{ErrorCode, FailureReason, Relation};

    // Already blocked: the add is unchanged, after one check.
    let service = bare_30001_service(Relation::AWithB);
    let outcome = crate::support::client(&service)
        .add("alice", ["bob", "carol"])
        .await
        .expect("answered");
    assert_eq!(outcome.unchanged, ["bob", "carol"]);
    assert!(outcome.failed.is_empty());
    assert_eq!(service.count(), 2, "one add, one check");

    // Not blocked: the remove is unchanged; the same answer on an add stays a failure.
    let service = bare_30001_service(Relation::No);
    let blocklist = crate::support::client(&service);
    let removed = blocklist.remove("alice", ["bob"]).await.expect("answered");
    assert_eq!(removed.unchanged, ["bob"]);
    let added = blocklist.add("alice", ["bob"]).await.expect("answered");
    assert_eq!(added.failed.len(), 1);
    assert_eq!(
        added.failed[0].reason,
        FailureReason::Code(ErrorCode::INVALID_PARAMETER)
    );
}
