//! The blocklist client of the Tencent Cloud Chat server REST API.
//!
//! [`Blocklist`] adds, removes, checks and lists blocklist entries, and imports them in
//! bulk. It takes care of what every caller would otherwise write by hand:
//!
//! - **Validation** before anything is sent: empty, over-long (> 32 bytes) or non-printable
//!   UserIDs and an empty `From` are rejected with [`InvalidInput`].
//! - **Batching**: any number of accounts, sent in requests of at most 1000; repeated
//!   accounts collapse to one.
//! - **Pacing**: at most 200 calls per second per API by default, slowing down when the
//!   service answers with a rate-limit code and recovering after ([`AdaptivePacer`]), behind
//!   the [`RateLimiter`] trait so a shared limiter can replace it.
//! - **Retries** ([`RetryPolicy`]): transport failures and 5xx answers retry the request;
//!   per-account retryable codes (30006, 30007, 30008) re-send only those accounts; an
//!   expired UserSig is renewed once; rate-limit codes back off. A retry budget makes a
//!   failing service fail fast, and each call has a deadline.
//! - **Outcomes**: every input account ends in exactly one of `succeeded`, `unchanged` or
//!   `failed` ([`Outcome`]). After an ambiguous attempt (a timeout after the service may
//!   have applied the write), "already blocked" counts as success.
//! - **Failover** to a region's backup host when the primary cannot be reached.
//!
//! It builds on three leaf crates: `im-protocol` (wire types), `im-sig` (UserSig) and
//! `im-transport` (the HTTP seam, with test doubles).
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
mod batch;
mod client;
mod error;
mod import;
mod ops;
mod outcome;
mod pace;
mod retry;

pub use account::{MAX_ACCOUNT_LEN, validate_account};
pub use client::{Blocklist, BlocklistBuilder};
pub use error::{Error, GiveUpReason, InvalidInput};
pub use im_protocol::{CheckType, Relation};
pub use import::{BatchReport, ImportOutcome, ImportProgress, PairFailure};
pub use outcome::{AccountFailure, BlockedAccount, CheckOutcome, CheckResult, Outcome, Page};
pub use pace::{AdaptivePacer, HEADROOM, RateLimiter, Unlimited};
pub use retry::RetryPolicy;
