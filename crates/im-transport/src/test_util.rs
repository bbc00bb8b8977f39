//! Test doubles for code that sends requests through a [`Transport`] (feature `test-util`).
//!
//! Which one to use:
//!
//! - [`ReplayTransport`]: a fixed script of answers, one per request in arrival order, and a
//!   record of every request received. Use it to test how the code above the transport reacts
//!   to a known sequence (a 502, then a timeout, then a success) and to assert exactly what it
//!   sent.
//! - [`FnTransport`]: a closure computes each answer from the request. Use it when the answer
//!   depends on the request (echoing, routing by path, emulating a service with state) or when
//!   requests arrive concurrently in no fixed order.
//! - [`NeverTransport`]: never answers. Use it to prove that a deadline above the transport
//!   fires; with `#[tokio::test(start_paused = true)]` such a test finishes at once.
//!
//! Delays use `tokio::time::sleep`, so they follow Tokio's paused clock in tests.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};

use crate::{Transport, TransportError};

/// What a transport returns for one request.
type Outcome = Result<http::Response<Bytes>, TransportError>;

/// A transport that answers from a script and records every request.
///
/// Each request takes the next step of the script, in arrival order; a step may wait before
/// answering. When the script is exhausted, requests fail with an
/// [`Other`](crate::TransportErrorKind::Other) error whose cause reads
/// "replay script exhausted". Clones share the script and the record, so keep one clone to
/// inspect after handing another to the code under test.
///
/// A step is taken when the request arrives: if the caller gives up during the step's delay,
/// the step is spent, as when a server processes a request whose answer is lost.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use bytes::Bytes;
/// use im_transport::Transport;
/// use im_transport::test_util::ReplayTransport;
///
/// let replay = ReplayTransport::new()
///     .then_status(502)
///     .then_json(200, r#"{"ok":true}"#);
///
/// let request = || {
///     http::Request::post("https://example.com/v4/echo?usersig=abc")
///         .body(Bytes::from_static(br#"{"n":1}"#))
/// };
/// assert_eq!(replay.send(request()?).await?.status(), 502);
/// assert_eq!(replay.send(request()?).await?.status(), 200);
/// assert!(replay.send(request()?).await.is_err());
///
/// let recorded = replay.requests();
/// assert_eq!(recorded.len(), 3);
/// assert_eq!(recorded[0].query_param("usersig"), Some("abc"));
/// assert_eq!(recorded[0].body_json()?["n"], 1);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, Default)]
pub struct ReplayTransport {
    state: Arc<Mutex<ReplayState>>,
}

#[derive(Debug, Default)]
struct ReplayState {
    steps: VecDeque<ReplayStep>,
    requests: Vec<RecordedRequest>,
}

#[derive(Debug)]
struct ReplayStep {
    delay: Duration,
    outcome: Outcome,
}

impl ReplayTransport {
    /// An empty script; add steps with the `then_*` methods.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a step that returns `outcome` at once.
    #[must_use]
    pub fn then(self, outcome: Result<http::Response<Bytes>, TransportError>) -> Self {
        self.then_after(Duration::ZERO, outcome)
    }

    /// Adds a step that waits `delay` (on Tokio's clock), then returns `outcome`.
    #[must_use]
    pub fn then_after(
        self,
        delay: Duration,
        outcome: Result<http::Response<Bytes>, TransportError>,
    ) -> Self {
        self.lock().steps.push_back(ReplayStep { delay, outcome });
        self
    }

    /// Adds a step that returns `response`.
    #[must_use]
    pub fn then_response(self, response: http::Response<Bytes>) -> Self {
        self.then(Ok(response))
    }

    /// Adds a step that returns `status` with the JSON text `body` and
    /// `content-type: application/json`.
    ///
    /// The body is sent as given, so a truncated or malformed document can be scripted too.
    /// A status outside 100..=999 makes the step fail with an `Other` error.
    #[must_use]
    pub fn then_json(self, status: u16, body: impl Into<Bytes>) -> Self {
        let outcome = status_code(status).map(|status| json_response(status, body));
        self.then(outcome)
    }

    /// Adds a step that returns `status` with an empty body.
    ///
    /// A status outside 100..=999 makes the step fail with an `Other` error.
    #[must_use]
    pub fn then_status(self, status: u16) -> Self {
        let outcome = status_code(status).map(|status| {
            let mut response = http::Response::new(Bytes::new());
            *response.status_mut() = status;
            response
        });
        self.then(outcome)
    }

    /// Adds a step that fails with `error`.
    #[must_use]
    pub fn then_error(self, error: TransportError) -> Self {
        self.then(Err(error))
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().requests.clone()
    }

    /// How many scripted steps have not been used yet.
    pub fn remaining(&self) -> usize {
        self.lock().steps.len()
    }

    fn lock(&self) -> MutexGuard<'_, ReplayState> {
        // The state stays consistent even if a holder panicked, so poisoning is ignored.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl Transport for ReplayTransport {
    async fn send(&self, request: http::Request<Bytes>) -> Outcome {
        let step = {
            let mut state = self.lock();
            state.requests.push(RecordedRequest::from_request(request));
            state.steps.pop_front()
        };
        let Some(step) = step else {
            return Err(TransportError::other("replay script exhausted"));
        };
        if !step.delay.is_zero() {
            tokio::time::sleep(step.delay).await;
        }
        step.outcome
    }
}

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
}

impl RecordedRequest {
    /// Records `request`.
    pub fn from_request(request: http::Request<Bytes>) -> Self {
        let (parts, body) = request.into_parts();
        Self {
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

type BoxFuture = Pin<Box<dyn Future<Output = Outcome> + Send>>;

/// A transport that computes each answer with a closure.
///
/// The most flexible double: the closure sees the whole request and can keep state (behind a
/// lock or atomics), so it can route by path, echo, count, fail on a condition, or emulate a
/// whole service.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
///
/// use bytes::Bytes;
/// use im_transport::Transport;
/// use im_transport::test_util::{FnTransport, json_response};
///
/// // Echoes the request body back.
/// let echo: Arc<dyn Transport> = Arc::new(FnTransport::from_sync(|request| {
///     Ok(json_response(http::StatusCode::OK, request.into_body()))
/// }));
///
/// let request = http::Request::post("https://example.com/echo").body(Bytes::from("[1,2]"))?;
/// assert_eq!(echo.send(request).await?.body(), "[1,2]");
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct FnTransport {
    handler: Arc<dyn Fn(http::Request<Bytes>) -> BoxFuture + Send + Sync>,
}

impl FnTransport {
    /// A transport that answers each request with the future `handler` returns.
    pub fn new<F, Fut>(handler: F) -> Self
    where
        F: Fn(http::Request<Bytes>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<http::Response<Bytes>, TransportError>> + Send + 'static,
    {
        Self {
            handler: Arc::new(move |request| Box::pin(handler(request))),
        }
    }

    /// A transport that answers each request with what the synchronous `handler` returns.
    pub fn from_sync<F>(handler: F) -> Self
    where
        F: Fn(http::Request<Bytes>) -> Result<http::Response<Bytes>, TransportError>
            + Send
            + Sync
            + 'static,
    {
        Self::new(move |request| std::future::ready(handler(request)))
    }
}

impl fmt::Debug for FnTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FnTransport").finish_non_exhaustive()
    }
}

#[async_trait]
impl Transport for FnTransport {
    async fn send(&self, request: http::Request<Bytes>) -> Outcome {
        (self.handler)(request).await
    }
}

/// A transport that accepts requests and never answers.
///
/// Use it to prove that a deadline above the transport fires. It counts the requests it
/// received; clones share the count.
///
/// ```
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
///
/// use bytes::Bytes;
/// use im_transport::Transport;
/// use im_transport::test_util::NeverTransport;
///
/// let never = NeverTransport::new();
/// let request = http::Request::get("https://example.com/").body(Bytes::new())?;
/// let result = tokio::time::timeout(Duration::from_secs(5), never.send(request)).await;
/// assert!(result.is_err());
/// assert_eq!(never.calls(), 1);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, Default)]
pub struct NeverTransport {
    calls: Arc<AtomicUsize>,
}

impl NeverTransport {
    /// A transport that never answers.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// How many requests it has received.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::Relaxed)
    }
}

#[async_trait]
impl Transport for NeverTransport {
    async fn send(&self, _request: http::Request<Bytes>) -> Outcome {
        self.calls.fetch_add(1, Ordering::Relaxed);
        std::future::pending().await
    }
}
