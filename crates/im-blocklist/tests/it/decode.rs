//! Answers that are not valid responses: retried, then reported as decode errors.

use std::sync::Arc;

use im_blocklist::{Blocklist, Error, GiveUpReason, PageRequest, RetryPolicy};
use im_protocol::{Endpoint, Region};
use im_transport::test_util::ReplayTransport;

use crate::support::signer;

const GARBAGE: [&str; 4] = [
    "<html><body>502 Bad Gateway</body></html>",
    r#"{"ResultItem":[{"To_Account":"bob","ResultCode":0"#,
    "",
    r#"{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","ResultItem":"not a list"}"#,
];

const OK: &str = r#"{"ResultItem":[{"To_Account":"bob","ResultCode":0,"ResultInfo":""}],
    "ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}"#;

fn blocklist(replay: &ReplayTransport, policy: RetryPolicy) -> Blocklist {
    Blocklist::builder(
        signer(),
        Arc::new(replay.clone()),
        Endpoint::region(Region::Singapore),
    )
    .retry_policy(policy)
    .build()
}

#[tokio::test(start_paused = true)]
async fn unreadable_answers_are_retried() {
    let mut replay = ReplayTransport::new();
    for body in GARBAGE {
        replay = replay.then_json(200, body);
    }
    let replay = replay.then_json(200, OK);

    let outcome = blocklist(&replay, RetryPolicy::default().with_max_attempts(5))
        .add("alice", ["bob"])
        .await
        .unwrap();

    assert_eq!(replay.requests().len(), 5);
    assert_eq!(outcome.succeeded, ["bob"]);
}

#[tokio::test(start_paused = true)]
async fn answers_that_stay_unreadable_end_in_a_decode_error_inside_gave_up() {
    for body in GARBAGE {
        let mut replay = ReplayTransport::new();
        for _ in 0..5 {
            replay = replay.then_json(200, body);
        }

        let error = blocklist(&replay, RetryPolicy::default())
            .add("alice", ["bob"])
            .await
            .unwrap_err();

        assert_eq!(error.attempts(), 5, "{body:?}: {error:?}");
        assert_eq!(error.gave_up(), Some(GiveUpReason::AttemptsExhausted));
        assert!(matches!(error.last(), Error::Decode(_)), "{error:?}");
        assert_eq!(replay.requests().len(), 5);
        assert_eq!(replay.remaining(), 0);
    }
}

#[tokio::test(start_paused = true)]
async fn without_retries_an_unreadable_answer_is_a_decode_error() {
    for body in GARBAGE {
        let replay = ReplayTransport::new().then_json(200, body);

        let error = blocklist(&replay, RetryPolicy::never())
            .add("alice", ["bob"])
            .await
            .unwrap_err();

        assert!(
            matches!(error.last(), Error::Decode(_)),
            "{body:?}: {error:?}"
        );
        assert!(error.is_retryable());
        assert_eq!(replay.requests().len(), 1);
    }
}

#[tokio::test(start_paused = true)]
async fn an_unreadable_page_is_a_decode_error_too() {
    let replay = ReplayTransport::new().then_json(200, "<html>");

    let error = blocklist(&replay, RetryPolicy::never())
        .list_page("alice", PageRequest::of_size(10))
        .await
        .unwrap_err();

    assert!(matches!(error.last(), Error::Decode(_)), "{error:?}");
}
