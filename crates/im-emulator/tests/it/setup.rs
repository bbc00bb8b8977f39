//! The setup APIs: account import and check, friend import and add, friend check.

use im_emulator::SetupApi;
use im_protocol::{
    AccountCheckRequest, AccountCheckResponse, AccountImportRequest, AccountImportResponse,
    AccountStatus, AddBlocklistRequest, AddType, ErrorCode, FriendAddRequest, FriendAddResponse,
    FriendCheckRequest, FriendCheckResponse, FriendCheckType, FriendImportRequest, FriendRelation,
    MultiAccountImportRequest, MultiAccountImportResponse,
};
use serde_json::json;

use crate::support::{harness, names};

#[tokio::test]
async fn accounts_are_imported_in_both_shapes() {
    let h = harness();
    let one: im_protocol::Envelope<AccountImportResponse> = h
        .setup(SetupApi::AccountImport, &AccountImportRequest::new("alice"))
        .await;
    assert!(one.status.is_success());
    let old: im_protocol::Envelope<AccountImportResponse> = h
        .setup(
            SetupApi::AccountImport,
            &json!({"Identifier": "bob", "Nick": "Bob"}),
        )
        .await;
    assert!(old.status.is_success());
    let too_long = "x".repeat(33);
    let bad: im_protocol::Envelope<AccountImportResponse> = h
        .setup(
            SetupApi::AccountImport,
            &AccountImportRequest::new(too_long.clone()),
        )
        .await;
    assert_eq!(bad.status.error_code, ErrorCode::INVALID_ARGUMENT);

    let many: im_protocol::Envelope<MultiAccountImportResponse> = h
        .setup(
            SetupApi::MultiAccountImport,
            &MultiAccountImportRequest::new(["carol", "", too_long.as_str()]),
        )
        .await;
    assert_eq!(many.body.unwrap().fail_accounts, ["", too_long.as_str()]);
    let older: im_protocol::Envelope<MultiAccountImportResponse> = h
        .setup(
            SetupApi::MultiAccountImport,
            &json!({"Accounts": ["dave", "erin"]}),
        )
        .await;
    assert!(older.body.unwrap().fail_accounts.is_empty());
    for account in ["alice", "bob", "carol", "dave", "erin"] {
        assert!(h.emulator.account_exists(account), "{account}");
    }
    assert!(!h.emulator.account_exists(&too_long));

    let over: im_protocol::Envelope<MultiAccountImportResponse> = h
        .setup(
            SetupApi::MultiAccountImport,
            &MultiAccountImportRequest::new(names("u", 101)),
        )
        .await;
    assert_eq!(over.status.error_code, ErrorCode::INVALID_ARGUMENT);
    assert!(!h.emulator.account_exists("u0"));

    let sizes: Vec<usize> = h.emulator.requests().iter().map(|r| r.accounts).collect();
    assert_eq!(sizes, [1, 1, 1, 3, 2, 101]);
}

#[tokio::test]
async fn user_ids_outside_printable_ascii_are_refused_on_import() {
    let h = harness();
    for id in ["tab\there", "line\nbreak", "bell\u{7}", "caf\u{e9}"] {
        let one: im_protocol::Envelope<AccountImportResponse> = h
            .setup(SetupApi::AccountImport, &AccountImportRequest::new(id))
            .await;
        assert_eq!(one.status.error_code, ErrorCode::INVALID_ARGUMENT, "{id:?}");
        assert!(
            one.status.error_info.contains("outside printable ASCII"),
            "{}",
            one.status.error_info
        );
        assert!(!h.emulator.account_exists(id), "{id:?}");
    }
    let many: im_protocol::Envelope<MultiAccountImportResponse> = h
        .setup(
            SetupApi::MultiAccountImport,
            &MultiAccountImportRequest::new(["ok", "not\tok"]),
        )
        .await;
    assert_eq!(many.body.unwrap().fail_accounts, ["not\tok"]);
    assert!(h.emulator.account_exists("ok"));
    assert_eq!(h.emulator.import_accounts(["fine", "nul\0"]), 1);
    assert!(!h.emulator.account_exists("nul\0"));
}

#[tokio::test]
async fn account_check_tells_imported_from_not_imported() {
    let h = harness();
    h.emulator.import_accounts(["alice"]);
    let envelope: im_protocol::Envelope<AccountCheckResponse> = h
        .setup(
            SetupApi::AccountCheck,
            &AccountCheckRequest::new(["alice", "ghost"]),
        )
        .await;
    let results = envelope.body.unwrap().result_item;
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

    let empty: im_protocol::Envelope<AccountCheckResponse> = h
        .setup(
            SetupApi::AccountCheck,
            &AccountCheckRequest::new(Vec::<String>::new()),
        )
        .await;
    assert_eq!(empty.status.error_code, ErrorCode::INVALID_PARAMETER);
    let over: im_protocol::Envelope<AccountCheckResponse> = h
        .setup(
            SetupApi::AccountCheck,
            &AccountCheckRequest::new(names("u", 101)),
        )
        .await;
    assert_eq!(over.status.error_code, ErrorCode::INVALID_PARAMETER);
    let sizes: Vec<usize> = h.emulator.requests().iter().map(|r| r.accounts).collect();
    assert_eq!(sizes, [2, 0, 101]);
}

#[tokio::test]
async fn friends_are_added_and_refused_across_blocks() {
    let h = harness();
    h.emulator.import_accounts(["a", "b", "c", "d", "e"]);
    h.ok(&AddBlocklistRequest::new("a", ["c"])).await;
    h.ok(&AddBlocklistRequest::new("d", ["a"])).await;

    let envelope: im_protocol::Envelope<FriendAddResponse> = h
        .setup(
            SetupApi::FriendAdd,
            &FriendAddRequest::new("a", ["b", "c", "d", "a", "ghost"], None),
        )
        .await;
    let response = envelope.body.unwrap();
    let codes: Vec<i64> = response
        .result_item
        .iter()
        .map(|i| i.result_code.0)
        .collect();
    assert_eq!(codes, [0, 30515, 30525, 30001, 30003]);
    assert_eq!(response.fail_account, ["c", "d", "a", "ghost"]);
    // friend_add defaults to both ways.
    assert!(h.emulator.are_friends("a", "b"));

    // friend_import defaults to one way; Add_Type_Both makes it mutual.
    let _: im_protocol::Envelope<FriendAddResponse> = h
        .setup(
            SetupApi::FriendImport,
            &FriendImportRequest::new("b", ["e"]),
        )
        .await;
    assert!(h.emulator.has_friend("b", "e") && !h.emulator.has_friend("e", "b"));
    let _: im_protocol::Envelope<FriendAddResponse> = h
        .setup(
            SetupApi::FriendImport,
            &FriendAddRequest::new("c", ["e"], Some(AddType::Both)),
        )
        .await;
    assert!(h.emulator.are_friends("c", "e"));

    let unknown: im_protocol::Envelope<FriendAddResponse> = h
        .setup(
            SetupApi::FriendAdd,
            &FriendAddRequest::new("ghost", ["a"], None),
        )
        .await;
    assert_eq!(unknown.status.error_code, ErrorCode::ACCOUNT_NOT_FOUND);
}

#[tokio::test]
async fn friend_check_reports_all_four_relations() {
    let h = harness();
    h.emulator.import_accounts(["a", "b", "c", "d", "e"]);
    h.emulator.make_friends("a", "b");
    let one_way = |from: &str, to: &str| FriendAddRequest::new(from, [to], Some(AddType::Single));
    let _: im_protocol::Envelope<FriendAddResponse> =
        h.setup(SetupApi::FriendAdd, &one_way("a", "c")).await;
    let _: im_protocol::Envelope<FriendAddResponse> =
        h.setup(SetupApi::FriendAdd, &one_way("d", "a")).await;

    let check = |check_type| FriendCheckRequest::new("a", ["b", "c", "d", "e"], check_type);
    let both: im_protocol::Envelope<FriendCheckResponse> = h
        .setup(SetupApi::FriendCheck, &check(FriendCheckType::Both))
        .await;
    let relations: Vec<FriendRelation> = both
        .body
        .unwrap()
        .info_item
        .iter()
        .map(|item| item.relation)
        .collect();
    assert_eq!(
        relations,
        [
            FriendRelation::BothWay,
            FriendRelation::AWithB,
            FriendRelation::BWithA,
            FriendRelation::NoRelation
        ]
    );
    let single: im_protocol::Envelope<FriendCheckResponse> = h
        .setup(SetupApi::FriendCheck, &check(FriendCheckType::Single))
        .await;
    let relations: Vec<FriendRelation> = single
        .body
        .unwrap()
        .info_item
        .iter()
        .map(|item| item.relation)
        .collect();
    assert_eq!(
        relations,
        [
            FriendRelation::AWithB,
            FriendRelation::AWithB,
            FriendRelation::NoRelation,
            FriendRelation::NoRelation
        ]
    );
}

#[tokio::test]
async fn setup_requests_pass_the_same_checks() {
    let h = harness();
    let url = h
        .url(SetupApi::AccountImport.path())
        .replace("identifier=administrator", "identifier=someone");
    let response = h.post(&url, r#"{"UserID":"x"}"#).await.unwrap();
    // The UserSig was made for the admin, not for "someone".
    assert_eq!(crate::support::envelope_code(response.body()), 70013);
    let response = h
        .post(&h.url(SetupApi::AccountImport.path()), r#"{"UserID":5}"#)
        .await
        .unwrap();
    assert_eq!(crate::support::envelope_code(response.body()), 60015);
    assert!(!h.emulator.account_exists("x"));
}
