//! Test doubles for code that sends requests through a [`Transport`](crate::Transport) (feature
//! `test-util`).
//!
//! Which one to use:
//!
//! - [`ReplayTransport`]: a fixed script of answers, one per request in arrival order, and a
//!   record of every request received. Use it to test how the code above the transport reacts
//!   to a known sequence (a 502, then a timeout, then a success) and to assert exactly what it
//!   sent. It is strict by default: a request after the script ran out fails the test, and
//!   [`ReplayTransport::assert_done`] checks that every step was used.
//! - [`FnTransport`]: a closure computes each answer from the request. Use it when the answer
//!   depends on the request (echoing, routing by path, emulating a service with state) or when
//!   requests arrive concurrently in no fixed order.
//! - [`NeverTransport`]: never answers. Use it to prove that a deadline above the transport
//!   fires; with `#[tokio::test(start_paused = true)]` such a test finishes at once.
//!
//! Delays use `tokio::time::sleep`, so they follow Tokio's paused clock in tests.

mod closure;
mod replay;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};

use crate::{RequestMetadata, TransportError};

pub use closure::{FnTransport, NeverTransport};
pub use replay::{ReplayMode, ReplayTransport};

/// What a transport returns for one request.
type Outcome = Result<http::Response<Bytes>, TransportError>;

/// `status` as a status code, or the error a scripted step with a bad status fails with.
fn status_code(status: u16) -> Result<StatusCode, TransportError> {
    StatusCode::from_u16(status).map_err(|_| {
        TransportError::other(format!(
            "invalid HTTP status code {status} in a test script"
        ))
    })
}

/// A response with `status`, `content-type: application/json` and `body` as given.
///
/// Handy in [`FnTransport`] closures.
///
/// ```
/// use im_transport::test_util::json_response;
///
/// let response = json_response(http::StatusCode::OK, r#"{"ok":true}"#);
/// assert_eq!(response.headers()["content-type"], "application/json");
/// ```
pub fn json_response(status: StatusCode, body: impl Into<Bytes>) -> http::Response<Bytes> {
    let mut response = http::Response::new(body.into());
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// A request as a test double received it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The request method.
    pub method: Method,
    /// The full request URI, query included.
    pub uri: Uri,
    /// The request headers.
    pub headers: HeaderMap,
    /// The request body.
    pub body: Bytes,
    /// The [`RequestMetadata`] the sender attached, if any.
    pub metadata: Option<RequestMetadata>,
}

impl RecordedRequest {
    /// Records `request`.
    pub fn from_request(request: http::Request<Bytes>) -> Self {
        let (mut parts, body) = request.into_parts();
        Self {
            metadata: parts.extensions.remove(),
            method: parts.method,
            uri: parts.uri,
            headers: parts.headers,
            body,
        }
    }

    /// Parses the body as JSON.
    pub fn body_json(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }

    /// The raw (not percent-decoded) value of the first query parameter called `name`.
    ///
    /// A parameter without `=` has the value `""`.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.uri.query()?.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (key == name).then_some(value)
        })
    }
}
