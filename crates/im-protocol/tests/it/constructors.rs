//! The wire types are `#[non_exhaustive]`: other crates build them through constructors and
//! `with_*` setters, which must write exactly the documented bodies.

use im_protocol::{
    AccountCheckResult, AccountImportRequest, AccountListItem, AccountResult, AccountStatus,
    AddFriendItem, AddType, BlocklistEntry, CheckBlocklistResponse, CheckItem, ErrorCode,
    FriendAddRequest, FriendAddResponse, FriendCheckItem, FriendCheckResponse, FriendImportItem,
    FriendRelation, GetBlocklistRequest, GetBlocklistResponse, MultiAccountImportRequest,
    MultiAccountImportResponse, Relation, UpdateBlocklistResponse, encode_json,
};

fn json<T: serde::Serialize>(value: &T) -> String {
    String::from_utf8(encode_json(value).expect("wire types encode")).expect("JSON is UTF-8")
}

#[test]
fn per_item_responses_list_their_failed_accounts_in_order() {
    let update = UpdateBlocklistResponse::new(vec![
        AccountResult::new("a", 30001, "Err_SNS_BlackListAdd_Already_Exist"),
        AccountResult::new("b", ErrorCode::OK, ""),
        AccountResult::new("c", 30006, ""),
    ]);
    assert_eq!(update.fail_account, ["a", "c"]);
    assert_eq!(
        json(&update),
        r#"{"ResultItem":[{"To_Account":"a","ResultCode":30001,"ResultInfo":"Err_SNS_BlackListAdd_Already_Exist"},{"To_Account":"b","ResultCode":0,"ResultInfo":""},{"To_Account":"c","ResultCode":30006,"ResultInfo":""}],"Fail_Account":["a","c"]}"#
    );

    let check = CheckBlocklistResponse::new(vec![
        CheckItem::new("a", Relation::AWithB, ErrorCode::OK, ""),
        CheckItem::new("b", Relation::No, 30008, "busy"),
    ]);
    assert_eq!(check.fail_account, ["b"]);
    assert!(check.invalid_account.is_empty());

    let friends = FriendAddResponse::new(vec![
        AccountResult::new("a", 30515, ""),
        AccountResult::new("b", ErrorCode::OK, ""),
    ]);
    assert_eq!(friends.fail_account, ["a"]);
    let checked = FriendCheckResponse::new(vec![FriendCheckItem::new(
        "a",
        FriendRelation::BothWay,
        ErrorCode::OK,
        "",
    )]);
    assert!(checked.fail_account.is_empty() && checked.info_item[0].is_ok());
}

#[test]
fn a_page_carries_its_sequence_only_when_given() {
    let entries = vec![BlocklistEntry::new("a", 1_700_000_000)];
    let without = GetBlocklistResponse::new(entries.clone(), 0);
    assert_eq!(
        json(&without),
        r#"{"BlackListItem":[{"To_Account":"a","AddBlackTimeStamp":1700000000}],"StartIndex":0}"#
    );
    let with = GetBlocklistResponse::new(entries, 100).with_current_sequence(7);
    assert_eq!(with.next_start_index(), Some(100));
    assert!(json(&with).ends_with(r#""StartIndex":100,"CurruentSequence":7}"#));
}

#[test]
fn a_page_request_starts_where_asked_and_keeps_the_sequence_zero() {
    assert_eq!(
        json(&GetBlocklistRequest::new("id", 40, 20)),
        r#"{"From_Account":"id","StartIndex":40,"MaxLimited":20,"LastSequence":0}"#
    );
    assert_eq!(
        GetBlocklistRequest::first_page("id", 20),
        GetBlocklistRequest::new("id", 0, 20)
    );
}

#[test]
fn account_setters_write_the_documented_fields() {
    let request = AccountImportRequest::new("bob")
        .with_nick("Bob")
        .with_face_url("https://example.com/b.png");
    assert_eq!(
        json(&request),
        r#"{"UserID":"bob","Nick":"Bob","FaceUrl":"https://example.com/b.png"}"#
    );
    let many = MultiAccountImportRequest::from_items([
        AccountListItem::new("a").with_nick("A"),
        AccountListItem::new("b"),
    ]);
    assert_eq!(
        json(&many),
        r#"{"AccountList":[{"UserID":"a","Nick":"A"},{"UserID":"b"}]}"#
    );
    assert_eq!(MultiAccountImportResponse::new(["a"]).fail_accounts, ["a"]);
    let checked = AccountCheckResult::new("a", ErrorCode::OK, "")
        .with_account_status(AccountStatus::Imported);
    assert!(checked.is_imported());
    assert!(!AccountCheckResult::new("a", 70107, "").is_imported());
}

#[test]
fn friend_setters_write_the_documented_fields() {
    let mut request =
        FriendAddRequest::new("alice", ["bob"], Some(AddType::Single)).with_force_add_flags(1);
    request.add_friend_item[0] = AddFriendItem::new("bob")
        .with_remark("B")
        .with_group_name("g")
        .with_add_source("AddSource_Type_Web")
        .with_add_wording("hi");
    assert_eq!(
        json(&request),
        r#"{"From_Account":"alice","AddFriendItem":[{"To_Account":"bob","Remark":"B","GroupName":"g","AddSource":"AddSource_Type_Web","AddWording":"hi"}],"AddType":"Add_Type_Single","ForceAddFlags":1}"#
    );
    let item = FriendImportItem::new("bob")
        .with_remark("B")
        .with_remark_time(1)
        .with_group_name(["g1", "g2"])
        .with_add_source("AddSource_Type_Web")
        .with_add_wording("hi")
        .with_add_time(2);
    assert_eq!(
        json(&item),
        r#"{"To_Account":"bob","Remark":"B","RemarkTime":1,"GroupName":["g1","g2"],"AddSource":"AddSource_Type_Web","AddWording":"hi","AddTime":2}"#
    );
}
