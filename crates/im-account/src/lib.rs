#![cfg_attr(docsrs, feature(doc_cfg))]
//! The account client of the Tencent Cloud Chat server REST API.
//!
//! [`Accounts`] imports accounts (one with `account_import`, any number with
//! `multiaccount_import`, with nickname and avatar), deletes them (`account_delete`) and
//! checks whether they exist (`account_check`). The calls go through the engine of
//! `im-client` (pacing at each API's own limit, signing, retries by each API's retry
//! safety, failover, per-item batches); this crate adds what is the accounts' own:
//!
//! - **Validation** before anything is sent: UserIDs follow the service's rule
//!   (`im_protocol::validate_user_id`); repeated accounts collapse to the first.
//! - **Batching**: any number of accounts, in requests of at most 100, several in flight
//!   under the pacer (100 calls/s for bulk import and check, 200 for delete).
//! - **Outcomes**: every input account ends in exactly one of `succeeded`, `unchanged` or
//!   `failed` ([`Outcome`]), or in `results` or `failed` for a check ([`CheckOutcome`]),
//!   in input order. Deleting an account that does not exist (70107) is `unchanged`.
//!
//! It re-exports what its signatures use, so one crate is enough to call it. It does not
//! depend on any other API family.
//!
//! ```
//! use std::sync::Arc;
//! use im_account::{Accounts, NewAccount};
//! use im_protocol::{Endpoint, Region};
//! use im_sig::{SecretKey, Signer};
//! use im_transport::test_util::ReplayTransport;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), im_account::Error> {
//! let transport = Arc::new(ReplayTransport::new().then_json(
//!     200,
//!     r#"{"FailAccounts":[],"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}"#,
//! ));
//! let signer = Signer::new(1_400_000_000, "administrator", SecretKey::from("app key"));
//! let accounts = Accounts::builder(signer, transport, Endpoint::region(Region::Singapore)).build();
//!
//! let outcome = accounts
//!     .import([NewAccount::new("alice").nick("Alice"), NewAccount::new("bob")])
//!     .await?;
//! assert_eq!(outcome.succeeded, ["alice", "bob"]);
//! # Ok(()) }
//! ```

mod client;
mod input;
mod ops;
mod outcome;
mod rules;
mod settle;
mod wire;

pub use client::{Accounts, AccountsBuilder};
pub use im_client::{
    AccountFailure, AdaptivePacer, CallError, Client, Error, FailureReason, GiveUpReason,
    InvalidInput, RateKey, RateLimiter, RequestFailure, RetryPolicy, Unlimited,
};
pub use im_protocol::{AccountStatus, Endpoint, ErrorCode, Region};
pub use im_sig::{SecretKey, Signer};
pub use im_transport::Transport;
pub use input::NewAccount;
pub use outcome::{CheckOutcome, CheckResult, Outcome};
