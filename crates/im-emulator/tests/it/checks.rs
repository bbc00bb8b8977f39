//! The request checks, each answered with its documented code.

use std::sync::Arc;

use bytes::Bytes;
use im_protocol::{Api, ErrorCode, QueryParams, Status, decode_json, request_url};
use im_sig::ManualClock;

use crate::support::{
    ADMIN, APP, Harness, IN_PROCESS_BASE, KEY, NOW, builder, envelope_code, harness, sig_with,
};

const ADD: &str = "v4/sns/black_list_add";
const BODY: &str = r#"{"From_Account":"a","To_Account":["b"]}"#;

fn prepared() -> Harness {
    let h = harness();
    h.emulator.import_accounts(["a", "b"]);
    h
}

/// Sends `body` to `path` with the query string `query` and returns the envelope status.
async fn status_of(h: &Harness, path: &str, query: &str, body: &str) -> Status {
    let url = format!("{IN_PROCESS_BASE}/{path}?{query}");
    let response = h.post(&url, Bytes::from(body.to_owned())).await.unwrap();
    assert_eq!(response.status(), 200);
    decode_json(response.body()).unwrap()
}

/// A complete, valid query string with `usersig` and an optional override.
fn query(sig: &str) -> String {
    format!("sdkappid={APP}&identifier={ADMIN}&usersig={sig}&random=42&contenttype=json")
}

#[tokio::test]
async fn a_valid_request_passes_every_check() {
    let h = prepared();
    let status = status_of(&h, ADD, &query(&h.admin_sig()), BODY).await;
    assert!(status.is_success(), "{status:?}");
    assert!(h.emulator.is_blocked("a", "b"));
}

#[tokio::test]
async fn only_post_is_allowed() {
    let h = prepared();
    let url = format!("{IN_PROCESS_BASE}/{ADD}?{}", query(&h.admin_sig()));
    let request = http::Request::get(&url).body(Bytes::new()).unwrap();
    let response = h.transport.send(request).await.unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "POST");
    assert_eq!(envelope_code(response.body()), 60002);
    assert!(!h.emulator.is_blocked("a", "b"));
}

#[tokio::test]
async fn an_unknown_path_is_a_resource_error() {
    let h = prepared();
    let sig = h.admin_sig();
    for path in [
        "v4/sns/black_list_nope",
        "v4/sns",
        "",
        "V4/SNS/BLACK_LIST_ADD",
    ] {
        let status = status_of(&h, path, &query(&sig), BODY).await;
        assert_eq!(status.error_code, ErrorCode::RESOURCE_ERROR, "{path}");
    }
}

#[tokio::test]
async fn query_parameters_are_checked_in_order() {
    let h = prepared();
    let sig = h.admin_sig();
    let cases = [
        (
            format!("identifier={ADMIN}&usersig={sig}&random=1&contenttype=json"),
            60012,
        ),
        (
            format!(
                "sdkappid=1400000001&identifier={ADMIN}&usersig={sig}&random=1&contenttype=json"
            ),
            60006,
        ),
        (
            format!("sdkappid=abc&identifier={ADMIN}&usersig={sig}&random=1&contenttype=json"),
            60006,
        ),
        (
            format!("sdkappid={APP}&usersig={sig}&random=1&contenttype=json"),
            60004,
        ),
        (
            format!("sdkappid={APP}&identifier=&usersig={sig}&random=1&contenttype=json"),
            60004,
        ),
        (
            format!("sdkappid={APP}&identifier={ADMIN}&random=1&contenttype=json"),
            70002,
        ),
        (
            format!("sdkappid={APP}&identifier={ADMIN}&usersig=&random=1&contenttype=json"),
            70002,
        ),
        (
            format!("sdkappid={APP}&identifier={ADMIN}&usersig={sig}&contenttype=json"),
            60002,
        ),
        (
            format!("sdkappid={APP}&identifier={ADMIN}&usersig={sig}&random=abc&contenttype=json"),
            60002,
        ),
        (
            format!(
                "sdkappid={APP}&identifier={ADMIN}&usersig={sig}&random=4294967296&contenttype=json"
            ),
            60002,
        ),
        (
            format!("sdkappid={APP}&identifier={ADMIN}&usersig={sig}&random=1"),
            60002,
        ),
        (
            format!("sdkappid={APP}&identifier={ADMIN}&usersig={sig}&random=1&contenttype=xml"),
            60002,
        ),
        (
            format!("sdkappid={APP}&identifier={ADMIN}&usersig={sig}&random=1&contenttype=JSON"),
            60002,
        ),
        (
            format!("sdkappid={APP}&identifier=%zz&usersig={sig}&random=1&contenttype=json"),
            60002,
        ),
        // Names are case-sensitive.
        (
            format!("SdkAppId={APP}&identifier={ADMIN}&usersig={sig}&random=1&contenttype=json"),
            60012,
        ),
    ];
    for (query, code) in cases {
        let status = status_of(&h, ADD, &query, BODY).await;
        assert_eq!(
            status.error_code.0,
            code,
            "{}",
            query.replace(&sig, "<sig>")
        );
    }
    assert!(h.emulator.blocklist_of("a").is_empty());
    // The largest random is fine.
    let max = format!(
        "sdkappid={APP}&identifier={ADMIN}&usersig={sig}&random=4294967295&contenttype=json"
    );
    assert!(status_of(&h, ADD, &max, BODY).await.is_success());
}

#[tokio::test]
async fn usersigs_are_verified() {
    let h = prepared();
    let cases = [
        ("garbage".to_owned(), 70003),
        (sig_with("another-key", APP, ADMIN, NOW, 86_400), 70009),
        (sig_with(KEY, APP, ADMIN, NOW - 200, 100), 70001),
        (sig_with(KEY, APP, "someone-else", NOW, 86_400), 70013),
        (sig_with(KEY, APP + 1, ADMIN, NOW, 86_400), 70014),
    ];
    for (sig, code) in cases {
        let status = status_of(&h, ADD, &query(&sig), BODY).await;
        assert_eq!(status.error_code.0, code);
        assert!(!status.error_info.contains(&sig));
    }
    // Valid at exactly issue time plus validity.
    let edge = sig_with(KEY, APP, ADMIN, NOW - 100, 100);
    assert!(status_of(&h, ADD, &query(&edge), BODY).await.is_success());
}

#[tokio::test]
async fn the_sig_expires_with_the_emulator_clock() {
    let h = prepared();
    let sig = sig_with(KEY, APP, ADMIN, NOW, 60);
    assert!(status_of(&h, ADD, &query(&sig), BODY).await.is_success());
    h.clock.advance(61);
    let status = status_of(&h, ADD, &query(&sig), BODY).await;
    assert_eq!(status.error_code, ErrorCode::SIG_EXPIRED);
}

#[tokio::test]
async fn the_identifier_must_be_an_admin() {
    let h = prepared();
    let sig = sig_with(KEY, APP, "a", NOW, 86_400);
    let query = format!("sdkappid={APP}&identifier=a&usersig={sig}&random=1&contenttype=json");
    let status = status_of(&h, ADD, &query, BODY).await;
    assert_eq!(status.error_code, ErrorCode::ADMIN_PERMISSION_REQUIRED);
}

#[tokio::test]
async fn several_admins_and_encoded_identifiers_are_accepted() {
    let clock = Arc::new(ManualClock::new(NOW));
    let emulator = builder(&clock)
        .admin("administrator")
        .admin("ops team@corp")
        .build()
        .unwrap();
    emulator.import_accounts(["a", "b"]);
    let transport = emulator.transport();
    let sig = sig_with(KEY, APP, "ops team@corp", NOW, 86_400);
    let params = QueryParams {
        sdkappid: APP,
        identifier: "ops team@corp",
        usersig: &sig,
        random: 1,
    };
    let url = request_url(IN_PROCESS_BASE, Api::BlackListAdd, &params);
    assert!(url.as_str().contains("identifier=ops%20team%40corp"));
    let request = http::Request::post(url.as_str())
        .body(Bytes::from_static(BODY.as_bytes()))
        .unwrap();
    let response = transport.send(request).await.unwrap();
    assert_eq!(envelope_code(response.body()), 0);
    assert!(emulator.is_blocked("a", "b"));
}

#[tokio::test]
async fn a_plus_in_the_query_is_a_space_and_an_escaped_plus_is_a_plus() {
    let clock = Arc::new(ManualClock::new(NOW));
    let emulator = builder(&clock).admin("ops+1").build().unwrap();
    emulator.import_accounts(["a", "b"]);
    let h = Harness {
        transport: emulator.transport(),
        emulator,
        clock,
        base: IN_PROCESS_BASE.to_owned(),
    };
    let sig = sig_with(KEY, APP, "ops+1", NOW, 86_400);
    let with_identifier = |identifier: &str| {
        format!("sdkappid={APP}&identifier={identifier}&usersig={sig}&random=1&contenttype=json")
    };
    // What request_url writes: the plus escaped.
    let escaped = status_of(&h, ADD, &with_identifier("ops%2B1"), BODY).await;
    assert!(escaped.is_success(), "{escaped:?}");
    // A raw plus reads as a space, as in any query string: "ops 1" is another identifier.
    let raw = status_of(&h, ADD, &with_identifier("ops+1"), BODY).await;
    assert_eq!(raw.error_code, ErrorCode::SIG_IDENTIFIER_MISMATCH);
}

#[tokio::test]
async fn bodies_are_checked() {
    let h = prepared();
    let sig = h.admin_sig();
    let cases = [
        ("", 60003),
        ("{", 60003),
        ("[]", 60003),
        ("not json", 60003),
        (r#"{"From_Account":"a"}"#, 60003),
        (r#"{"From_Account":"a","To_Account":"b"}"#, 60003),
        (r#"{"From_Account":"a","To_Account":[1,2]}"#, 60015),
        (r#"{"From_Account":7,"To_Account":["b"]}"#, 60015),
    ];
    for (body, code) in cases {
        let status = status_of(&h, ADD, &query(&sig), body).await;
        assert_eq!(status.error_code.0, code, "{body}");
    }
    let status = status_of(
        &h,
        "v4/sns/black_list_check",
        &query(&sig),
        r#"{"From_Account":"a","To_Account":["b"],"CheckType":"Both"}"#,
    )
    .await;
    assert_eq!(status.error_code, ErrorCode::INVALID_PARAMETER);
    // LastSequence may be left out of a get.
    let status = status_of(
        &h,
        "v4/sns/black_list_get",
        &query(&sig),
        r#"{"From_Account":"a","StartIndex":0,"MaxLimited":10}"#,
    )
    .await;
    assert!(status.is_success());
}

#[tokio::test]
async fn every_rejection_is_logged_with_its_code() {
    let h = prepared();
    let sig = h.admin_sig();
    status_of(&h, ADD, &query("garbage"), BODY).await;
    status_of(&h, ADD, &query(&sig), "{").await;
    status_of(&h, ADD, &query(&sig), BODY).await;
    let codes: Vec<Option<i64>> = h
        .emulator
        .requests()
        .iter()
        .map(|request| request.code.map(|code| code.0))
        .collect();
    assert_eq!(codes, [Some(70003), Some(60003), Some(0)]);
}
