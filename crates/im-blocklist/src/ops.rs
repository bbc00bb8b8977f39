//! The public operations: add, remove, check, list.

use std::collections::HashMap;

use futures_core::Stream;
use futures_util::{StreamExt as _, TryStreamExt as _, stream};
use im_protocol::{Api, CheckType, GetBlocklistRequest, GetBlocklistResponse};
use tokio::time::Instant;
use tracing::Instrument as _;

use crate::account::{unique_accounts, validate_from};
use crate::batch::{BatchKind, merge_update};
use crate::client::{Blocklist, Call, Inner, validate_page_size};
use crate::error::Error;
use crate::outcome::{AccountFailure, BlockedAccount, CheckOutcome, CheckResult, Outcome, Page};

impl Blocklist {
    /// Adds `accounts` to the blocklist of `from`.
    ///
    /// Any number of accounts is accepted: they are validated first (nothing is sent when
    /// one is invalid), repeated ones collapse to one, and they go out in requests of at
    /// most 1000. Accounts that fail with a retryable code are sent again, alone; an account
    /// already blocked is `unchanged`.
    ///
    /// Returns an error when the input is invalid, or when no account could be settled
    /// because every request failed (the error of the last one); otherwise every account
    /// is in the [`Outcome`], failed ones with their reason.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use im_blocklist::Blocklist;
    /// # use im_protocol::{Endpoint, Region};
    /// # use im_sig::{SecretKey, Signer};
    /// # use im_transport::test_util::ReplayTransport;
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), im_blocklist::Error> {
    /// let transport = Arc::new(ReplayTransport::new().then_json(
    ///     200,
    ///     r#"{"ResultItem":[{"To_Account":"bob","ResultCode":0,"ResultInfo":""}],
    ///         "ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}"#,
    /// ));
    /// let signer = Signer::new(1_400_000_000, "administrator", SecretKey::from("app key"));
    /// let blocklist = Blocklist::builder(signer, transport, Endpoint::region(Region::Singapore)).build();
    ///
    /// let outcome = blocklist.add("alice", ["bob"]).await?;
    /// assert_eq!(outcome.succeeded, ["bob"]);
    /// # Ok(()) }
    /// ```
    pub async fn add<I, S>(&self, from: &str, accounts: I) -> Result<Outcome, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.update(BatchKind::Add, from, accounts).await
    }

    /// Removes `accounts` from the blocklist of `from`; accounts that were not blocked
    /// are `unchanged`. Batching, validation and retries as for [`add`](Self::add).
    pub async fn remove<I, S>(&self, from: &str, accounts: I) -> Result<Outcome, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.update(BatchKind::Delete, from, accounts).await
    }

    /// Checks how each of `accounts` relates to `from`'s blocklist. With
    /// [`CheckType::Single`] only `from`'s list is looked at (`AWithB` or `No`); with
    /// [`CheckType::Both`] both directions are.
    pub async fn check<I, S>(
        &self,
        from: &str,
        accounts: I,
        check_type: CheckType,
    ) -> Result<CheckOutcome, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        validate_from(from)?;
        let accounts = unique_accounts(accounts)?;
        let kind = BatchKind::Check(check_type);
        let span = tracing::info_span!("blocklist.call", op = "check", accounts = accounts.len());
        async {
            let order: HashMap<&str, usize> = accounts
                .iter()
                .enumerate()
                .map(|(index, account)| (account.as_str(), index))
                .collect();
            let (results, failed, error) = self.run_batches(kind, from, &accounts).await;
            let mut outcome = CheckOutcome::default();
            let mut settled_any = false;
            for settled in results {
                settled_any = true;
                let item = settled.item;
                match item.relation {
                    Some(relation) if item.code.is_ok() => outcome.results.push(CheckResult {
                        account: item.account,
                        relation,
                    }),
                    _ => outcome.failed.push(AccountFailure {
                        account: item.account,
                        code: Some(item.code),
                        info: item.info,
                    }),
                }
            }
            outcome.failed.extend(failed);
            outcome
                .results
                .sort_by_key(|result| order.get(result.account.as_str()).copied());
            match error {
                Some(error) if !settled_any => Err(error),
                _ => Ok(outcome),
            }
        }
        .instrument(span)
        .await
    }

    /// Reads one page of `from`'s blocklist: at most `max` entries (1 to 1000) from
    /// `start_index` on. Retried like every call.
    pub async fn list_page(&self, from: &str, start_index: u32, max: u32) -> Result<Page, Error> {
        validate_from(from)?;
        validate_page_size(max)?;
        let deadline = Instant::now() + self.inner.policy.deadline();
        let span = tracing::info_span!("blocklist.call", op = "list_page", start_index, max);
        self.inner
            .get_page(from, start_index, max, deadline)
            .instrument(span)
            .await
    }

    /// Streams all of `from`'s blocklist, page after page, until the service says the list
    /// is done. Short pages are fine; a page that does not advance ends the stream with an
    /// error instead of looping.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use futures_util::TryStreamExt as _;
    /// # use im_blocklist::Blocklist;
    /// # use im_protocol::{Endpoint, Region};
    /// # use im_sig::{SecretKey, Signer};
    /// # use im_transport::test_util::ReplayTransport;
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), im_blocklist::Error> {
    /// # let transport = Arc::new(ReplayTransport::new().then_json(200,
    /// #     r#"{"BlackListItem":[{"To_Account":"bob","AddBlackTimeStamp":1700000000}],
    /// #         "StartIndex":0,"CurruentSequence":3,"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}"#));
    /// # let signer = Signer::new(1_400_000_000, "administrator", SecretKey::from("app key"));
    /// # let blocklist = Blocklist::builder(signer, transport, Endpoint::region(Region::Singapore)).build();
    /// let blocked: Vec<_> = blocklist.list("alice").try_collect().await?;
    /// assert_eq!(blocked[0].account, "bob");
    /// # Ok(()) }
    /// ```
    pub fn list(
        &self,
        from: impl Into<String>,
    ) -> impl Stream<Item = Result<BlockedAccount, Error>> + Send + 'static {
        struct State {
            client: Blocklist,
            from: String,
            next: Option<u32>,
        }
        let state = State {
            client: self.clone(),
            from: from.into(),
            next: Some(0),
        };
        stream::try_unfold(state, |mut state| async move {
            let Some(start) = state.next else {
                return Ok(None);
            };
            let size = state.client.inner.page_size;
            let page = state.client.list_page(&state.from, start, size).await?;
            state.next = match page.next_start_index {
                Some(next) if next <= start => {
                    return Err(Error::UnexpectedAnswer {
                        reason: format!(
                            "page {start} was answered with next StartIndex {next}, which does not advance"
                        ),
                    });
                }
                Some(next) if page.entries.is_empty() => {
                    return Err(Error::UnexpectedAnswer {
                        reason: format!(
                            "page {start} was empty but pointed on to StartIndex {next}"
                        ),
                    });
                }
                other => other,
            };
            Ok(Some((stream::iter(page.entries.into_iter().map(Ok)), state)))
        })
        .try_flatten()
        .boxed()
    }

    /// Runs an add or remove over any number of accounts.
    async fn update<I, S>(&self, kind: BatchKind, from: &str, accounts: I) -> Result<Outcome, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        validate_from(from)?;
        let accounts = unique_accounts(accounts)?;
        let op = if kind == BatchKind::Add {
            "add"
        } else {
            "remove"
        };
        let span = tracing::info_span!("blocklist.call", op, accounts = accounts.len());
        async {
            let (settled, failed, error) = self.run_batches(kind, from, &accounts).await;
            let settled_any = !settled.is_empty();
            let mut outcome = Outcome::default();
            merge_update(
                kind,
                &mut outcome,
                crate::batch::BatchResult {
                    settled,
                    failed,
                    error: None,
                },
            );
            match error {
                Some(error) if !settled_any => Err(error),
                _ => Ok(outcome),
            }
        }
        .instrument(span)
        .await
    }

    /// Sends `accounts` in batches of at most the API's limit, one batch after another
    /// (writes to one user's blocklist conflict when concurrent). After a request-level
    /// failure the remaining batches are not sent: their accounts fail with that error.
    async fn run_batches(
        &self,
        kind: BatchKind,
        from: &str,
        accounts: &[String],
    ) -> (
        Vec<crate::batch::Settled>,
        Vec<AccountFailure>,
        Option<Error>,
    ) {
        let mut settled = Vec::new();
        let mut failed = Vec::new();
        let mut error: Option<Error> = None;
        for chunk in accounts.chunks(kind.api().max_accounts()) {
            if let Some(error) = &error {
                failed.extend(chunk.iter().map(|account| AccountFailure {
                    account: account.clone(),
                    code: error.code(),
                    info: format!(
                        "not sent after an earlier request failed: {}",
                        error.report()
                    ),
                }));
                continue;
            }
            // Each request gets the whole deadline: a large call is many requests in a row.
            let deadline = Instant::now() + self.inner.policy.deadline();
            let result = self
                .inner
                .run_batch(kind, from, chunk.to_vec(), deadline)
                .await;
            settled.extend(result.settled);
            failed.extend(result.failed);
            error = result.error;
        }
        (settled, failed, error)
    }
}

impl Inner {
    /// One `black_list_get` call with retries.
    pub(crate) async fn get_page(
        &self,
        from: &str,
        start_index: u32,
        max: u32,
        deadline: Instant,
    ) -> Result<Page, Error> {
        let request = GetBlocklistRequest {
            from_account: from.to_owned(),
            start_index,
            max_limited: max,
            last_sequence: 0,
        };
        let mut call = Call::new(self, Api::BlackListGet, deadline);
        loop {
            match call.attempt::<_, GetBlocklistResponse>(&request, 0).await {
                Ok(response) => {
                    return Ok(Page {
                        next_start_index: response.next_start_index(),
                        sequence: response.current_sequence,
                        entries: response
                            .black_list_item
                            .into_iter()
                            .map(|entry| BlockedAccount {
                                account: entry.to_account,
                                added_at: entry.add_black_timestamp,
                            })
                            .collect(),
                    });
                }
                Err(error) => {
                    call.after_failure(error).await?;
                }
            }
        }
    }
}
