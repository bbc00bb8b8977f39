//! The HTTP face: an HTTP/1.1 server, meant for loopback.

use std::fmt;
use std::net::SocketAddr;

use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use im_protocol::{Envelope, ErrorCode};
pub use im_server::Server as ServerHandle;
use im_server::{Server, ServerLimits};
use tokio::net::TcpListener;

use crate::replies::{Reply, envelope_bytes};
use crate::{Emulator, EmulatorError};

/// The largest request body the server reads; a full 1000-account request is about 40 KiB.
const MAX_REQUEST_BYTES: usize = 1 << 20;

impl Emulator {
    /// Serves this emulator over HTTP/1.1 (plain, no TLS) on `addr`, with the default
    /// [`ServerLimits`]; use `127.0.0.1:0` to get a free port on loopback. Must be called
    /// inside a Tokio runtime.
    ///
    /// Requests are handled exactly as by the [in-process transport](Self::transport).
    /// When an injected fault loses the answer, the server closes the connection without
    /// writing a response. A body over 1 MiB is answered with HTTP 413.
    pub async fn serve(&self, addr: SocketAddr) -> Result<ServerHandle, EmulatorError> {
        self.serve_with_limits(addr, ServerLimits::default()).await
    }

    /// Like [`serve`](Self::serve), holding clients to `limits`: header and request
    /// timeouts, a connection cap, requests per connection and the shutdown grace.
    pub async fn serve_with_limits(
        &self,
        addr: SocketAddr,
        limits: ServerLimits,
    ) -> Result<ServerHandle, EmulatorError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| EmulatorError::bind(addr, source))?;
        let emulator = self.clone();
        let service = service_fn(move |request| answer(emulator.clone(), request));
        Server::start(listener, limits, service).map_err(|source| EmulatorError::bind(addr, source))
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
