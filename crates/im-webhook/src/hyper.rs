//! The handler as a `hyper` service.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;

use bytes::Bytes;
use http_body_util::Full;
use im_sig::Clock;

use crate::event::Event;
use crate::handler::WebhookHandler;
use crate::reply::Reply;

/// Serves callbacks on a `hyper` connection, reading each body with the size limit (see
/// [`WebhookHandler::handle_streaming`]).
///
/// ```no_run
/// use hyper::server::conn::http1;
/// use hyper_util::rt::TokioIo;
/// use im_webhook::{Reply, Token, Verifier, WebhookHandler};
///
/// # async fn serve() -> std::io::Result<()> {
/// let verifier = Verifier::new(1_400_000_000, Token::new("token from the console"));
/// let handler = WebhookHandler::new(verifier, |event| async move {
///     println!("{event:?}");
///     Reply::ok()
/// });
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// loop {
///     let (stream, _) = listener.accept().await?;
///     let handler = handler.clone();
///     tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), handler));
/// }
/// # }
/// ```
impl<B, F, Fut, C> hyper::service::Service<http::Request<B>> for WebhookHandler<F, C>
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    F: Fn(Event) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Reply> + Send,
    C: Clock + 'static,
{
    type Response = http::Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn call(&self, request: http::Request<B>) -> Self::Future {
        let handler = self.clone();
        Box::pin(async move {
            let response = handler.handle_streaming(request).await;
            Ok(response.map(Full::new))
        })
    }
}
