//! `ReqwestTransport` against raw HTTP/1.1 servers on loopback.
//!
//! reqwest's I/O runs on real time, so the timeout tests use short real timeouts; they assert
//! only the kind of each outcome, never how long anything took.

mod support;

use std::net::TcpListener as StdTcpListener;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use im_transport::{ReqwestTransport, Transport, TransportError, TransportErrorKind};
use support::{Reply, Server, ok, response};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The preset client, allowed to speak plain `http` to loopback servers.
fn plain_http() -> ReqwestTransport {
    let client = ReqwestTransport::client_builder()
        .unwrap()
        .https_only(false)
        .build()
        .unwrap();
    ReqwestTransport::new(client)
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
async fn post_reaches_the_server_and_the_response_body_comes_back() {
    let mut server = Server::start(|request| {
        let mut body = b"echo:".to_vec();
        body.extend_from_slice(&request.body);
        ok(&body)
    })
    .await;
    let transport: Arc<dyn Transport> = Arc::new(plain_http());

    let response = transport
        .send(post(
            &server.url("/v4/sns/black_list_add?random=7"),
            r#"{"a":1}"#,
        ))
        .await
        .unwrap();

    assert_eq!(response.status(), 200);
    assert_eq!(response.body(), r#"echo:{"a":1}"#);
    let seen = server.take_requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].request_line,
        "POST /v4/sns/black_list_add?random=7 HTTP/1.1"
    );
    assert_eq!(seen[0].header("content-type"), Some("application/json"));
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
async fn the_preset_refuses_plain_http_before_connecting() {
    let listener = StdTcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!(
        "http://{}/x?usersig=topsecret",
        listener.local_addr().unwrap()
    );
    let client = ReqwestTransport::client_builder().unwrap().build().unwrap();

    let error = ReqwestTransport::new(client)
        .send(post(&url, "{}"))
        .await
        .unwrap_err();

    assert_eq!(error.kind(), TransportErrorKind::InvalidRequest);
    assert!(!everything_about(&error).contains("topsecret"), "{error:?}");
    // Nothing tried to connect: the kernel would have queued the connection for accept.
    assert_eq!(
        listener.accept().err().map(|e| e.kind()),
        Some(std::io::ErrorKind::WouldBlock)
    );
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error_without_the_url() {
    let listener = StdTcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/x?usersig=topsecret",
        listener.local_addr().unwrap()
    );
    drop(listener);

    let error = plain_http().send(post(&url, "{}")).await.unwrap_err();

    assert!(error.is_connect(), "{error:?}");
    assert!(!everything_about(&error).contains("topsecret"), "{error:?}");
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
    // The preset's TLS (rustls with ring, no process-wide provider) starts a handshake.
    let client = ReqwestTransport::client_builder()
        .unwrap()
        .connect_timeout(Duration::from_secs(60))
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();

    let error = ReqwestTransport::new(client)
        .send(post(&url, "{}"))
        .await
        .unwrap_err();

    assert!(error.is_connect(), "{error:?}");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let server = Server::start(|_| Reply::WriteThenStall(Vec::new())).await;
    let client = ReqwestTransport::client_builder()
        .unwrap()
        .https_only(false)
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();

    let error = ReqwestTransport::new(client)
        .send(post(&server.url("/x"), "{}"))
        .await
        .unwrap_err();

    assert!(error.is_timeout(), "{error:?}");
}

#[tokio::test]
async fn a_body_that_stalls_after_the_headers_times_out() {
    let server = Server::start(|_| {
        Reply::WriteThenStall(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial".to_vec())
    })
    .await;
    let client = ReqwestTransport::client_builder()
        .unwrap()
        .https_only(false)
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();

    let error = ReqwestTransport::new(client)
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

    let error = plain_http()
        .max_response_bytes(1024)
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
    let transport = plain_http().max_response_bytes(1024);

    let error = transport
        .send(post(&over.url("/x"), "{}"))
        .await
        .unwrap_err();
    let response = transport.send(post(&at_cap.url("/x"), "{}")).await.unwrap();

    assert!(error.is_too_large(), "{error:?}");
    assert_eq!(response.body().len(), 1024);
}

#[tokio::test]
async fn the_preset_does_not_follow_redirects() {
    let mut server = Server::start(|_| {
        Reply::Write(
            b"HTTP/1.1 302 Found\r\nlocation: /elsewhere\r\ncontent-length: 0\r\n\r\n".to_vec(),
        )
    })
    .await;

    let response = plain_http()
        .send(post(&server.url("/x"), "{}"))
        .await
        .unwrap();

    assert_eq!(response.status(), 302);
    assert_eq!(server.take_requests().len(), 1);
}

#[test]
fn debug_hides_the_clients_default_headers() {
    let mut headers = http::HeaderMap::new();
    headers.insert(
        "authorization",
        http::HeaderValue::from_static("Bearer app-token"),
    );
    let client = ReqwestTransport::client_builder()
        .unwrap()
        .default_headers(headers)
        .build()
        .unwrap();

    let debug = format!("{:?}", ReqwestTransport::new(client).max_response_bytes(99));

    assert!(!debug.contains("app-token"), "{debug}");
    assert!(debug.contains("max_response_bytes: 99"), "{debug}");
}
