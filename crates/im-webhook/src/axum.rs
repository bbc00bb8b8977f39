//! A ready `axum` router.

use std::future::Future;

use im_sig::Clock;

use crate::event::Event;
use crate::handler::WebhookHandler;
use crate::reply::Reply;

/// An `axum::Router` that answers callbacks on every path with `handler` (see
/// [`WebhookHandler`] for the statuses). Mount it under a path with `Router::nest_service`
/// or serve it as it is.
///
/// The body is read with the handler's own limit; axum's `DefaultBodyLimit` does not apply.
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
/// let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
/// axum::serve(listener, router(handler)).await
/// # }
/// ```
pub fn router<F, Fut, C>(handler: WebhookHandler<F, C>) -> axum::Router
where
    F: Fn(Event) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Reply> + Send,
    C: Clock + 'static,
{
    axum::Router::new().fallback(move |request: axum::extract::Request| {
        let handler = handler.clone();
        async move {
            handler
                .handle_streaming(request)
                .await
                .map(axum::body::Body::from)
        }
    })
}
