//! The HTTP face: an HTTP/1.1 server, meant for loopback.

use std::fmt;
use std::net::SocketAddr;

use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use im_protocol::{Envelope, ErrorCode};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use crate::replies::{Reply, envelope_bytes};
use crate::{Emulator, EmulatorError};

/// The largest request body the server reads; a full 1000-account request is about 40 KiB.
const MAX_REQUEST_BYTES: usize = 1 << 20;

/// A running HTTP server of an [`Emulator`], from [`Emulator::serve`].
///
/// Dropping the handle stops the server: it stops accepting connections, and open
/// connections close once their current request is answered. [`shutdown`](Self::shutdown)
/// does the same and waits until every connection has closed.
pub struct ServerHandle {
    addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl ServerHandle {
    /// The address the server listens on (with the actual port when port 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL of the server, e.g. `http://127.0.0.1:40123`, for building request URLs.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections, lets the requests in progress finish, and waits for
    /// every connection to close.
    pub async fn shutdown(mut self) {
        self.shutdown.send_replace(true);
        if let Some(task) = self.task.take() {
            // The task only ends by itself; a join error means it panicked or the runtime
            // is shutting down, and there is nothing left to stop either way.
            let _ = task.await;
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.shutdown.send_replace(true);
    }
}

impl fmt::Debug for ServerHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerHandle")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Serves this emulator over HTTP/1.1 (plain, no TLS) on `addr`; use `127.0.0.1:0` to
    /// get a free port on loopback. Must be called inside a Tokio runtime.
    ///
    /// Requests are handled exactly as by the [in-process transport](Self::transport).
    /// When an injected fault loses the answer, the server closes the connection without
    /// writing a response. A body over 1 MiB is answered with HTTP 413.
    pub async fn serve(&self, addr: SocketAddr) -> Result<ServerHandle, EmulatorError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| EmulatorError::bind(addr, source))?;
        let local = listener
            .local_addr()
            .map_err(|source| EmulatorError::bind(addr, source))?;
        let (shutdown, signal) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, self.clone(), signal));
        tracing::debug!(addr = %local, "emulator listening");
        Ok(ServerHandle {
            addr: local,
            shutdown,
            task: Some(task),
        })
    }
}

async fn accept_loop(listener: TcpListener, emulator: Emulator, mut signal: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = signal.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve_connection(stream, emulator.clone(), signal.clone()));
                }
                Err(error) => {
                    // Errors such as running out of file descriptors concern one
                    // connection; the listener itself stays usable.
                    tracing::debug!(%error, "emulator accept failed");
                    tokio::task::yield_now().await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    while connections.join_next().await.is_some() {}
}

async fn serve_connection(
    stream: TcpStream,
    emulator: Emulator,
    mut signal: watch::Receiver<bool>,
) {
    // Small answers should not wait for Nagle's algorithm; failing to set it is harmless.
    let _ = stream.set_nodelay(true);
    let service = service_fn(move |request| answer(emulator.clone(), request));
    let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    let mut connection = std::pin::pin!(connection);
    tokio::select! {
        result = connection.as_mut() => log_connection_end(result),
        _ = signal.changed() => {
            connection.as_mut().graceful_shutdown();
            log_connection_end(connection.await);
        }
    }
}

fn log_connection_end(result: Result<(), hyper::Error>) {
    if let Err(error) = result {
        tracing::debug!(%error, "emulator connection ended with an error");
    }
}

/// The error a request's service returns to make hyper close the connection unanswered.
#[derive(Debug)]
struct AnswerLost;

impl fmt::Display for AnswerLost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the answer was lost by an injected fault")
    }
}

impl std::error::Error for AnswerLost {}

async fn answer(
    emulator: Emulator,
    request: http::Request<Incoming>,
) -> Result<http::Response<Full<Bytes>>, AnswerLost> {
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, MAX_REQUEST_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) if error.downcast_ref::<LengthLimitError>().is_some() => {
            return Ok(too_large());
        }
        // The client went away while sending; there is nobody to answer.
        Err(_) => return Err(AnswerLost),
    };
    match emulator.handle(&parts.method, &parts.uri, &body).await {
        Reply::Answer(response) => Ok(response.map(Full::new)),
        Reply::Lost => Err(AnswerLost),
    }
}

fn too_large() -> http::Response<Full<Bytes>> {
    let body = envelope_bytes(&Envelope::<()>::fail(
        ErrorCode::HTTP_PARSE_ERROR,
        "request body too large",
    ));
    let mut response = http::Response::new(Full::new(body));
    *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
