//! Arbitrary callback requests into the webhook query parser and verifier (`im-webhook`).
//!
//! The input up to the first NUL byte is the raw query string, the rest the body. Parsing
//! and verifying must never panic; a parsed query must survive a round trip through
//! `to_query_string`, and an accepted event's command and pairs through `to_body`.

#![no_main]

use im_webhook::{CallbackQuery, Event, Token, Verifier, sign};
use libfuzzer_sys::fuzz_target;

/// The app every verifier expects.
const SDKAPPID: u64 = 1_400_000_000;
/// The time the callbacks are verified at.
const NOW: u64 = 1_669_872_112;

fuzz_target!(|data: &[u8]| {
    let split = data
        .iter()
        .position(|&byte| byte == 0)
        .unwrap_or(data.len());
    let (query, body) = data.split_at(split);
    let body = body.get(1..).unwrap_or_default();
    let Ok(query) = std::str::from_utf8(query) else {
        return;
    };

    if let Ok(parsed) = CallbackQuery::parse(query) {
        let text = parsed.to_query_string();
        let again = CallbackQuery::parse(&text).expect("a rendered query parses");
        assert_eq!(again, parsed, "{text}");
        let _ = parsed.is_json();
        let _ = format!("{parsed:?}");
    }

    let token = Token::new("fuzz-token");
    // The same query with a valid signature appended, so that the signed path reaches
    // the body too.
    let signed = format!("{query}&Sign={}&RequestTime={NOW}", sign(&token, NOW));
    let signed_verifier = Verifier::new(SDKAPPID, token);
    let open_verifier = Verifier::without_signature(SDKAPPID);
    for (verifier, query) in [
        (&signed_verifier, query),
        (&signed_verifier, signed.as_str()),
        (&open_verifier, query),
    ] {
        match verifier.verify_request(Some(query), body, NOW) {
            Ok(event) => {
                let again = Event::decode(event.command(), &event.to_body())
                    .expect("an encoded event decodes");
                // The typed parts round-trip exactly. An unknown event's JSON may not:
                // serde_json does not parse every float (or over-long integer) to the
                // nearest double, so a number can move by one unit in the last place.
                assert_eq!(again.command(), event.command());
                assert_eq!(again.pairs(), event.pairs());
            }
            Err(error) => {
                let _ = error.http_status();
                let _ = error.to_string();
            }
        }
    }
});
