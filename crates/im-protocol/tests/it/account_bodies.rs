//! Account bodies: both import shapes, tolerant check items, the documented names.

use im_protocol::{
    AccountCheckResult, AccountStatus, ErrorCode, MultiAccountImportRequest,
    MultiAccountImportResponse, decode_json, encode_json,
};

#[test]
fn multiaccount_import_reads_both_shapes_and_missing_lists() {
    let both: MultiAccountImportRequest =
        decode_json(br#"{"AccountList":[{"UserID":"a","Nick":"A"}],"Accounts":["b"]}"#)
            .expect("both shapes");
    assert_eq!(both.user_ids(), ["a", "b"]);
    assert_eq!(both.account_list[0].nick.as_deref(), Some("A"));
    let neither: MultiAccountImportRequest = decode_json(b"{}").expect("no lists");
    assert!(neither.user_ids().is_empty());
    let answer: MultiAccountImportResponse = decode_json(b"{}").expect("no FailAccounts");
    assert!(answer.fail_accounts.is_empty());
}

#[test]
fn account_check_items_tolerate_missing_fields_but_not_unknown_statuses() {
    let failed: AccountCheckResult =
        decode_json(br#"{"UserID":"a","ResultCode":70107,"Extra":true}"#).expect("decodes");
    assert_eq!(failed.account_status, None);
    assert!(!failed.is_imported());
    assert!(
        decode_json::<AccountCheckResult>(
            br#"{"UserID":"a","ResultCode":0,"AccountStatus":"Maybe"}"#
        )
        .is_err()
    );
}

#[test]
fn account_check_results_encode_with_the_documented_names() {
    let result = AccountCheckResult::new("a", ErrorCode::OK, "")
        .with_account_status(AccountStatus::NotImported);
    assert_eq!(
        encode_json(&result).expect("encodes"),
        br#"{"UserID":"a","ResultCode":0,"ResultInfo":"","AccountStatus":"NotImported"}"#
    );
    for status in [AccountStatus::Imported, AccountStatus::NotImported] {
        let json = encode_json(&status).expect("encodes");
        assert_eq!(json, format!("\"{}\"", status.as_str()).into_bytes());
    }
}
