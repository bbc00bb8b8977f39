#![cfg_attr(docsrs, feature(doc_cfg))]
//! Verified, typed blocklist webhooks (callbacks) of Tencent Cloud Chat, with a ready HTTP
//! handler.
//!
//! # What Tencent sends
//!
//! After every blocklist change, Tencent Cloud Chat `POST`s to the application's callback
//! URL with these query parameters:
//!
//! ```text
//! ?SdkAppid=1400000000&CallbackCommand=Sns.CallbackBlackListAdd&contenttype=json
//!  &ClientIP=127.0.0.1&OptPlatform=RESTAPI&Sign=17773bc3...&RequestTime=1669872112
//! ```
//!
//! `Sign` and `RequestTime` are present when webhook authentication is enabled in the
//! console, where the application also sets its token. The body lists the changes:
//!
//! ```json
//! {"CallbackCommand": "Sns.CallbackBlackListAdd",
//!  "PairList": [{"From_Account": "id", "To_Account": "id1"},
//!               {"From_Account": "id", "To_Account": "id2"}]}
//! ```
//!
//! `Sns.CallbackBlackListDelete` has the same shape. The application answers with HTTP 200
//! and `{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}` ([`Reply`]).
//!
//! # What is verified
//!
//! [`Verifier::verify`] checks, in order: `SdkAppid` equals the application's SDKAppID;
//! `Sign` equals [`sign`]`(token, RequestTime)`, compared in constant time; `RequestTime`
//! is within the freshness window of now (60 s by default, either direction). Each failure
//! is a distinct [`WebhookError`] variant. [`Verifier::verify_request`] adds the body:
//! [`Event::decode`] gives [`Event::BlocklistAdded`], [`Event::BlocklistRemoved`], or
//! [`Event::Unknown`] with the raw JSON for every other command, and a body whose
//! `CallbackCommand` differs from the query's is rejected.
//!
//! # Layers
//!
//! - Pure, without I/O, async or clock: [`CallbackQuery`], [`sign`], [`Verifier`],
//!   [`Event`], [`Reply`], and [`Callback`] for senders (an emulator, tests).
//! - The handler: [`handle`] (an async function over a query string and a body),
//!   [`WebhookHandler`] (method, size limit, clock, the application's function) for any
//!   framework through `http::Request<Bytes>`, a `hyper` service with the `hyper` feature,
//!   and, with the `axum` feature, `router` (one path, to merge into an application) and
//!   the `VerifiedEvent` extractor (for the application's own handlers, next to its state).
//!
//! # Example
//!
//! ```
//! use im_webhook::{CallbackQuery, Event, Pair, Token, Verifier, WebhookError};
//!
//! let verifier = Verifier::new(1_400_000_000, Token::new("xxxxyyyy"));
//! let query = "SdkAppid=1400000000&CallbackCommand=Sns.CallbackBlackListAdd&contenttype=json\
//!              &ClientIP=127.0.0.1&OptPlatform=RESTAPI\
//!              &Sign=17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061\
//!              &RequestTime=1669872112";
//! let body = br#"{"CallbackCommand": "Sns.CallbackBlackListAdd",
//!                 "PairList": [{"From_Account": "id", "To_Account": "id1"}]}"#;
//!
//! // Received 20 seconds after it was sent: accepted.
//! let event = verifier.verify_request(Some(query), body, 1_669_872_132)?;
//! assert_eq!(event, Event::BlocklistAdded { pairs: vec![Pair::new("id", "id1")] });
//!
//! // Replayed five minutes later: rejected, and the error says why.
//! let late = verifier.verify_request(Some(query), body, 1_669_872_412).unwrap_err();
//! assert!(matches!(late, WebhookError::Stale { .. }));
//! assert_eq!(late.http_status(), 403);
//!
//! // The same checks on the parsed query alone.
//! let parsed = CallbackQuery::parse(query)?;
//! assert_eq!(parsed.client_ip.as_deref(), Some("127.0.0.1"));
//! verifier.verify(&parsed, 1_669_872_112)?;
//! # Ok::<(), WebhookError>(())
//! ```
//!
//! A server, with the `axum` feature (the `hyper` feature offers the same as a `hyper`
//! service; any other framework can call [`WebhookHandler::handle`]):
//!
//! ```no_run
//! # #[cfg(feature = "axum")]
//! # async fn serve() -> Result<(), Box<dyn std::error::Error>> {
//! use im_webhook::{Event, Reply, Token, Verifier, WebhookHandler, router};
//!
//! let verifier = Verifier::new(1_400_000_000, Token::new(std::env::var("IM_CALLBACK_TOKEN")?));
//! let handler = WebhookHandler::new(verifier, |event: Event| async move {
//!     match event {
//!         Event::BlocklistAdded { pairs } => println!("blocked: {pairs:?}"),
//!         Event::BlocklistRemoved { pairs } => println!("unblocked: {pairs:?}"),
//!         other => println!("{}: ignored", other.command()),
//!     }
//!     Reply::ok()
//! });
//! let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
//! let app: axum::Router = router("/im/callback", handler);
//! axum::serve(listener, app).await?;
//! # Ok(())
//! # }
//! ```
//!
//! # Security
//!
//! - `Sign` is compared in constant time; the token is never printed (`Debug` of [`Token`]
//!   and [`Verifier`] is redacted), and no error, log line or response contains the token
//!   or a `Sign`.
//! - `Sign` is a plain SHA-256 of the token followed by `RequestTime`, not an HMAC, and it
//!   covers neither the body nor the other parameters. Anyone who sees one valid request
//!   (a log of URLs, a proxy) can replay its `Sign` and `RequestTime` with any body until
//!   the window closes. Use HTTPS, keep callback URLs out of logs, keep the window short,
//!   and de-duplicate on the application side (the changes are idempotent: re-applying a
//!   blocklist pair is harmless).
//! - Tencent does not document a freshness window for Chat callbacks; its Live webhooks
//!   use one minute, hence the default. Keep the server's clock synchronized.
//! - [`Verifier::without_signature`] checks only `SdkAppid`, which is public: use it only
//!   when webhook authentication cannot be enabled.

mod callback;
mod error;
mod event;
mod handler;
mod query;
mod reply;
mod sign;

#[cfg(feature = "axum")]
mod axum;
#[cfg(feature = "hyper")]
mod hyper;

#[cfg(feature = "axum")]
pub use crate::axum::{VerifiedEvent, WebhookState, router};
pub use crate::callback::Callback;
pub use crate::error::{BodyError, WebhookError};
pub use crate::event::{Event, Pair, command};
pub use crate::handler::{DEFAULT_BODY_LIMIT, WebhookHandler, handle};
pub use crate::query::{CallbackQuery, param};
pub use crate::reply::Reply;
pub use crate::sign::{DEFAULT_WINDOW, Token, Verifier, sign};
pub use im_protocol::ActionStatus;
pub use im_sig::{Clock, SystemClock};
