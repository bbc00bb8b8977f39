//! The account APIs: import (one and many), delete and check, with their limits, per-item
//! shapes and faults, and what a deleted account means to the blocklist APIs.

use im_emulator::{FaultKind, Faults};
use im_protocol::{
    AccountCheckRequest, AccountDeleteRequest, AccountImportRequest, AccountListItem,
    AccountStatus, AddBlocklistRequest, Api, ErrorCode, GetBlocklistRequest,
    MultiAccountImportRequest, result_text,
};
use serde_json::json;

use crate::support::{envelope_code, harness, harness_with, names};

#[tokio::test]
async fn accounts_are_imported_in_both_shapes() {
    let h = harness();
    h.ok(&AccountImportRequest::new("alice")).await;
    // The 2020 spelling of the account field, read as UserID.
    let response = h
        .post(
            &h.url(Api::AccountImport.path()),
            json!({"Identifier": "bob", "Nick": "Bob"}).to_string(),
        )
        .await
        .unwrap();
    assert_eq!(envelope_code(response.body()), 0);
    let too_long = "x".repeat(33);
    let bad = h.call(&AccountImportRequest::new(too_long.clone())).await;
    assert_eq!(bad.status.error_code, ErrorCode::INVALID_ARGUMENT);

    let many = h
        .ok(&MultiAccountImportRequest::new([
            "carol",
            "",
            too_long.as_str(),
        ]))
        .await;
    assert_eq!(many.fail_accounts, ["", too_long.as_str()]);
    let response = h
        .post(
            &h.url(Api::MultiAccountImport.path()),
            json!({"Accounts": ["dave", "erin"]}).to_string(),
        )
        .await
        .unwrap();
    assert_eq!(envelope_code(response.body()), 0);
    for account in ["alice", "bob", "carol", "dave", "erin"] {
        assert!(h.emulator.account_exists(account), "{account}");
    }
    assert!(!h.emulator.account_exists(&too_long));
    assert_eq!(
        h.emulator.account_profile("bob").unwrap().nick.as_deref(),
        Some("Bob")
    );

    let over = h
        .call(&MultiAccountImportRequest::new(names("u", 101)))
        .await;
    assert_eq!(over.status.error_code, ErrorCode::INVALID_BATCH_SIZE);
    assert!(!h.emulator.account_exists("u0"));
    let none = h
        .call(&MultiAccountImportRequest::new(Vec::<String>::new()))
        .await;
    assert_eq!(none.status.error_code, ErrorCode::INVALID_BATCH_SIZE);
    let full = h.ok(&MultiAccountImportRequest::new(names("u", 100))).await;
    assert!(full.fail_accounts.is_empty());

    let sizes: Vec<usize> = h.emulator.requests().iter().map(|r| r.accounts).collect();
    assert_eq!(sizes, [1, 1, 1, 3, 2, 101, 0, 100]);
}

#[tokio::test]
async fn importing_again_changes_nothing_but_the_profile_given() {
    let h = harness();
    let mut first = AccountImportRequest::new("alice");
    first.nick = Some("Alice".to_owned());
    h.ok(&first).await;
    h.ok(&AccountImportRequest::new("alice")).await;
    let profile = h.emulator.account_profile("alice").unwrap();
    assert_eq!(profile.nick.as_deref(), Some("Alice"));

    // The AccountList form updates the profile of an account that exists.
    let request = MultiAccountImportRequest::from_items([AccountListItem::new("alice")
        .with_nick("Alice B.")
        .with_face_url("https://example.com/a.png")]);
    assert!(h.ok(&request).await.fail_accounts.is_empty());
    let profile = h.emulator.account_profile("alice").unwrap();
    assert_eq!(profile.nick.as_deref(), Some("Alice B."));
    assert_eq!(
        profile.face_url.as_deref(),
        Some("https://example.com/a.png")
    );
    assert_eq!(h.emulator.account_count(), 1);
}

#[tokio::test]
async fn user_ids_outside_printable_ascii_are_refused_on_import() {
    let h = harness();
    for id in ["tab\there", "line\nbreak", "bell\u{7}", "caf\u{e9}"] {
        let one = h.call(&AccountImportRequest::new(id)).await;
        assert_eq!(one.status.error_code, ErrorCode::INVALID_ARGUMENT, "{id:?}");
        assert!(
            one.status.error_info.contains("outside printable ASCII"),
            "{}",
            one.status.error_info
        );
        assert!(!h.emulator.account_exists(id), "{id:?}");
    }
    let many = h
        .ok(&MultiAccountImportRequest::new(["ok", "not\tok"]))
        .await;
    assert_eq!(many.fail_accounts, ["not\tok"]);
    assert!(h.emulator.account_exists("ok"));
    assert_eq!(h.emulator.import_accounts(["fine", "nul\0"]), 1);
    assert!(!h.emulator.account_exists("nul\0"));
}

#[tokio::test]
async fn check_tells_imported_from_not_imported() {
    let h = harness();
    h.emulator.import_accounts(["alice"]);
    let results = h
        .ok(&AccountCheckRequest::new(["alice", "ghost"]))
        .await
        .result_item;
    let statuses: Vec<_> = results
        .iter()
        .map(|item| (item.user_id.as_str(), item.result_code, item.account_status))
        .collect();
    assert_eq!(
        statuses,
        [
            ("alice", ErrorCode::OK, Some(AccountStatus::Imported)),
            ("ghost", ErrorCode::OK, Some(AccountStatus::NotImported)),
        ]
    );

    let empty = h
        .call(&AccountCheckRequest::new(Vec::<String>::new()))
        .await;
    assert_eq!(empty.status.error_code, ErrorCode::INVALID_BATCH_SIZE);
    let over = h.call(&AccountCheckRequest::new(names("u", 101))).await;
    assert_eq!(over.status.error_code, ErrorCode::INVALID_BATCH_SIZE);
    let full = h.ok(&AccountCheckRequest::new(names("u", 100))).await;
    assert_eq!(full.result_item.len(), 100);
    let sizes: Vec<usize> = h.emulator.requests().iter().map(|r| r.accounts).collect();
    assert_eq!(sizes, [2, 0, 101, 100]);
}

#[tokio::test]
async fn delete_answers_each_account_and_70107_for_an_unknown_one() {
    let h = harness();
    h.emulator.import_accounts(["alice", "bob"]);
    let results = h
        .ok(&AccountDeleteRequest::new(["alice", "ghost", "alice"]))
        .await
        .result_item;
    let answered: Vec<_> = results
        .iter()
        .map(|item| {
            (
                item.user_id.as_str(),
                item.result_code,
                item.result_info.as_str(),
            )
        })
        .collect();
    assert_eq!(
        answered,
        [
            ("alice", ErrorCode::OK, ""),
            (
                "ghost",
                ErrorCode::REQUESTED_USER_NOT_FOUND,
                result_text::ACCOUNT_NOT_EXIST
            ),
            (
                "alice",
                ErrorCode::REQUESTED_USER_NOT_FOUND,
                result_text::ACCOUNT_NOT_EXIST
            ),
        ]
    );
    assert!(!h.emulator.account_exists("alice"));
    assert!(h.emulator.account_exists("bob"));

    let over = h.call(&AccountDeleteRequest::new(names("u", 101))).await;
    assert_eq!(over.status.error_code, ErrorCode::INVALID_BATCH_SIZE);
    let empty = h
        .call(&AccountDeleteRequest::new(Vec::<String>::new()))
        .await;
    assert_eq!(empty.status.error_code, ErrorCode::INVALID_BATCH_SIZE);
    assert!(h.emulator.account_exists("bob"));
    let sizes: Vec<usize> = h.emulator.requests().iter().map(|r| r.accounts).collect();
    assert_eq!(sizes, [3, 101, 0]);
}

#[tokio::test]
async fn blocklist_calls_answer_30003_for_deleted_and_unknown_accounts() {
    let h = harness();
    h.ok(&MultiAccountImportRequest::new(["alice", "bob", "carol"]))
        .await;
    h.ok(&AddBlocklistRequest::new("alice", ["bob"])).await;
    h.ok(&AccountDeleteRequest::new(["alice", "carol"])).await;

    // The deleted account's own list went with it.
    assert!(h.emulator.blocklist_of("alice").is_empty());
    let get = h.call(&GetBlocklistRequest::first_page("alice", 10)).await;
    assert_eq!(get.status.error_code, ErrorCode::ACCOUNT_NOT_FOUND);
    let add = h
        .ok(&AddBlocklistRequest::new("bob", ["carol", "ghost"]))
        .await;
    let codes: Vec<ErrorCode> = add.result_item.iter().map(|r| r.result_code).collect();
    assert_eq!(
        codes,
        [ErrorCode::ACCOUNT_NOT_FOUND, ErrorCode::ACCOUNT_NOT_FOUND]
    );
    let check = h
        .ok(&AccountCheckRequest::new(["alice", "bob"]))
        .await
        .result_item;
    assert_eq!(check[0].account_status, Some(AccountStatus::NotImported));
    assert_eq!(check[1].account_status, Some(AccountStatus::Imported));

    // A deleted account can be imported again (the live service makes paid apps wait).
    h.ok(&AccountImportRequest::new("alice")).await;
    h.ok(&AddBlocklistRequest::new("alice", ["bob"])).await;
    assert!(h.emulator.is_blocked("alice", "bob"));
}

#[tokio::test]
async fn account_apis_see_request_faults_with_account_codes() {
    let h = harness_with(|b| b.faults(Faults::seeded(3).request_error(1.0)));
    let check = h.call(&AccountCheckRequest::new(["a"])).await;
    let code = check.status.error_code;
    assert!(
        [
            ErrorCode::SERVER_INTERNAL_ERROR,
            ErrorCode::SERVER_TIMEOUT,
            ErrorCode::SERVER_INTERNAL_TIMEOUT
        ]
        .contains(&code),
        "{code:?}"
    );
    assert!(code.retry_class().is_retryable(), "{code:?}");
    let import = h.call(&MultiAccountImportRequest::new(["a"])).await;
    assert!(!import.status.is_success());
    assert!(!h.emulator.account_exists("a"));

    let h = harness_with(|b| b.faults(Faults::seeded(4).http_502(1.0)));
    let response = h.send(&AccountImportRequest::new("a")).await.unwrap();
    assert_eq!(response.status(), 502);
    assert!(!h.emulator.account_exists("a"));
}

#[tokio::test]
async fn a_chosen_account_code_is_answered_as_given_by_the_account_apis() {
    let h = harness_with(|b| b.faults(Faults::none().account_code("b", 30006)));
    h.emulator.import_accounts(["a", "b"]);
    let check = h
        .ok(&AccountCheckRequest::new(["a", "b"]))
        .await
        .result_item;
    assert!(check[0].is_imported());
    assert_eq!(check[1].result_code.0, 30006);
    let delete = h
        .ok(&AccountDeleteRequest::new(["a", "b"]))
        .await
        .result_item;
    assert!(delete[0].is_ok());
    assert_eq!(delete[1].result_code.0, 30006);
    assert!(h.emulator.account_exists("b"));
    let import = h.ok(&MultiAccountImportRequest::new(["b", "c"])).await;
    assert_eq!(import.fail_accounts, ["b"]);
}

#[tokio::test]
async fn per_account_faults_fail_only_their_account() {
    let h = harness_with(|b| b.faults(Faults::seeded(5).account_error(1.0)));
    h.emulator.import_accounts(["a", "b"]);
    let delete = h.ok(&AccountDeleteRequest::new(["a"])).await.result_item;
    assert!(delete[0].result_code.retry_class().is_retryable());
    assert!(delete[0].result_info.starts_with("Err_TLS_PT_Open_Login_"));
    assert!(h.emulator.account_exists("a"));
    let check = h.ok(&AccountCheckRequest::new(["b"])).await.result_item;
    assert!(!check[0].is_ok());
    assert_eq!(check[0].account_status, None);
    let import = h.ok(&MultiAccountImportRequest::new(["c", "d"])).await;
    assert_eq!(import.fail_accounts, ["c", "d"]);
    assert!(!h.emulator.account_exists("c"));
    let log = h.emulator.requests();
    assert!(
        log.iter()
            .all(|request| request.faults == [FaultKind::AccountError])
    );
}
