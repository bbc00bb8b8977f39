//! The metadata every request carries for the transport: API, attempt, retry safety and
//! the time left, so a metrics or logging transport needs no path parsing.

use std::sync::Arc;
use std::time::Duration;

use im_client::RetryPolicy;
use im_protocol::AddBlocklistRequest;
use im_transport::test_util::ReplayTransport;
use im_transport::{RequestMetadata, RetrySafety};
use serde_json::json;

use crate::support::{builder, ok};

const ADDED: &str = r#""ResultItem":[{"To_Account":"bob","ResultCode":0,"ResultInfo":""}]"#;

#[tokio::test(start_paused = true)]
async fn each_attempt_of_a_retried_call_carries_its_own_metadata() {
    // The first attempt takes 3 s and fails with a 502; black_list_add is convergent, so
    // the engine tries again.
    let replay = ReplayTransport::new()
        .then_after(Duration::from_secs(3), Ok(bad_gateway()))
        .then_json(200, ok(ADDED));
    let client = builder(Arc::new(replay.clone())).build();

    client
        .call(&AddBlocklistRequest::new("alice", ["bob"]))
        .await
        .expect("answered on the second attempt");

    let requests = replay.requests();
    let metadata: Vec<&RequestMetadata> = requests
        .iter()
        .map(|request| {
            request
                .metadata
                .as_ref()
                .expect("metadata on every request")
        })
        .collect();
    assert_eq!(metadata.len(), 2);
    for (index, (meta, request)) in metadata.iter().zip(&requests).enumerate() {
        assert_eq!(meta.api(), "BlackListAdd");
        assert_eq!(meta.attempt(), index as u32 + 1);
        assert_eq!(meta.retry_safety(), RetrySafety::Convergent);
        assert_eq!(meta.attempt_timeout(), Some(Duration::from_secs(10)));
        let random = request.query_param("random").map(str::to_owned);
        assert_eq!(meta.request_id().map(|id| id.to_string()), random);
    }
    // The whole call has 30 s; the second attempt starts after the 3 s attempt and a backoff.
    assert_eq!(
        metadata[0].remaining_deadline(),
        Some(Duration::from_secs(30))
    );
    let second = metadata[1].remaining_deadline().expect("a deadline");
    assert!(second <= Duration::from_secs(27), "{second:?}");
    assert!(second >= Duration::from_secs(26), "{second:?}");
}

#[tokio::test(start_paused = true)]
async fn an_endpoint_outside_the_spec_is_named_by_its_path_and_unsafe() {
    let replay = ReplayTransport::new().then_json(200, ok(""));
    let client = builder(Arc::new(replay.clone()))
        .retry_policy(RetryPolicy::default().with_deadline(Duration::from_secs(4)))
        .build();

    client
        .call_json("v4/openim/sendmsg", &json!({"To_Account": "bob"}))
        .await
        .expect("answered");

    let requests = replay.requests();
    let meta = requests[0].metadata.as_ref().expect("metadata");
    assert_eq!(meta.api(), "v4/openim/sendmsg");
    assert_eq!(meta.attempt(), 1);
    assert_eq!(meta.retry_safety(), RetrySafety::Unsafe);
    // A deadline shorter than the attempt timeout cuts the attempt too.
    assert_eq!(meta.remaining_deadline(), Some(Duration::from_secs(4)));
    assert_eq!(meta.attempt_timeout(), Some(Duration::from_secs(4)));
}

fn bad_gateway() -> http::Response<bytes::Bytes> {
    let mut response = http::Response::new(bytes::Bytes::new());
    *response.status_mut() = http::StatusCode::BAD_GATEWAY;
    response
}
