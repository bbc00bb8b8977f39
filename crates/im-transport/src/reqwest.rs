//! A [`Transport`] on a reqwest client (feature `reqwest`).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;

use crate::body::{DEFAULT_MAX_RESPONSE_BYTES, collect_limited};
use crate::error::BoxError;
use crate::redact::redact_error;
use crate::{Transport, TransportError, TransportErrorKind};

/// A [`Transport`] that sends through a [`reqwest::Client`], for apps that already have one:
/// one connection pool, one TLS setup and one proxy configuration for the whole app.
///
/// The client is the app's, with its settings (TLS, proxy, timeouts, redirects); cloning a
/// `reqwest::Client` shares its pool. [`client_builder`](Self::client_builder) starts a
/// client configured like the hyper transport, for apps that want reqwest without
/// configuring it. The transport keeps the [`Transport`] contract on top of it:
///
/// - The whole answer body is read, and one larger than
///   [`max_response_bytes`](Self::max_response_bytes) (default 4 MiB) fails as
///   [`TooLarge`](TransportErrorKind::TooLarge), before reading when its declared length is
///   already too large.
/// - reqwest's errors get the kinds the engine's retry decisions rely on: a request reqwest
///   refused to build (a bad URL, `http` under `https_only`) is
///   [`InvalidRequest`](TransportErrorKind::InvalidRequest); a failed connection (DNS, TCP,
///   TLS, connect timeout) is [`Connect`](TransportErrorKind::Connect); then
///   [`Timeout`](TransportErrorKind::Timeout), [`Body`](TransportErrorKind::Body) for a
///   failure while sending or reading, and [`Other`](TransportErrorKind::Other). An HTTP
///   error status is an ordinary response.
/// - reqwest quotes the URL, UserSig included, in its errors: the transport strips it.
///
/// Redirects: the service never redirects, and a followed redirect would turn the `POST`
/// into a `GET`; a client made from [`client_builder`](Self::client_builder) does not
/// follow them, and an app's own client had better not either.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
///
/// use im_transport::{ReqwestTransport, Transport};
///
/// // The app's client, or one configured like the hyper transport:
/// let client = ReqwestTransport::client_builder()?
///     .timeout(Duration::from_secs(5))
///     .build()
///     .map_err(im_transport::TransportError::other)?;
/// let transport: Arc<dyn Transport> =
///     Arc::new(ReqwestTransport::new(client).max_response_bytes(1 << 20));
/// # let _ = transport;
/// # Ok::<(), im_transport::TransportError>(())
/// ```
#[derive(Clone)]
pub struct ReqwestTransport {
    client: ::reqwest::Client,
    max_response_bytes: usize,
}

impl ReqwestTransport {
    /// A transport sending through `client`, with the default 4 MiB cap on answer bodies.
    pub fn new(client: ::reqwest::Client) -> Self {
        Self {
            client,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }

    /// The largest response body accepted, in bytes; larger bodies fail with
    /// [`TransportErrorKind::TooLarge`]. Default: 4 MiB.
    #[must_use]
    pub fn max_response_bytes(mut self, max: usize) -> Self {
        self.max_response_bytes = max;
        self
    }

    /// A reqwest client builder set up like the hyper transport: rustls with the `ring`
    /// provider (passed explicitly, so no process-wide provider is needed) and the webpki
    /// root certificates, HTTP/1.1 and HTTP/2 by ALPN, `https` only, no redirects, a 10 s
    /// timeout for the whole exchange and 3 s to connect. Change any of it before `build()`;
    /// for a server on loopback over plain `http`, call `.https_only(false)`.
    ///
    /// Fails only if the TLS configuration cannot be built (an `Other` error).
    pub fn client_builder() -> Result<::reqwest::ClientBuilder, TransportError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let roots =
            rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let mut tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(TransportError::other)?
            .with_root_certificates(roots)
            .with_no_client_auth();
        tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(::reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .https_only(true)
            .redirect(::reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(3)))
    }
}

impl fmt::Debug for ReqwestTransport {
    // The client's own `Debug` shows its default headers, which may hold an app's credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReqwestTransport")
            .field("max_response_bytes", &self.max_response_bytes)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl Transport for ReqwestTransport {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        let request = ::reqwest::Request::try_from(request).map_err(map_error)?;
        let response = self.client.execute(request).await.map_err(map_error)?;
        let (parts, body) = http::Response::from(response).into_parts();
        let body = collect_limited(body, self.max_response_bytes, map_body_error).await?;
        Ok(http::Response::from_parts(parts, body))
    }
}

/// Maps a reqwest error to a kind, without the URL reqwest quotes.
fn map_error(error: ::reqwest::Error) -> TransportError {
    let kind = if error.is_builder() {
        TransportErrorKind::InvalidRequest
    } else if error.is_connect() {
        // Checked before the timeout: a connect timeout never reached the server.
        TransportErrorKind::Connect
    } else if error.is_timeout() {
        TransportErrorKind::Timeout
    } else if error.is_request() || error.is_body() || error.is_decode() {
        TransportErrorKind::Body
    } else {
        TransportErrorKind::Other
    };
    TransportError::new(kind, Some(redact_error(Box::new(error.without_url()))))
}

/// Maps an error while reading the answer body: a timeout, or a failed read.
fn map_body_error(error: BoxError) -> TransportError {
    match error.downcast::<::reqwest::Error>() {
        Ok(error) => {
            let kind = if error.is_timeout() {
                TransportErrorKind::Timeout
            } else {
                TransportErrorKind::Body
            };
            TransportError::new(kind, Some(redact_error(Box::new(error.without_url()))))
        }
        Err(error) => TransportError::body(redact_error(error)),
    }
}
