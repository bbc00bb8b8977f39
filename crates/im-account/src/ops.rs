//! The public operations: import one, import many, delete, check.

use im_client::Error;
use im_protocol::{AccountImportRequest, validate_user_id};
use tracing::Instrument as _;

use crate::client::Accounts;
use crate::input::{NewAccount, unique, unique_ids};
use crate::outcome::{CheckOutcome, CheckResult, Outcome};
use crate::rules::{self, Bucket};
use crate::settle::Settled;
use crate::wire::{Check, Delete, MultiImport};

impl Accounts {
    /// Imports one account with `account_import`; importing an account that exists
    /// changes nothing but the nickname and avatar given.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use im_account::{Accounts, NewAccount};
    /// # use im_protocol::{Endpoint, Region};
    /// # use im_sig::{SecretKey, Signer};
    /// # use im_transport::test_util::ReplayTransport;
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), im_account::Error> {
    /// let transport = Arc::new(ReplayTransport::new().then_json(
    ///     200,
    ///     r#"{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}"#,
    /// ));
    /// let signer = Signer::new(1_400_000_000, "administrator", SecretKey::from("app key"));
    /// let accounts = Accounts::builder(signer, transport, Endpoint::region(Region::Singapore)).build();
    ///
    /// accounts.import_one(NewAccount::new("alice").nick("Alice")).await?;
    /// # Ok(()) }
    /// ```
    pub async fn import_one(&self, account: impl Into<NewAccount>) -> Result<(), Error> {
        let account = account.into();
        validate_user_id(&account.user_id).map_err(im_client::InvalidInput::from)?;
        let mut request = AccountImportRequest::new(account.user_id);
        request.nick = account.nick;
        request.face_url = account.face_url;
        let span = tracing::info_span!("account.call", op = "import_one");
        self.client.call(&request).instrument(span).await?;
        Ok(())
    }

    /// Imports any number of accounts with `multiaccount_import`, in requests of at most
    /// 100 paced at its 100 calls/s, with their nickname and avatar when given (which the
    /// service also updates on accounts that exist).
    ///
    /// The accounts are validated first (nothing is sent when one is invalid) and repeated
    /// ones collapse to the first. Each ends in `succeeded` or `failed`: the service does
    /// not tell a new account from an existing one, so `unchanged` stays empty.
    ///
    /// The answer lists failed accounts in `FailAccounts` without saying why; importing is
    /// idempotent, so those accounts are sent again, up to the retry policy's
    /// [`max_attempts`](im_client::RetryPolicy::max_attempts) in all, and fail only when
    /// every attempt listed them.
    ///
    /// Returns an error when the input is invalid, or when no account got an answer because
    /// every request failed.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use im_account::Accounts;
    /// # use im_protocol::{Endpoint, Region};
    /// # use im_sig::{SecretKey, Signer};
    /// # use im_transport::test_util::ReplayTransport;
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), im_account::Error> {
    /// // The first answer lists bob as failed; bob alone is sent again, and imported.
    /// let transport = Arc::new(
    ///     ReplayTransport::new()
    ///         .then_json(200, r#"{"FailAccounts":["bob"],"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}"#)
    ///         .then_json(200, r#"{"FailAccounts":[],"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}"#),
    /// );
    /// let signer = Signer::new(1_400_000_000, "administrator", SecretKey::from("app key"));
    /// let accounts = Accounts::builder(signer, transport, Endpoint::region(Region::Singapore)).build();
    ///
    /// let outcome = accounts.import(["alice", "bob", "alice"]).await?;
    /// assert_eq!(outcome.succeeded, ["alice", "bob"]);
    /// assert!(outcome.failed.is_empty());
    /// # Ok(()) }
    /// ```
    pub async fn import<I, A>(&self, accounts: I) -> Result<Outcome, Error>
    where
        I: IntoIterator<Item = A>,
        A: Into<NewAccount>,
    {
        let accounts = unique(
            accounts.into_iter().map(Into::into).collect(),
            |account: &NewAccount| &account.user_id,
        )?;
        let keys: Vec<&str> = accounts.iter().map(|a| a.user_id.as_str()).collect();
        let span = tracing::info_span!("account.call", op = "import", accounts = keys.len());
        let settled = self
            .settle_import(&accounts, &keys)
            .instrument(span)
            .await?;
        Ok(into_outcome(&keys, settled, rules::import))
    }

    /// Settles a bulk import, sending the accounts the answers list in `FailAccounts`
    /// again until none is listed or the retry policy's attempts are spent. A round whose
    /// every request failed leaves its accounts as the round before settled them.
    async fn settle_import(
        &self,
        accounts: &[NewAccount],
        keys: &[&str],
    ) -> Result<Vec<Settled<()>>, Error> {
        let api = MultiImport::new();
        let mut settled = self.settle(&api, accounts, keys).await?;
        for _ in 1..self.client.retry_policy().max_attempts() {
            let listed: Vec<usize> = (0..settled.len())
                .filter(|&position| settled.get(position).is_some_and(Settled::is_listed_failed))
                .collect();
            if listed.is_empty() {
                break;
            }
            let again: Vec<NewAccount> = listed
                .iter()
                .filter_map(|&position| accounts.get(position).cloned())
                .collect();
            let again_keys: Vec<&str> = listed
                .iter()
                .filter_map(|&position| keys.get(position).copied())
                .collect();
            let Ok(retried) = self.settle(&api, &again, &again_keys).await else {
                break;
            };
            for (position, result) in listed.into_iter().zip(retried) {
                if let Some(slot) = settled.get_mut(position) {
                    *slot = result;
                }
            }
        }
        Ok(settled)
    }

    /// Deletes any number of accounts with `account_delete`, in requests of at most 100.
    /// An account that does not exist (70107) is `unchanged`; after an ambiguous attempt
    /// (a timeout after the service may have deleted it) it counts as `succeeded`.
    /// Validation and errors as for [`import`](Self::import).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use im_account::Accounts;
    /// # use im_protocol::{Endpoint, Region};
    /// # use im_sig::{SecretKey, Signer};
    /// # use im_transport::test_util::ReplayTransport;
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), im_account::Error> {
    /// let transport = Arc::new(ReplayTransport::new().then_json(
    ///     200,
    ///     r#"{"ResultItem":[{"UserID":"alice","ResultCode":0,"ResultInfo":""},
    ///                       {"UserID":"ghost","ResultCode":70107,"ResultInfo":"Err_TLS_PT_Open_Login_Account_Not_Exist"}],
    ///         "ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}"#,
    /// ));
    /// let signer = Signer::new(1_400_000_000, "administrator", SecretKey::from("app key"));
    /// let accounts = Accounts::builder(signer, transport, Endpoint::region(Region::Singapore)).build();
    ///
    /// let outcome = accounts.delete(["alice", "ghost"]).await?;
    /// assert_eq!(outcome.succeeded, ["alice"]);
    /// assert_eq!(outcome.unchanged, ["ghost"]);
    /// # Ok(()) }
    /// ```
    pub async fn delete<I, S>(&self, accounts: I) -> Result<Outcome, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let accounts = unique_ids(accounts)?;
        let keys: Vec<&str> = accounts.iter().map(String::as_str).collect();
        let span = tracing::info_span!("account.call", op = "delete", accounts = keys.len());
        let settled = self
            .settle(&Delete::new(), &accounts, &keys)
            .instrument(span)
            .await?;
        Ok(into_outcome(&keys, settled, rules::delete))
    }

    /// Tells, for any number of accounts, whether each was imported (`account_check`, in
    /// requests of at most 100 paced at its 100 calls/s). Validation and errors as for
    /// [`import`](Self::import).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use im_account::{Accounts, AccountStatus};
    /// # use im_protocol::{Endpoint, Region};
    /// # use im_sig::{SecretKey, Signer};
    /// # use im_transport::test_util::ReplayTransport;
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), im_account::Error> {
    /// let transport = Arc::new(ReplayTransport::new().then_json(
    ///     200,
    ///     r#"{"ResultItem":[{"UserID":"alice","ResultCode":0,"ResultInfo":"","AccountStatus":"Imported"}],
    ///         "ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}"#,
    /// ));
    /// let signer = Signer::new(1_400_000_000, "administrator", SecretKey::from("app key"));
    /// let accounts = Accounts::builder(signer, transport, Endpoint::region(Region::Singapore)).build();
    ///
    /// let outcome = accounts.check(["alice"]).await?;
    /// assert_eq!(outcome.status("alice"), Some(AccountStatus::Imported));
    /// # Ok(()) }
    /// ```
    pub async fn check<I, S>(&self, accounts: I) -> Result<CheckOutcome, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let accounts = unique_ids(accounts)?;
        let keys: Vec<&str> = accounts.iter().map(String::as_str).collect();
        let span = tracing::info_span!("account.call", op = "check", accounts = keys.len());
        let settled = self
            .settle(&Check::new(), &accounts, &keys)
            .instrument(span)
            .await?;
        let mut outcome = CheckOutcome::default();
        for (account, settled) in keys.iter().zip(settled) {
            let status = match settled {
                Settled::Answered(reply) => rules::check(account, reply),
                Settled::Failed(failure) => Err(failure),
            };
            match status {
                Ok(status) => outcome.results.push(CheckResult {
                    account: (*account).to_owned(),
                    status,
                }),
                Err(failure) => outcome.failed.push(failure),
            }
        }
        Ok(outcome)
    }
}

/// Sorts the settled accounts of an import or a delete into the outcome's buckets.
fn into_outcome(
    keys: &[&str],
    settled: Vec<Settled<()>>,
    bucket: impl Fn(&str, crate::settle::Reply<()>) -> Bucket,
) -> Outcome {
    let mut outcome = Outcome::default();
    for (account, settled) in keys.iter().zip(settled) {
        let bucket = match settled {
            Settled::Answered(reply) => bucket(account, reply),
            Settled::Failed(failure) => Bucket::Failed(failure),
        };
        match bucket {
            Bucket::Succeeded => outcome.succeeded.push((*account).to_owned()),
            Bucket::Unchanged => outcome.unchanged.push((*account).to_owned()),
            Bucket::Failed(failure) => outcome.failed.push(failure),
        }
    }
    outcome
}
