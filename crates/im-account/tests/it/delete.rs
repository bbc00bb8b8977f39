//! Delete: per-account results, 70107 as unchanged, convergence after a lost answer.

use im_emulator::Faults;
use im_protocol::{Api, ErrorCode};

use crate::support::{client, emulator, faulty, names, requests_to};

#[tokio::test(start_paused = true)]
async fn unknown_accounts_are_unchanged_and_the_rest_deleted() {
    let emulator = emulator();
    emulator.import_accounts(names("u", 120));
    let mut accounts = names("u", 120);
    accounts.insert(1, "ghost".to_owned());
    accounts.push("u00000".to_owned());
    let outcome = client(&emulator).delete(accounts).await.unwrap();
    assert_eq!(outcome.succeeded, names("u", 120));
    assert_eq!(outcome.unchanged, ["ghost"]);
    assert!(outcome.failed.is_empty());
    assert_eq!(emulator.account_count(), 0);
    let mut sizes: Vec<usize> = requests_to(&emulator, Api::AccountDelete)
        .iter()
        .map(|request| request.accounts)
        .collect();
    sizes.sort_unstable();
    assert_eq!(sizes, [21, 100]);
}

#[tokio::test(start_paused = true)]
async fn a_delete_whose_answer_was_lost_converges_to_succeeded() {
    let emulator = faulty(Faults::seeded(9).lost_answer(0.5));
    emulator.import_accounts(names("u", 300));
    let outcome = client(&emulator).delete(names("u", 300)).await.unwrap();
    // An account deleted by a lost attempt is answered 70107 on the retry: that is success.
    assert_eq!(outcome.succeeded, names("u", 300));
    assert!(outcome.unchanged.is_empty() && outcome.failed.is_empty());
    assert_eq!(emulator.account_count(), 0);
    let lost = requests_to(&emulator, Api::AccountDelete)
        .iter()
        .filter(|request| !request.faults.is_empty())
        .count();
    assert!(lost > 0, "the seed loses some answers");
}

#[tokio::test(start_paused = true)]
async fn transient_per_account_codes_are_retried_for_those_accounts_only() {
    let emulator = faulty(Faults::seeded(21).account_error(0.3));
    emulator.import_accounts(names("u", 200));
    let outcome = client(&emulator).delete(names("u", 200)).await.unwrap();
    assert_eq!(outcome.len(), 200);
    assert!(outcome.is_complete(), "{:?}", outcome.failed);
    assert_eq!(outcome.succeeded.len() + outcome.unchanged.len(), 200);
    assert_eq!(emulator.account_count(), 0);
    // Only the failed accounts were sent again.
    let sent: usize = requests_to(&emulator, Api::AccountDelete)
        .iter()
        .map(|request| request.accounts)
        .sum();
    assert!(sent > 200 && sent < 400, "{sent}");
}

#[tokio::test]
async fn a_70107_is_a_per_account_answer_in_a_successful_request() {
    let emulator = emulator();
    let outcome = client(&emulator).delete(["ghost"]).await.unwrap();
    assert_eq!(outcome.unchanged, ["ghost"]);
    assert_eq!(emulator.requests()[0].code, Some(ErrorCode::OK));
}
