//! `axum` integration: a router for one path, and an extractor for the application's own
//! handlers.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use axum::extract::{FromRef, FromRequest, Request};
use axum::response::{IntoResponse, Response};
use im_sig::{Clock, SystemClock};

use crate::error::WebhookError;
use crate::event::Event;
use crate::handler::streaming::{content_length, read_body};
use crate::handler::{DEFAULT_BODY_LIMIT, WebhookHandler, check_head, reject};
use crate::reply::Reply;
use crate::sign::Verifier;

/// An `axum::Router` that answers callbacks on `path` with `handler` (see
/// [`WebhookHandler`] for the statuses) and nothing else: other paths fall through to the
/// application's routes or its fallback (404 by default), so the router can be merged into
/// an application with `Router::merge`. Methods other than `POST` on `path` get 405.
///
/// A `path` without a leading `/` gets one. The body is read with the handler's own limit;
/// axum's `DefaultBodyLimit` does not apply.
///
/// # Panics
///
/// When `path` is not a valid axum route (an unclosed `{`, for example), as
/// `axum::Router::route` does. The path comes from the application's code or configuration,
/// not from a request.
///
/// ```no_run
/// use im_webhook::{Event, Reply, Token, Verifier, WebhookHandler, router};
///
/// # async fn serve() -> std::io::Result<()> {
/// let verifier = Verifier::new(1_400_000_000, Token::new("token from the console"));
/// let handler = WebhookHandler::new(verifier, |event: Event| async move {
///     if let Some(pairs) = event.pairs() {
///         println!("{}: {pairs:?}", event.command());
///     }
///     Reply::ok()
/// });
/// let app: axum::Router = axum::Router::new()
///     .route("/health", axum::routing::get(|| async { "ok" }))
///     .merge(router("/im/callback", handler));
/// let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
/// axum::serve(listener, app).await
/// # }
/// ```
pub fn router<S, F, Fut, C>(path: &str, handler: WebhookHandler<F, C>) -> axum::Router<S>
where
    S: Clone + Send + Sync + 'static,
    F: Fn(Event) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Reply> + Send,
    C: Clock + 'static,
{
    let path = if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    };
    let answer = move |request: Request| {
        let handler = handler.clone();
        async move {
            handler
                .handle_streaming(request)
                .await
                .map(axum::body::Body::from)
        }
    };
    axum::Router::new().route(&path, axum::routing::any(answer))
}

/// What the [`VerifiedEvent`] extractor needs: the verifier, the clock and the body limit.
///
/// Put one in the application's state and tell axum where it is with `FromRef` (or use it
/// as the state itself). Cloning is cheap.
///
/// ```
/// use axum::extract::FromRef;
/// use im_webhook::{Token, Verifier, WebhookState};
///
/// #[derive(Clone)]
/// struct App {
///     webhook: WebhookState,
///     // The application's own state: a database pool, a cache...
/// }
///
/// impl FromRef<App> for WebhookState {
///     fn from_ref(app: &App) -> Self {
///         app.webhook.clone()
///     }
/// }
///
/// let app = App { webhook: WebhookState::new(Verifier::new(1_400_000_000, Token::new("xxxxyyyy"))) };
/// assert_eq!(WebhookState::from_ref(&app).body_limit(), im_webhook::DEFAULT_BODY_LIMIT);
/// ```
#[derive(Clone)]
pub struct WebhookState {
    verifier: Arc<Verifier>,
    clock: Arc<dyn Clock>,
    body_limit: usize,
}

impl WebhookState {
    /// Checks callbacks with `verifier`, the system clock and [`DEFAULT_BODY_LIMIT`].
    pub fn new(verifier: Verifier) -> Self {
        WebhookState {
            verifier: Arc::new(verifier),
            clock: Arc::new(SystemClock),
            body_limit: DEFAULT_BODY_LIMIT,
        }
    }

    /// Reads the time from `clock` instead.
    #[must_use]
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Accepts bodies of at most `limit` bytes.
    #[must_use]
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

    /// The method and size checks, then the body read and [`Verifier::verify_request`].
    async fn verify(&self, request: Request) -> Result<Event, WebhookError> {
        check_head(
            request.method(),
            content_length(request.headers()),
            self.body_limit,
        )?;
        let (parts, body) = request.into_parts();
        let body = read_body(body, self.body_limit).await?;
        self.verifier
            .verify_request(parts.uri.query(), &body, self.clock.now())
    }
}

impl fmt::Debug for WebhookState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookState")
            .field("verifier", &self.verifier)
            .field("body_limit", &self.body_limit)
            .finish_non_exhaustive()
    }
}

/// An axum extractor: the [`Event`] of a callback that passed every check of
/// [`WebhookHandler`] (method, size, application, signature, freshness, body), so an
/// application's own handler can take its state and the event together.
///
/// A request that fails is rejected with the same answer [`WebhookHandler`] gives, and the
/// handler is not called. It reads the body, so it comes last among the handler's
/// arguments; it finds its [`WebhookState`] in the router's state through `FromRef`.
/// Answer with a [`Reply`], which is a response too.
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
///
/// use axum::extract::{FromRef, State};
/// use im_webhook::{Reply, Token, VerifiedEvent, Verifier, WebhookState};
///
/// #[derive(Clone)]
/// struct App {
///     webhook: WebhookState,
///     changes: Arc<AtomicUsize>,
/// }
///
/// impl FromRef<App> for WebhookState {
///     fn from_ref(app: &App) -> Self {
///         app.webhook.clone()
///     }
/// }
///
/// async fn on_callback(State(app): State<App>, VerifiedEvent(event): VerifiedEvent) -> Reply {
///     let changes = event.pairs().map_or(0, <[_]>::len);
///     app.changes.fetch_add(changes, Ordering::Relaxed);
///     Reply::ok()
/// }
///
/// let app = App {
///     webhook: WebhookState::new(Verifier::new(1_400_000_000, Token::new("xxxxyyyy"))),
///     changes: Arc::default(),
/// };
/// let router: axum::Router = axum::Router::new()
///     .route("/im/callback", axum::routing::post(on_callback))
///     .with_state(app);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedEvent(pub Event);

impl<S> FromRequest<S> for VerifiedEvent
where
    S: Send + Sync,
    WebhookState: FromRef<S>,
{
    type Rejection = WebhookError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let event = WebhookState::from_ref(state).verify(request).await?;
        tracing::debug!(command = event.command(), "accepted a webhook callback");
        Ok(VerifiedEvent(event))
    }
}

/// A rejected request: the error's status with a `FAIL` reply saying which check failed
/// (and `Allow: POST` on a 405), logged at debug level.
impl IntoResponse for WebhookError {
    fn into_response(self) -> Response {
        reject(&self).map(axum::body::Body::from)
    }
}

/// HTTP 200 with the reply as JSON.
impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        (
            [(http::header::CONTENT_TYPE, "application/json")],
            self.to_body(),
        )
            .into_response()
    }
}
