//! The connector stack: TCP (directly or through a proxy tunnel), then TLS, under one
//! connect deadline.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use http::Uri;
use hyper_rustls::HttpsConnector;
#[cfg(not(feature = "proxy"))]
use hyper_util::client::legacy::connect::HttpConnector;

use super::BoxError;

/// What carries the bytes under TLS: a TCP connection to the server, or (feature `proxy`)
/// to the server or through a proxy's `CONNECT` tunnel.
#[cfg(feature = "proxy")]
pub(super) type Tcp = super::proxy::ProxyConnector;
/// What carries the bytes under TLS: a TCP connection to the server.
#[cfg(not(feature = "proxy"))]
pub(super) type Tcp = HttpConnector;

/// The whole stack the pooled client connects through.
pub(super) type Connector = ConnectTimeout<HttpsConnector<Tcp>>;

/// Wraps a connector so that establishing a connection (DNS, TCP, a proxy tunnel and TLS)
/// has one deadline.
///
/// The TCP connector's own connect timeout covers only TCP. Failing here, inside the
/// connector, makes hyper-util report the failure as a connect error.
#[derive(Clone, Debug)]
pub(super) struct ConnectTimeout<C> {
    pub(super) inner: C,
    pub(super) timeout: Duration,
}

/// The connect deadline passed before a connection was established.
#[derive(Debug, thiserror::Error)]
#[error("the connection was not established within the connect timeout")]
struct ConnectTimedOut;

impl<C> tower_service::Service<Uri> for ConnectTimeout<C>
where
    C: tower_service::Service<Uri>,
    C::Error: Into<BoxError>,
    C::Future: Send + 'static,
{
    type Response = C::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<C::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let connecting = self.inner.call(uri);
        let timeout = self.timeout;
        Box::pin(async move {
            match tokio::time::timeout(timeout, connecting).await {
                Ok(result) => result.map_err(Into::into),
                Err(_elapsed) => Err(ConnectTimedOut.into()),
            }
        })
    }
}
