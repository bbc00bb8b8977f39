//! The pure verification path: `sign`, `CallbackQuery` and `Verifier`.

use std::time::Duration;

use im_webhook::{CallbackQuery, Token, Verifier, WebhookError, sign};

const APP: u64 = 1_400_000_000;
const TOKEN: &str = "xxxxyyyy";
const TIME: u64 = 1_669_872_112;
const DOC_SIGN: &str = "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061";

fn verifier() -> Verifier {
    Verifier::new(APP, Token::new(TOKEN))
}

/// The documented callback query with Tencent's example `Sign` and `RequestTime`.
fn documented_query() -> String {
    format!(
        "SdkAppid={APP}&CallbackCommand=Sns.CallbackBlackListAdd&contenttype=json\
         &ClientIP=127.0.0.1&OptPlatform=RESTAPI&Sign={DOC_SIGN}&RequestTime={TIME}"
    )
}

fn parse(query: &str) -> CallbackQuery {
    CallbackQuery::parse(query).unwrap()
}

#[test]
fn the_documented_example_signs_as_documented() {
    assert_eq!(sign(&Token::new(TOKEN), TIME), DOC_SIGN);
}

#[test]
fn the_documented_query_parses_into_its_parameters() {
    let query = parse(&documented_query());
    assert_eq!(query.sdkappid.as_deref(), Some("1400000000"));
    assert_eq!(
        query.callback_command.as_deref(),
        Some("Sns.CallbackBlackListAdd")
    );
    assert_eq!(query.content_type.as_deref(), Some("json"));
    assert_eq!(query.client_ip.as_deref(), Some("127.0.0.1"));
    assert_eq!(query.opt_platform.as_deref(), Some("RESTAPI"));
    assert_eq!(query.sign.as_deref(), Some(DOC_SIGN));
    assert_eq!(query.request_time.as_deref(), Some("1669872112"));
}

#[test]
fn a_correct_request_passes_within_the_window() {
    let query = parse(&documented_query());
    for now in [TIME - 60, TIME - 1, TIME, TIME + 1, TIME + 60] {
        assert!(
            verifier().verify(&query, now).is_ok(),
            "rejected at now = RequestTime {:+}",
            now.cast_signed() - TIME.cast_signed()
        );
    }
}

#[test]
fn a_request_older_than_the_window_is_stale() {
    let error = verifier()
        .verify(&parse(&documented_query()), TIME + 61)
        .unwrap_err();
    assert!(
        matches!(error, WebhookError::Stale { request_time: TIME, now } if now == TIME + 61),
        "{error:?}"
    );
    assert_eq!(error.http_status(), 403);
    assert!(error.is_unauthenticated());
}

#[test]
fn a_request_from_beyond_the_window_is_from_the_future() {
    let error = verifier()
        .verify(&parse(&documented_query()), TIME - 61)
        .unwrap_err();
    assert!(
        matches!(error, WebhookError::FromTheFuture { request_time: TIME, now } if now == TIME - 61),
        "{error:?}"
    );
    assert_eq!(error.http_status(), 403);
}

#[test]
fn the_window_is_configurable() {
    let query = parse(&documented_query());
    let strict = verifier().with_window(Duration::from_secs(5));
    assert_eq!(strict.window(), Duration::from_secs(5));
    assert!(strict.verify(&query, TIME + 5).is_ok());
    assert!(matches!(
        strict.verify(&query, TIME + 6),
        Err(WebhookError::Stale { .. })
    ));
    assert!(matches!(
        strict.verify(&query, TIME - 6),
        Err(WebhookError::FromTheFuture { .. })
    ));
    let exact = verifier().with_window(Duration::ZERO);
    assert!(exact.verify(&query, TIME).is_ok());
    assert!(exact.verify(&query, TIME + 1).is_err());
}

#[test]
fn an_uppercase_sign_is_accepted() {
    let query = documented_query().replace(DOC_SIGN, &DOC_SIGN.to_ascii_uppercase());
    assert!(verifier().verify(&parse(&query), TIME).is_ok());
}

#[test]
fn a_sign_with_one_digit_flipped_is_rejected() {
    for position in [0, 31, 63] {
        let mut tampered = DOC_SIGN.as_bytes().to_vec();
        tampered[position] = if tampered[position] == b'0' {
            b'1'
        } else {
            b'0'
        };
        let tampered = String::from_utf8(tampered).unwrap();
        let query = documented_query().replace(DOC_SIGN, &tampered);
        let error = verifier().verify(&parse(&query), TIME).unwrap_err();
        assert!(
            matches!(error, WebhookError::BadSignature),
            "digit {position}: {error:?}"
        );
        assert_eq!(error.http_status(), 403);
    }
}

#[test]
fn a_sign_of_the_wrong_shape_is_rejected() {
    for bad in [
        &DOC_SIGN[..63],
        &DOC_SIGN[..62],
        &format!("{DOC_SIGN}0"),
        &DOC_SIGN.replace('a', "z"),
        "",
    ] {
        let query = documented_query().replace(DOC_SIGN, bad);
        let error = verifier().verify(&parse(&query), TIME).unwrap_err();
        assert!(
            matches!(error, WebhookError::InvalidParameter { name: "Sign", .. }),
            "{bad:?}: {error:?}"
        );
        assert_eq!(error.http_status(), 400);
    }
}

#[test]
fn a_tampered_request_time_breaks_the_signature() {
    let query = documented_query().replace(&TIME.to_string(), &(TIME + 30).to_string());
    assert!(matches!(
        verifier().verify(&parse(&query), TIME + 30),
        Err(WebhookError::BadSignature)
    ));
    // A leading zero keeps the number but changes the signed text.
    let query = documented_query().replace(&TIME.to_string(), &format!("0{TIME}"));
    assert!(matches!(
        verifier().verify(&parse(&query), TIME),
        Err(WebhookError::BadSignature)
    ));
}

#[test]
fn another_token_does_not_verify() {
    let other = Verifier::new(APP, Token::new("xxxyyy"));
    assert!(matches!(
        other.verify(&parse(&documented_query()), TIME),
        Err(WebhookError::BadSignature)
    ));
}

#[test]
fn missing_parameters_are_named() {
    for (name, text) in [
        ("SdkAppid", format!("SdkAppid={APP}&")),
        ("Sign", format!("&Sign={DOC_SIGN}")),
        ("RequestTime", format!("&RequestTime={TIME}")),
    ] {
        let query = documented_query().replace(&text, "");
        assert_ne!(query, documented_query(), "{name} was not removed");
        let error = verifier().verify(&parse(&query), TIME).unwrap_err();
        assert!(
            matches!(error, WebhookError::MissingParameter(missing) if missing == name),
            "{error:?}"
        );
        assert_eq!(error.http_status(), 400);
        assert_eq!(
            error.to_string(),
            format!("query parameter {name} is missing")
        );
    }
}

#[test]
fn parameter_names_are_case_sensitive() {
    let query = documented_query().replace("SdkAppid=", "sdkappid=");
    assert!(matches!(
        verifier().verify(&parse(&query), TIME),
        Err(WebhookError::MissingParameter("SdkAppid"))
    ));
}

#[test]
fn another_application_is_rejected() {
    let query = documented_query().replace(&APP.to_string(), "1400000001");
    let error = verifier().verify(&parse(&query), TIME).unwrap_err();
    assert!(
        matches!(
            error,
            WebhookError::WrongApp {
                expected: APP,
                found: 1_400_000_001
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.http_status(), 403);
    assert_eq!(
        error.to_string(),
        "SdkAppid is 1400000001, expected 1400000000"
    );
}

#[test]
fn non_numeric_numbers_are_invalid() {
    for (name, from, to) in [
        (
            "RequestTime",
            format!("RequestTime={TIME}"),
            "RequestTime=soon",
        ),
        (
            "RequestTime",
            format!("RequestTime={TIME}"),
            "RequestTime=-5",
        ),
        ("SdkAppid", format!("SdkAppid={APP}"), "SdkAppid=app"),
    ] {
        let query = documented_query().replace(&from, to);
        let error = verifier().verify(&parse(&query), TIME).unwrap_err();
        assert!(
            matches!(error, WebhookError::InvalidParameter { name: invalid, .. } if invalid == name),
            "{to}: {error:?}"
        );
        assert_eq!(error.http_status(), 400);
    }
}

#[test]
fn a_parameter_given_twice_is_rejected() {
    let query = format!("{}&SdkAppid=1400000001", documented_query());
    assert!(matches!(
        CallbackQuery::parse(&query),
        Err(WebhookError::InvalidParameter {
            name: "SdkAppid",
            reason: "given more than once"
        })
    ));
}

#[test]
fn values_are_percent_decoded_and_unknown_parameters_ignored() {
    let query = parse("OptPlatform=Web%20App&ClientIP=%3A%3A1&Extra=1&%53ign=abc&novalue");
    assert_eq!(query.opt_platform.as_deref(), Some("Web App"));
    assert_eq!(query.client_ip.as_deref(), Some("::1"));
    assert_eq!(query.sign.as_deref(), Some("abc"));
    assert!(matches!(
        CallbackQuery::parse("ClientIP=%zz"),
        Err(WebhookError::InvalidParameter {
            name: "ClientIP",
            ..
        })
    ));
}

#[test]
fn a_signed_query_round_trips_and_verifies() {
    let token = Token::new("a token with spaces & symbols");
    let query = CallbackQuery::new(APP, "Sns.CallbackBlackListDelete")
        .with_client_ip("10.0.0.1")
        .with_platform("Web App")
        .signed(&token, TIME);
    let text = query.to_query_string();
    assert!(text.contains("OptPlatform=Web%20App"), "{text}");
    let parsed = parse(&text);
    assert_eq!(parsed, query);
    assert!(Verifier::new(APP, token).verify(&parsed, TIME).is_ok());
}

#[test]
fn without_signature_only_the_application_is_checked() {
    let open = Verifier::without_signature(APP);
    assert!(!open.checks_signature());
    let unsigned = parse(&format!(
        "SdkAppid={APP}&CallbackCommand=Sns.CallbackBlackListAdd&contenttype=json"
    ));
    assert!(open.verify(&unsigned, TIME).is_ok());
    // Sign and RequestTime cannot be checked without a token, so they are ignored.
    let garbage = parse(&format!("SdkAppid={APP}&Sign=nonsense&RequestTime=later"));
    assert!(open.verify(&garbage, TIME).is_ok());
    assert!(matches!(
        open.verify(&parse("SdkAppid=1"), TIME),
        Err(WebhookError::WrongApp { .. })
    ));
    assert!(matches!(
        open.verify(&parse(""), TIME),
        Err(WebhookError::MissingParameter("SdkAppid"))
    ));
    // A verifier with a token never falls back to this.
    assert!(matches!(
        verifier().verify(&unsigned, TIME),
        Err(WebhookError::MissingParameter("Sign"))
    ));
}

#[test]
fn secrets_never_show_in_debug_or_errors() {
    let token_text = "s3cr3t-t0ken";
    let token = Token::new(token_text);
    let good_sign = sign(&token, TIME);
    let verifier = Verifier::new(APP, token.clone());
    let query = CallbackQuery::new(APP, "Sns.CallbackBlackListAdd").signed(&token, TIME);

    let mut shown = vec![
        format!("{token:?}"),
        format!("{verifier:?}"),
        format!("{query:?}"),
    ];
    let tampered = {
        let mut query = query.clone();
        query.sign = Some(sign(&Token::new("other"), TIME));
        query
    };
    for (query, now) in [
        (&tampered, TIME),
        (&query, TIME + 3600),
        (&query, TIME - 3600),
    ] {
        let error = verifier.verify(query, now).unwrap_err();
        shown.push(error.to_string());
        shown.push(format!("{error:?}"));
    }
    for text in shown {
        assert!(!text.contains(token_text), "token in {text}");
        assert!(!text.contains(&good_sign), "Sign in {text}");
    }
    assert_eq!(format!("{token:?}"), "Token([REDACTED])");
    assert!(format!("{query:?}").contains(r#"sign: Some("[REDACTED]")"#));
}
