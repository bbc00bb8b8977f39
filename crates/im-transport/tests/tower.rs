//! `TowerTransport` over a tower stack on hyper-util's client, against raw HTTP/1.1 servers
//! on loopback.
//!
//! Hyper's I/O runs on real time, so the timeout tests use short real timeouts; they assert
//! only the kind of each outcome, never how long anything took.

mod support;

use std::net::TcpListener as StdTcpListener;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use im_transport::{
    RequestMetadata, RetrySafety, TowerTransport, Transport, TransportError, TransportErrorKind,
};
use support::{Reply, Server, ok, response};
use tower::ServiceBuilder;
use tower::util::BoxCloneService;

type HyperClient = Client<HttpConnector, Full<Bytes>>;

fn hyper_client() -> HyperClient {
    Client::builder(TokioExecutor::new()).build_http()
}

fn post(url: &str, body: &'static str) -> http::Request<Bytes> {
    http::Request::post(url)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Bytes::from_static(body.as_bytes()))
        .unwrap()
}

/// The `Display` and `Debug` of every error in the chain, joined.
fn everything_about(error: &TransportError) -> String {
    let mut all = format!("{error} {error:?}");
    let mut current = std::error::Error::source(error);
    while let Some(cause) = current {
        all.push_str(&format!(" {cause} {cause:?}"));
        current = cause.source();
    }
    all
}

#[tokio::test]
async fn a_request_goes_through_the_layers_and_its_answer_comes_back() {
    let mut server = Server::start(|request| {
        let mut body = b"echo:".to_vec();
        body.extend_from_slice(&request.body);
        ok(&body)
    })
    .await;
    // A layer that labels the request from the engine's metadata, as a metrics layer would.
    let stack = ServiceBuilder::new()
        .timeout(Duration::from_secs(30))
        .map_request(|mut request: http::Request<Full<Bytes>>| {
            let label = RequestMetadata::of(&request)
                .map(|meta| format!("{} #{}", meta.api(), meta.attempt()))
                .unwrap_or_default();
            if let Ok(value) = http::HeaderValue::from_str(&label) {
                request.headers_mut().insert("x-api", value);
            }
            request
        })
        .service(hyper_client());
    let transport: Arc<dyn Transport> = Arc::new(TowerTransport::new(stack));

    let mut request = post(&server.url("/v4/sns/black_list_add?random=7"), r#"{"a":1}"#);
    request.extensions_mut().insert(RequestMetadata::new(
        "BlackListAdd",
        2,
        RetrySafety::Convergent,
    ));
    let response = transport.send(request).await.unwrap();

    assert_eq!(response.status(), 200);
    assert_eq!(response.body(), r#"echo:{"a":1}"#);
    let seen = server.take_requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].request_line,
        "POST /v4/sns/black_list_add?random=7 HTTP/1.1"
    );
    assert_eq!(seen[0].header("x-api"), Some("BlackListAdd #2"));
}

#[tokio::test]
async fn an_error_status_is_a_response_not_an_error() {
    let server = Server::start(|_| response(502, b"bad gateway")).await;
    let transport = TowerTransport::new(hyper_client());

    let response = transport.send(post(&server.url("/x"), "{}")).await.unwrap();

    assert_eq!(response.status(), 502);
    assert_eq!(response.body(), "bad gateway");
}

#[tokio::test]
async fn a_service_that_is_not_sync_can_be_a_transport() {
    let server = Server::start(|_| ok(b"ok")).await;
    // A boxed clone service is `Send` but not `Sync`.
    let service: BoxCloneService<http::Request<Full<Bytes>>, _, _> =
        BoxCloneService::new(hyper_client());
    let transport: Arc<dyn Transport> = Arc::new(TowerTransport::new(service));

    let response = transport.send(post(&server.url("/x"), "{}")).await.unwrap();

    assert_eq!(response.body(), "ok");
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error() {
    let listener = StdTcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/x?usersig=topsecret",
        listener.local_addr().unwrap()
    );
    drop(listener);

    let error = TowerTransport::new(hyper_client())
        .send(post(&url, "{}"))
        .await
        .unwrap_err();

    assert!(error.is_connect(), "{error:?}");
    assert!(!everything_about(&error).contains("topsecret"), "{error:?}");
}

#[tokio::test]
async fn a_tower_timeout_is_a_timeout() {
    let server = Server::start(|_| Reply::WriteThenStall(Vec::new())).await;
    let stack = ServiceBuilder::new()
        .timeout(Duration::from_millis(200))
        .service(hyper_client());

    let error = TowerTransport::new(stack)
        .send(post(&server.url("/x"), "{}"))
        .await
        .unwrap_err();

    assert!(error.is_timeout(), "{error:?}");
}

#[tokio::test]
async fn a_connection_closed_mid_body_is_a_body_error() {
    let server = Server::start(|_| {
        Reply::WriteThenClose(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial".to_vec())
    })
    .await;

    let error = TowerTransport::new(hyper_client())
        .send(post(&server.url("/x"), "{}"))
        .await
        .unwrap_err();

    assert!(error.is_body(), "{error:?}");
}

#[tokio::test]
async fn a_connection_closed_before_the_response_may_have_been_applied() {
    let server = Server::start(|_| Reply::WriteThenClose(Vec::new())).await;

    let error = TowerTransport::new(hyper_client())
        .send(post(&server.url("/x"), "{}"))
        .await
        .unwrap_err();

    // The request was written: anything but a connect error, which would mean "never sent".
    assert!(!error.is_connect(), "{error:?}");
}

#[tokio::test]
async fn a_declared_length_over_the_cap_is_too_large() {
    let server = Server::start(|_| ok(&[b'x'; 4096])).await;
    let transport = TowerTransport::new(hyper_client()).max_response_bytes(1024);

    let error = transport
        .send(post(&server.url("/x"), "{}"))
        .await
        .unwrap_err();

    assert!(error.is_too_large(), "{error:?}");
}

#[tokio::test]
async fn a_chunked_body_over_the_cap_is_too_large_and_one_at_the_cap_is_read() {
    let chunked = |chunks: usize| {
        let mut bytes = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
        for _ in 0..chunks {
            bytes.extend_from_slice(b"200\r\n");
            bytes.extend_from_slice(&[b'x'; 0x200]);
            bytes.extend_from_slice(b"\r\n");
        }
        bytes.extend_from_slice(b"0\r\n\r\n");
        bytes
    };
    let over = Server::start(move |_| Reply::Write(chunked(4))).await;
    let at_cap = Server::start(move |_| Reply::Write(chunked(2))).await;
    let transport = TowerTransport::new(hyper_client()).max_response_bytes(1024);

    let error = transport
        .send(post(&over.url("/x"), "{}"))
        .await
        .unwrap_err();
    let response = transport.send(post(&at_cap.url("/x"), "{}")).await.unwrap();

    assert!(error.is_too_large(), "{error:?}");
    assert_eq!(response.body().len(), 1024);
}

#[tokio::test]
async fn a_transport_error_from_the_stack_keeps_its_kind() {
    let refusing = tower::service_fn(|_: http::Request<Bytes>| async {
        Err::<http::Response<Full<Bytes>>, _>(TransportError::invalid_request("refused by a layer"))
    });

    let error = TowerTransport::new(refusing)
        .send(post("https://example.invalid/x", "{}"))
        .await
        .unwrap_err();

    assert_eq!(error.kind(), TransportErrorKind::InvalidRequest);
}

#[tokio::test]
async fn an_error_quoting_the_url_loses_the_usersig() {
    #[derive(Debug, thiserror::Error)]
    #[error("request to {0} failed")]
    struct Quoting(String);

    let quoting = tower::service_fn(|request: http::Request<Bytes>| async move {
        Err::<http::Response<Full<Bytes>>, _>(Quoting(request.uri().to_string()))
    });

    let error = TowerTransport::new(quoting)
        .send(post("https://h/x?usersig=eJw*top-secret_&random=1", "{}"))
        .await
        .unwrap_err();

    let text = everything_about(&error);
    assert!(!text.contains("top-secret"), "{text}");
    assert!(text.contains("usersig=<redacted>&random=1"), "{text}");
    assert_eq!(error.kind(), TransportErrorKind::Other);
}

#[test]
fn debug_names_the_service_type_and_the_cap() {
    let transport = TowerTransport::new(hyper_client()).max_response_bytes(1234);
    let debug = format!("{transport:?}");
    assert!(debug.contains("max_response_bytes: 1234"), "{debug}");
    assert!(debug.contains("hyper_util"), "{debug}");
}
