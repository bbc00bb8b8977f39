//! `HyperTransport` through an HTTP proxy (feature `proxy`): a small `CONNECT` proxy on
//! loopback, written here, tunnels to an HTTPS server whose certificate comes from a private
//! CA added as PEM, so one request proves the tunnel, the credentials and the CA option.
//!
//! Hyper's I/O runs on real time; these tests assert outcomes, never durations.

mod support;
mod tls_support;

use std::error::Error as StdError;
use std::net::{SocketAddr, TcpListener as StdTcpListener};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use im_transport::{HyperTransport, Transport, TransportErrorKind};
use tls_support::{TestCert, TlsServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The service's host in these tests: it does not resolve, so only the proxy can reach it.
const SERVICE_HOST: &str = "adminapisgp.im.example.test";

fn post(url: &str) -> http::Request<Bytes> {
    http::Request::post(url)
        .body(Bytes::from_static(b"{}"))
        .unwrap()
}

/// The `Display` of every error in the chain, joined.
fn causes(error: &dyn StdError) -> String {
    let mut all = error.to_string();
    let mut current = error.source();
    while let Some(cause) = current {
        all.push_str(": ");
        all.push_str(&cause.to_string());
        current = cause.source();
    }
    all
}

/// One `CONNECT` request as the proxy read it.
#[derive(Clone, Debug)]
struct ConnectRequest {
    /// For example `CONNECT host:443 HTTP/1.1`.
    line: String,
    /// The `Proxy-Authorization` header, if any.
    authorization: Option<String>,
}

/// A `CONNECT` proxy on loopback. It answers `status`; after a `200` it opens a connection
/// to `upstream`, whatever host was asked for (the test's names do not resolve), and copies
/// bytes both ways.
struct ConnectProxy {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<ConnectRequest>>>,
}

impl ConnectProxy {
    async fn start(status: u16, upstream: SocketAddr) -> ConnectProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&requests);
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(tunnel(client, status, upstream, Arc::clone(&log)));
            }
        });
        ConnectProxy { addr, requests }
    }

    fn url(&self, credentials: &str) -> String {
        format!("http://{credentials}{}", self.addr)
    }

    fn requests(&self) -> Vec<ConnectRequest> {
        self.requests.lock().unwrap().clone()
    }
}

async fn tunnel(
    mut client: TcpStream,
    status: u16,
    upstream: SocketAddr,
    log: Arc<Mutex<Vec<ConnectRequest>>>,
) {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        match client.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut lines = head.lines();
    let line = lines.next().unwrap_or_default().to_owned();
    let authorization = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("proxy-authorization"))
        .map(|(_, value)| value.trim().to_owned());
    log.lock().unwrap().push(ConnectRequest {
        line,
        authorization,
    });

    let reason = if status == 200 {
        "Connection established"
    } else {
        "Refused"
    };
    let answer = format!("HTTP/1.1 {status} {reason}\r\ncontent-length: 0\r\n\r\n");
    if client.write_all(answer.as_bytes()).await.is_err() || status != 200 {
        return;
    }
    let Ok(mut server) = TcpStream::connect(upstream).await else {
        return;
    };
    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
}

#[tokio::test]
async fn https_goes_through_the_connect_tunnel_with_the_proxy_credentials() {
    let cert = TestCert::new(&[SERVICE_HOST]);
    let server = TlsServer::start(&cert).await;
    let proxy = ConnectProxy::start(200, server.addr).await;
    let transport = HyperTransport::builder()
        .proxy(proxy.url("alice:p%40ss@"))
        .add_root_certificates_pem(&cert.pem)
        .build()
        .unwrap();

    let url = format!("https://{SERVICE_HOST}/v4/sns/black_list_add?usersig=secret");
    let first = transport.send(post(&url)).await.unwrap();
    let second = transport.send(post(&url)).await.unwrap();

    assert_eq!(first.status(), 200);
    assert_eq!(
        first.body(),
        "tls:POST /v4/sns/black_list_add?usersig=secret HTTP/1.1"
    );
    assert_eq!(second.status(), 200);
    // One tunnel, reused from the pool; the proxy saw the host and port, never the path.
    let requests = proxy.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(
        requests[0].line,
        format!("CONNECT {SERVICE_HOST}:443 HTTP/1.1")
    );
    // base64("alice:p@ss")
    assert_eq!(
        requests[0].authorization.as_deref(),
        Some("Basic YWxpY2U6cEBzcw==")
    );
    assert_eq!(server.request_lines().len(), 2);
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn the_private_ca_is_still_needed_through_the_tunnel() {
    let cert = TestCert::new(&[SERVICE_HOST]);
    let server = TlsServer::start(&cert).await;
    let proxy = ConnectProxy::start(200, server.addr).await;
    let transport = HyperTransport::builder()
        .proxy(proxy.url(""))
        .build()
        .unwrap();

    let url = format!("https://{SERVICE_HOST}/v4/x");
    let error = transport.send(post(&url)).await.unwrap_err();

    assert!(error.is_connect(), "{error:?}");
    assert!(causes(&error).contains("certificate"), "{}", causes(&error));
    assert_eq!(proxy.requests().len(), 1);
    assert!(server.request_lines().is_empty());
}

#[tokio::test]
async fn hosts_of_no_proxy_are_reached_directly() {
    let cert = TestCert::new(&["127.0.0.1"]);
    let server = TlsServer::start(&cert).await;
    let proxy = ConnectProxy::start(200, server.addr).await;
    let transport = HyperTransport::builder()
        .proxy(proxy.url(""))
        .no_proxy("localhost, 127.0.0.0/8")
        .add_root_certificates_pem(&cert.pem)
        .build()
        .unwrap();

    let url = format!("https://127.0.0.1:{}/v4/x", server.port());
    let response = transport.send(post(&url)).await.unwrap();

    assert_eq!(response.status(), 200);
    assert!(proxy.requests().is_empty());
}

#[tokio::test]
async fn plain_http_never_goes_through_the_proxy() {
    let mut server = support::Server::start(|_| support::ok(b"direct")).await;
    let cert = TestCert::new(&["unused.example.test"]);
    let unused = TlsServer::start(&cert).await;
    let proxy = ConnectProxy::start(200, unused.addr).await;
    let transport = HyperTransport::builder()
        .proxy(proxy.url(""))
        .allow_plain_http(true)
        .build()
        .unwrap();

    let response = transport.send(post(&server.url("/v4/x"))).await.unwrap();

    assert_eq!(response.body(), "direct");
    assert_eq!(server.take_requests().len(), 1);
    assert!(proxy.requests().is_empty());
}

#[tokio::test]
async fn a_refused_tunnel_is_a_connect_error_that_hides_the_credentials() {
    let cert = TestCert::new(&[SERVICE_HOST]);
    let server = TlsServer::start(&cert).await;
    let proxy = ConnectProxy::start(407, server.addr).await;
    let transport = HyperTransport::builder()
        .proxy(proxy.url("alice:s3cret@"))
        .add_root_certificates_pem(&cert.pem)
        .build()
        .unwrap();

    let url = format!("https://{SERVICE_HOST}/v4/x");
    let error = transport.send(post(&url)).await.unwrap_err();

    assert!(error.is_connect(), "{error:?}");
    let text = format!("{} {error:?}", causes(&error));
    assert!(text.contains("proxy authorization required"), "{text}");
    assert!(
        !text.contains("s3cret") && !text.contains("alice"),
        "{text}"
    );
    assert_eq!(server.connections(), 0);
}

#[tokio::test]
async fn an_unreachable_proxy_is_a_connect_error() {
    let closed = StdTcpListener::bind("127.0.0.1:0").unwrap();
    let proxy_url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let transport = HyperTransport::builder().proxy(proxy_url).build().unwrap();

    let url = format!("https://{SERVICE_HOST}/v4/x");
    let error = transport.send(post(&url)).await.unwrap_err();

    assert!(error.is_connect(), "{error:?}");
}

#[test]
fn an_unusable_proxy_url_fails_the_build_without_repeating_it() {
    for url in [
        "https://alice:s3cret@proxy:3128",
        "socks5://alice:s3cret@proxy:1080",
    ] {
        let error = HyperTransport::builder().proxy(url).build().unwrap_err();

        assert_eq!(error.kind(), TransportErrorKind::Other);
        let text = format!("{} {error:?}", causes(&error));
        assert!(text.contains("invalid proxy URL"), "{text}");
        assert!(!text.contains("s3cret"), "{text}");
    }
}

#[test]
fn debug_shows_the_proxy_without_its_credentials() {
    let builder = HyperTransport::builder()
        .proxy("http://alice:s3cret@proxy.corp.example:3128")
        .no_proxy(".corp.example");
    let transport = builder.clone().build().unwrap();

    for debug in [format!("{builder:?}"), format!("{transport:?}")] {
        assert!(
            debug.contains("http://***@proxy.corp.example:3128"),
            "{debug}"
        );
        assert!(debug.contains(".corp.example"), "{debug}");
        assert!(
            !debug.contains("s3cret") && !debug.contains("alice"),
            "{debug}"
        );
    }
}
