//! Callback bodies, replies and whole callbacks built by a sender.

use im_webhook::{
    ActionStatus, Callback, CallbackQuery, Event, Pair, Reply, Token, Verifier, WebhookError,
    command,
};

const ADD: &str = include_str!("data/blocklist-add.json");
const DELETE: &str = include_str!("data/blocklist-delete.json");
const STATE_CHANGE: &str = include_str!("data/state-change.json");

fn documented_pairs() -> Vec<Pair> {
    vec![Pair::new("id", "id1"), Pair::new("id", "id2")]
}

#[test]
fn the_documented_add_body_decodes() {
    let event = Event::decode(command::BLOCKLIST_ADD, ADD.as_bytes()).unwrap();
    assert_eq!(
        event,
        Event::BlocklistAdded {
            pairs: documented_pairs()
        }
    );
    assert_eq!(event.command(), "Sns.CallbackBlackListAdd");
    assert_eq!(event.pairs(), Some(&documented_pairs()[..]));
}

#[test]
fn the_documented_delete_body_decodes() {
    let event = Event::decode(command::BLOCKLIST_DELETE, DELETE.as_bytes()).unwrap();
    assert_eq!(
        event,
        Event::BlocklistRemoved {
            pairs: documented_pairs()
        }
    );
    assert_eq!(event.command(), "Sns.CallbackBlackListDelete");
}

#[test]
fn an_unknown_command_keeps_its_raw_json() {
    let event = Event::decode("State.StateChange", STATE_CHANGE.as_bytes()).unwrap();
    let expected: serde_json::Value = serde_json::from_str(STATE_CHANGE).unwrap();
    assert_eq!(
        event,
        Event::Unknown {
            command: "State.StateChange".to_owned(),
            body: expected.clone()
        }
    );
    assert_eq!(event.command(), "State.StateChange");
    assert_eq!(event.pairs(), None);
    assert_eq!(event.to_json(), expected);
}

#[test]
fn unknown_fields_are_ignored() {
    let body = r#"{"CallbackCommand": "Sns.CallbackBlackListAdd", "EventTime": 1669872112000,
                   "PairList": [{"From_Account": "a", "To_Account": "b", "Note": "x"}]}"#;
    let event = Event::decode(command::BLOCKLIST_ADD, body.as_bytes()).unwrap();
    assert_eq!(event.pairs(), Some(&[Pair::new("a", "b")][..]));
}

#[test]
fn a_body_without_callback_command_takes_the_query_command() {
    let body = r#"{"PairList": []}"#;
    let event = Event::decode(command::BLOCKLIST_DELETE, body.as_bytes()).unwrap();
    assert_eq!(event, Event::BlocklistRemoved { pairs: vec![] });
}

#[test]
fn a_command_mismatch_is_rejected() {
    let error = Event::decode(command::BLOCKLIST_DELETE, ADD.as_bytes()).unwrap_err();
    assert!(
        matches!(&error, WebhookError::CommandMismatch { query, body }
            if query == "Sns.CallbackBlackListDelete" && body == "Sns.CallbackBlackListAdd"),
        "{error:?}"
    );
    assert_eq!(error.http_status(), 400);
    let error = Event::decode("State.StateChange", ADD.as_bytes()).unwrap_err();
    assert!(
        matches!(error, WebhookError::CommandMismatch { .. }),
        "{error:?}"
    );
}

#[test]
fn malformed_bodies_are_rejected() {
    for (body, what) in [
        ("", "empty"),
        ("  \n", "blank"),
        ("{", "truncated"),
        ("[]", "not an object"),
        (
            r#"{"CallbackCommand": "Sns.CallbackBlackListAdd"}"#,
            "no PairList",
        ),
        (r#"{"PairList": [{"From_Account": "a"}]}"#, "no To_Account"),
        (
            r#"{"PairList": [{"From_Account": 1, "To_Account": "b"}]}"#,
            "a number account",
        ),
        (
            r#"{"CallbackCommand": 7, "PairList": []}"#,
            "a number command",
        ),
    ] {
        let error = Event::decode(command::BLOCKLIST_ADD, body.as_bytes()).unwrap_err();
        assert!(
            matches!(error, WebhookError::BadBody { .. }),
            "{what}: {error:?}"
        );
        assert_eq!(error.http_status(), 400);
        assert!(
            std::error::Error::source(&error).is_some(),
            "{what}: no cause"
        );
    }
    for body in ["", "not json", r#"{"CallbackCommand": 7}"#] {
        assert!(matches!(
            Event::decode("State.StateChange", body.as_bytes()),
            Err(WebhookError::BadBody { .. })
        ));
    }
}

#[test]
fn events_encode_to_bodies_that_decode_back() {
    let added = Event::BlocklistAdded {
        pairs: documented_pairs(),
    };
    let expected: serde_json::Value = serde_json::from_str(ADD).unwrap();
    assert_eq!(added.to_json(), expected);
    assert_eq!(
        Event::decode(command::BLOCKLIST_ADD, &added.to_body()).unwrap(),
        added
    );
    let removed = Event::BlocklistRemoved {
        pairs: vec![Pair::new("ü\"x", "y")],
    };
    assert_eq!(
        Event::decode(command::BLOCKLIST_DELETE, &removed.to_body()).unwrap(),
        removed
    );
}

#[test]
fn replies_serialize_as_documented() {
    assert_eq!(
        Reply::ok().to_body(),
        r#"{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}"#
    );
    assert_eq!(
        Reply::fail("quota \"exceeded\"").to_body(),
        r#"{"ActionStatus":"FAIL","ErrorCode":1,"ErrorInfo":"quota \"exceeded\""}"#
    );
    // The hand-built body and serde agree.
    for reply in [Reply::ok(), Reply::fail("x\ny")] {
        let via_serde: serde_json::Value = serde_json::to_value(&reply).unwrap();
        let by_hand: serde_json::Value = serde_json::from_slice(&reply.to_body()).unwrap();
        assert_eq!(via_serde, by_hand);
    }
}

#[test]
fn the_documented_reply_deserializes() {
    let reply: Reply =
        serde_json::from_str(r#"{"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": ""}"#).unwrap();
    assert!(reply.is_ok());
    assert_eq!(reply, Reply::ok());
    let failed: Reply =
        serde_json::from_str(r#"{"ActionStatus": "FAIL", "ErrorCode": 1}"#).unwrap();
    assert_eq!(failed.action_status, ActionStatus::Fail);
    assert!(!failed.is_ok());
}

#[test]
fn a_built_callback_verifies_on_the_receiving_side() {
    let token = Token::new("xxxxyyyy");
    let event = Event::BlocklistAdded {
        pairs: documented_pairs(),
    };
    let callback = Callback::new(1_400_000_000, event.clone())
        .with_client_ip("127.0.0.1")
        .with_platform("RESTAPI")
        .signed(&token, 1_669_872_112);
    assert_eq!(
        callback.query().sign.as_deref(),
        Some("17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061")
    );
    assert_eq!(callback.event(), &event);

    let url = callback.url("http://127.0.0.1:8080/cb?tenant=7");
    let (_, query) = url.split_once('?').unwrap();
    assert!(query.starts_with("tenant=7&SdkAppid=1400000000&"), "{url}");
    assert_eq!(
        CallbackQuery::parse(query).unwrap(),
        callback.query().clone()
    );

    let verifier = Verifier::new(1_400_000_000, token);
    let received = verifier
        .verify_request(Some(query), &callback.body(), 1_669_872_112)
        .unwrap();
    assert_eq!(received, event);
}

#[test]
fn verify_request_checks_the_query_before_the_body() {
    let verifier = Verifier::new(1_400_000_000, Token::new("xxxxyyyy"));
    // A bad body behind a bad query reports the query.
    let error = verifier
        .verify_request(Some("SdkAppid=1"), b"not json", 0)
        .unwrap_err();
    assert!(matches!(error, WebhookError::WrongApp { .. }), "{error:?}");
    let error = verifier.verify_request(None, b"{}", 0).unwrap_err();
    assert!(matches!(error, WebhookError::MissingParameter("SdkAppid")));

    let signed = CallbackQuery::new(1_400_000_000, command::BLOCKLIST_ADD)
        .signed(&Token::new("xxxxyyyy"), 100);
    let mut xml = signed.clone();
    xml.content_type = Some("xml".to_owned());
    let error = verifier
        .verify_request(Some(&xml.to_query_string()), ADD.as_bytes(), 100)
        .unwrap_err();
    assert!(matches!(
        error,
        WebhookError::InvalidParameter {
            name: "contenttype",
            ..
        }
    ));
    let mut upper = signed.clone();
    upper.content_type = Some("JSON".to_owned());
    assert!(
        verifier
            .verify_request(Some(&upper.to_query_string()), ADD.as_bytes(), 100)
            .is_ok()
    );
    let mut no_command = signed;
    no_command.callback_command = None;
    assert!(matches!(
        verifier.verify_request(Some(&no_command.to_query_string()), ADD.as_bytes(), 100),
        Err(WebhookError::MissingParameter("CallbackCommand"))
    ));
}
