//! The error a [`Transport`](crate::Transport) returns.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;

/// A boxed error that can cross threads; the cause carried inside a [`TransportError`].
pub(crate) type BoxError = Box<dyn StdError + Send + Sync>;

/// A request could not be completed: no response, or a response that could not be read.
///
/// The error is opaque: ask what happened with [`kind`](Self::kind) or the predicates
/// ([`is_connect`](Self::is_connect), [`is_timeout`](Self::is_timeout), ...), and reach the
/// underlying cause through [`std::error::Error::source`]. An HTTP error status such as 502 is
/// not a `TransportError`: it arrives as an ordinary response.
///
/// `Display` describes the kind only. It never contains the request URL, whose query string
/// may carry credentials.
///
/// Transports written outside this crate build one with the constructors
/// [`connect`](Self::connect), [`timeout`](Self::timeout), [`body`](Self::body),
/// [`too_large`](Self::too_large), [`invalid_request`](Self::invalid_request) and
/// [`other`](Self::other).
///
/// ```
/// use im_transport::{TransportError, TransportErrorKind};
///
/// let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
/// let error = TransportError::connect(refused);
/// assert!(error.is_connect());
/// assert_eq!(error.kind(), TransportErrorKind::Connect);
/// assert_eq!(error.to_string(), "failed to connect to the server");
/// assert!(std::error::Error::source(&error).is_some());
/// ```
#[derive(Debug, thiserror::Error)]
#[error("{}", self.describe())]
pub struct TransportError {
    kind: TransportErrorKind,
    /// The size cap that was exceeded; set only for [`TransportErrorKind::TooLarge`].
    limit: Option<usize>,
    #[source]
    source: Option<BoxError>,
}

/// What went wrong, as far as the transport can tell.
///
/// Only [`Connect`](Self::Connect) guarantees that the server never saw the request. After
/// any other kind the request may have been processed, so only retry requests whose effect is
/// the same when applied twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The request never reached the server: connection refused, DNS failure, TLS handshake
    /// failure or connect timeout. Safe to send again, here or to another host.
    Connect,
    /// The attempt timed out after the request may have been written.
    Timeout,
    /// The connection failed after the request may have been written: the response head or
    /// body could not be read, or the connection broke mid-response.
    Body,
    /// The response body is larger than the configured size cap.
    TooLarge,
    /// The request was refused before sending, for example plain `http` when it is not
    /// allowed, or a URI without a scheme or host.
    InvalidRequest,
    /// Any other failure, such as a malformed response.
    Other,
}

impl TransportError {
    pub(crate) fn new(kind: TransportErrorKind, source: Option<BoxError>) -> Self {
        Self {
            kind,
            limit: None,
            source,
        }
    }

    /// The connection could not be established; `source` says why.
    pub fn connect(source: impl Into<BoxError>) -> Self {
        Self::new(TransportErrorKind::Connect, Some(source.into()))
    }

    /// The attempt timed out after the request may have been written.
    pub fn timeout() -> Self {
        Self::new(TransportErrorKind::Timeout, None)
    }

    /// Reading the response failed after the request may have been written.
    pub fn body(source: impl Into<BoxError>) -> Self {
        Self::new(TransportErrorKind::Body, Some(source.into()))
    }

    /// The response body exceeded `limit` bytes.
    pub fn too_large(limit: usize) -> Self {
        Self {
            kind: TransportErrorKind::TooLarge,
            limit: Some(limit),
            source: None,
        }
    }

    /// The request was refused before sending; `message` (reachable through `source()`) says
    /// why and must not contain the URL.
    pub fn invalid_request(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(
            TransportErrorKind::InvalidRequest,
            Some(Box::new(Message(message.into()))),
        )
    }

    /// Any other failure; `source` says what happened.
    pub fn other(source: impl Into<BoxError>) -> Self {
        Self::new(TransportErrorKind::Other, Some(source.into()))
    }

    /// What went wrong.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// Whether the request never reached the server (see [`TransportErrorKind::Connect`]).
    pub fn is_connect(&self) -> bool {
        self.kind == TransportErrorKind::Connect
    }

    /// Whether the attempt timed out (see [`TransportErrorKind::Timeout`]).
    pub fn is_timeout(&self) -> bool {
        self.kind == TransportErrorKind::Timeout
    }

    /// Whether reading the response failed (see [`TransportErrorKind::Body`]).
    pub fn is_body(&self) -> bool {
        self.kind == TransportErrorKind::Body
    }

    /// Whether the response body exceeded the size cap (see [`TransportErrorKind::TooLarge`]).
    pub fn is_too_large(&self) -> bool {
        self.kind == TransportErrorKind::TooLarge
    }

    fn describe(&self) -> Cow<'static, str> {
        match self.kind {
            TransportErrorKind::Connect => "failed to connect to the server".into(),
            TransportErrorKind::Timeout => "the request timed out".into(),
            TransportErrorKind::Body => "failed to read the response".into(),
            TransportErrorKind::TooLarge => match self.limit {
                Some(limit) => {
                    format!("the response body exceeds the limit of {limit} bytes").into()
                }
                None => "the response body exceeds the size limit".into(),
            },
            TransportErrorKind::InvalidRequest => "invalid request".into(),
            TransportErrorKind::Other => "transport error".into(),
        }
    }
}

/// A plain message used as the cause of an error.
#[derive(Debug)]
struct Message(Cow<'static, str>);

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl StdError for Message {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_constructor_sets_its_kind_and_predicate() {
        let io = || std::io::Error::other("cause");
        assert!(TransportError::connect(io()).is_connect());
        assert!(TransportError::timeout().is_timeout());
        assert!(TransportError::body(io()).is_body());
        assert!(TransportError::too_large(10).is_too_large());
        assert_eq!(
            TransportError::invalid_request("bad").kind(),
            TransportErrorKind::InvalidRequest
        );
        assert_eq!(TransportError::other("x").kind(), TransportErrorKind::Other);
        assert!(!TransportError::timeout().is_connect());
    }

    #[test]
    fn display_names_the_kind_and_source_carries_the_cause() {
        let error = TransportError::invalid_request("plain http is not allowed");
        assert_eq!(error.to_string(), "invalid request");
        let source = StdError::source(&error).map(ToString::to_string);
        assert_eq!(source.as_deref(), Some("plain http is not allowed"));

        let error = TransportError::too_large(1024);
        assert_eq!(
            error.to_string(),
            "the response body exceeds the limit of 1024 bytes"
        );
        assert!(StdError::source(&error).is_none());
    }

    #[test]
    fn transport_error_is_send_sync_and_static() {
        fn assert_bounds<T: Send + Sync + 'static>() {}
        assert_bounds::<TransportError>();
    }
}
