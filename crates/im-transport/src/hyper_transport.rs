//! The production transport: hyper-util's pooled client over hyper-rustls.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use http::Uri;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Body;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::{Transport, TransportError};

type BoxError = Box<dyn StdError + Send + Sync>;

/// The connector stack: TCP, then TLS, under one connect deadline.
type Connector = ConnectTimeout<HttpsConnector<HttpConnector>>;

/// An HTTPS [`Transport`] built on hyper-util's pooled client and rustls.
///
/// - TLS through rustls with the `ring` provider (passed explicitly, so another provider
///   enabled elsewhere in the build cannot make it ambiguous) and the webpki root certificates.
/// - HTTP/1.1 and HTTP/2, chosen by ALPN; connections are pooled and reused.
/// - `https` only, unless [`allow_plain_http`](HyperTransportBuilder::allow_plain_http) is set
///   (for emulators on loopback).
/// - A per-attempt [`timeout`](HyperTransportBuilder::timeout) covering the whole exchange:
///   connecting, writing the request and reading the entire body.
/// - A connect timeout covering DNS, TCP and the TLS handshake; when it fires the error is a
///   [connect error](TransportError::is_connect), so it should stay below the attempt timeout.
/// - A cap on the response body size ([`max_response_bytes`](HyperTransportBuilder::max_response_bytes)).
///
/// The transport never retries on its own, with one exception inherited from hyper: a request
/// handed a pooled connection that turns out to be closed before the request was written is
/// sent again on a fresh connection, which is safe.
///
/// Cloning is cheap and clones share the connection pool. The transport emits one `tracing`
/// debug event per request with the method, host, path and outcome, never the query string.
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
///     .build()?;
/// # let _ = transport;
/// # Ok::<(), im_transport::TransportError>(())
/// ```
#[derive(Clone)]
pub struct HyperTransport {
    client: Client<Connector, Full<Bytes>>,
    settings: Settings,
}

/// Configures a [`HyperTransport`]; created by [`HyperTransport::builder`].
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct HyperTransportBuilder {
    settings: Settings,
}

#[derive(Clone, Copy, Debug)]
struct Settings {
    timeout: Duration,
    connect_timeout: Duration,
    max_response_bytes: usize,
    pool_idle_timeout: Duration,
    pool_max_idle_per_host: usize,
    allow_plain_http: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(3),
            max_response_bytes: 4 * 1024 * 1024,
            pool_idle_timeout: Duration::from_secs(60),
            pool_max_idle_per_host: 256,
            allow_plain_http: false,
        }
    }
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
        f.debug_struct("HyperTransport")
            .field("timeout", &s.timeout)
            .field("connect_timeout", &s.connect_timeout)
            .field("max_response_bytes", &s.max_response_bytes)
            .field("pool_idle_timeout", &s.pool_idle_timeout)
            .field("pool_max_idle_per_host", &s.pool_max_idle_per_host)
            .field("allow_plain_http", &s.allow_plain_http)
            .finish_non_exhaustive()
    }
}

impl HyperTransportBuilder {
    /// The per-attempt deadline for connecting, sending the request and reading the whole
    /// response body. Default: 10 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings.timeout = timeout;
        self
    }

    /// The deadline for establishing a connection: DNS, TCP and the TLS handshake. Default: 3 s.
    ///
    /// Keep it below [`timeout`](Self::timeout); otherwise a stalled connect surfaces as a
    /// timeout instead of a connect error.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.settings.connect_timeout = timeout;
        self
    }

    /// The largest response body accepted, in bytes; larger bodies fail with
    /// [`TransportErrorKind::TooLarge`](crate::TransportErrorKind::TooLarge). Default: 4 MiB.
    pub fn max_response_bytes(mut self, max: usize) -> Self {
        self.settings.max_response_bytes = max;
        self
    }

    /// How long an unused pooled connection is kept open. Default: 60 s.
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.settings.pool_idle_timeout = timeout;
        self
    }

    /// How many idle connections are kept per host. Default: 256, enough for HTTP/1.1 at a
    /// few hundred requests per second.
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.settings.pool_max_idle_per_host = max;
        self
    }

    /// Whether `http://` URIs are accepted. Default: `false`, so they fail with
    /// [`TransportErrorKind::InvalidRequest`](crate::TransportErrorKind::InvalidRequest)
    /// before anything is sent. Enable it only for servers on loopback, such as emulators.
    pub fn allow_plain_http(mut self, allow: bool) -> Self {
        self.settings.allow_plain_http = allow;
        self
    }

    /// Builds the transport.
    ///
    /// Fails only if the TLS configuration cannot be built (an `Other` error).
    pub fn build(self) -> Result<HyperTransport, TransportError> {
        let settings = self.settings;

        let mut http = HttpConnector::new();
        // The scheme is checked by the TLS layer, which needs `https` URIs passed through.
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(settings.connect_timeout));

        let tls = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
            .map_err(TransportError::other)?;
        let tls = if settings.allow_plain_http {
            tls.https_or_http()
        } else {
            tls.https_only()
        };
        let https = tls.enable_http1().enable_http2().wrap_connector(http);
        let connector = ConnectTimeout {
            inner: https,
            timeout: settings.connect_timeout,
        };

        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(settings.pool_idle_timeout)
            .pool_max_idle_per_host(settings.pool_max_idle_per_host)
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .build(connector);

        Ok(HyperTransport { client, settings })
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
/// hyper-util marks connector failures as connect errors; any other failure happened after a
/// connection was handed out, so the request may have been written.
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

/// Wraps a connector so that establishing a connection (DNS, TCP and TLS) has one deadline.
///
/// The connector's own connect timeout covers only TCP. Failing here, inside the connector,
/// makes hyper-util report the failure as a connect error.
#[derive(Clone, Debug)]
struct ConnectTimeout<C> {
    inner: C,
    timeout: Duration,
}

/// The connect deadline passed before a connection was established.
#[derive(Debug, thiserror::Error)]
#[error("the connection was not established within the connect timeout")]
struct ConnectTimedOut;

impl<C> tower_service::Service<Uri> for ConnectTimeout<C>
where
    C: tower_service::Service<Uri>,
    C::Error: Into<BoxError>,
    C::Future: Send + 'static,
{
    type Response = C::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<C::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let connecting = self.inner.call(uri);
        let timeout = self.timeout;
        Box::pin(async move {
            match tokio::time::timeout(timeout, connecting).await {
                Ok(result) => result.map_err(Into::into),
                Err(_elapsed) => Err(ConnectTimedOut.into()),
            }
        })
    }
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
            .build()
            .unwrap();
        let debug = format!("{transport:?}");
        assert!(debug.contains("max_response_bytes: 1234"), "{debug}");
        assert!(debug.contains("allow_plain_http: false"), "{debug}");
    }
}
