#![cfg_attr(docsrs, feature(doc_cfg))]
//! The HTTP/1.1 server loop of this workspace's local servers: the emulator's HTTP face
//! (`imctl serve`) and the webhook receiver (`imctl webhook listen`).
//!
//! A [`Server`] serves any `hyper` service on a Tokio `TcpListener` and holds every client
//! to [`ServerLimits`], so that a slow, stuck or hostile client cannot hold the server:
//!
//! - **Timeouts.** A request head must arrive within the header timeout (also the idle
//!   timeout of a kept-alive connection); its body must be read and answered within the
//!   request timeout. Past either, the connection is closed.
//! - **A connection cap.** At most so many connections are served at once; further clients
//!   wait in the listen backlog until one closes. One connection carries at most so many
//!   requests before the server closes it.
//! - **Accept back-off.** When accepting fails for a reason that would recur at once (out of
//!   file descriptors, `EMFILE`/`ENFILE`, or of memory), the loop pauses, 10 ms doubling up
//!   to 1 s, instead of spinning; an error about one connection is retried at once.
//! - **A bounded shutdown.** [`Server::shutdown`] closes the listener, lets requests in
//!   progress finish for a grace period, then closes every connection still open, even one
//!   whose client stopped halfway through a request.
//!
//! ```no_run
//! use std::convert::Infallible;
//!
//! use bytes::Bytes;
//! use http_body_util::Full;
//! use hyper::service::service_fn;
//! use im_server::{Server, ServerLimits};
//!
//! # async fn run() -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let service = service_fn(|_request| async {
//!     Ok::<_, Infallible>(http::Response::new(Full::new(Bytes::from_static(b"hello"))))
//! });
//! let server = Server::start(listener, ServerLimits::default(), service)?;
//! println!("listening on {}", server.base_url());
//! tokio::signal::ctrl_c().await?;
//! server.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod accept;
mod connection;
mod limits;
mod server;

pub use limits::ServerLimits;
pub use server::Server;

#[cfg(test)]
mod tests;
