//! Bulk import of (from, to) pairs.

use std::collections::HashSet;

use futures_util::stream;
use im_blocklist::ImportProgress;
use im_protocol::ErrorCode;

use crate::support::{FakeService, Reply, client};

/// The code the fake service answers for an account: some are blocked already, some do
/// not exist, the rest succeed.
fn code_for(account: &str) -> i64 {
    if account.ends_with("07") {
        31307
    } else if account.ends_with("13") {
        30003
    } else {
        0
    }
}

/// 3500 pairs in runs of one `from`: two runs longer than one request, one run with an
/// empty `from`, a few repeated and a few invalid accounts.
fn input() -> (Vec<(String, String)>, Vec<String>) {
    let runs = [("a", 1500), ("b", 200), ("c", 1300), ("", 3), ("d", 497)];
    let mut pairs = Vec::new();
    for (from, n) in runs {
        for i in 0..n {
            pairs.push((from.to_owned(), format!("{from}-t{i:04}")));
        }
    }
    // Two repeats inside the first batch of "a".
    pairs[10].1 = pairs[0].1.clone();
    pairs[20].1 = pairs[0].1.clone();
    let invalid = vec![String::new(), "x".repeat(33), "bell\u{7}".to_owned()];
    // Invalid accounts in "c" and "d".
    pairs[1700 + 5].1 = invalid[0].clone();
    pairs[1700 + 1100].1 = invalid[1].clone();
    pairs[3003 + 40].1 = invalid[2].clone();
    (pairs, invalid)
}

#[tokio::test(start_paused = true)]
async fn import_batches_by_from_and_accounts_for_every_pair() {
    let (pairs, invalid) = input();
    assert_eq!(pairs.len(), 3500);
    let service = FakeService::new(|request| {
        Reply::update(request.to_accounts().into_iter().map(|a| {
            let code = code_for(&a);
            (a, code)
        }))
    });
    let blocklist = client(&service);

    let mut progress: Vec<(u64, u64, u64, usize)> = Vec::new();
    let outcome = blocklist
        .import(
            stream::iter(pairs.clone()),
            |update: &ImportProgress<'_>| {
                progress.push((
                    update.batch.index,
                    update.batch.pairs,
                    update.pairs_done,
                    update.batch.failed.len(),
                ));
            },
        )
        .await;

    // What was sent: batches of at most 1000 distinct, valid accounts sharing one From,
    // each an input pair.
    let input_pairs: HashSet<(String, String)> = pairs.iter().cloned().collect();
    let requests = service.requests();
    let mut sent = Vec::new();
    for request in &requests {
        let from = request.owner();
        let accounts = request.to_accounts();
        assert!(accounts.len() <= 1000);
        assert!(!from.is_empty(), "an invalid From is never sent");
        let distinct: HashSet<&String> = accounts.iter().collect();
        assert_eq!(
            distinct.len(),
            accounts.len(),
            "no account twice in a request"
        );
        for account in accounts {
            assert!(!invalid.contains(&account), "an invalid account was sent");
            assert!(input_pairs.contains(&(from.clone(), account.clone())));
            sent.push(account);
        }
    }
    let mut sizes: Vec<usize> = requests.iter().map(|r| r.to_accounts().len()).collect();
    sizes.sort_unstable();
    assert_eq!(sizes, [200, 299, 496, 500, 998, 999]);

    // The totals add up.
    assert_eq!(outcome.pairs, 3500);
    assert_eq!(
        outcome.pairs,
        outcome.succeeded + outcome.unchanged + outcome.duplicates + outcome.failed.len() as u64
    );
    assert_eq!(outcome.duplicates, 2);
    let unchanged = sent.iter().filter(|a| code_for(a) == 31307).count() as u64;
    let not_found = sent.iter().filter(|a| code_for(a) == 30003).count();
    assert_eq!(outcome.unchanged, unchanged);
    assert_eq!(
        outcome.succeeded,
        sent.len() as u64 - unchanged - not_found as u64
    );
    let invalid_failures: Vec<_> = outcome
        .failed
        .iter()
        .filter(|failure| failure.code().is_none())
        .collect();
    assert_eq!(
        invalid_failures.len(),
        6,
        "3 invalid accounts + 3 pairs without From"
    );
    assert!(
        invalid_failures
            .iter()
            .all(|failure| failure.info.contains("invalid input"))
    );
    let service_failures: Vec<_> = outcome
        .failed
        .iter()
        .filter(|failure| failure.code() == Some(ErrorCode::ACCOUNT_NOT_FOUND))
        .collect();
    assert_eq!(service_failures.len(), not_found);
    assert!(
        service_failures
            .iter()
            .all(|f| input_pairs.contains(&(f.from.clone(), f.account.clone())))
    );
    assert!(!outcome.is_complete());

    // Progress: once per batch, with a growing count of finished pairs.
    let mut indices: Vec<u64> = progress.iter().map(|p| p.0).collect();
    indices.sort_unstable();
    assert_eq!(indices, (0..7).collect::<Vec<_>>());
    assert!(progress.windows(2).all(|w| w[0].2 < w[1].2));
    assert_eq!(progress.last().map(|p| p.2), Some(3500));
    assert_eq!(progress.iter().map(|p| p.1).sum::<u64>(), 3500);
    assert_eq!(
        progress.iter().map(|p| p.3).sum::<usize>(),
        outcome.failed.len()
    );
}

#[tokio::test(start_paused = true)]
async fn an_empty_input_imports_nothing() {
    let service = FakeService::accepting();
    let mut calls = 0;

    let outcome = client(&service)
        .import(stream::iter(Vec::<(String, String)>::new()), |_| calls += 1)
        .await;

    assert_eq!(outcome.pairs, 0);
    assert!(outcome.is_complete());
    assert_eq!(calls, 0);
    assert_eq!(service.count(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_failed_request_fails_its_pairs_and_the_import_goes_on() {
    // Every request for "b" is rejected as a whole.
    let service = FakeService::new(|request| {
        if request.owner() == "b" {
            Reply::fail(30013, "blocklist full")
        } else {
            Reply::update(request.to_accounts().iter().map(|a| (a, 0)))
        }
    });
    let pairs: Vec<(String, String)> = ["a", "b", "c"]
        .iter()
        .flat_map(|from| (0..3).map(move |i| ((*from).to_owned(), format!("t{i}"))))
        .collect();

    let outcome = client(&service).import(stream::iter(pairs), |_| {}).await;

    assert_eq!(outcome.pairs, 9);
    assert_eq!(outcome.succeeded, 6);
    assert_eq!(outcome.failed.len(), 3);
    assert!(
        outcome
            .failed
            .iter()
            .all(|f| f.from == "b" && f.code() == Some(ErrorCode::BLOCKLIST_FULL))
    );
    assert_eq!(service.count(), 3);
}
