#![cfg_attr(docsrs, feature(doc_cfg))]
//! The blocklist client of the Tencent Cloud Chat server REST API.
//!
//! [`Blocklist`] adds, removes, checks and lists blocklist entries, and imports them in
//! bulk. The calls go through the engine of `im-client` (pacing, signing, retries by each
//! API's retry safety, failover, per-item batches); this crate adds what is the
//! blocklist's own:
//!
//! - **Validation** before anything is sent: UserIDs follow the service's rule
//!   (`im_protocol::validate_user_id`), and an empty `From` is rejected with
//!   [`InvalidInput`].
//! - **Batching**: any number of accounts, sent in requests of at most 1000; repeated
//!   accounts collapse to one.
//! - **Outcomes**: every input account ends in exactly one of `succeeded`, `unchanged` or
//!   `failed` ([`Outcome`]), in input order. After an ambiguous attempt (a timeout after
//!   the service may have applied the write), "already blocked" counts as success.
//! - **Listing** as a stream over all pages, and **bulk import** of `(from, to)` pairs.
//!
//! It re-exports what its signatures use, so one crate is enough to call it.
//!
//! ```
//! use std::sync::Arc;
//! use im_blocklist::Blocklist;
//! use im_protocol::{Endpoint, Region};
//! use im_sig::{SecretKey, Signer};
//! use im_transport::test_util::ReplayTransport;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), im_blocklist::Error> {
//! let transport = Arc::new(ReplayTransport::new().then_json(
//!     200,
//!     r#"{"ResultItem":[
//!           {"To_Account":"bob","ResultCode":0,"ResultInfo":""},
//!           {"To_Account":"carol","ResultCode":30001,"ResultInfo":"Err_SNS_BlackListAdd_Already_Exist"}],
//!         "Fail_Account":["carol"],"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}"#,
//! ));
//! let signer = Signer::new(1_400_000_000, "administrator", SecretKey::from("app key"));
//! let blocklist = Blocklist::builder(signer, transport, Endpoint::region(Region::Singapore)).build();
//!
//! let outcome = blocklist.add("alice", ["bob", "carol", "bob"]).await?;
//! assert_eq!(outcome.succeeded, ["bob"]);
//! assert_eq!(outcome.unchanged, ["carol"]);
//! assert!(outcome.failed.is_empty());
//! # Ok(()) }
//! ```

mod account;
mod client;
mod confirm;
mod import;
mod ops;
mod outcome;
mod rules;
mod wire;

pub use client::{Blocklist, BlocklistBuilder};
pub use im_client::{
    AccountFailure, AdaptivePacer, CallError, Client, Error, FailureReason, GiveUpReason, HEADROOM,
    InvalidInput, RateKey, RateLimiter, RequestFailure, RetryPolicy, Unlimited,
};
pub use im_protocol::{CheckType, Endpoint, ErrorCode, Region, Relation};
pub use im_sig::{SecretKey, Signer};
pub use im_transport::Transport;
pub use import::{BatchReport, ImportOutcome, ImportProgress, PairFailure};
pub use outcome::{BlockedAccount, CheckOutcome, CheckResult, Outcome, Page, PageRequest};
