//! Serving one connection within the limits.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Request, Response, header};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::Service;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{OwnedSemaphorePermit, watch};

use crate::ServerLimits;

/// The error type hyper gets from a service; any error closes the connection unanswered.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Serves HTTP/1.1 on `io` until the client closes it, a limit closes it, or `stop` turns
/// true (then the request in progress, if any, is finished first). `slot` is held until the
/// connection ends, which frees its place under the connection cap.
pub(crate) async fn serve_connection<I, S>(
    io: I,
    service: S,
    limits: ServerLimits,
    mut stop: watch::Receiver<bool>,
    slot: OwnedSemaphorePermit,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    S: Service<Request<Incoming>, Response = Response<Full<Bytes>>> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
{
    let mut builder = http1::Builder::new();
    // hyper starts the header timer whenever it waits for a request head: at the start and
    // after each answer, so it is also the idle timeout of a kept-alive connection.
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout());
    let connection =
        builder.serve_connection(TokioIo::new(io), BoundedService::new(service, &limits));
    let mut connection = std::pin::pin!(connection);
    tokio::select! {
        result = connection.as_mut() => log_end(result),
        () = stopped(&mut stop) => {
            connection.as_mut().graceful_shutdown();
            log_end(connection.await);
        }
    }
    drop(slot);
}

/// Returns once `stop` is true, or its sender is gone.
pub(crate) async fn stopped(stop: &mut watch::Receiver<bool>) {
    // An error means the sender was dropped, which stops the server as well.
    let _ = stop.wait_for(|stop| *stop).await;
}

fn log_end(result: Result<(), hyper::Error>) {
    if let Err(error) = result {
        tracing::debug!(%error, "connection closed with an error");
    }
}

/// The application's service with the per-request limits: a deadline for reading the body
/// and answering, and `Connection: close` on the last answer a connection may carry.
struct BoundedService<S> {
    inner: S,
    request_timeout: Duration,
    max_requests: u64,
    requests: AtomicU64,
}

impl<S> BoundedService<S> {
    fn new(inner: S, limits: &ServerLimits) -> Self {
        BoundedService {
            inner,
            request_timeout: limits.request_timeout(),
            max_requests: limits.max_requests_per_connection(),
            requests: AtomicU64::new(0),
        }
    }
}

impl<S> Service<Request<Incoming>> for BoundedService<S>
where
    S: Service<Request<Incoming>, Response = Response<Full<Bytes>>>,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
{
    type Response = Response<Full<Bytes>>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        let number = self.requests.fetch_add(1, Ordering::Relaxed) + 1;
        let last = number >= self.max_requests;
        let timeout = self.request_timeout;
        let answer = self.inner.call(request);
        Box::pin(async move {
            let mut response = tokio::time::timeout(timeout, answer)
                .await
                .map_err(|_| RequestTimedOut(timeout))?
                .map_err(Into::into)?;
            if last {
                response
                    .headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            Ok(response)
        })
    }
}

/// A request whose body and answer took longer than the request timeout.
#[derive(Debug)]
struct RequestTimedOut(Duration);

impl fmt::Display for RequestTimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the request was not read and answered within {:?}",
            self.0
        )
    }
}

impl std::error::Error for RequestTimedOut {}
