//! Check: each account's status, in input order, retried per account.

use im_account::AccountStatus;
use im_emulator::Faults;
use im_protocol::Api;

use crate::support::{client, emulator, faulty, names, requests_to};

#[tokio::test(start_paused = true)]
async fn each_account_gets_its_status_in_input_order() {
    let emulator = emulator();
    emulator.import_accounts(names("in", 150));
    let mut accounts = names("out", 60);
    accounts.extend(names("in", 150));
    accounts.push("out00000".to_owned());
    let outcome = client(&emulator).check(accounts).await.unwrap();
    assert!(outcome.is_complete());
    assert_eq!(outcome.results.len(), 210);
    let order: Vec<&str> = outcome.results.iter().map(|r| r.account.as_str()).collect();
    let mut expected = names("out", 60);
    expected.extend(names("in", 150));
    assert_eq!(order, expected);
    assert_eq!(outcome.imported().count(), 150);
    assert_eq!(outcome.not_imported().count(), 60);
    assert_eq!(outcome.status("in00007"), Some(AccountStatus::Imported));
    assert_eq!(outcome.status("out00007"), Some(AccountStatus::NotImported));
    assert_eq!(requests_to(&emulator, Api::AccountCheck).len(), 3);
}

#[tokio::test(start_paused = true)]
async fn transient_failures_are_retried_until_every_account_is_checked() {
    let emulator = faulty(
        Faults::seeded(4)
            .account_error(0.2)
            .request_error(0.2)
            .http_502(0.1),
    );
    emulator.import_accounts(names("in", 100));
    let mut accounts = names("in", 100);
    accounts.extend(names("out", 100));
    let outcome = client(&emulator).check(accounts).await.unwrap();
    assert!(outcome.is_complete(), "{:?}", outcome.failed);
    assert_eq!(outcome.imported().collect::<Vec<_>>(), names("in", 100));
    assert_eq!(
        outcome.not_imported().collect::<Vec<_>>(),
        names("out", 100)
    );
}
