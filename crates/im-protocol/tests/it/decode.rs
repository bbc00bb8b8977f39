//! Decoding edge cases: tolerance, the failure envelope, and garbage that must not panic.

use std::error::Error as _;

use im_protocol::{
    ActionStatus, CheckBlocklistResponse, Envelope, Error, ErrorCode, GetBlocklistResponse,
    RetryClass, Status, UpdateBlocklistResponse, decode_envelope, decode_response, encode_json,
};
use proptest::prelude::*;

use crate::fixtures::RESPONSES;

const OK: &str = r#""ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"""#;

fn update(body: &str) -> Result<UpdateBlocklistResponse, Error> {
    decode_response(body.as_bytes())
}

fn get(body: &str) -> Result<GetBlocklistResponse, Error> {
    decode_response(body.as_bytes())
}

fn check(body: &str) -> Result<CheckBlocklistResponse, Error> {
    decode_response(body.as_bytes())
}

#[test]
fn current_sequence_alias_is_accepted_and_written_as_the_live_spelling() {
    let response = get(&format!(
        r#"{{"BlackListItem":[],"StartIndex":0,"CurrentSequence":42,{OK}}}"#
    ))
    .unwrap();
    assert_eq!(response.current_sequence, Some(42));
    let encoded = String::from_utf8(encode_json(&response).unwrap()).unwrap();
    assert!(encoded.contains(r#""CurruentSequence":42"#), "{encoded}");
    assert!(!encoded.contains("CurrentSequence"));
}

#[test]
fn missing_sequence_and_items_default() {
    let response = get(&format!(r#"{{"StartIndex":5,{OK}}}"#)).unwrap();
    assert!(response.black_list_item.is_empty());
    assert_eq!(response.current_sequence, None);
    assert_eq!(response.next_start_index(), Some(5));
}

#[test]
fn missing_start_index_is_a_decode_error() {
    // Defaulting it to 0 would end paging early without anyone noticing.
    assert!(
        get(&format!(r#"{{"BlackListItem":[],{OK}}}"#))
            .unwrap_err()
            .is_decode()
    );
}

#[test]
fn missing_fail_account_and_result_info_default_to_empty() {
    let response = update(&format!(
        r#"{{"ResultItem":[{{"To_Account":"a","ResultCode":0}}],{OK}}}"#
    ))
    .unwrap();
    assert!(response.fail_account.is_empty());
    assert_eq!(response.result_item[0].result_info, "");
    let check = check(&format!(
        r#"{{"BlackListCheckItem":[{{"To_Account":"a","Relation":"BlackCheckResult_Type_NO","ResultCode":0}}],{OK}}}"#
    ))
    .unwrap();
    assert!(check.fail_account.is_empty());
    assert!(check.invalid_account.is_empty());
}

#[test]
fn invalid_account_of_older_docs_is_read() {
    let response = check(&format!(
        r#"{{"BlackListCheckItem":[],"Invalid_Account":["id6"],{OK}}}"#
    ))
    .unwrap();
    assert_eq!(response.invalid_account, ["id6"]);
}

#[test]
fn unknown_fields_are_ignored_everywhere() {
    let response = update(&format!(
        r#"{{"NewTopLevel":{{"nested":[1,2.5,null]}},
            "ResultItem":[{{"To_Account":"a","ResultCode":0,"ResultInfo":"","Extra":true}}],
            "Fail_Account":[],{OK},"ErrorDisplay":"","RequestId":"abc"}}"#
    ))
    .unwrap();
    assert_eq!(response.result_item[0].to_account, "a");
    let page = get(&format!(
        r#"{{"BlackListItem":[{{"To_Account":"a","AddBlackTimeStamp":1,"Remark":"x"}}],"StartIndex":0,"Extra":1,{OK}}}"#
    ))
    .unwrap();
    assert_eq!(page.black_list_item[0].add_black_timestamp, 1);
}

#[test]
fn unknown_result_codes_decode_as_opaque_codes() {
    let response = update(&format!(
        r#"{{"ResultItem":[
            {{"To_Account":"a","ResultCode":31307,"ResultInfo":"Err_SNS_BlackListAdd_Already_Exist"}},
            {{"To_Account":"b","ResultCode":99999,"ResultInfo":"new"}},
            {{"To_Account":"c","ResultCode":-1}}],
            "Fail_Account":["a","b","c"],{OK}}}"#
    ))
    .unwrap();
    let codes: Vec<_> = response
        .result_item
        .iter()
        .map(|item| item.result_code)
        .collect();
    assert_eq!(codes, [ErrorCode(31307), ErrorCode(99_999), ErrorCode(-1)]);
    assert_eq!(codes[1].name(), None);
    assert_eq!(codes[1].retry_class(), RetryClass::Fatal);
}

#[test]
fn fail_envelope_yields_the_api_error() {
    let body = include_bytes!("../data/fail_rate_limited.json");
    let error = decode_response::<UpdateBlocklistResponse>(body).unwrap_err();
    let Error::Api(api) = &error else {
        panic!("expected an API error, got {error:?}");
    };
    assert_eq!(api.code(), ErrorCode(60007));
    assert_eq!(api.name(), Some("API_RATE_LIMITED"));
    assert_eq!(api.retry_class(), RetryClass::RateLimited);
    assert_eq!(api.info(), "REST API call frequency exceeded");
    assert_eq!(api.display(), "");
    assert_eq!(error.code(), Some(ErrorCode(60007)));
    assert_eq!(
        error.to_string(),
        "API call failed with 60007 API_RATE_LIMITED: REST API call frequency exceeded"
    );
    assert!(error.source().is_none());
}

#[test]
fn fail_envelope_wins_for_every_body_type() {
    let body = br#"{"ActionStatus":"FAIL","ErrorCode":70001,"ErrorInfo":"expired","ErrorDisplay":"please sign in"}"#;
    let expect = |error: Error| {
        let api = error.as_api_error().unwrap();
        assert_eq!(api.code(), ErrorCode::SIG_EXPIRED);
        assert_eq!(api.retry_class(), RetryClass::Resign);
        assert_eq!(api.display(), "please sign in");
    };
    expect(decode_response::<UpdateBlocklistResponse>(body).unwrap_err());
    expect(decode_response::<GetBlocklistResponse>(body).unwrap_err());
    expect(decode_response::<CheckBlocklistResponse>(body).unwrap_err());
    expect(decode_response::<serde_json::Value>(body).unwrap_err());
}

#[test]
fn fail_envelope_with_a_malformed_body_is_still_the_api_error() {
    let body = br#"{"ResultItem":"not a list","ActionStatus":"FAIL","ErrorCode":30013,"ErrorInfo":"full"}"#;
    let error = decode_response::<UpdateBlocklistResponse>(body).unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::BLOCKLIST_FULL));
    assert_eq!(
        error.to_string(),
        "API call failed with 30013 BLOCKLIST_FULL: full"
    );
}

#[test]
fn ok_status_with_a_nonzero_code_is_an_api_error() {
    let body = br#"{"ActionStatus":"OK","ErrorCode":90001,"ErrorInfo":"odd"}"#;
    let error = decode_response::<UpdateBlocklistResponse>(body).unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode(90_001)));
    assert_eq!(error.to_string(), "API call failed with 90001: odd");
}

#[test]
fn fail_status_with_code_zero_is_still_a_failure() {
    let body = br#"{"ActionStatus":"FAIL","ErrorCode":0}"#;
    let error = decode_response::<UpdateBlocklistResponse>(body).unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::OK));
    assert_eq!(error.as_api_error().unwrap().info(), "");
}

#[test]
fn bodies_without_a_valid_envelope_are_decode_errors() {
    for body in [
        "",
        "{}",
        "null",
        "[]",
        r#"{"ResultItem":[]}"#,
        r#"{"ActionStatus":"ok","ErrorCode":0}"#,
        r#"{"ActionStatus":"OK"}"#,
        r#"{"ActionStatus":"OK","ErrorCode":"0"}"#,
        r#"{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":7}"#,
        "<html><body>502 Bad Gateway</body></html>",
    ] {
        let error = update(body).unwrap_err();
        assert!(error.is_decode(), "{body:?} gave {error:?}");
        assert_eq!(error.code(), None);
    }
}

#[test]
fn successful_envelope_without_its_body_is_a_decode_error() {
    assert!(update(&format!("{{{OK}}}")).unwrap_err().is_decode());
    assert!(check(&format!("{{{OK}}}")).unwrap_err().is_decode());
}

#[test]
fn unknown_relation_is_a_decode_error() {
    let error = check(&format!(
        r#"{{"BlackListCheckItem":[{{"To_Account":"a","Relation":"BlackCheckResult_Type_Maybe","ResultCode":0}}],{OK}}}"#
    ))
    .unwrap_err();
    assert!(error.is_decode());
}

#[test]
fn decode_errors_are_short_and_do_not_echo_the_body() {
    let secret_like = "s".repeat(5_000);
    let body =
        format!(r#"{{"ResultItem":[{{"To_Account":"{secret_like}","ResultCode":"zero"}}],{OK}}}"#);
    let error = update(&body).unwrap_err();
    assert_eq!(error.to_string(), "could not decode the JSON body");
    let source = error.source().unwrap().to_string();
    assert!(source.len() < 400, "{source}");
    assert!(!source.contains(&secret_like));
    assert!(format!("{error:?}").len() < 600);

    let Error::Decode(json) = &error else {
        panic!("expected a decode error");
    };
    assert!(!json.is_truncated());
    assert_eq!(json.line(), 1);
    assert!(json.column() > 0);
}

#[test]
fn long_unknown_strings_are_cut_in_messages() {
    let long = "x".repeat(5_000);
    let body = format!(
        r#"{{"BlackListCheckItem":[{{"To_Account":"a","Relation":"{long}","ResultCode":0}}],{OK}}}"#
    );
    let error = check(&body).unwrap_err();
    let message = error.source().unwrap().to_string();
    assert!(message.chars().count() <= 161, "{message}");
}

#[test]
fn every_strict_prefix_of_every_fixture_is_a_truncation_error() {
    for (name, fixture) in RESPONSES {
        let whole = fixture.trim_ascii_end();
        for end in 0..whole.len() {
            let prefix = &whole[..end];
            let error = match *name {
                "get" => decode_response::<GetBlocklistResponse>(prefix).map(drop),
                "check" => decode_response::<CheckBlocklistResponse>(prefix).map(drop),
                _ => decode_response::<UpdateBlocklistResponse>(prefix).map(drop),
            }
            .unwrap_err();
            let Error::Decode(json) = &error else {
                panic!("{name} prefix of {end} bytes gave {error:?}");
            };
            assert!(json.is_truncated(), "{name} prefix of {end} bytes: {json}");
        }
    }
}

#[test]
fn envelope_encodes_failures_without_a_body() {
    let envelope = Envelope::<CheckBlocklistResponse>::fail(ErrorCode::SIG_INVALID, "bad sig");
    let bytes = encode_json(&envelope).unwrap();
    assert_eq!(
        String::from_utf8(bytes.clone()).unwrap(),
        r#"{"ActionStatus":"FAIL","ErrorCode":70003,"ErrorInfo":"bad sig"}"#
    );
    let decoded = decode_envelope::<CheckBlocklistResponse>(&bytes).unwrap();
    assert_eq!(decoded, envelope);
    assert_eq!(decoded.status.action_status, ActionStatus::Fail);

    let with_display = Envelope::<CheckBlocklistResponse> {
        body: None,
        status: Status::fail(ErrorCode::SIG_INVALID, "bad sig").with_display("sign in again"),
    };
    let error = decode_response::<CheckBlocklistResponse>(&encode_json(&with_display).unwrap())
        .unwrap_err();
    assert_eq!(error.as_api_error().unwrap().display(), "sign in again");
}

#[test]
fn envelope_flattening_keeps_large_numbers_exact() {
    let page = GetBlocklistResponse::new(
        vec![im_protocol::BlocklistEntry::new("a", u64::MAX)],
        u32::MAX,
    )
    .with_current_sequence(u64::MAX);
    let bytes = encode_json(&Envelope::ok(page.clone())).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.contains("18446744073709551615"), "{text}");
    assert_eq!(
        decode_response::<GetBlocklistResponse>(&bytes).unwrap(),
        page
    );
    let envelope = decode_envelope::<GetBlocklistResponse>(&bytes).unwrap();
    assert_eq!(envelope.status, Status::ok());

    let huge_code = br#"{"ActionStatus":"FAIL","ErrorCode":9223372036854775807,"ErrorInfo":""}"#;
    let error = decode_response::<GetBlocklistResponse>(huge_code).unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode(i64::MAX)));
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode_response::<UpdateBlocklistResponse>(&bytes);
        let _ = decode_response::<GetBlocklistResponse>(&bytes);
        let _ = decode_envelope::<CheckBlocklistResponse>(&bytes);
    }

    #[test]
    fn mutated_fixtures_never_panic(
        which in 0..RESPONSES.len(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let mut bytes = RESPONSES[which].1.to_vec();
        for (index, byte) in edits {
            let at = index.index(bytes.len());
            bytes[at] = byte;
        }
        let _ = decode_response::<UpdateBlocklistResponse>(&bytes);
        let _ = decode_response::<GetBlocklistResponse>(&bytes);
        let _ = decode_response::<CheckBlocklistResponse>(&bytes);
    }

    #[test]
    fn api_errors_round_trip_through_the_envelope(code in any::<i64>(), info in ".{0,40}") {
        prop_assume!(code != 0);
        let envelope = Envelope::<UpdateBlocklistResponse>::fail(ErrorCode(code), info.clone());
        let bytes = encode_json(&envelope).unwrap();
        let error = decode_response::<UpdateBlocklistResponse>(&bytes).unwrap_err();
        let api = error.as_api_error().unwrap();
        prop_assert_eq!(api.code(), ErrorCode(code));
        prop_assert_eq!(api.info(), info.as_str());
    }
}
