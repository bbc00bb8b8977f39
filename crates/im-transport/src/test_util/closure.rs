//! Doubles that compute their answer: from a closure, or never.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use bytes::Bytes;

use super::Outcome;
use crate::{Transport, TransportError};

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
