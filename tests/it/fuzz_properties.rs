//! The properties of the `webhook_query` fuzz target, as proptests that run with every test
//! run (those of `decode_response` and `decode_usersig` live in `im-protocol` and `im-sig`).

use im_webhook::{CallbackQuery, Event, Token, Verifier, sign};
use proptest::prelude::*;

const SDKAPPID: u64 = 1_400_000_000;
const NOW: u64 = 1_669_872_112;

/// Query strings made of the parameters a callback carries, escapes and stray separators.
fn query_text() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        Just("SdkAppid".to_owned()),
        Just("CallbackCommand".to_owned()),
        Just("contenttype".to_owned()),
        Just("ClientIP".to_owned()),
        Just("OptPlatform".to_owned()),
        Just("Sign".to_owned()),
        Just("RequestTime".to_owned()),
        "[A-Za-z%+=&]{0,8}",
    ];
    let value = prop_oneof![
        Just("1400000000".to_owned()),
        Just("json".to_owned()),
        Just("Sns.CallbackBlackListAdd".to_owned()),
        "[ -~]{0,12}",
        "(%[0-9A-Fa-f]{2}|%|[a-z+]){0,6}",
    ];
    proptest::collection::vec((name, value), 0..8).prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("&")
    })
}

/// Checks what the fuzz target checks for one callback request.
fn verify_everything(query: &str, body: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(parsed) = CallbackQuery::parse(query) {
        let text = parsed.to_query_string();
        let again = CallbackQuery::parse(&text);
        prop_assert_eq!(again.as_ref().ok(), Some(&parsed), "{}", text);
    }
    let token = Token::new("proptest-token");
    let signed = format!("{query}&Sign={}&RequestTime={NOW}", sign(&token, NOW));
    let signed_verifier = Verifier::new(SDKAPPID, token);
    let open_verifier = Verifier::without_signature(SDKAPPID);
    for (verifier, query) in [
        (&signed_verifier, query),
        (&signed_verifier, signed.as_str()),
        (&open_verifier, query),
    ] {
        if let Ok(event) = verifier.verify_request(Some(query), body, NOW) {
            // The typed parts round-trip exactly (an unknown event's JSON numbers need not:
            // serde_json does not parse every float to the nearest double).
            let again = Event::decode(event.command(), &event.to_body());
            prop_assert!(again.is_ok());
            if let Ok(again) = again {
                prop_assert_eq!(again.command(), event.command());
                prop_assert_eq!(again.pairs(), event.pairs());
            }
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn arbitrary_queries_and_bodies_never_panic(query in any::<String>(), body in proptest::collection::vec(any::<u8>(), 0..256)) {
        verify_everything(&query, &body)?;
    }

    #[test]
    fn callback_like_queries_round_trip_and_verify(query in query_text(), pairs in proptest::collection::vec(("[a-z0-9]{1,8}", "[a-z0-9]{1,8}"), 0..4)) {
        let pairs: Vec<String> = pairs
            .iter()
            .map(|(from, to)| format!(r#"{{"From_Account":"{from}","To_Account":"{to}"}}"#))
            .collect();
        let body = format!(
            r#"{{"CallbackCommand":"Sns.CallbackBlackListAdd","PairList":[{}]}}"#,
            pairs.join(",")
        );
        verify_everything(&query, body.as_bytes())?;
    }

    #[test]
    fn built_queries_parse_back(
        sdkappid in any::<u64>(),
        command in any::<String>(),
        client_ip in proptest::option::of(any::<String>()),
        platform in proptest::option::of(any::<String>()),
        request_time in any::<u64>(),
    ) {
        let mut query = CallbackQuery::new(sdkappid, command);
        if let Some(client_ip) = client_ip {
            query = query.with_client_ip(client_ip);
        }
        if let Some(platform) = platform {
            query = query.with_platform(platform);
        }
        let query = query.signed(&Token::new("proptest-token"), request_time);
        prop_assert_eq!(CallbackQuery::parse(&query.to_query_string()).ok(), Some(query));
    }
}
