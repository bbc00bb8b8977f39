//! The typed test answers decode into what they describe, through the crate's own decoder.

use im_protocol::test_util::Answer;
use im_protocol::{
    AccountCheckResponse, AccountDeleteResponse, AccountStatus, CheckBlocklistResponse, ErrorCode,
    GetBlocklistResponse, MultiAccountImportResponse, Relation, UpdateBlocklistResponse,
    decode_response,
};

#[test]
fn a_blocklist_add_answer_lists_each_account_and_the_failed_ones() {
    let answer = Answer::from(Answer::blocklist_add().ok("bob").failed("carol", 30006));

    let response: UpdateBlocklistResponse = decode_response(answer.body()).unwrap();

    let codes: Vec<_> = response
        .result_item
        .iter()
        .map(|item| (item.to_account.as_str(), item.result_code.0))
        .collect();
    assert_eq!(codes, [("bob", 0), ("carol", 30006)]);
    assert_eq!(response.fail_account, ["carol"]);
    assert!(!response.result_item[1].result_info.is_empty());
}

#[test]
fn a_delete_answer_with_only_successes_leaves_fail_account_out() {
    let answer = Answer::from(Answer::blocklist_delete().ok("bob"));

    let text = std::str::from_utf8(answer.body()).unwrap();

    assert!(!text.contains("Fail_Account"), "{text}");
    assert!(text.contains(r#""ActionStatus":"OK""#), "{text}");
}

#[test]
fn a_check_answer_carries_relations_and_failures() {
    let answer = Answer::blocklist_check()
        .relation("bob", Relation::BothWay)
        .relation("dave", Relation::No)
        .failed("carol", 30007);

    let response: CheckBlocklistResponse = decode_response(Answer::from(answer).body()).unwrap();

    let items = &response.black_list_check_item;
    assert_eq!(items[0].relation, Relation::BothWay);
    assert!(items[1].is_ok());
    assert_eq!(items[2].result_code, ErrorCode::NETWORK_TIMEOUT);
    assert_eq!(response.fail_account, ["carol"]);
}

#[test]
fn a_page_answer_has_entries_next_index_and_sequence() {
    let answer = Answer::blocklist_get()
        .entry("bob", 1_700_000_000)
        .next_page(1)
        .sequence(9);

    let page: GetBlocklistResponse = decode_response(Answer::from(answer).body()).unwrap();

    assert_eq!(page.black_list_item[0].to_account, "bob");
    assert_eq!(page.black_list_item[0].add_black_timestamp, 1_700_000_000);
    assert_eq!(page.next_start_index(), Some(1));
    assert_eq!(page.current_sequence, Some(9));
}

#[test]
fn account_answers_decode() {
    let check = Answer::account_check()
        .imported("a")
        .not_imported("b")
        .failed("c", 70500);
    let check: AccountCheckResponse = decode_response(Answer::from(check).body()).unwrap();
    assert!(check.result_item[0].is_imported());
    assert_eq!(
        check.result_item[1].account_status,
        Some(AccountStatus::NotImported)
    );
    assert_eq!(check.result_item[2].result_code, ErrorCode(70500));

    let delete = Answer::account_delete().ok("a").failed("b", 70107);
    let delete: AccountDeleteResponse = decode_response(Answer::from(delete).body()).unwrap();
    assert!(delete.result_item[0].is_ok());
    assert_eq!(delete.result_item[1].result_code, ErrorCode(70107));

    let import = Answer::multiaccount_import().failed("b");
    let import: MultiAccountImportResponse = decode_response(Answer::from(import).body()).unwrap();
    assert_eq!(import.fail_accounts, ["b"]);

    let ok: serde_json::Value = serde_json::from_slice(Answer::ok().body()).unwrap();
    assert_eq!(
        ok,
        serde_json::json!({"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": "", "ErrorDisplay": ""})
    );
}

#[test]
fn request_failures_are_fail_envelopes_with_the_code() {
    for (answer, code) in [
        (Answer::rate_limited(), ErrorCode::API_RATE_LIMITED),
        (Answer::fail(70001), ErrorCode(70001)),
        (Answer::fail(12345), ErrorCode(12345)),
    ] {
        let error = decode_response::<UpdateBlocklistResponse>(answer.body()).unwrap_err();
        let im_protocol::Error::Api(error) = error else {
            panic!("not an API error: {error:?}");
        };
        assert_eq!(error.code(), code);
    }
}

#[test]
fn every_answer_is_a_json_200_response() {
    let response: http::Response<bytes::Bytes> = Answer::blocklist_add().ok("bob").into();

    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert!(response.body().starts_with(b"{"));
}
