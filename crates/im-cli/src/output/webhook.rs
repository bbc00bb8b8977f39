//! Printing what `imctl webhook listen` receives.

use im_webhook::{Event, Reply};
use serde::Serialize;

use super::terminal_text;

/// `rejected: <reason> (HTTP <status>)`, from the handler's answer, which names the failed
/// check and never the token or a `Sign`.
pub(crate) fn rejection_line(status: http::StatusCode, body: &[u8]) -> String {
    let reason = serde_json::from_slice::<Reply>(body)
        .map(|reply| reply.error_info)
        .unwrap_or_default();
    let reason = if reason.is_empty() {
        "the request was refused".to_owned()
    } else {
        terminal_text(&reason)
    };
    format!("rejected: {reason} (HTTP {})", status.as_u16())
}

#[derive(Serialize)]
struct PairJson<'a> {
    from: &'a str,
    to: &'a str,
}

#[derive(Serialize)]
struct EventJson<'a> {
    command: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pairs: Option<Vec<PairJson<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<&'a serde_json::Value>,
}

/// One line describing an event: words (texts of the callback escaped and cut), or JSON
/// with `json` (exact).
pub(crate) fn event_line(event: &Event, json: bool) -> String {
    if json {
        let value = EventJson {
            command: event.command(),
            pairs: event.pairs().map(|pairs| {
                pairs
                    .iter()
                    .map(|pair| PairJson {
                        from: &pair.from,
                        to: &pair.to,
                    })
                    .collect()
            }),
            body: match event {
                Event::Unknown { body, .. } => Some(body),
                _ => None,
            },
        };
        // Serializing strings and an already parsed JSON value cannot fail.
        return serde_json::to_string(&value).unwrap_or_default();
    }
    let what = match event {
        Event::BlocklistAdded { .. } => "blocklist add".to_owned(),
        Event::BlocklistRemoved { .. } => "blocklist remove".to_owned(),
        other => terminal_text(other.command()),
    };
    match (event.pairs(), event) {
        (Some(pairs), _) => {
            let pairs: Vec<String> = pairs
                .iter()
                .map(|pair| {
                    format!(
                        "{} -> {}",
                        terminal_text(&pair.from),
                        terminal_text(&pair.to)
                    )
                })
                .collect();
            format!("{what}: {}", pairs.join(", "))
        }
        (None, Event::Unknown { body, .. }) => {
            format!("{what}: {}", terminal_text(&body.to_string()))
        }
        (None, _) => what,
    }
}

#[cfg(test)]
mod tests {
    use im_webhook::Pair;

    use super::*;

    #[test]
    fn events_print_as_words_or_one_json_line() {
        let added = Event::BlocklistAdded {
            pairs: vec![Pair::new("alice", "bob"), Pair::new("alice", "carol")],
        };
        assert_eq!(
            event_line(&added, false),
            "blocklist add: alice -> bob, alice -> carol"
        );
        assert_eq!(
            event_line(&added, true),
            r#"{"command":"Sns.CallbackBlackListAdd","pairs":[{"from":"alice","to":"bob"},{"from":"alice","to":"carol"}]}"#
        );
        let removed = Event::BlocklistRemoved {
            pairs: vec![Pair::new("alice", "bob")],
        };
        assert_eq!(
            event_line(&removed, false),
            "blocklist remove: alice -> bob"
        );
        let unknown = Event::decode(
            "State.StateChange",
            br#"{"CallbackCommand":"State.StateChange","Info":{"To_Account":"bob"}}"#,
        )
        .unwrap();
        assert_eq!(
            event_line(&unknown, true),
            r#"{"command":"State.StateChange","body":{"CallbackCommand":"State.StateChange","Info":{"To_Account":"bob"}}}"#
        );
        assert!(event_line(&unknown, false).starts_with("State.StateChange: {"));
    }

    #[test]
    fn texts_of_a_callback_are_escaped_and_cut_in_words_and_exact_in_json() {
        let forged = "bob\n0 failed\u{1b}[2J";
        let added = Event::BlocklistAdded {
            pairs: vec![Pair::new("alice", forged)],
        };
        assert_eq!(
            event_line(&added, false),
            "blocklist add: alice -> bob\\n0 failed\\u{1b}[2J"
        );
        let json: serde_json::Value =
            serde_json::from_str(&event_line(&added, true)).expect("JSON");
        assert_eq!(json["pairs"][0]["to"], forged);
        let body = format!(
            r#"{{"CallbackCommand":"Evil\u001b[2J\nCmd","Info":"{}"}}"#,
            "x".repeat(5000)
        );
        let unknown = Event::decode("Evil\u{1b}[2J\nCmd", body.as_bytes()).expect("decodes");
        let line = event_line(&unknown, false);
        assert!(line.starts_with("Evil\\u{1b}[2J\\nCmd: {"), "{line}");
        assert!(line.len() < 1200 && line.ends_with("more bytes)"), "{line}");
        assert!(!line.contains('\u{1b}') && !line.contains('\n'));
    }

    #[test]
    fn rejections_name_the_check() {
        let body = Reply::fail("Sign does not match the token and RequestTime").to_body();
        assert_eq!(
            rejection_line(http::StatusCode::FORBIDDEN, &body),
            "rejected: Sign does not match the token and RequestTime (HTTP 403)"
        );
        assert_eq!(
            rejection_line(http::StatusCode::BAD_REQUEST, b"not json"),
            "rejected: the request was refused (HTTP 400)"
        );
        let body = Reply::fail("bad\n0 failed").to_body();
        assert_eq!(
            rejection_line(http::StatusCode::BAD_REQUEST, &body),
            "rejected: bad\\n0 failed (HTTP 400)"
        );
    }
}
