//! `HyperTransport`'s TLS options against an HTTPS server on loopback whose certificate the
//! test made: which roots are trusted, a rustls configuration of the application's own, and
//! whether HTTP/2 is offered.
//!
//! Hyper's I/O runs on real time; these tests assert outcomes, never durations.

mod tls_support;

use std::error::Error as StdError;
use std::sync::Arc;

use bytes::Bytes;
use im_transport::rustls::{ClientConfig, RootCertStore};
use im_transport::{HyperTransport, HyperTransportBuilder, Transport, TransportErrorKind};
use tls_support::{TestCert, TlsServer};

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

/// A server whose certificate is valid for `127.0.0.1` and `localhost`.
async fn server() -> (TestCert, TlsServer) {
    let cert = TestCert::new(&["127.0.0.1", "localhost"]);
    let server = TlsServer::start(&cert).await;
    (cert, server)
}

#[tokio::test]
async fn a_private_ca_added_as_pem_is_trusted() {
    let (cert, server) = server().await;
    let transport = HyperTransport::builder()
        .webpki_roots(false)
        .add_root_certificates_pem(&cert.pem)
        .build()
        .unwrap();

    let url = format!("https://127.0.0.1:{}/v4/x?random=1", server.port());
    let response = transport.send(post(&url)).await.unwrap();

    assert_eq!(response.status(), 200);
    assert_eq!(response.body(), "tls:POST /v4/x?random=1 HTTP/1.1");
}

#[tokio::test]
async fn without_the_private_ca_the_handshake_fails_as_a_connect_error() {
    let (_cert, server) = server().await;
    let transport = HyperTransport::new().unwrap();

    let url = format!("https://127.0.0.1:{}/v4/x", server.port());
    let error = transport.send(post(&url)).await.unwrap_err();

    assert!(error.is_connect(), "{error:?}");
    assert!(causes(&error).contains("certificate"), "{}", causes(&error));
    assert!(server.request_lines().is_empty());
}

#[tokio::test]
async fn a_custom_rustls_config_is_used_and_its_alpn_replaced() {
    let (cert, server) = server().await;
    let mut roots = RootCertStore::empty();
    roots.add(cert.der()).unwrap();
    let provider = Arc::new(im_transport::rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h3".to_vec()];
    let transport = HyperTransport::builder()
        .tls_config(config)
        .build()
        .unwrap();

    let url = format!("https://localhost:{}/custom", server.port());
    let response = transport.send(post(&url)).await.unwrap();

    assert_eq!(response.body(), "tls:POST /custom HTTP/1.1");
    assert_eq!(server.alpn_offers(), [["h2", "http/1.1"]]);
}

#[tokio::test]
async fn http2_is_offered_by_default_and_can_be_turned_off() {
    let (cert, server) = server().await;
    let url = format!("https://127.0.0.1:{}/x", server.port());
    for http2 in [true, false] {
        let transport = HyperTransport::builder()
            .add_root_certificates_pem(&cert.pem)
            .http2(http2)
            .build()
            .unwrap();
        transport.send(post(&url)).await.unwrap();
    }

    let offers = server.alpn_offers();
    assert_eq!(offers.len(), 2);
    assert_eq!(offers[0], ["h2", "http/1.1"]);
    assert!(!offers[1].iter().any(|p| p == "h2"), "{offers:?}");
}

#[test]
fn a_bad_root_configuration_fails_the_build_and_says_why() {
    let cases: [(HyperTransportBuilder, &str); 4] = [
        (
            HyperTransport::builder().add_root_certificates_pem("no PEM here"),
            "holds no CERTIFICATE section",
        ),
        (
            HyperTransport::builder().webpki_roots(false),
            "no root certificates",
        ),
        (
            HyperTransport::builder()
                .tls_config(
                    ClientConfig::builder_with_provider(Arc::new(
                        im_transport::rustls::crypto::ring::default_provider(),
                    ))
                    .with_safe_default_protocol_versions()
                    .unwrap()
                    .with_root_certificates(RootCertStore::empty())
                    .with_no_client_auth(),
                )
                .webpki_roots(false),
            "tls_config replaces the root certificate options",
        ),
        (
            HyperTransport::builder().add_root_certificates_pem(
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            ),
            "cannot be used as a root certificate",
        ),
    ];
    for (builder, expected) in cases {
        let error = builder.build().unwrap_err();
        assert_eq!(error.kind(), TransportErrorKind::Other);
        assert!(causes(&error).contains(expected), "{}", causes(&error));
    }
}
