//! The production transport: hyper-util's pooled client over hyper-rustls.
//!
//! `mod.rs` sends a request and maps what went wrong to a kind; `builder.rs` holds the
//! settings and assembles the client; `tls.rs` builds the rustls configuration (provider and
//! root certificates); `connect.rs` the connector stack and its deadline; `proxy.rs`
//! (feature `proxy`) which requests go through an HTTP proxy and the CONNECT tunnel;
//! `config_error.rs` why a configuration was refused.

use std::error::Error as StdError;
use std::fmt;

use async_trait::async_trait;
use bytes::Bytes;
use http::Uri;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Body;
use hyper_util::client::legacy::Client;

use crate::{Transport, TransportError};

mod builder;
mod config_error;
mod connect;
#[cfg(feature = "proxy")]
mod proxy;
mod tls;

pub use builder::HyperTransportBuilder;

type BoxError = Box<dyn StdError + Send + Sync>;

/// An HTTPS [`Transport`] built on hyper-util's pooled client and rustls.
///
/// - TLS through rustls with the `ring` provider, or `aws-lc-rs` with that feature (passed
///   explicitly either way, so another provider enabled elsewhere in the build cannot make it
///   ambiguous), trusting the webpki root certificates. The roots can be changed: the
///   operating system's ([`native_roots`][native_roots], feature
///   `rustls-native-certs`), a private CA
///   ([`add_root_certificates_pem`](HyperTransportBuilder::add_root_certificates_pem)), or a
///   whole `rustls::ClientConfig` of your own ([`tls_config`](HyperTransportBuilder::tls_config)).
/// - HTTP/1.1 and HTTP/2, chosen by ALPN ([`http2`](HyperTransportBuilder::http2) turns
///   HTTP/2 off); connections are pooled and reused.
/// - `https` only, unless [`allow_plain_http`](HyperTransportBuilder::allow_plain_http) is set
///   (for emulators on loopback).
/// - Optionally through an HTTP proxy (feature `proxy`): `https` requests are tunnelled with
///   `CONNECT`, set explicitly ([`proxy`][proxy]) or from
///   `HTTPS_PROXY` and `NO_PROXY` ([`proxy_from_env`][proxy_from_env]).
/// - A per-attempt [`timeout`](HyperTransportBuilder::timeout) covering the whole exchange:
///   connecting, writing the request and reading the entire body.
/// - A connect timeout covering DNS, TCP, the proxy tunnel and the TLS handshake; when it
///   fires the error is a [connect error](TransportError::is_connect), so it should stay
///   below the attempt timeout.
/// - A cap on the response body size ([`max_response_bytes`](HyperTransportBuilder::max_response_bytes)).
///
/// The transport never retries on its own, with one exception inherited from hyper: a request
/// handed a pooled connection that turns out to be closed before the request was written is
/// sent again on a fresh connection, which is safe.
///
/// Cloning is cheap and clones share the connection pool. The transport emits one `tracing`
/// debug event per request with the method, host, path and outcome, never the query string.
/// Its `Debug` output shows the settings, never proxy credentials.
///
/// Building it does not need a runtime, but [`send`](Transport::send) must run inside a Tokio
/// runtime with the time driver enabled.
///
/// ```
/// use std::time::Duration;
///
/// use im_transport::HyperTransport;
///
/// let transport = HyperTransport::builder()
///     .timeout(Duration::from_secs(5))
///     .connect_timeout(Duration::from_secs(2))
///     .pool_max_idle_per_host(64)
///     .pool_idle_timeout(Duration::from_secs(30))
///     .build()?;
/// # let _ = transport;
/// # Ok::<(), im_transport::TransportError>(())
/// ```
// Links to methods behind features point to the feature list when those features are off.
#[cfg_attr(
    feature = "rustls-native-certs",
    doc = "[native_roots]: HyperTransportBuilder::native_roots"
)]
#[cfg_attr(
    not(feature = "rustls-native-certs"),
    doc = "[native_roots]: crate#crate-features"
)]
#[cfg_attr(
    feature = "proxy",
    doc = "[proxy]: HyperTransportBuilder::proxy",
    doc = "[proxy_from_env]: HyperTransportBuilder::proxy_from_env"
)]
#[cfg_attr(
    not(feature = "proxy"),
    doc = "[proxy]: crate#crate-features",
    doc = "[proxy_from_env]: crate#crate-features"
)]
#[derive(Clone)]
pub struct HyperTransport {
    client: Client<connect::Connector, Full<Bytes>>,
    settings: builder::Settings,
    /// What the transport was built with, for `Debug`; no secrets.
    summary: builder::Summary,
}

impl HyperTransport {
    /// A transport with the default settings (see [`HyperTransportBuilder`]).
    ///
    /// Fails only if the TLS configuration cannot be built.
    pub fn new() -> Result<Self, TransportError> {
        Self::builder().build()
    }

    /// A builder to change the default settings.
    pub fn builder() -> HyperTransportBuilder {
        HyperTransportBuilder::default()
    }
}

impl fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.settings;
        let mut debug = f.debug_struct("HyperTransport");
        debug
            .field("timeout", &s.timeout)
            .field("connect_timeout", &s.connect_timeout)
            .field("max_response_bytes", &s.max_response_bytes)
            .field("pool_idle_timeout", &s.pool_idle_timeout)
            .field("pool_max_idle_per_host", &s.pool_max_idle_per_host)
            .field("allow_plain_http", &s.allow_plain_http)
            .field("http2", &s.http2);
        self.summary.fields(&mut debug);
        debug.finish_non_exhaustive()
    }
}

#[async_trait]
impl Transport for HyperTransport {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        check_uri(request.uri(), self.settings.allow_plain_http)?;
        let method = request.method().clone();
        let uri = request.uri().clone();

        let limit = self.settings.max_response_bytes;
        let exchange = async {
            let response = self
                .client
                .request(request.map(Full::new))
                .await
                .map_err(map_client_error)?;
            let (parts, body) = response.into_parts();
            // A declared length over the cap fails before any of the body is read.
            if body.size_hint().lower() > u64::try_from(limit).unwrap_or(u64::MAX) {
                return Err(TransportError::too_large(limit));
            }
            let body = Limited::new(body, limit)
                .collect()
                .await
                .map_err(|error| map_body_error(error, limit))?
                .to_bytes();
            Ok(http::Response::from_parts(parts, body))
        };
        let result = match tokio::time::timeout(self.settings.timeout, exchange).await {
            Ok(result) => result,
            Err(_elapsed) => Err(TransportError::timeout()),
        };

        let host = uri.host().unwrap_or_default();
        match &result {
            Ok(response) => tracing::debug!(
                %method,
                host,
                path = uri.path(),
                status = response.status().as_u16(),
                "HTTP request completed"
            ),
            Err(error) => tracing::debug!(
                %method,
                host,
                path = uri.path(),
                error = ?error.kind(),
                "HTTP request failed"
            ),
        }
        result
    }
}

/// Rejects URIs this transport must not or cannot send, before any I/O.
fn check_uri(uri: &Uri, allow_plain_http: bool) -> Result<(), TransportError> {
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") if allow_plain_http => {}
        Some("http") => {
            return Err(TransportError::invalid_request(
                "plain http is not allowed; use https, or enable allow_plain_http for a loopback server",
            ));
        }
        Some(_) => {
            return Err(TransportError::invalid_request(
                "unsupported URI scheme; expected https",
            ));
        }
        None => {
            return Err(TransportError::invalid_request(
                "the URI must be absolute (scheme and host)",
            ));
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(TransportError::invalid_request("the URI has no host"));
    }
    Ok(())
}

/// Maps an error from the pooled client to a kind.
///
/// hyper-util marks connector failures (TCP, the proxy tunnel, TLS) as connect errors; any
/// other failure happened after a connection was handed out, so the request may have been
/// written.
fn map_client_error(error: hyper_util::client::legacy::Error) -> TransportError {
    if error.is_connect() {
        return TransportError::connect(error);
    }
    match find_source::<hyper::Error>(&error) {
        Some(hyper_error) if hyper_error.is_parse() || hyper_error.is_user() => {
            TransportError::other(error)
        }
        _ => TransportError::body(error),
    }
}

/// Maps an error from reading the response body through [`Limited`] to a kind.
fn map_body_error(error: BoxError, limit: usize) -> TransportError {
    if error.is::<http_body_util::LengthLimitError>() {
        TransportError::too_large(limit)
    } else {
        TransportError::body(error)
    }
}

/// Finds the first error of type `E` in the chain starting at `error`.
fn find_source<'a, E: StdError + 'static>(error: &'a (dyn StdError + 'static)) -> Option<&'a E> {
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(found) = error.downcast_ref::<E>() {
            return Some(found);
        }
        current = error.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TransportErrorKind;

    fn kind_of(uri: &str, allow_plain_http: bool) -> Option<TransportErrorKind> {
        let uri: Uri = uri.parse().ok()?;
        check_uri(&uri, allow_plain_http).err().map(|e| e.kind())
    }

    #[test]
    fn check_uri_accepts_https_and_plain_http_only_when_allowed() {
        assert_eq!(kind_of("https://example.com/v4/x?a=b", false), None);
        assert_eq!(kind_of("http://127.0.0.1:8080/v4/x", true), None);
        assert_eq!(
            kind_of("http://127.0.0.1:8080/v4/x", false),
            Some(TransportErrorKind::InvalidRequest)
        );
        assert_eq!(
            kind_of("ftp://example.com/x", true),
            Some(TransportErrorKind::InvalidRequest)
        );
        assert_eq!(
            kind_of("/v4/x", true),
            Some(TransportErrorKind::InvalidRequest)
        );
    }

    #[test]
    fn invalid_request_message_does_not_echo_the_uri() {
        let uri: Uri = "http://127.0.0.1/v4/x?usersig=secret".parse().unwrap();
        let error = check_uri(&uri, false).unwrap_err();
        let chain = format!("{error} {:?}", StdError::source(&error));
        assert!(!chain.contains("secret"), "{chain}");
        assert!(!chain.contains("127.0.0.1"), "{chain}");
    }

    #[tokio::test]
    async fn body_errors_map_length_limit_to_too_large() {
        let body = Limited::new(Full::new(Bytes::from_static(b"0123456789")), 8);
        let error = map_body_error(body.collect().await.unwrap_err(), 8);
        assert!(error.is_too_large());
        let error = map_body_error(Box::new(std::io::Error::other("reset")), 8);
        assert!(error.is_body());
    }

    #[test]
    fn debug_shows_settings() {
        let transport = HyperTransport::builder()
            .max_response_bytes(1234)
            .http2(false)
            .build()
            .unwrap();
        let debug = format!("{transport:?}");
        assert!(debug.contains("max_response_bytes: 1234"), "{debug}");
        assert!(debug.contains("allow_plain_http: false"), "{debug}");
        assert!(debug.contains("http2: false"), "{debug}");
        assert!(debug.contains("webpki_roots: true"), "{debug}");
    }
}
