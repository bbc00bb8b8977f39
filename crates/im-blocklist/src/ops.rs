//! The public operations: add, remove, check, list.

use futures_core::Stream;
use futures_util::{StreamExt as _, TryStreamExt as _, stream};
use im_client::telemetry::record_buckets;
use im_client::{
    AccountFailure, BatchOutcome, Error, FailureReason, InvalidInput, PerItemApi as _,
};
use im_protocol::{Api, CheckType, ErrorCode, GetBlocklistRequest, Relation, limits};
use tracing::Instrument as _;

use crate::account::{unique_accounts, validate_from};
use crate::client::{Blocklist, MAX_PAGE_SIZE};
use crate::outcome::{BlockedAccount, CheckOutcome, CheckResult, Outcome, Page, PageRequest};
use crate::rules::{Bucket, Change, bucket};
use crate::wire::{Check, Update};

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
        self.update(Change::Add, from, accounts).await
    }

    /// Removes `accounts` from the blocklist of `from`; accounts that were not blocked
    /// are `unchanged`. Batching, validation and retries as for [`add`](Self::add).
    pub async fn remove<I, S>(&self, from: &str, accounts: I) -> Result<Outcome, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.update(Change::Remove, from, accounts).await
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
        let wire = Check::new(from, check_type);
        let span = self.client.call_span(wire.api(), accounts.len());
        async {
            let batch = self.client.batch(&wire, &accounts).await;
            let answered_any = batch.answered_any();
            let (places, error) = check_places(batch, accounts.len());
            if let Some(error) = error.filter(|_| !answered_any) {
                return Err(error);
            }
            let mut outcome = CheckOutcome::default();
            for (account, place) in accounts.into_iter().zip(places) {
                match place {
                    Ok(relation) => outcome.results.push(CheckResult { account, relation }),
                    Err((reason, info)) => outcome
                        .failed
                        .push(AccountFailure::new(account, reason, info)),
                }
            }
            let span = tracing::Span::current();
            record_buckets(&span, outcome.results.len(), 0, outcome.failed.len());
            Ok(outcome)
        }
        .instrument(span)
        .await
    }

    /// Reads one page of `from`'s blocklist: at most [`size`](PageRequest::size) entries
    /// (1 to 1000) from [`start_index`](PageRequest::start_index) on. Retried like every
    /// call.
    pub async fn list_page(&self, from: &str, page: PageRequest) -> Result<Page, Error> {
        let (start_index, max) = (page.start_index(), page.size());
        validate_from(from)?;
        if !(limits::MIN_BLOCKLIST_PAGE_SIZE..=MAX_PAGE_SIZE).contains(&max) {
            return Err(InvalidInput::PageSize {
                size: max,
                max: MAX_PAGE_SIZE,
            }
            .into());
        }
        let request = GetBlocklistRequest::new(from, start_index, max);
        let span = tracing::info_span!("blocklist.call", op = "list_page", start_index, max);
        let response = self.client.call(&request).instrument(span).await?;
        Ok(Page {
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
        })
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
            /// Entries read so far: a blocklist holds at most `MAX_BLOCKLIST_ENTRIES`.
            read: usize,
        }
        let state = State {
            client: self.clone(),
            from: from.into(),
            next: Some(0),
            read: 0,
        };
        stream::try_unfold(state, |mut state| async move {
            let Some(start) = state.next else {
                return Ok(None);
            };
            let size = state.client.page_size;
            let request = PageRequest::of_size(size).starting_at(start);
            let page = state.client.list_page(&state.from, request).await?;
            state.read = state.read.saturating_add(page.entries.len());
            if state.read > limits::MAX_BLOCKLIST_ENTRIES {
                return Err(Error::UnexpectedAnswer {
                    reason: format!(
                        "the listing went on past {} entries, the most a blocklist holds",
                        limits::MAX_BLOCKLIST_ENTRIES
                    ),
                });
            }
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
    async fn update<I, S>(&self, change: Change, from: &str, accounts: I) -> Result<Outcome, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        validate_from(from)?;
        let accounts = unique_accounts(accounts)?;
        let api = match change {
            Change::Add => Api::BlackListAdd,
            Change::Remove => Api::BlackListDelete,
        };
        let wire = Update::new(api, from);
        let span = self.client.call_span(wire.api(), accounts.len());
        async {
            let batch = self.client.batch(&wire, &accounts).await;
            let answered_any = batch.answered_any();
            let (buckets, error) = update_buckets(change, batch, accounts.len());
            // A call that failed before any account got an answer is an error as a whole.
            if let Some(error) = error.filter(|_| !answered_any) {
                return Err(error);
            }
            let buckets = self
                .confirm_unsettled(change, from, &accounts, buckets)
                .await;
            let mut outcome = Outcome::default();
            for (account, bucket) in accounts.into_iter().zip(buckets) {
                match bucket {
                    Bucket::Succeeded => outcome.succeeded.push(account),
                    Bucket::Unchanged => outcome.unchanged.push(account),
                    Bucket::Failed { reason, info } => {
                        outcome
                            .failed
                            .push(AccountFailure::new(account, reason, info));
                    }
                    // Settled above; one left over keeps its 30001.
                    Bucket::Unsettled { info, .. } => outcome.failed.push(AccountFailure::new(
                        account,
                        FailureReason::Code(ErrorCode::INVALID_PARAMETER),
                        info,
                    )),
                }
            }
            let span = tracing::Span::current();
            record_buckets(
                &span,
                outcome.succeeded.len(),
                outcome.unchanged.len(),
                outcome.failed.len(),
            );
            Ok(outcome)
        }
        .instrument(span)
        .await
    }
}

/// The bucket of each input account of an add or remove, by position, and the error that
/// ended the call early, if any.
pub(crate) fn update_buckets(
    change: Change,
    batch: BatchOutcome<'_, String, ()>,
    len: usize,
) -> (Vec<Bucket>, Option<Error>) {
    let mut buckets: Vec<Option<Bucket>> = (0..len).map(|_| None).collect();
    for answered in batch.answered {
        if let Some(slot) = buckets.get_mut(answered.index) {
            *slot = Some(bucket(change, answered));
        }
    }
    for unanswered in batch.unanswered {
        if let Some(slot) = buckets.get_mut(unanswered.index) {
            *slot = Some(Bucket::Failed {
                reason: unanswered.reason,
                info: unanswered.info,
            });
        }
    }
    let buckets = buckets
        .into_iter()
        .map(|bucket| bucket.unwrap_or_else(unrecorded))
        .collect();
    (buckets, batch.error)
}

/// Where a checked account goes: its relation, or its failure's reason and text.
type CheckPlace = Result<Relation, (FailureReason, String)>;

/// The relation (or the failure) of each input account of a check, by position.
fn check_places(
    batch: BatchOutcome<'_, String, Option<Relation>>,
    len: usize,
) -> (Vec<CheckPlace>, Option<Error>) {
    let mut places: Vec<Option<CheckPlace>> = (0..len).map(|_| None).collect();
    for answered in batch.answered {
        let place = match (answered.code, answered.extra) {
            (Some(code), Some(Some(relation))) if code.is_ok() => Ok(relation),
            (Some(code), _) if code.is_ok() => Err((
                FailureReason::UnreadableResult,
                "the service answered with no relation, or one this SDK does not know".to_owned(),
            )),
            (Some(code), _) => Err((FailureReason::Code(code), answered.info)),
            (None, _) => Err((FailureReason::ListedFailed, answered.info)),
        };
        if let Some(slot) = places.get_mut(answered.index) {
            *slot = Some(place);
        }
    }
    for unanswered in batch.unanswered {
        if let Some(slot) = places.get_mut(unanswered.index) {
            *slot = Some(Err((unanswered.reason, unanswered.info)));
        }
    }
    let places = places
        .into_iter()
        .map(|place| {
            place.unwrap_or_else(|| match unrecorded() {
                Bucket::Failed { reason, info } => Err((reason, info)),
                _ => Err((FailureReason::NoResult, String::new())),
            })
        })
        .collect();
    (places, batch.error)
}

/// The place of an account the batch helper reported nothing for (it reports every one;
/// this keeps a gap visible instead of dropping the account).
fn unrecorded() -> Bucket {
    Bucket::Failed {
        reason: FailureReason::NoResult,
        info: "no result was recorded for this account".to_owned(),
    }
}
