//! Bulk import: a stream of (from, to) pairs, grouped by consecutive `from`, run
//! concurrently under the pacer with bounded memory.

use std::pin::Pin;

use futures_core::Stream;
use futures_util::{StreamExt as _, stream};
use im_client::telemetry::record_buckets;
use im_client::{FailureReason, PerItemApi as _};
use im_protocol::{Api, ErrorCode, validate_user_id};
use tracing::Instrument as _;

use crate::account::{first_occurrences, validate_from};
use crate::client::Blocklist;
use crate::ops::update_buckets;
use crate::rules::{Bucket, Change};
use crate::wire::Update;

/// A pair that could not be imported.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PairFailure {
    /// The account whose blocklist was to change.
    pub from: String,
    /// The account to block.
    pub account: String,
    /// Why it failed: the service's code, or a typed reason.
    pub reason: FailureReason,
    /// What went wrong, in words.
    pub info: String,
}

impl PairFailure {
    /// A failure of the pair `from` → `account` for `reason`, with `info` in words.
    pub fn new(
        from: impl Into<String>,
        account: impl Into<String>,
        reason: FailureReason,
        info: impl Into<String>,
    ) -> Self {
        PairFailure {
            from: from.into(),
            account: account.into(),
            reason,
            info: info.into(),
        }
    }

    /// The service's code for this pair, or for the request that carried it.
    pub fn code(&self) -> Option<ErrorCode> {
        self.reason.code()
    }
}

/// What one batch of an import did: consecutive input pairs sharing one `from`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BatchReport {
    /// The batch's number, counting from 0 in input order.
    pub index: u64,
    /// The position of the batch's first pair in the input, counting from 0.
    pub first_pair: u64,
    /// How many input pairs the batch covers.
    pub pairs: u64,
    /// The account whose blocklist the batch changed.
    pub from: String,
    /// Pairs now blocked by this batch.
    pub succeeded: u64,
    /// Pairs that were blocked already.
    pub unchanged: u64,
    /// Pairs repeated within the batch (sent once, counted here once per repeat).
    pub duplicates: u64,
    /// Pairs that failed.
    pub failed: Vec<PairFailure>,
}

/// Progress of an import, passed to the callback after each batch.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct ImportProgress<'a> {
    /// The batch that just finished (batches finish out of input order).
    pub batch: &'a BatchReport,
    /// Input pairs finished so far, all batches together.
    pub pairs_done: u64,
    /// Pairs blocked so far.
    pub succeeded: u64,
    /// Pairs found blocked already so far.
    pub unchanged: u64,
    /// Pairs failed so far.
    pub failed: u64,
}

/// The result of an import: counts, and every failed pair with its reason.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportOutcome {
    /// Input pairs read.
    pub pairs: u64,
    /// Pairs blocked by the import.
    pub succeeded: u64,
    /// Pairs that were blocked already.
    pub unchanged: u64,
    /// Pairs repeated within a batch.
    pub duplicates: u64,
    /// Pairs that failed.
    pub failed: Vec<PairFailure>,
}

impl ImportOutcome {
    /// Whether every pair ended blocked.
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty()
    }
}

/// Consecutive pairs with one `from`, at most one request's worth.
#[derive(Debug)]
struct Group {
    index: u64,
    first_pair: u64,
    from: String,
    to: Vec<String>,
}

impl Blocklist {
    /// Blocks every `(from, to)` pair of `pairs`.
    ///
    /// Consecutive pairs with the same `from` go out together (up to 1000 per request), so
    /// sort the input by `from` for the fewest calls. Up to `max_in_flight` requests run at
    /// once under the pacer, and only those batches are held in memory, so the input can be
    /// far larger than memory. `progress` is called after each batch. Invalid pairs fail
    /// without being sent; pairs of a failed request fail with its error. Stopping the input
    /// stream early (e.g. on Ctrl-C) ends the import after the calls in flight.
    pub async fn import<S, F>(&self, pairs: S, mut progress: F) -> ImportOutcome
    where
        S: Stream<Item = (String, String)> + Send,
        F: FnMut(&ImportProgress<'_>) + Send,
    {
        let max = Api::BlackListAdd.max_accounts();
        let reports = groups(pairs, max)
            .map(|group| self.run_group(group))
            .buffer_unordered(self.max_in_flight);
        let mut reports = std::pin::pin!(reports);
        let mut outcome = ImportOutcome::default();
        let mut failed_count = 0u64;
        while let Some(report) = reports.next().await {
            outcome.pairs += report.pairs;
            outcome.succeeded += report.succeeded;
            outcome.unchanged += report.unchanged;
            outcome.duplicates += report.duplicates;
            failed_count += report.failed.len() as u64;
            progress(&ImportProgress {
                batch: &report,
                pairs_done: outcome.pairs,
                succeeded: outcome.succeeded,
                unchanged: outcome.unchanged,
                failed: failed_count,
            });
            outcome.failed.extend(report.failed);
        }
        outcome
    }
}

impl Blocklist {
    /// Validates, de-duplicates and sends one group.
    async fn run_group(&self, group: Group) -> BatchReport {
        let Group {
            index,
            first_pair,
            from,
            to,
        } = group;
        let mut report = BatchReport {
            index,
            first_pair,
            pairs: to.len() as u64,
            from,
            succeeded: 0,
            unchanged: 0,
            duplicates: 0,
            failed: Vec::new(),
        };
        let from = report.from.clone();
        let fail = |account: String, reason: FailureReason, info: String| PairFailure {
            from: from.clone(),
            account,
            reason,
            info,
        };
        if let Err(invalid) = validate_from(&from) {
            report.failed = to
                .into_iter()
                .map(|account| {
                    fail(
                        account,
                        FailureReason::InvalidInput,
                        format!("invalid input: {invalid}"),
                    )
                })
                .collect();
            return report;
        }
        let first = first_occurrences(&to);
        let mut unique = Vec::with_capacity(to.len());
        for (account, first) in to.into_iter().zip(first) {
            if let Err(invalid) = validate_user_id(&account) {
                report.failed.push(fail(
                    account,
                    FailureReason::InvalidInput,
                    format!("invalid input: {invalid}"),
                ));
            } else if !first {
                report.duplicates += 1;
            } else {
                unique.push(account);
            }
        }
        if unique.is_empty() {
            return report;
        }
        let wire = Update::new(Api::BlackListAdd, &from);
        let span = self.client.call_span(wire.api(), unique.len());
        let batch = self
            .client
            .batch(&wire, &unique)
            .instrument(span.clone())
            .await;
        let (buckets, _error) = update_buckets(Change::Add, batch, unique.len());
        let buckets = self
            .confirm_unsettled(Change::Add, &from, &unique, buckets)
            .await;
        let failed_before = report.failed.len();
        for (account, bucket) in unique.into_iter().zip(buckets) {
            match bucket {
                Bucket::Succeeded => report.succeeded += 1,
                Bucket::Unchanged => report.unchanged += 1,
                Bucket::Failed { reason, info } => {
                    report.failed.push(fail(account, reason, info));
                }
                // Settled above; one left over keeps its 30001.
                Bucket::Unsettled { info, .. } => {
                    let reason = FailureReason::Code(ErrorCode::INVALID_PARAMETER);
                    report.failed.push(fail(account, reason, info));
                }
            }
        }
        record_buckets(
            &span,
            report.succeeded as usize,
            report.unchanged as usize,
            report.failed.len() - failed_before,
        );
        report
    }
}

/// Reading state of [`groups`].
struct Grouping<S> {
    pairs: Pin<Box<S>>,
    carry: Option<(String, String)>,
    index: u64,
    position: u64,
}

/// Groups consecutive pairs with the same `from`, at most `max` pairs per group.
fn groups<S>(pairs: S, max: usize) -> impl Stream<Item = Group> + Send
where
    S: Stream<Item = (String, String)> + Send,
{
    let state = Grouping {
        pairs: Box::pin(pairs),
        carry: None,
        index: 0,
        position: 0,
    };
    stream::unfold(state, move |mut state| async move {
        let (from, first) = match state.carry.take() {
            Some(pair) => pair,
            None => state.pairs.next().await?,
        };
        let mut group = Group {
            index: state.index,
            first_pair: state.position,
            from,
            to: vec![first],
        };
        state.position += 1;
        while group.to.len() < max {
            match state.pairs.next().await {
                Some((from, to)) if from == group.from => {
                    group.to.push(to);
                    state.position += 1;
                }
                Some(pair) => {
                    state.carry = Some(pair);
                    break;
                }
                None => break,
            }
        }
        state.index += 1;
        Some((group, state))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(from: &str, to: &str) -> (String, String) {
        (from.to_owned(), to.to_owned())
    }

    #[tokio::test]
    async fn groups_follow_consecutive_from_and_the_size_limit() {
        let input = vec![
            pair("a", "1"),
            pair("a", "2"),
            pair("a", "3"),
            pair("b", "1"),
            pair("a", "4"),
        ];
        let grouped: Vec<Group> = groups(stream::iter(input), 2).collect().await;
        let shape: Vec<(u64, u64, &str, usize)> = grouped
            .iter()
            .map(|g| (g.index, g.first_pair, g.from.as_str(), g.to.len()))
            .collect();
        assert_eq!(
            shape,
            [
                (0, 0, "a", 2),
                (1, 2, "a", 1),
                (2, 3, "b", 1),
                (3, 4, "a", 1)
            ]
        );
        assert_eq!(grouped[1].to, ["3"]);
    }
}
