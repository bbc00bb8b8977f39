//! Friend bodies: the documented item fields, optional fields, missing lists.

use im_protocol::{
    AddType, FriendAddRequest, FriendCheckItem, FriendCheckResponse, FriendImportRequest,
    FriendRelation, decode_json,
};

#[test]
fn friend_import_reads_the_documented_item_fields() {
    let request: FriendImportRequest = decode_json(
        br#"{"From_Account":"a","AddFriendItem":[{"To_Account":"b","GroupName":["g1","g2"],
            "AddSource":"AddSource_Type_XXXX","AddTime":1,"CustomItem":[{"Tag":"Tag_SNS_Custom_x","Value":7}]}]}"#,
    )
    .expect("the documented shape decodes");
    let item = &request.add_friend_item[0];
    assert_eq!(item.group_name, ["g1", "g2"]);
    assert_eq!(item.add_time, Some(1));
}

#[test]
fn friend_add_reads_its_optional_fields() {
    let request: FriendAddRequest = decode_json(
        br#"{"From_Account":"a","AddFriendItem":[{"To_Account":"b","GroupName":"g","AddWording":"hi"}],
            "AddType":"Add_Type_Single","ForceAddFlags":1}"#,
    )
    .expect("the documented shape decodes");
    assert_eq!(request.add_type, Some(AddType::Single));
    assert_eq!(request.force_add_flags, Some(1));
    assert_eq!(request.add_friend_item[0].group_name.as_deref(), Some("g"));
}

#[test]
fn friend_check_answers_tolerate_missing_lists() {
    let response: FriendCheckResponse = decode_json(b"{}").expect("decodes");
    assert!(response.info_item.is_empty() && response.fail_account.is_empty());
    let item: FriendCheckItem =
        decode_json(br#"{"To_Account":"b","Relation":"CheckResult_Type_BothWay","ResultCode":0}"#)
            .expect("decodes");
    assert_eq!(item.relation, FriendRelation::BothWay);
    assert!(
        decode_json::<FriendCheckItem>(
            br#"{"To_Account":"b","Relation":"CheckResult_Type_Maybe","ResultCode":0}"#
        )
        .is_err()
    );
}
