//! The request and response samples of the official pages, stored in `tests/data/`.

use im_protocol::{
    AddBlocklistRequest, ApiRequest, CheckBlocklistRequest, CheckBlocklistResponse, CheckType,
    DeleteBlocklistRequest, Envelope, ErrorCode, GetBlocklistRequest, GetBlocklistResponse,
    Relation, UpdateBlocklistResponse, decode_envelope, decode_json, encode_json,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

pub(crate) const ADD_REQUEST: &[u8] = include_bytes!("../data/black_list_add_request.json");
pub(crate) const ADD_RESPONSE: &[u8] = include_bytes!("../data/black_list_add_response.json");
pub(crate) const DELETE_REQUEST: &[u8] = include_bytes!("../data/black_list_delete_request.json");
pub(crate) const DELETE_RESPONSE: &[u8] = include_bytes!("../data/black_list_delete_response.json");
pub(crate) const GET_REQUEST: &[u8] = include_bytes!("../data/black_list_get_request.json");
pub(crate) const GET_RESPONSE: &[u8] = include_bytes!("../data/black_list_get_response.json");
pub(crate) const CHECK_REQUEST: &[u8] = include_bytes!("../data/black_list_check_request.json");
pub(crate) const CHECK_RESPONSE: &[u8] = include_bytes!("../data/black_list_check_response.json");

/// Every response fixture, by name.
pub(crate) const RESPONSES: &[(&str, &[u8])] = &[
    ("add", ADD_RESPONSE),
    ("delete", DELETE_RESPONSE),
    ("get", GET_RESPONSE),
    ("check", CHECK_RESPONSE),
];

/// Decodes a response fixture, encodes it again and decodes that: the values must match,
/// and the re-encoded JSON must carry exactly the fields of the original.
fn round_trip<T>(bytes: &[u8]) -> T
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let first: Envelope<T> = decode_envelope(bytes).unwrap();
    let encoded = encode_json(&first).unwrap();
    let second: Envelope<T> = decode_envelope(&encoded).unwrap();
    assert_eq!(first, second);

    let original: Value = serde_json::from_slice(bytes).unwrap();
    let reencoded: Value = serde_json::from_slice(&encoded).unwrap();
    assert_eq!(original, reencoded);

    first.body.unwrap()
}

/// Decodes a request fixture and checks that encoding `expected` gives the same JSON.
fn request_matches<R>(bytes: &[u8], expected: &R)
where
    R: ApiRequest + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let decoded: R = decode_json(bytes).unwrap();
    assert_eq!(&decoded, expected);
    let encoded: Value = serde_json::from_slice(&encode_json(expected).unwrap()).unwrap();
    let documented: Value = serde_json::from_slice(bytes).unwrap();
    assert_eq!(encoded, documented);
}

#[test]
fn add_response_round_trips() {
    let response: UpdateBlocklistResponse = round_trip(ADD_RESPONSE);
    let codes: Vec<_> = response
        .result_item
        .iter()
        .map(|item| item.result_code)
        .collect();
    assert_eq!(codes, [ErrorCode::OK, ErrorCode(30001), ErrorCode(30002)]);
    assert_eq!(response.result_item[1].to_account, "id2");
    assert_eq!(
        response.result_item[1].result_info,
        "Err_SNS_BlackListAdd_Already_Exist"
    );
    assert!(response.result_item[0].is_ok());
    assert!(!response.result_item[2].is_ok());
    assert_eq!(response.fail_account, ["id2", "id3"]);
}

#[test]
fn delete_response_round_trips() {
    let response: UpdateBlocklistResponse = round_trip(DELETE_RESPONSE);
    assert_eq!(response.result_item.len(), 3);
    assert_eq!(
        response.result_item[2].result_code,
        ErrorCode::INTERNAL_ERROR
    );
    assert_eq!(response.fail_account, ["id3"]);
}

#[test]
fn get_response_round_trips() {
    let response: GetBlocklistResponse = round_trip(GET_RESPONSE);
    assert_eq!(response.black_list_item.len(), 2);
    assert_eq!(response.black_list_item[0].to_account, "id1");
    assert_eq!(
        response.black_list_item[1].add_black_timestamp,
        1_430_000_002
    );
    assert_eq!(response.start_index, 0);
    assert_eq!(response.next_start_index(), None);
    assert_eq!(response.current_sequence, Some(13));
}

#[test]
fn check_response_round_trips() {
    let response: CheckBlocklistResponse = round_trip(CHECK_RESPONSE);
    let relations: Vec<_> = response
        .black_list_check_item
        .iter()
        .map(|item| item.relation)
        .collect();
    assert_eq!(
        relations,
        [
            Relation::BothWay,
            Relation::AWithB,
            Relation::BWithA,
            Relation::No,
            Relation::No
        ]
    );
    assert_eq!(
        response.black_list_check_item[4].result_code,
        ErrorCode::NETWORK_TIMEOUT
    );
    assert!(!response.black_list_check_item[4].is_ok());
    assert_eq!(response.fail_account, ["id5"]);
    assert!(response.invalid_account.is_empty());
}

#[test]
fn requests_serialize_to_the_documented_samples() {
    request_matches(
        ADD_REQUEST,
        &AddBlocklistRequest::new("id", ["id1", "id2", "id3"]),
    );
    request_matches(
        DELETE_REQUEST,
        &DeleteBlocklistRequest::new("id", ["id1", "id2", "id3"]),
    );
    request_matches(
        GET_REQUEST,
        &GetBlocklistRequest::new("id", 0, 30).with_last_sequence(12),
    );
    request_matches(
        CHECK_REQUEST,
        &CheckBlocklistRequest::new("id", ["id1", "id2", "id3", "id4", "id5"], CheckType::Both),
    );
}

#[test]
fn requests_serialize_with_exact_field_names_and_order() {
    let get = GetBlocklistRequest::first_page("id", 30);
    assert_eq!(
        String::from_utf8(encode_json(&get).unwrap()).unwrap(),
        r#"{"From_Account":"id","StartIndex":0,"MaxLimited":30,"LastSequence":0}"#
    );
    let delete = DeleteBlocklistRequest::new("id", ["id1"]);
    assert_eq!(
        String::from_utf8(encode_json(&delete).unwrap()).unwrap(),
        r#"{"From_Account":"id","To_Account":["id1"]}"#
    );
    let check = CheckBlocklistRequest::new("id", Vec::<String>::new(), CheckType::Single);
    assert_eq!(
        String::from_utf8(encode_json(&check).unwrap()).unwrap(),
        r#"{"From_Account":"id","To_Account":[],"CheckType":"BlackCheckResult_Type_Single"}"#
    );
}

#[test]
fn requests_name_their_api() {
    use im_protocol::Api;
    assert_eq!(AddBlocklistRequest::API, Api::BlackListAdd);
    assert_eq!(DeleteBlocklistRequest::API, Api::BlackListDelete);
    assert_eq!(GetBlocklistRequest::API, Api::BlackListGet);
    assert_eq!(CheckBlocklistRequest::API, Api::BlackListCheck);
}

#[test]
fn check_type_and_relation_spellings() {
    for (check_type, wire) in [
        (CheckType::Single, "BlackCheckResult_Type_Single"),
        (CheckType::Both, "BlackCheckResult_Type_Both"),
    ] {
        assert_eq!(check_type.as_str(), wire);
        assert_eq!(serde_json::to_value(check_type).unwrap(), Value::from(wire));
        assert_eq!(
            serde_json::from_value::<CheckType>(Value::from(wire)).unwrap(),
            check_type
        );
    }
    for (relation, wire, from_blocks_to, to_blocks_from) in [
        (Relation::No, "BlackCheckResult_Type_NO", false, false),
        (
            Relation::AWithB,
            "BlackCheckResult_Type_AWithB",
            true,
            false,
        ),
        (
            Relation::BWithA,
            "BlackCheckResult_Type_BWithA",
            false,
            true,
        ),
        (
            Relation::BothWay,
            "BlackCheckResult_Type_BothWay",
            true,
            true,
        ),
    ] {
        assert_eq!(relation.as_str(), wire);
        assert_eq!(serde_json::to_value(relation).unwrap(), Value::from(wire));
        assert_eq!(
            serde_json::from_value::<Relation>(Value::from(wire)).unwrap(),
            relation
        );
        assert_eq!(relation.from_blocks_to(), from_blocks_to);
        assert_eq!(relation.to_blocks_from(), to_blocks_from);
    }
    // The spellings are case-sensitive on the wire.
    assert!(serde_json::from_value::<Relation>(Value::from("BlackCheckResult_Type_No")).is_err());
    assert!(serde_json::from_value::<CheckType>(Value::from("Both")).is_err());
}

#[test]
fn paging_follows_start_index() {
    let first = GetBlocklistRequest::first_page("id", 2);
    let page: GetBlocklistResponse = decode_json(
        br#"{"BlackListItem":[{"To_Account":"a","AddBlackTimeStamp":1},{"To_Account":"b","AddBlackTimeStamp":2}],
             "StartIndex":2,"CurruentSequence":9}"#,
    )
    .unwrap();
    let second = first.next_page(&page).unwrap();
    assert_eq!(second.start_index, 2);
    assert_eq!(second.max_limited, 2);
    assert_eq!(second.last_sequence, 0);
    assert_eq!(second.from_account, "id");
    let last: GetBlocklistResponse = decode_json(br#"{"StartIndex":0}"#).unwrap();
    assert_eq!(second.next_page(&last), None);
}
