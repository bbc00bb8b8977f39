//! Batching: requests of at most 1000 accounts, duplicates collapsed, per-account retries.

use std::collections::{HashMap, HashSet};

use im_blocklist::{AccountFailure, FailureReason, RetryPolicy};
use im_protocol::{Api, ErrorCode};
use proptest::prelude::*;

use crate::support::{FakeService, Reply, accounts, builder, client};

#[tokio::test(start_paused = true)]
async fn accounts_go_out_in_requests_of_at_most_1000() {
    let service = FakeService::accepting();
    let blocklist = client(&service);
    let input = accounts("user", 2500);

    let outcome = blocklist.add("alice", input.clone()).await.unwrap();

    let requests = service.requests();
    let sizes: Vec<usize> = requests.iter().map(|r| r.to_accounts().len()).collect();
    assert_eq!(sizes, [1000, 1000, 500]);
    for request in &requests {
        assert_eq!(request.api, Some(Api::BlackListAdd));
        assert_eq!(request.owner(), "alice");
    }
    let sent: Vec<String> = requests.iter().flat_map(|r| r.to_accounts()).collect();
    assert_eq!(sent, input, "every account is sent once, in input order");
    assert_eq!(outcome.succeeded, input);
    assert!(outcome.unchanged.is_empty());
    assert!(outcome.failed.is_empty());
}

#[tokio::test(start_paused = true)]
async fn remove_batches_too_and_repeated_accounts_collapse() {
    let service = FakeService::accepting();
    let blocklist = client(&service);
    let mut input = accounts("user", 1001);
    input.extend(accounts("user", 10));

    let outcome = blocklist.remove("alice", input).await.unwrap();

    let requests = service.requests();
    let sizes: Vec<usize> = requests.iter().map(|r| r.to_accounts().len()).collect();
    assert_eq!(sizes, [1000, 1]);
    assert!(requests.iter().all(|r| r.api == Some(Api::BlackListDelete)));
    assert_eq!(outcome.succeeded, accounts("user", 1001));
    assert_eq!(outcome.len(), 1001);
}

#[tokio::test(start_paused = true)]
async fn only_accounts_with_a_retryable_code_are_sent_again() {
    let service = FakeService::new(|request| {
        let first = request.index == 0;
        Reply::update(request.to_accounts().into_iter().map(|account| {
            let code = match account.as_str() {
                "b" if first => 30006,
                "c" if first => 30007,
                "d" if first => 30008,
                "e" => 30003,
                _ => 0,
            };
            (account, code)
        }))
    });
    let blocklist = client(&service);

    let outcome = blocklist
        .add("alice", ["a", "b", "c", "d", "e", "f"])
        .await
        .unwrap();

    let requests = service.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].to_accounts(), ["a", "b", "c", "d", "e", "f"]);
    assert_eq!(
        requests[1].to_accounts(),
        ["b", "c", "d"],
        "the retry carries exactly the accounts that failed with 30006/30007/30008"
    );
    let succeeded: HashSet<&str> = outcome.succeeded.iter().map(String::as_str).collect();
    assert_eq!(succeeded, HashSet::from(["a", "b", "c", "d", "f"]));
    assert_eq!(outcome.succeeded.len(), 5);
    assert!(outcome.unchanged.is_empty());
    assert_eq!(
        outcome.failed,
        [AccountFailure::new(
            "e".to_owned(),
            FailureReason::Code(ErrorCode::ACCOUNT_NOT_FOUND),
            "Err_SNS_Account_Not_Exist".to_owned()
        )]
    );
}

#[tokio::test(start_paused = true)]
async fn accounts_that_keep_failing_end_in_failed_after_the_attempt_limit() {
    // "stuck" always fails with 30006; the service never mentions "ghost".
    let service = FakeService::new(|request| {
        Reply::update(
            request
                .to_accounts()
                .into_iter()
                .filter(|account| account != "ghost")
                .map(|account| {
                    let code = if account == "stuck" { 30006 } else { 0 };
                    (account, code)
                }),
        )
    });
    let blocklist = builder(&service)
        .retry_policy(RetryPolicy::default().with_max_attempts(3))
        .build();

    let outcome = blocklist
        .add("alice", ["ok", "stuck", "ghost"])
        .await
        .unwrap();

    // The first attempt settled "ok", so it does not count against the limit of three
    // attempts in a row that settle nothing.
    let sent: Vec<Vec<String>> = service.requests().iter().map(|r| r.to_accounts()).collect();
    assert_eq!(
        sent,
        [
            vec!["ok", "stuck", "ghost"],
            vec!["stuck", "ghost"],
            vec!["stuck", "ghost"],
            vec!["stuck", "ghost"]
        ]
    );
    assert_eq!(outcome.succeeded, ["ok"]);
    let failed: HashMap<&str, &AccountFailure> = outcome
        .failed
        .iter()
        .map(|failure| (failure.account.as_str(), failure))
        .collect();
    assert_eq!(failed.len(), 2);
    assert_eq!(failed["stuck"].code(), Some(ErrorCode::INTERNAL_ERROR));
    assert!(failed["stuck"].info.contains("Err_SNS_Internal"));
    assert!(failed["stuck"].info.contains("4 attempts"));
    assert_eq!(failed["ghost"].code(), None);
    assert!(failed["ghost"].info.contains("no result"));
}

/// Answers each account with a code derived from its name: mostly success, some
/// "already blocked", some fatal failures. Never a retryable code, so each account is
/// sent exactly once.
fn code_for(account: &str) -> i64 {
    let digits: u64 = account
        .bytes()
        .filter(u8::is_ascii_digit)
        .fold(0, |n, digit| n * 10 + u64::from(digit - b'0'));
    match digits % 7 {
        0 => 31307,
        1 => 30003,
        _ => 0,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn every_distinct_account_is_sent_once_and_reported_once(
        input in (1usize..3000).prop_flat_map(|n| proptest::collection::vec(0..n, n))
    ) {
        let input: Vec<String> = input.iter().map(|i| format!("u{i}")).collect();
        let distinct: HashSet<&String> = input.iter().collect();

        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap();
        let service = FakeService::new(|request| {
            Reply::update(request.to_accounts().into_iter().map(|a| {
                let code = code_for(&a);
                (a, code)
            }))
        });
        let blocklist = client(&service);
        let outcome = runtime.block_on(blocklist.add("alice", input.clone())).unwrap();

        let mut sent = HashSet::new();
        for request in service.requests() {
            let accounts = request.to_accounts();
            prop_assert!(accounts.len() <= 1000);
            for account in accounts {
                prop_assert!(sent.insert(account), "an account was sent twice");
            }
        }
        prop_assert_eq!(sent.len(), distinct.len());

        let mut reported: Vec<&str> = outcome.succeeded.iter().map(String::as_str).collect();
        reported.extend(outcome.unchanged.iter().map(String::as_str));
        reported.extend(outcome.failed.iter().map(|failure| failure.account.as_str()));
        prop_assert_eq!(reported.len(), distinct.len());
        let reported: HashSet<&str> = reported.into_iter().collect();
        prop_assert_eq!(reported.len(), distinct.len());
        for account in &distinct {
            prop_assert!(reported.contains(account.as_str()));
        }
        for account in &outcome.unchanged {
            prop_assert_eq!(code_for(account), 31307);
        }
        for failure in &outcome.failed {
            prop_assert_eq!(failure.code(), Some(ErrorCode::ACCOUNT_NOT_FOUND));
        }
    }
}
