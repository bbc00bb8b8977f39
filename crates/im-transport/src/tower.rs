//! A [`Transport`] from any tower service (feature `tower`).

use std::error::Error as StdError;
use std::fmt;
use std::marker::PhantomData;
use std::sync::{Mutex, PoisonError};

use async_trait::async_trait;
use bytes::Bytes;
use tower_service::Service;

use crate::body::{DEFAULT_MAX_RESPONSE_BYTES, collect_limited};
use crate::error::BoxError;
use crate::redact::redact_error;
use crate::{Transport, TransportError, TransportErrorKind};

/// A [`Transport`] that sends each request through a tower [`Service`], so an app's tower
/// stack (tower's timeouts, concurrency limits and load shedding, tower-http's layers,
/// tracing) serves the SDK too.
///
/// The service takes an `http::Request<B>` whose body `B` is made from [`Bytes`] (`Bytes`
/// itself, `http_body_util::Full<Bytes>` for a hyper client, `reqwest::Body`, ...) and answers
/// an `http::Response` with any body that can be collected. The transport keeps the
/// [`Transport`] contract on top of it:
///
/// - The whole answer body is read, and one larger than
///   [`max_response_bytes`](Self::max_response_bytes) (default 4 MiB) fails as
///   [`TooLarge`](TransportErrorKind::TooLarge), before reading when its declared length is
///   already too large.
/// - Errors get the kinds the engine's retry decisions rely on: a [`TransportError`]
///   anywhere in the service error's causes keeps its kind; tower's `timeout::error::Elapsed`
///   is a [`Timeout`](TransportErrorKind::Timeout); a hyper-util client error that says so,
///   or a refused TCP connection, is a [`Connect`](TransportErrorKind::Connect) error (the
///   server never saw the request); anything else may have reached the server, so it is
///   [`Other`](TransportErrorKind::Other), or [`Body`](TransportErrorKind::Body) while
///   reading the answer. An HTTP error status is an ordinary response.
/// - Errors that quote a UserSig (some clients put the URL in their messages) are replaced
///   by their text with the UserSig hidden.
///
/// For timeouts use tower's `TimeoutLayer`, whose error becomes a `Timeout`. tower-http's
/// `TimeoutLayer` answers `408 Request Timeout` instead, which the engine treats as final.
/// The engine also cuts every attempt at its own attempt timeout, whatever the stack does.
///
/// **The request URI carries the UserSig**, a credential. Layers that log requests must log
/// [`redact_uri`](crate::redact_uri) of it, never the URI itself: tower-http's `TraceLayer`
/// records the full URI in its default span. Each request also carries a
/// [`RequestMetadata`](crate::RequestMetadata) extension (API name, attempt, retry safety,
/// time left) for layers that count or label requests.
///
/// The service is cloned for each request (the usual tower pattern, so the service need
/// not be `Sync`), then driven to readiness and called.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
///
/// use bytes::Bytes;
/// use http_body_util::Full;
/// use im_transport::{RequestMetadata, RetrySafety, TowerTransport, Transport};
///
/// // Any tower service; here a function that answers with the API name the caller attached.
/// let service = tower::service_fn(|request: http::Request<Bytes>| async move {
///     let api = RequestMetadata::of(&request).map_or("?", |meta| meta.api()).to_owned();
///     Ok::<_, std::convert::Infallible>(http::Response::new(Full::new(Bytes::from(api))))
/// });
/// let transport: Arc<dyn Transport> =
///     Arc::new(TowerTransport::new(service).max_response_bytes(1 << 20));
///
/// let mut request = http::Request::new(Bytes::new());
/// request
///     .extensions_mut()
///     .insert(RequestMetadata::new("BlackListAdd", 1, RetrySafety::Convergent));
/// let response = transport.send(request).await?;
/// assert_eq!(response.body(), "BlackListAdd");
/// # Ok(())
/// # }
/// ```
pub struct TowerTransport<S, B = Bytes> {
    service: Mutex<S>,
    max_response_bytes: usize,
    /// The request body type the service takes.
    body: PhantomData<fn(B)>,
}

impl<S, B> TowerTransport<S, B> {
    /// A transport sending through `service`, with the default 4 MiB cap on answer bodies.
    pub fn new(service: S) -> Self
    where
        S: Service<http::Request<B>>,
    {
        Self {
            service: Mutex::new(service),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            body: PhantomData,
        }
    }

    /// The largest response body accepted, in bytes; larger bodies fail with
    /// [`TransportErrorKind::TooLarge`]. Default: 4 MiB.
    #[must_use]
    pub fn max_response_bytes(mut self, max: usize) -> Self {
        self.max_response_bytes = max;
        self
    }

    /// A clone of the service, ready to be driven for one request.
    fn service(&self) -> S
    where
        S: Clone,
    {
        // A panic while cloning cannot leave the service half-changed: use it anyway.
        self.service
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl<S, B> fmt::Debug for TowerTransport<S, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TowerTransport")
            .field("service", &std::any::type_name::<S>())
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

#[async_trait]
impl<S, B, R> Transport for TowerTransport<S, B>
where
    S: Service<http::Request<B>, Response = http::Response<R>> + Clone + Send + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send,
    B: From<Bytes> + Send + 'static,
    R: http_body::Body + Send + 'static,
    R::Data: Send,
    R::Error: Into<BoxError>,
{
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        let mut service = self.service();
        std::future::poll_fn(|cx| service.poll_ready(cx))
            .await
            .map_err(|error| map_error(error.into(), TransportErrorKind::Other))?;
        let response = service
            .call(request.map(B::from))
            .await
            .map_err(|error| map_error(error.into(), TransportErrorKind::Other))?;
        let (parts, body) = response.into_parts();
        let body = collect_limited(body, self.max_response_bytes, |error| {
            map_error(error, TransportErrorKind::Body)
        })
        .await?;
        Ok(http::Response::from_parts(parts, body))
    }
}

/// Maps an error of the service (or of its answer's body) to a [`TransportError`] whose kind
/// is found in its causes, or `unknown` when none tells.
fn map_error(error: BoxError, unknown: TransportErrorKind) -> TransportError {
    let error = match error.downcast::<TransportError>() {
        Ok(transport) => return *transport,
        Err(error) => error,
    };
    let kind = kind_of(&*error).unwrap_or(unknown);
    TransportError::new(kind, Some(redact_error(error)))
}

/// The kind the first telling cause in `error`'s chain gives.
fn kind_of(error: &(dyn StdError + 'static)) -> Option<TransportErrorKind> {
    let mut current = Some(error);
    while let Some(cause) = current {
        if let Some(kind) = kind_of_one(cause) {
            return Some(kind);
        }
        current = cause.source();
    }
    None
}

/// What `error` alone tells, ignoring its causes.
fn kind_of_one(error: &(dyn StdError + 'static)) -> Option<TransportErrorKind> {
    if let Some(transport) = error.downcast_ref::<TransportError>() {
        return Some(transport.kind());
    }
    if error.is::<::tower::timeout::error::Elapsed>() {
        return Some(TransportErrorKind::Timeout);
    }
    #[cfg(feature = "hyper")]
    if let Some(client) = error.downcast_ref::<hyper_util::client::legacy::Error>()
        && client.is_connect()
    {
        return Some(TransportErrorKind::Connect);
    }
    let io = error.downcast_ref::<std::io::Error>()?;
    match io.kind() {
        // Only a connection attempt is refused: nothing was sent.
        std::io::ErrorKind::ConnectionRefused => Some(TransportErrorKind::Connect),
        std::io::ErrorKind::TimedOut => Some(TransportErrorKind::Timeout),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("layer failed")]
    struct Layer(#[source] BoxError);

    fn kind(error: impl Into<BoxError>) -> TransportErrorKind {
        map_error(error.into(), TransportErrorKind::Other).kind()
    }

    #[test]
    fn a_transport_error_keeps_its_kind_at_any_depth() {
        assert_eq!(kind(TransportError::timeout()), TransportErrorKind::Timeout);
        let nested = Layer(Box::new(TransportError::connect("refused")));
        assert_eq!(kind(nested), TransportErrorKind::Connect);
    }

    #[test]
    fn tower_timeouts_are_timeouts() {
        let elapsed = ::tower::timeout::error::Elapsed::new();
        assert_eq!(kind(elapsed), TransportErrorKind::Timeout);
        assert_eq!(
            kind(Layer(Box::new(::tower::timeout::error::Elapsed::new()))),
            TransportErrorKind::Timeout
        );
    }

    #[test]
    fn only_a_refused_connection_counts_as_never_sent() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(kind(Layer(Box::new(refused))), TransportErrorKind::Connect);
        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert_eq!(kind(reset), TransportErrorKind::Other);
        assert_eq!(kind("something else"), TransportErrorKind::Other);
        let body = map_error("cut short".into(), TransportErrorKind::Body);
        assert!(body.is_body());
    }
}
