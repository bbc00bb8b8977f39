//! Checking accounts against a blocklist.

use im_blocklist::{AccountFailure, CheckResult, CheckType, FailureReason, Relation};
use im_protocol::{Api, CheckBlocklistRequest, ErrorCode};

use crate::support::{FakeService, Reply, accounts, client};

/// The relation the fake service reports for each account.
fn relation_of(account: &str) -> Relation {
    match account {
        "no" => Relation::No,
        "a_with_b" => Relation::AWithB,
        "b_with_a" => Relation::BWithA,
        _ => Relation::BothWay,
    }
}

/// A service that answers in reverse order, so the client has to restore the input order.
fn reversing_service() -> FakeService {
    FakeService::new(|request| {
        let mut accounts = request.to_accounts();
        accounts.reverse();
        Reply::check(accounts.into_iter().map(|account| {
            let relation = relation_of(&account);
            (account, relation, 0)
        }))
    })
}

#[tokio::test(start_paused = true)]
async fn every_relation_comes_back_per_account_in_input_order() {
    let input = ["b_with_a", "no", "both_way", "a_with_b"];
    for (check_type, wire) in [
        (CheckType::Single, "BlackCheckResult_Type_Single"),
        (CheckType::Both, "BlackCheckResult_Type_Both"),
    ] {
        let service = reversing_service();

        let outcome = client(&service)
            .check("alice", input, check_type)
            .await
            .unwrap();

        let requests = service.requests();
        assert_eq!(requests.len(), 1);
        assert_eq!(requests[0].api, Some(Api::BlackListCheck));
        let body: serde_json::Value = requests[0].body();
        assert_eq!(body["CheckType"], wire);
        let request: CheckBlocklistRequest = requests[0].body();
        assert_eq!(request.check_type, check_type);
        assert_eq!(request.to_account, input);

        let expected: Vec<CheckResult> = input
            .iter()
            .map(|account| CheckResult::new((*account).to_owned(), relation_of(account)))
            .collect();
        assert_eq!(outcome.results, expected);
        assert!(outcome.is_complete());
        assert_eq!(outcome.relation("a_with_b"), Some(Relation::AWithB));
        assert_eq!(outcome.relation("nobody"), None);
    }
}

#[tokio::test(start_paused = true)]
async fn a_failed_item_goes_to_failed() {
    let service = FakeService::new(|request| {
        Reply::check(request.to_accounts().into_iter().map(|account| {
            let code = if account == "ghost" { 30003 } else { 0 };
            (account, Relation::No, code)
        }))
    });

    let outcome = client(&service)
        .check("alice", ["bob", "ghost", "carol"], CheckType::Both)
        .await
        .unwrap();

    let checked: Vec<&str> = outcome.results.iter().map(|r| r.account.as_str()).collect();
    assert_eq!(checked, ["bob", "carol"]);
    assert_eq!(
        outcome.failed,
        [AccountFailure::new(
            "ghost".to_owned(),
            FailureReason::Code(ErrorCode::ACCOUNT_NOT_FOUND),
            "Err_SNS_Account_Not_Exist".to_owned()
        )]
    );
    assert!(!outcome.is_complete());
}

#[tokio::test(start_paused = true)]
async fn a_large_check_is_batched_and_keeps_the_input_order() {
    let service = reversing_service();
    let input = accounts("u", 2100);

    let outcome = client(&service)
        .check("alice", input.clone(), CheckType::Single)
        .await
        .unwrap();

    let sizes: Vec<usize> = service
        .requests()
        .iter()
        .map(|r| r.to_accounts().len())
        .collect();
    assert_eq!(sizes, [1000, 1000, 100]);
    let checked: Vec<&String> = outcome.results.iter().map(|r| &r.account).collect();
    assert_eq!(checked, input.iter().collect::<Vec<_>>());
}

#[tokio::test(start_paused = true)]
async fn a_retryable_item_is_checked_again() {
    let service = FakeService::new(|request| {
        let first = request.index == 0;
        Reply::check(request.to_accounts().into_iter().map(|account| {
            let code = if first && account == "slow" { 30007 } else { 0 };
            (account, Relation::AWithB, code)
        }))
    });

    let outcome = client(&service)
        .check("alice", ["fast", "slow"], CheckType::Single)
        .await
        .unwrap();

    assert_eq!(service.requests()[1].to_accounts(), ["slow"]);
    let checked: Vec<&str> = outcome.results.iter().map(|r| r.account.as_str()).collect();
    assert_eq!(checked, ["fast", "slow"]);
}

#[tokio::test(start_paused = true)]
async fn an_unknown_relation_fails_its_account_alone() {
    let service = FakeService::new(|_| {
        Reply::raw(
            200,
            r#"{"BlackListCheckItem":[
                {"To_Account":"bob","Relation":"BlackCheckResult_Type_Maybe","ResultCode":0,"ResultInfo":""},
                {"To_Account":"carol","Relation":"BlackCheckResult_Type_AWithB","ResultCode":0,"ResultInfo":"OK"}],
               "ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}"#,
        )
    });

    let outcome = client(&service)
        .check("alice", ["bob", "carol"], CheckType::Single)
        .await
        .expect("one odd item does not sink the call");

    assert_eq!(outcome.relation("carol"), Some(Relation::AWithB));
    assert_eq!(outcome.failed.len(), 1);
    assert_eq!(outcome.failed[0].account, "bob");
    assert_eq!(outcome.failed[0].reason, FailureReason::UnreadableResult);
    assert_eq!(service.count(), 1, "an unreadable item is not asked again");
}
