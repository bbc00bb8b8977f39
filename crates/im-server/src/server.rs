//! The running server: its accept loop, and the handle that stops it.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::Service;
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;

use crate::ServerLimits;
use crate::accept::{Accept, AcceptBackoff};
use crate::connection::{BoxError, serve_connection, stopped};

/// A running HTTP/1.1 server, from [`Server::start`].
///
/// Dropping the handle stops the server as [`shutdown`](Self::shutdown) does, without
/// waiting for it.
pub struct Server {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl Server {
    /// Serves `service` on the connections of `listener`, within `limits`, on a task of the
    /// current Tokio runtime.
    ///
    /// # Errors
    ///
    /// When the listener's address cannot be read, or outside a Tokio runtime.
    pub fn start<S>(listener: TcpListener, limits: ServerLimits, service: S) -> io::Result<Server>
    where
        S: Service<Request<Incoming>, Response = Response<Full<Bytes>>>
            + Clone
            + Send
            + Sync
            + 'static,
        S::Future: Send + 'static,
        S::Error: Into<BoxError>,
    {
        let addr = listener.local_addr()?;
        Server::spawn(listener, addr, limits, service)
    }

    /// Starts the accept loop on any source of connections (tests use in-memory ones).
    pub(crate) fn spawn<A, S>(
        acceptor: A,
        addr: SocketAddr,
        limits: ServerLimits,
        service: S,
    ) -> io::Result<Server>
    where
        A: Accept,
        S: Service<Request<Incoming>, Response = Response<Full<Bytes>>>
            + Clone
            + Send
            + Sync
            + 'static,
        S::Future: Send + 'static,
        S::Error: Into<BoxError>,
    {
        let runtime = tokio::runtime::Handle::try_current().map_err(io::Error::other)?;
        let (stop, stopped) = watch::channel(false);
        let task = runtime.spawn(accept_loop(acceptor, service, limits, stopped));
        tracing::debug!(%addr, "listening");
        Ok(Server {
            addr,
            stop,
            task: Some(task),
        })
    }

    /// The address the server listens on (with the actual port when port 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL of the server, e.g. `http://127.0.0.1:40123`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections (the listener is closed, so new clients are refused),
    /// lets the requests in progress finish for at most the
    /// [shutdown grace](ServerLimits::shutdown_grace), then closes every connection still
    /// open, including one that holds a half-sent request, and returns.
    pub async fn shutdown(mut self) {
        self.stop.send_replace(true);
        if let Some(task) = self.task.take() {
            // The task only ends by itself; a join error means it panicked or the runtime
            // is shutting down, and there is nothing left to stop either way.
            let _ = task.await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

/// Accepts connections while there is room under the cap, until `stop` turns true (or its
/// sender is gone); then stops listening and drains the connections.
pub(crate) async fn accept_loop<A, S>(
    mut acceptor: A,
    service: S,
    limits: ServerLimits,
    mut stop: watch::Receiver<bool>,
) where
    A: Accept,
    S: Service<Request<Incoming>, Response = Response<Full<Bytes>>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
{
    let slots = Arc::new(Semaphore::new(limits.max_connections()));
    let mut backoff = AcceptBackoff::default();
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            biased;
            () = stopped(&mut stop) => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = next_connection(&mut acceptor, &slots, &mut backoff) => {
                if let Some((io, slot)) = accepted {
                    let stop = stop.clone();
                    connections.spawn(serve_connection(io, service.clone(), limits, stop, slot));
                }
            }
        }
    }
    drop(acceptor);
    drain(&mut connections, &limits).await;
}

/// Waits for a free slot under the cap and for the back-off to pass, then accepts one
/// connection; `None` after an accept error (logged, and paused after when it would recur).
async fn next_connection<A: Accept>(
    acceptor: &mut A,
    slots: &Arc<Semaphore>,
    backoff: &mut AcceptBackoff,
) -> Option<(A::Io, OwnedSemaphorePermit)> {
    backoff.wait().await;
    // The semaphore is never closed, so this only waits.
    let slot = Arc::clone(slots).acquire_owned().await.ok()?;
    match acceptor.accept().await {
        Ok(io) => {
            backoff.on_success();
            Some((io, slot))
        }
        Err(error) => {
            match backoff.on_error(&error, Instant::now()) {
                Some(pause) => tracing::warn!(
                    %error,
                    pause_ms = pause.as_millis(),
                    "accepting a connection failed; pausing before the next attempt"
                ),
                None => tracing::debug!(%error, "a connection failed while being accepted"),
            }
            None
        }
    }
}

/// Lets the connections finish for the shutdown grace (each was told to stop after its
/// request in progress), then closes the ones still open.
async fn drain(connections: &mut JoinSet<()>, limits: &ServerLimits) {
    let all_closed = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(limits.shutdown_grace(), all_closed)
        .await
        .is_err()
    {
        tracing::debug!(
            open = connections.len(),
            "closing the connections still open after the shutdown grace"
        );
        connections.shutdown().await;
    }
}
