//! Bulk and single import: chunking, profiles, de-duplication, validation, failures.

use im_account::{Error, InvalidInput, NewAccount};
use im_emulator::Faults;
use im_protocol::{Api, ErrorCode};

use crate::support::{client, emulator, faulty, impatient, names, requests_to};

#[tokio::test(start_paused = true)]
async fn any_number_of_accounts_go_out_in_requests_of_at_most_100() {
    let emulator = emulator();
    let mut accounts: Vec<NewAccount> = names("u", 250).into_iter().map(NewAccount::from).collect();
    accounts[0] = NewAccount::new("u00000")
        .nick("First")
        .face_url("https://example.com/0.png");
    // Repeats collapse to the first occurrence.
    accounts.push(NewAccount::new("u00000").nick("Repeat"));

    let outcome = client(&emulator).import(accounts).await.unwrap();
    assert_eq!(outcome.succeeded, names("u", 250));
    assert!(outcome.unchanged.is_empty() && outcome.failed.is_empty());
    assert_eq!(emulator.account_count(), 250);
    let profile = emulator.account_profile("u00000").unwrap();
    assert_eq!(profile.nick.as_deref(), Some("First"));
    assert_eq!(
        profile.face_url.as_deref(),
        Some("https://example.com/0.png")
    );

    let mut sizes: Vec<usize> = requests_to(&emulator, Api::MultiAccountImport)
        .iter()
        .map(|request| request.accounts)
        .collect();
    sizes.sort_unstable();
    assert_eq!(sizes, [50, 100, 100]);
}

#[tokio::test]
async fn importing_existing_accounts_succeeds_again_and_updates_the_profile() {
    let emulator = emulator();
    emulator.import_accounts(["alice"]);
    let outcome = client(&emulator)
        .import([NewAccount::new("alice").nick("Alice")])
        .await
        .unwrap();
    assert_eq!(outcome.succeeded, ["alice"]);
    assert_eq!(
        emulator.account_profile("alice").unwrap().nick.as_deref(),
        Some("Alice")
    );
    client(&emulator)
        .import_one(NewAccount::new("bob").nick("Bob"))
        .await
        .unwrap();
    client(&emulator).import_one("bob").await.unwrap();
    assert_eq!(
        emulator.account_profile("bob").unwrap().nick.as_deref(),
        Some("Bob")
    );
    assert_eq!(requests_to(&emulator, Api::AccountImport).len(), 2);
}

#[tokio::test]
async fn invalid_input_is_rejected_before_anything_is_sent() {
    let emulator = emulator();
    let client = client(&emulator);
    let error = client.import(["ok", "tab\there"]).await.unwrap_err();
    assert!(
        matches!(error, Error::InvalidInput(InvalidInput::UserId(_))),
        "{error}"
    );
    let error = client.import(Vec::<String>::new()).await.unwrap_err();
    assert!(matches!(
        error,
        Error::InvalidInput(InvalidInput::NoAccounts)
    ));
    let error = client.import_one("x".repeat(33)).await.unwrap_err();
    assert!(matches!(error, Error::InvalidInput(_)));
    assert!(client.delete([""]).await.is_err());
    assert!(client.check(["caf\u{e9}"]).await.is_err());
    assert!(emulator.requests().is_empty());
}

#[tokio::test(start_paused = true)]
async fn accounts_listed_in_fail_accounts_fail_without_a_code() {
    let emulator = faulty(Faults::seeded(11).account_error(1.0));
    let outcome = client(&emulator).import(["a", "b"]).await.unwrap();
    assert!(outcome.succeeded.is_empty());
    let failed: Vec<(&str, Option<ErrorCode>)> = outcome
        .failed
        .iter()
        .map(|failure| (failure.account.as_str(), failure.code()))
        .collect();
    assert_eq!(failed, [("a", None), ("b", None)]);
    assert!(
        outcome.failed[0].info.contains("listed"),
        "{}",
        outcome.failed[0].info
    );
    assert_eq!(emulator.account_count(), 0);
    // Each attempt of the default policy listed them both: five requests, then the failure.
    assert_eq!(requests_to(&emulator, Api::MultiAccountImport).len(), 5);
}

#[tokio::test(start_paused = true)]
async fn accounts_listed_in_fail_accounts_are_sent_again_until_imported() {
    // About one account in ten of every request is listed in `FailAccounts`.
    let emulator = faulty(Faults::seeded(17).account_error(0.1));
    let outcome = client(&emulator).import(names("u", 300)).await.unwrap();
    assert_eq!(outcome.succeeded, names("u", 300));
    assert!(outcome.failed.is_empty(), "{:?}", outcome.failed);
    assert_eq!(emulator.account_count(), 300);
    let requests = requests_to(&emulator, Api::MultiAccountImport);
    let sent: usize = requests.iter().map(|request| request.accounts).sum();
    assert!(requests.len() > 3, "the listed accounts were sent again");
    // Only the listed accounts went out again, not their whole requests.
    assert!(sent < 2 * 300, "{sent} accounts sent");
}

#[tokio::test(start_paused = true)]
async fn the_retry_policy_bounds_the_attempts_for_listed_accounts() {
    let emulator = faulty(Faults::seeded(11).account_error(1.0));
    let outcome = impatient(&emulator).import(["a"]).await.unwrap();
    assert_eq!(outcome.failed.len(), 1);
    assert_eq!(requests_to(&emulator, Api::MultiAccountImport).len(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_lost_answer_is_retried_because_import_is_convergent() {
    let emulator = faulty(Faults::seeded(5).lost_answer(0.5));
    let outcome = client(&emulator).import(names("u", 300)).await.unwrap();
    assert_eq!(outcome.succeeded, names("u", 300));
    assert_eq!(emulator.account_count(), 300);
    let requests = requests_to(&emulator, Api::MultiAccountImport);
    assert!(
        requests.len() > 3,
        "the lost answers were retried: {}",
        requests.len()
    );
}

#[tokio::test(start_paused = true)]
async fn a_call_whose_every_request_failed_is_an_error() {
    let emulator = faulty(Faults::seeded(3).http_502(1.0));
    let error = impatient(&emulator)
        .import(names("u", 150))
        .await
        .unwrap_err();
    assert!(
        error.report().contains("HTTP status 502"),
        "{}",
        error.report()
    );
    assert_eq!(emulator.account_count(), 0);
}
