//! The setup APIs: friend import and add, friend check.

use im_emulator::SetupApi;
use im_protocol::{
    AddBlocklistRequest, AddType, ErrorCode, FriendAddRequest, FriendAddResponse,
    FriendCheckRequest, FriendCheckResponse, FriendCheckType, FriendImportRequest, FriendRelation,
};

use crate::support::harness;

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
    h.emulator.import_accounts(["a"]);
    let url = h
        .url(SetupApi::FriendAdd.path())
        .replace("identifier=administrator", "identifier=someone");
    let body = r#"{"From_Account":"a","AddFriendItem":[{"To_Account":"a"}]}"#;
    let response = h.post(&url, body).await.unwrap();
    // The UserSig was made for the admin, not for "someone".
    assert_eq!(crate::support::envelope_code(response.body()), 70013);
    let response = h
        .post(
            &h.url(SetupApi::FriendAdd.path()),
            r#"{"From_Account":5,"AddFriendItem":[]}"#,
        )
        .await
        .unwrap();
    assert_eq!(crate::support::envelope_code(response.body()), 60015);
}
