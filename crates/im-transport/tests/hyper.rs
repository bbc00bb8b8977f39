//! `HyperTransport` against raw HTTP/1.1 servers on loopback.
//!
//! Hyper's I/O runs on real time, so these tests use short real timeouts; they assert only
//! the kind of each outcome, never how long anything took.

mod support;

use std::net::TcpListener as StdTcpListener;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use im_transport::{HyperTransport, Transport, TransportErrorKind};
use support::{Reply, Server, ok, response};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn plain_http() -> HyperTransport {
    HyperTransport::builder()
        .allow_plain_http(true)
        .build()
        .unwrap()
}

fn post(url: &str, body: &'static str) -> http::Request<Bytes> {
    http::Request::post(url)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Bytes::from_static(body.as_bytes()))
        .unwrap()
}

/// The `Display` of every error in the chain, joined.
fn causes(error: &dyn std::error::Error) -> String {
    let mut all = error.to_string();
    let mut current = error.source();
    while let Some(cause) = current {
        all.push_str(": ");
        all.push_str(&cause.to_string());
        current = cause.source();
    }
    all
}

#[tokio::test]
async fn post_reaches_the_server_and_the_response_body_comes_back() {
    let mut server = Server::start(|request| {
        let mut body = b"echo:".to_vec();
        body.extend_from_slice(&request.body);
        ok(&body)
    })
    .await;

    let response = plain_http()
        .send(post(
            &server.url("/v4/sns/black_list_add?random=7"),
            r#"{"a":1}"#,
        ))
        .await
        .unwrap();

    assert_eq!(response.status(), 200);
    assert_eq!(response.body(), r#"echo:{"a":1}"#);
    let requests = server.take_requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].request_line,
        "POST /v4/sns/black_list_add?random=7 HTTP/1.1"
    );
    assert_eq!(requests[0].body, br#"{"a":1}"#);
    assert_eq!(requests[0].header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn the_transport_adds_no_content_type_of_its_own() {
    let mut server = Server::start(|_| ok(b"")).await;
    let request = http::Request::post(server.url("/x"))
        .body(Bytes::from_static(b"raw"))
        .unwrap();

    plain_http().send(request).await.unwrap();

    let requests = server.take_requests();
    assert_eq!(requests[0].header("content-type"), None);
    assert_eq!(requests[0].header("content-length"), Some("3"));
}

#[tokio::test]
async fn an_error_status_is_a_response_not_an_error() {
    let server = Server::start(|_| response(502, b"bad gateway")).await;

    let response = plain_http()
        .send(post(&server.url("/x"), "{}"))
        .await
        .unwrap();

    assert_eq!(response.status(), 502);
    assert_eq!(response.body(), "bad gateway");
}

#[tokio::test]
async fn plain_http_is_refused_unless_allowed() {
    let listener = StdTcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}/x?usersig=secret", listener.local_addr().unwrap());

    let error = HyperTransport::new()
        .unwrap()
        .send(post(&url, "{}"))
        .await
        .unwrap_err();

    assert_eq!(error.kind(), TransportErrorKind::InvalidRequest);
    assert!(!format!("{error:?}").contains("secret"));
    // Nothing tried to connect: the kernel would have queued the connection for accept.
    let accepted = listener.accept();
    assert_eq!(
        accepted.err().map(|e| e.kind()),
        Some(std::io::ErrorKind::WouldBlock)
    );
}

#[tokio::test]
async fn a_uri_without_scheme_is_an_invalid_request() {
    let request = http::Request::get("/relative").body(Bytes::new()).unwrap();

    let error = plain_http().send(request).await.unwrap_err();

    assert_eq!(error.kind(), TransportErrorKind::InvalidRequest);
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error() {
    let listener = StdTcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/x", listener.local_addr().unwrap());
    drop(listener);

    let error = plain_http().send(post(&url, "{}")).await.unwrap_err();

    assert!(error.is_connect(), "{error:?}");
}

#[tokio::test]
async fn a_failed_tls_handshake_is_a_connect_error() {
    // The server greets every connection in plain HTTP, which is not a TLS record.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}/x", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
            tokio::spawn(async move {
                let mut sink = Vec::new();
                let _ = stream.read_to_end(&mut sink).await;
            });
        }
    });
    // A connect timeout longer than the test lets the handshake failure, not the clock, decide.
    let transport = HyperTransport::builder()
        .connect_timeout(Duration::from_secs(60))
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();

    let error = transport.send(post(&url, "{}")).await.unwrap_err();

    assert!(error.is_connect(), "{error:?}");
    assert!(!causes(&error).contains("connect timeout"), "{error:?}");
}

#[tokio::test]
async fn a_stalled_tls_handshake_is_a_connect_error() {
    // The listener accepts (through the kernel backlog) but never answers the ClientHello.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}/x", listener.local_addr().unwrap());
    let transport = HyperTransport::builder()
        .connect_timeout(Duration::from_millis(100))
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();

    let error = transport.send(post(&url, "{}")).await.unwrap_err();

    assert!(error.is_connect(), "{error:?}");
    assert!(causes(&error).contains("connect timeout"), "{error:?}");
    drop(listener);
}

#[tokio::test]
async fn a_body_that_stalls_after_the_headers_times_out() {
    let server = Server::start(|_| {
        Reply::WriteThenStall(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial".to_vec())
    })
    .await;
    let transport = HyperTransport::builder()
        .allow_plain_http(true)
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();

    let error = transport
        .send(post(&server.url("/x"), "{}"))
        .await
        .unwrap_err();

    assert!(error.is_timeout(), "{error:?}");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let server = Server::start(|_| Reply::WriteThenStall(Vec::new())).await;
    let transport = HyperTransport::builder()
        .allow_plain_http(true)
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();

    let error = transport
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

    let error = plain_http()
        .send(post(&server.url("/x"), "{}"))
        .await
        .unwrap_err();

    assert!(error.is_body(), "{error:?}");
}

#[tokio::test]
async fn a_connection_closed_before_the_response_is_a_body_error() {
    let server = Server::start(|_| Reply::WriteThenClose(Vec::new())).await;

    let error = plain_http()
        .send(post(&server.url("/x"), "{}"))
        .await
        .unwrap_err();

    assert!(error.is_body(), "{error:?}");
}

#[tokio::test]
async fn a_declared_length_over_the_cap_is_too_large() {
    let server = Server::start(|_| ok(&[b'x'; 4096])).await;
    let transport = HyperTransport::builder()
        .allow_plain_http(true)
        .max_response_bytes(1024)
        .build()
        .unwrap();

    let error = transport
        .send(post(&server.url("/x"), "{}"))
        .await
        .unwrap_err();

    assert!(error.is_too_large(), "{error:?}");
}

#[tokio::test]
async fn a_chunked_body_over_the_cap_is_too_large() {
    let server = Server::start(|_| {
        let mut bytes = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
        for _ in 0..4 {
            bytes.extend_from_slice(b"200\r\n");
            bytes.extend_from_slice(&[b'x'; 0x200]);
            bytes.extend_from_slice(b"\r\n");
        }
        bytes.extend_from_slice(b"0\r\n\r\n");
        Reply::Write(bytes)
    })
    .await;
    let transport = HyperTransport::builder()
        .allow_plain_http(true)
        .max_response_bytes(1024)
        .build()
        .unwrap();

    let error = transport
        .send(post(&server.url("/x"), "{}"))
        .await
        .unwrap_err();

    assert!(error.is_too_large(), "{error:?}");
}

#[tokio::test]
async fn a_body_exactly_at_the_cap_is_accepted() {
    let server = Server::start(|_| ok(&[b'x'; 1024])).await;
    let transport = HyperTransport::builder()
        .allow_plain_http(true)
        .max_response_bytes(1024)
        .build()
        .unwrap();

    let response = transport.send(post(&server.url("/x"), "{}")).await.unwrap();

    assert_eq!(response.body().len(), 1024);
}

#[tokio::test]
async fn sequential_requests_reuse_one_connection() {
    let mut server = Server::start(|request| ok(&request.body)).await;
    let transport: Arc<dyn Transport> = Arc::new(plain_http());

    for body in ["one", "two", "three", "four"] {
        let response = transport.send(post(&server.url("/x"), body)).await.unwrap();
        assert_eq!(response.body(), body);
    }

    assert_eq!(server.take_requests().len(), 4);
    assert_eq!(server.accepted(), 1);
}

#[tokio::test]
async fn clones_share_the_connection_pool() {
    let server = Server::start(|_| ok(b"ok")).await;
    let first = plain_http();
    let second = first.clone();

    first.send(post(&server.url("/x"), "{}")).await.unwrap();
    second.send(post(&server.url("/x"), "{}")).await.unwrap();

    assert_eq!(server.accepted(), 1);
}
