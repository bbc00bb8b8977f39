//! The HTTP face, reached with the production transport over loopback.

use std::sync::Arc;

use bytes::Bytes;
use im_emulator::Faults;
use im_protocol::{AddBlocklistRequest, CheckBlocklistRequest, CheckType, Relation};
use im_transport::HyperTransport;

use crate::support::{Harness, envelope_code, http_harness};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flow_over_http_behaves_like_in_process() {
    let (h, server) = http_harness().await;
    assert!(h.base.starts_with("http://127.0.0.1:"));
    assert_eq!(server.base_url(), format!("http://{}", server.addr()));
    h.emulator.import_accounts(["a", "b", "c"]);
    h.emulator.make_friends("a", "b");

    let response = h.ok(&AddBlocklistRequest::new("a", ["b", "ghost"])).await;
    assert_eq!(crate::support::codes(&response), [0, 30003]);
    assert!(!h.emulator.are_friends("a", "b"));
    let check = h
        .ok(&CheckBlocklistRequest::new("b", ["a"], CheckType::Both))
        .await;
    assert_eq!(check.black_list_check_item[0].relation, Relation::BWithA);

    // Request checks answer the same codes.
    let url = h
        .url("v4/sns/black_list_add")
        .replace("contenttype=json", "contenttype=xml");
    let response = h.post(&url, r#"{}"#).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(envelope_code(response.body()), 60002);
    let request = http::Request::get(h.url("v4/sns/black_list_add"))
        .body(Bytes::new())
        .unwrap();
    let response = h.transport.send(request).await.unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(h.emulator.requests().len(), 4);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_closes_the_connection_after_applying() {
    let (h, server) = http_harness().await;
    h.emulator.import_accounts(["a", "b", "c"]);
    h.emulator.set_faults(Faults::seeded(1).lost_answer(1.0));
    let error = h
        .send(&AddBlocklistRequest::new("a", ["b"]))
        .await
        .unwrap_err();
    assert!(error.is_body(), "{error:?}");
    assert!(h.emulator.is_blocked("a", "b"));

    // The next request gets a fresh connection and an answer.
    h.emulator.set_faults(Faults::none());
    let response = h.ok(&AddBlocklistRequest::new("a", ["c"])).await;
    assert!(response.fail_account.is_empty());
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncated_and_502_answers_arrive_as_sent() {
    let (h, server) = http_harness().await;
    h.emulator.import_accounts(["a", "b", "c"]);
    h.emulator.set_faults(Faults::seeded(2).truncated_json(1.0));
    let response = h.send(&AddBlocklistRequest::new("a", ["b"])).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(serde_json::from_slice::<serde_json::Value>(response.body()).is_err());
    assert!(h.emulator.is_blocked("a", "b"));

    h.emulator.set_faults(Faults::seeded(3).http_502(1.0));
    let response = h.send(&AddBlocklistRequest::new("a", ["c"])).await.unwrap();
    assert_eq!(response.status(), 502);
    assert!(!h.emulator.is_blocked("a", "c"));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_stops_the_server() {
    let (h, server) = http_harness().await;
    h.emulator.import_accounts(["a", "b"]);
    h.ok(&AddBlocklistRequest::new("a", ["b"])).await;
    server.shutdown().await;
    // A fresh client, so that no pooled connection from before the shutdown is reused.
    let h = Harness {
        transport: Arc::new(
            HyperTransport::builder()
                .allow_plain_http(true)
                .build()
                .unwrap(),
        ),
        ..h
    };
    let error = h
        .send(&AddBlocklistRequest::new("a", ["b"]))
        .await
        .unwrap_err();
    assert!(error.is_connect(), "{error:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_port_is_a_bind_error() {
    let (h, server) = http_harness().await;
    let error = h.emulator.serve(server.addr()).await.unwrap_err();
    assert!(matches!(error, im_emulator::EmulatorError::Bind { .. }));
    assert!(error.to_string().contains(&server.addr().to_string()));
    assert!(std::error::Error::source(&error).is_some());
}

/// Connects to `server` with a plain socket that gives up reading after a minute.
fn raw_client(server: &im_emulator::ServerHandle) -> std::net::TcpStream {
    let stream = std::net::TcpStream::connect(server.addr()).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .unwrap();
    stream
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_halfway_through_a_request_is_cut_at_the_header_timeout() {
    use std::io::{Read as _, Write as _};

    let emulator = crate::support::harness().emulator;
    let limits = im_emulator::ServerLimits::default()
        .with_header_read_timeout(std::time::Duration::from_millis(200));
    let server = emulator
        .serve_with_limits("127.0.0.1:0".parse().unwrap(), limits)
        .await
        .unwrap();
    let outcome = tokio::task::spawn_blocking({
        let mut stream = raw_client(&server);
        move || {
            stream
                .write_all(b"POST /v4/sns/black_list_add HTTP/1.1\r\nHost: emu")
                .unwrap();
            let mut rest = Vec::new();
            stream.read_to_end(&mut rest).map(|_| rest)
        }
    })
    .await
    .unwrap();
    // Closed by the server (an end of stream, or a reset), not by the read timeout.
    match outcome {
        Ok(rest) => assert!(rest.is_empty(), "no answer: {rest:?}"),
        Err(error) => assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset),
    }
    assert!(emulator.requests().is_empty(), "nothing was handled");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_even_while_a_client_holds_a_half_sent_request() {
    use std::io::{Read as _, Write as _};

    let emulator = crate::support::harness().emulator;
    let limits = im_emulator::ServerLimits::default()
        .with_header_read_timeout(std::time::Duration::from_secs(3600))
        .with_shutdown_grace(std::time::Duration::from_millis(100));
    let server = emulator
        .serve_with_limits("127.0.0.1:0".parse().unwrap(), limits)
        .await
        .unwrap();
    let mut stream = raw_client(&server);
    stream
        .write_all(b"POST /v4/sns/black_list_add HTTP/1.1\r\nHost: emu")
        .unwrap();
    // Without the grace, shutdown would wait for the rest of the request, for an hour.
    server.shutdown().await;
    let outcome = tokio::task::spawn_blocking(move || {
        let mut rest = Vec::new();
        stream.read_to_end(&mut rest).map(|_| rest)
    })
    .await
    .unwrap();
    match outcome {
        Ok(rest) => assert!(rest.is_empty(), "no answer: {rest:?}"),
        Err(error) => assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset),
    }
}
