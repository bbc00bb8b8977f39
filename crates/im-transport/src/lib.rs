#![cfg_attr(docsrs, feature(doc_cfg))]
#![cfg_attr(docsrs, doc(auto_cfg(hide(feature = "__hyper"))))]
//! A small HTTP transport abstraction: send one request, get one fully read response.
//!
//! [`Transport`] has a single method and is used as `Arc<dyn Transport>`, so the code above it
//! never names an HTTP client. [`HyperTransport`] is the production implementation (hyper's
//! pooled client over rustls); the [`test_util`] module has doubles that script, compute or
//! withhold responses, so code built on a transport can be tested without sockets.
//!
//! Failures are [`TransportError`]s with a [`TransportErrorKind`]: a connect error means the
//! server never saw the request, while a timeout or a broken response means it may have been
//! processed. An HTTP error status is not a failure here; it is an ordinary response.
//!
//! # Crate features
//!
//! - `hyper` (default): [`HyperTransport`], an HTTPS client built on hyper-util's pooled client
//!   and hyper-rustls with the `ring` provider and the webpki root certificates.
//! - `aws-lc-rs`: the same client on rustls' `aws-lc-rs` provider; with default features off,
//!   ring is not built.
//! - `proxy`: `https` through an HTTP proxy, set explicitly or from `HTTPS_PROXY` / `NO_PROXY`
//!   (see [`HyperTransport`]).
//! - `rustls-native-certs`: the option to trust the operating system's root certificates.
//! - `test-util`: the [`test_util`] doubles: [`ReplayTransport`] (strict by default: a request
//!   after its script ran out fails the test), [`FnTransport`] and [`NeverTransport`]. Enable
//!   it in `[dev-dependencies]`. Typed answers of Tencent's APIs for these doubles are in
//!   `im-protocol`'s `test_util` module (its own `test-util` feature), since this crate knows
//!   nothing of Tencent.
//! - `tower`: `TowerTransport`, the transport from any tower service of `http::Request`s
//!   (tower-http layers, timeouts, tracing).
//! - `reqwest`: `ReqwestTransport`, the transport on an app's own reqwest client.
//!
//! Without default features the crate has only the trait and the error, and pulls in neither
//! hyper nor tokio.
//!
//! # Examples
//!
//! Build the HTTPS transport and send a request:
//!
//! ```no_run
//! # #[cfg(feature = "hyper")]
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use std::time::Duration;
//!
//! use bytes::Bytes;
//! use im_transport::{HyperTransport, Transport};
//!
//! let transport: Arc<dyn Transport> = Arc::new(
//!     HyperTransport::builder()
//!         .timeout(Duration::from_secs(10))
//!         .max_response_bytes(1 << 20)
//!         .build()?,
//! );
//! let request = http::Request::post("https://example.com/v4/echo")
//!     .header(http::header::CONTENT_TYPE, "application/json")
//!     .body(Bytes::from_static(b"{}"))?;
//! let response = transport.send(request).await?;
//! println!("{} ({} bytes)", response.status(), response.body().len());
//! # Ok(())
//! # }
//! ```
//!
//! Test code against a scripted transport (feature `test-util`):
//!
//! ```
//! # #[cfg(feature = "test-util")]
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//!
//! use bytes::Bytes;
//! use im_transport::test_util::ReplayTransport;
//! use im_transport::{Transport, TransportError};
//!
//! let replay = ReplayTransport::new()
//!     .then_error(TransportError::timeout())
//!     .then_json(200, r#"{"ActionStatus":"OK"}"#);
//! let transport: Arc<dyn Transport> = Arc::new(replay.clone());
//!
//! let request = || http::Request::post("https://example.com/v4/echo").body(Bytes::from_static(b"{}"));
//! assert!(transport.send(request()?).await.unwrap_err().is_timeout());
//! let response = transport.send(request()?).await?;
//! assert_eq!(response.body(), r#"{"ActionStatus":"OK"}"#);
//!
//! // Every request is recorded, including the one that failed.
//! assert_eq!(replay.requests().len(), 2);
//! assert_eq!(replay.requests()[1].body, "{}");
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "test-util"))]
//! # fn main() {}
//! ```
// Links to items behind features point to the feature list when those features are off.
#![cfg_attr(
    feature = "test-util",
    doc = "[`ReplayTransport`]: test_util::ReplayTransport",
    doc = "[`FnTransport`]: test_util::FnTransport",
    doc = "[`NeverTransport`]: test_util::NeverTransport"
)]
#![cfg_attr(not(feature = "__hyper"), doc = "[`HyperTransport`]: #crate-features")]
#![cfg_attr(not(feature = "test-util"), doc = "[`test_util`]: #crate-features")]
#![cfg_attr(
    not(feature = "test-util"),
    doc = "[`ReplayTransport`]: #crate-features",
    doc = "[`FnTransport`]: #crate-features",
    doc = "[`NeverTransport`]: #crate-features"
)]
#![forbid(unsafe_code)]

use std::fmt::Debug;
use std::sync::Arc;

use bytes::Bytes;

#[cfg(any(feature = "tower", feature = "reqwest"))]
mod body;
mod error;
#[cfg(feature = "__hyper")]
mod hyper_transport;
mod metadata;
mod redact;
#[cfg(feature = "reqwest")]
mod reqwest;
#[cfg(feature = "test-util")]
pub mod test_util;
#[cfg(feature = "tower")]
mod tower;

#[cfg(feature = "reqwest")]
pub use self::reqwest::ReqwestTransport;
#[cfg(feature = "tower")]
pub use self::tower::TowerTransport;
pub use error::{TransportError, TransportErrorKind};
#[cfg(feature = "__hyper")]
#[cfg_attr(docsrs, doc(cfg(any(feature = "hyper", feature = "aws-lc-rs"))))]
pub use hyper_transport::{HyperTransport, HyperTransportBuilder};
pub use metadata::{RequestMetadata, RetrySafety};
pub use redact::redact_uri;
/// The rustls this crate is built with, for [`HyperTransportBuilder::tls_config`].
#[cfg(feature = "__hyper")]
#[cfg_attr(docsrs, doc(cfg(any(feature = "hyper", feature = "aws-lc-rs"))))]
pub use rustls;
/// The crates a [`Transport`] implementation needs, so this one is enough to write one.
pub use {async_trait::async_trait, bytes, http};

/// Sends one HTTP request and returns the response with its whole body.
///
/// Implementations must be cheap to share: callers hold them as `Arc<dyn Transport>` and call
/// [`send`](Self::send) from many tasks at once. The request URI is absolute (scheme and host);
/// the caller sets every header the server needs. A response with any status code, including
/// 4xx and 5xx, is `Ok`; `Err` means no usable response (see [`TransportErrorKind`]).
///
/// `Debug` output must not include request URLs, which may carry credentials.
///
/// ```
/// use async_trait::async_trait;
/// use bytes::Bytes;
/// use im_transport::{Transport, TransportError};
///
/// /// Answers every request with an empty 204.
/// #[derive(Debug)]
/// struct NoContent;
///
/// #[async_trait]
/// impl Transport for NoContent {
///     async fn send(
///         &self,
///         _request: http::Request<Bytes>,
///     ) -> Result<http::Response<Bytes>, TransportError> {
///         let mut response = http::Response::new(Bytes::new());
///         *response.status_mut() = http::StatusCode::NO_CONTENT;
///         Ok(response)
///     }
/// }
///
/// let transport: std::sync::Arc<dyn Transport> = std::sync::Arc::new(NoContent);
/// # let _ = transport;
/// ```
#[async_trait]
pub trait Transport: Send + Sync + Debug {
    /// Sends `request` and reads the whole response body.
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError>;
}

#[async_trait]
impl<T: Transport + ?Sized> Transport for Arc<T> {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        (**self).send(request).await
    }
}

#[async_trait]
impl<T: Transport + ?Sized> Transport for Box<T> {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        (**self).send(request).await
    }
}
