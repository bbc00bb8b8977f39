//! From an HTTP request to the application's function and back.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderValue, Method, Response, StatusCode, header};
use im_sig::{Clock, SystemClock};

use crate::error::WebhookError;
use crate::event::Event;
use crate::query::{CallbackQuery, param};
use crate::reply::Reply;
use crate::sign::Verifier;

/// The largest request body [`WebhookHandler`] accepts unless
/// [`with_body_limit`](WebhookHandler::with_body_limit) sets another: 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

impl Verifier {
    /// Everything short of calling the application: parses `query` (the raw query string,
    /// `None` when the URL has none), [verifies](Verifier::verify) it at `now`, and decodes
    /// `body` into an [`Event`].
    ///
    /// The body is decoded only after the query passed verification. Besides the errors of
    /// [`verify`](Verifier::verify) and [`Event::decode`], a `contenttype` other than `json`
    /// is an [`InvalidParameter`](WebhookError::InvalidParameter) and an absent
    /// `CallbackCommand` a [`MissingParameter`](WebhookError::MissingParameter).
    pub fn verify_request(
        &self,
        query: Option<&str>,
        body: &[u8],
        now: u64,
    ) -> Result<Event, WebhookError> {
        let query = CallbackQuery::parse(query.unwrap_or(""))?;
        self.verify(&query, now)?;
        if !query.is_json() {
            return Err(WebhookError::InvalidParameter {
                name: param::CONTENT_TYPE,
                reason: "not json",
            });
        }
        let command = query
            .callback_command
            .as_deref()
            .ok_or(WebhookError::MissingParameter(param::CALLBACK_COMMAND))?;
        Event::decode(command, body)
    }
}

/// Answers one callback: [`Verifier::verify_request`], then `on_event` with the event.
///
/// A request that passes gets HTTP 200 with `on_event`'s [`Reply`]; `on_event` is called
/// exactly once. A request that fails gets the error's
/// [`http_status`](WebhookError::http_status) with
/// `{"ActionStatus":"FAIL","ErrorCode":1,"ErrorInfo":"<which check failed>"}`, and
/// `on_event` is not called. Rejections are logged at debug level with the reason; the
/// reason never includes the token or a `Sign`.
///
/// This function neither checks the method nor limits the body's size; [`WebhookHandler`]
/// does both.
///
/// ```
/// use im_webhook::{Callback, Event, Pair, Reply, Token, Verifier, handle};
///
/// # block_on(async {
/// let token = Token::new("xxxxyyyy");
/// let callback = Callback::new(1_400_000_000, Event::BlocklistAdded { pairs: vec![Pair::new("a", "b")] })
///     .signed(&token, 1_669_872_112);
/// let verifier = Verifier::new(1_400_000_000, token);
/// let query = callback.query().to_query_string();
///
/// let response = handle(&verifier, 1_669_872_130, Some(&query), &callback.body(), async |event| {
///     assert_eq!(event.pairs(), Some(&[Pair::new("a", "b")][..]));
///     Reply::ok()
/// })
/// .await;
/// assert_eq!(response.status(), 200);
/// assert_eq!(response.body(), r#"{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}"#);
/// # });
/// # fn block_on<F: std::future::Future>(future: F) -> F::Output {
/// #     // The future never waits, so polling it once finishes it.
/// #     let mut future = std::pin::pin!(future);
/// #     let mut context = std::task::Context::from_waker(std::task::Waker::noop());
/// #     match future.as_mut().poll(&mut context) {
/// #         std::task::Poll::Ready(output) => output,
/// #         std::task::Poll::Pending => unreachable!("the example never waits"),
/// #     }
/// # }
/// ```
pub async fn handle<F, Fut>(
    verifier: &Verifier,
    now: u64,
    query: Option<&str>,
    body: &[u8],
    on_event: F,
) -> Response<Bytes>
where
    F: FnOnce(Event) -> Fut,
    Fut: Future<Output = Reply>,
{
    match verifier.verify_request(query, body, now) {
        Ok(event) => {
            tracing::debug!(command = event.command(), "accepted a webhook callback");
            let reply = on_event(event).await;
            json_response(StatusCode::OK, &reply)
        }
        Err(error) => reject(&error),
    }
}

/// The answer to a rejected request, logged at debug level.
pub(crate) fn reject(error: &WebhookError) -> Response<Bytes> {
    let status = error.http_status();
    tracing::debug!(
        status = status.as_u16(),
        reason = %error,
        "rejected a webhook request"
    );
    let mut response = json_response(status, &Reply::fail(error.to_string()));
    if status == StatusCode::METHOD_NOT_ALLOWED {
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
    }
    response
}

fn json_response(status: StatusCode, reply: &Reply) -> Response<Bytes> {
    let mut response = Response::new(reply.to_body());
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// A ready callback endpoint: checks the method and body size, verifies, decodes, calls
/// the application's async function once per accepted callback, and answers.
///
/// - `POST` only; other methods get 405 with `Allow: POST`.
/// - Bodies over the limit (default [`DEFAULT_BODY_LIMIT`]) get 413.
/// - Then as [`handle`]: 400 for malformed or missing parameters or body, 403 when the
///   application, signature or freshness check fails, 200 with the function's [`Reply`]
///   otherwise.
///
/// The time comes from a [`Clock`], the system clock unless
/// [`with_clock`](Self::with_clock) sets another. Cloning is cheap (reference counts), so
/// one handler can serve every connection.
///
/// [`handle`](Self::handle) takes an `http::Request<Bytes>` and works with any server that
/// can collect a body; the `hyper` feature makes the handler a `hyper` service, and the
/// `axum` feature adds `im_webhook::router`.
pub struct WebhookHandler<F, C = SystemClock> {
    verifier: Arc<Verifier>,
    clock: Arc<C>,
    on_event: Arc<F>,
    body_limit: usize,
}

impl<F, Fut> WebhookHandler<F, SystemClock>
where
    F: Fn(Event) -> Fut,
    Fut: Future<Output = Reply>,
{
    /// A handler that checks callbacks with `verifier` and passes the accepted ones to
    /// `on_event`.
    pub fn new(verifier: Verifier, on_event: F) -> Self {
        WebhookHandler {
            verifier: Arc::new(verifier),
            clock: Arc::new(SystemClock),
            on_event: Arc::new(on_event),
            body_limit: DEFAULT_BODY_LIMIT,
        }
    }
}

impl<F, C> WebhookHandler<F, C> {
    /// Reads the time from `clock` instead.
    pub fn with_clock<D: Clock>(self, clock: D) -> WebhookHandler<F, D> {
        WebhookHandler {
            verifier: self.verifier,
            clock: Arc::new(clock),
            on_event: self.on_event,
            body_limit: self.body_limit,
        }
    }

    /// Accepts bodies of at most `limit` bytes.
    pub fn with_body_limit(mut self, limit: usize) -> Self {
        self.body_limit = limit;
        self
    }

    /// The verifier.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// The largest body accepted, in bytes.
    pub fn body_limit(&self) -> usize {
        self.body_limit
    }

    /// The rejection of a request with this method and declared length, known before
    /// its body is read.
    pub(crate) fn check_head(
        &self,
        method: &Method,
        content_length: Option<u64>,
    ) -> Result<(), WebhookError> {
        check_head(method, content_length, self.body_limit)
    }
}

/// The rejection of a request with this method and declared length under `body_limit`,
/// known before its body is read.
pub(crate) fn check_head(
    method: &Method,
    content_length: Option<u64>,
    body_limit: usize,
) -> Result<(), WebhookError> {
    if method != Method::POST {
        return Err(WebhookError::MethodNotAllowed {
            method: method.clone(),
        });
    }
    let limit = u64::try_from(body_limit).unwrap_or(u64::MAX);
    if content_length.is_some_and(|length| length > limit) {
        return Err(WebhookError::BodyTooLarge { limit: body_limit });
    }
    Ok(())
}

impl<F, Fut, C> WebhookHandler<F, C>
where
    F: Fn(Event) -> Fut,
    Fut: Future<Output = Reply>,
    C: Clock,
{
    /// Answers one request whose body has been read.
    pub async fn handle(&self, request: http::Request<Bytes>) -> Response<Bytes> {
        let body_length = u64::try_from(request.body().len()).unwrap_or(u64::MAX);
        if let Err(error) = self.check_head(request.method(), Some(body_length)) {
            return reject(&error);
        }
        handle(
            &self.verifier,
            self.clock.now(),
            request.uri().query(),
            request.body(),
            |event| (self.on_event)(event),
        )
        .await
    }
}

impl<F, C> Clone for WebhookHandler<F, C> {
    fn clone(&self) -> Self {
        WebhookHandler {
            verifier: Arc::clone(&self.verifier),
            clock: Arc::clone(&self.clock),
            on_event: Arc::clone(&self.on_event),
            body_limit: self.body_limit,
        }
    }
}

impl<F, C> fmt::Debug for WebhookHandler<F, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookHandler")
            .field("verifier", &self.verifier)
            .field("body_limit", &self.body_limit)
            .finish_non_exhaustive()
    }
}

/// Reading a request body of any type with a size cap.
#[cfg(any(feature = "hyper", feature = "axum"))]
pub(crate) mod streaming {
    use http_body::Body;
    use http_body_util::{BodyExt, LengthLimitError, Limited};

    use super::*;
    use crate::error::BodyError;

    /// The declared `Content-Length` of a request, when it has a valid one.
    pub(crate) fn content_length(headers: &http::HeaderMap) -> Option<u64> {
        headers
            .get(header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<u64>().ok())
    }

    /// Reads `body` whole, failing with 413 past `limit` bytes.
    pub(crate) async fn read_body<B>(body: B, limit: usize) -> Result<Bytes, WebhookError>
    where
        B: Body,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        match Limited::new(body, limit).collect().await {
            Ok(collected) => Ok(collected.to_bytes()),
            Err(error) if error.is::<LengthLimitError>() => {
                Err(WebhookError::BodyTooLarge { limit })
            }
            Err(_) => Err(WebhookError::bad_body(BodyError::message(
                "the body could not be read",
            ))),
        }
    }

    impl<F, Fut, C> WebhookHandler<F, C>
    where
        F: Fn(Event) -> Fut,
        Fut: Future<Output = Reply>,
        C: Clock,
    {
        /// Answers one request, reading its body (of any `http_body::Body` type) up to the
        /// size limit; a non-`POST` request is answered without reading the body.
        pub async fn handle_streaming<B>(&self, request: http::Request<B>) -> Response<Bytes>
        where
            B: Body,
            B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
        {
            let declared = content_length(request.headers());
            if let Err(error) = self.check_head(request.method(), declared) {
                return reject(&error);
            }
            let (parts, body) = request.into_parts();
            match read_body(body, self.body_limit).await {
                Ok(body) => self.handle(http::Request::from_parts(parts, body)).await,
                Err(error) => reject(&error),
            }
        }
    }
}
