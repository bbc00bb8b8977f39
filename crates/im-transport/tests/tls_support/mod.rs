//! A minimal HTTPS server on loopback with a certificate made for the test (`rcgen`), so the
//! transport's root-certificate options and proxy tunnel can be exercised for real.
//!
//! The server speaks HTTP/1.1 only, answers each request with `200` and the body
//! `tls:<request line>`, and records the request lines and the ALPN protocols each client
//! offered.

// Each test binary uses a different part of this module, and its items are `pub` for them.
#![allow(dead_code, unreachable_pub)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::LazyConfigAcceptor;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::server::Acceptor;
use tokio_rustls::rustls::{self, ServerConfig};

/// A self-signed certificate for some names, with its key.
pub struct TestCert {
    /// The certificate in PEM, as a CA bundle would hold it.
    pub pem: String,
    der: CertificateDer<'static>,
    key: Vec<u8>,
}

impl TestCert {
    /// A self-signed certificate valid for `names` (DNS names or IP addresses).
    pub fn new(names: &[&str]) -> TestCert {
        let names: Vec<String> = names.iter().map(|name| (*name).to_owned()).collect();
        let certified = rcgen::generate_simple_self_signed(names).unwrap();
        TestCert {
            pem: certified.cert.pem(),
            der: certified.cert.der().clone(),
            key: certified.signing_key.serialize_der(),
        }
    }

    /// The certificate itself, for a root store of the test's own.
    pub fn der(&self) -> CertificateDer<'static> {
        self.der.clone()
    }
}

/// What the server saw.
#[derive(Default)]
struct Seen {
    request_lines: Vec<String>,
    alpn_offers: Vec<Vec<String>>,
    connections: usize,
}

/// A running HTTPS server.
pub struct TlsServer {
    /// The address it listens on.
    pub addr: SocketAddr,
    seen: Arc<Mutex<Seen>>,
}

impl TlsServer {
    /// Starts a server on `127.0.0.1` presenting `cert`.
    pub async fn start(cert: &TestCert) -> TlsServer {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![cert.der()],
                PrivatePkcs8KeyDer::from(cert.key.clone()).into(),
            )
            .unwrap();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let config = Arc::new(config);

        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Seen::default()));
        let recorder = Arc::clone(&seen);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let config = Arc::clone(&config);
                let seen = Arc::clone(&recorder);
                tokio::spawn(async move {
                    seen.lock().unwrap().connections += 1;
                    let Ok(start) = LazyConfigAcceptor::new(Acceptor::default(), stream).await
                    else {
                        return;
                    };
                    let offers = start
                        .client_hello()
                        .alpn()
                        .map(|protocols| {
                            protocols
                                .map(|p| String::from_utf8_lossy(p).into_owned())
                                .collect()
                        })
                        .unwrap_or_default();
                    seen.lock().unwrap().alpn_offers.push(offers);
                    let Ok(stream) = start.into_stream(config).await else {
                        return;
                    };
                    serve(stream, seen).await;
                });
            }
        });
        TlsServer { addr, seen }
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The request lines read so far, in order.
    pub fn request_lines(&self) -> Vec<String> {
        self.seen.lock().unwrap().request_lines.clone()
    }

    /// The ALPN protocols offered in each TLS handshake, in order.
    pub fn alpn_offers(&self) -> Vec<Vec<String>> {
        self.seen.lock().unwrap().alpn_offers.clone()
    }

    /// How many TCP connections reached the server.
    pub fn connections(&self) -> usize {
        self.seen.lock().unwrap().connections
    }
}

/// Answers requests on one connection until the client closes it.
async fn serve<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S, seen: Arc<Mutex<Seen>>) {
    let mut buffer = Vec::new();
    while let Some(request_line) = read_request(&mut stream, &mut buffer).await {
        let body = format!("tls:{request_line}");
        seen.lock().unwrap().request_lines.push(request_line);
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        if stream.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// Reads one request (head and `content-length` body) and returns its request line.
async fn read_request<S: AsyncRead + Unpin>(
    stream: &mut S,
    buffer: &mut Vec<u8>,
) -> Option<String> {
    let head_end = loop {
        if let Some(position) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break position;
        }
        let mut chunk = [0u8; 4096];
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let request_line = head.lines().next()?.to_owned();
    let length: usize = head
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())
        .unwrap_or(0);
    buffer.drain(..head_end + 4);
    while buffer.len() < length {
        let mut chunk = [0u8; 4096];
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
    buffer.drain(..length);
    Some(request_line)
}
