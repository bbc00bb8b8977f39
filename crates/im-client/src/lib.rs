#![cfg_attr(docsrs, feature(doc_cfg))]
//! The call engine of the Tencent Cloud Chat server REST API.
//!
//! One REST call, top to bottom, for any endpoint: the body is encoded once, then each
//! attempt is paced ([`RateLimiter`]), signed (the cached admin UserSig of an
//! [`im_sig::Signer`]), sent through an [`im_transport::Transport`], and its answer
//! decoded and classified; a failed attempt is retried as the [`RetryPolicy`] and the
//! API's retry safety allow, moving to a region's backup host when the primary cannot be
//! reached. The API families (blocklist, accounts, ...) are thin layers on top; this crate
//! knows none of them.
//!
//! - [`Client::call`]: a typed call of an API of the spec (`docs/spec/endpoints.txt`);
//!   [`Client::call_json`]: any of the service's REST endpoints with a JSON body.
//! - [`Client::batch`]: a per-item API ([`PerItemApi`]) with any number of items, chunked
//!   to the API's limit, re-sending only the items that failed retryably.
//! - [`ApiInfo`]: what the engine knows of an API (path, calls/s, items per request,
//!   [`RetrySafety`]: `convergent`, `read` or `unsafe`).
//! - [`RateLimiter`] keyed by app and API ([`RateKey`]), with the in-process
//!   [`AdaptivePacer`] as default.
//!
//! ```
//! use std::sync::Arc;
//! use im_client::Client;
//! use im_protocol::{AddBlocklistRequest, Endpoint, Region};
//! use im_sig::{SecretKey, Signer};
//! use im_transport::test_util::ReplayTransport;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), im_client::Error> {
//! let transport = Arc::new(
//!     ReplayTransport::new()
//!         .then_status(502)
//!         .then_json(200, r#"{"ResultItem":[{"To_Account":"bob","ResultCode":0,"ResultInfo":""}],
//!                            "ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}"#),
//! );
//! let signer = Signer::new(1_400_000_000, "administrator", SecretKey::from("app key"));
//! let client = Client::builder(signer, transport, Endpoint::region(Region::Singapore)).build();
//!
//! // black_list_add is convergent, so the 502 is retried.
//! let answer = client.call(&AddBlocklistRequest::new("alice", ["bob"])).await?;
//! assert!(answer.result_item[0].is_ok());
//! # Ok(()) }
//! ```

mod api;
mod batch;
mod call;
mod classify;
mod client;
mod error;
mod failover;
mod failure;
mod pace;
mod retry;
pub mod telemetry;

pub use api::{ApiInfo, DEFAULT_CALLS_PER_SECOND};
pub use batch::{Answered, BatchOutcome, ItemResult, ItemResults, PerItemApi, Unanswered};
pub use client::{Client, ClientBuilder};
pub use error::{CallError, Error, GiveUpReason, InvalidInput, RateLimitError};
pub use failure::{AccountFailure, FailureReason, Outcome, RequestFailure};
pub use im_protocol::{Api, Endpoint, ErrorCode, Region, RetrySafety};
pub use im_sig::{SecretKey, Signer};
pub use im_transport::Transport;
pub use pace::{
    AdaptivePacer, HEADROOM, MIN_RATE_SHARE, RateKey, RateLimiter, THROTTLE_FACTOR,
    THROTTLE_RECOVERY, Unlimited,
};
pub use retry::{RetryPolicy, retry_after};
