//! Folds batch reports, which finish out of order, into the import's state in input
//! order, and tells "blocked by an earlier run" from "was blocked before".
//!
//! A resumed run starts at the settled prefix and sends every batch after it again (the
//! service answers "already blocked" for what an earlier run did). Each answer is then
//! read against what the earlier runs left:
//! - a batch an earlier run recorded: the pairs it blocked count as blocked again;
//! - a batch an earlier run may have sent without an answer (its journal said so): every
//!   "already blocked" counts as blocked, as after any ambiguous attempt;
//! - any other batch: as answered.
//!
//! The prefix grows over settled batches only; from the first batch with a failure that
//! is not final, the answered batches are kept in `later` for the next run.

use std::collections::BTreeMap;

use tencent_im::blocklist::BatchReport;

use crate::checkpoint::{BatchRecord, FailedPair, ImportEntry, ImportState};

/// The totals of a run, over everything it settled or answered.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    pub(crate) pairs: u64,
    pub(crate) succeeded: u64,
    pub(crate) unchanged: u64,
    pub(crate) failed: Vec<FailedPair>,
}

impl Totals {
    /// Failed pairs that are not final: a rerun sends them again.
    pub(crate) fn unsettled(&self) -> usize {
        self.failed
            .iter()
            .filter(|failure| !failure.settled)
            .count()
    }
}

/// The state of an import as its batches are answered.
#[derive(Debug)]
pub(crate) struct Tracker {
    /// The settled prefix and this run's batches past it.
    state: ImportState,
    /// Where this run started in the input.
    skip: u64,
    /// Batches earlier runs answered past `skip`, by first pair.
    earlier: BTreeMap<u64, BatchRecord>,
    /// Pairs before this may have been sent by an earlier run.
    earlier_sent: u64,
    /// Pairs before this may have been sent by this run.
    sent: u64,
    next_index: u64,
    waiting: BTreeMap<u64, BatchRecord>,
    /// Whether a batch that is not settled stopped the prefix.
    stuck: bool,
}

impl Tracker {
    /// A fresh import.
    pub(crate) fn new() -> Self {
        Tracker::resume(ImportState::default(), Vec::new())
    }

    /// Resumes from a saved state and the journal entries after it (both checked with
    /// [`ImportState::impossibility`] and [`ImportState::journal_impossibility`]).
    pub(crate) fn resume(mut state: ImportState, journal: Vec<ImportEntry>) -> Self {
        let mut earlier: BTreeMap<u64, BatchRecord> = std::mem::take(&mut state.later)
            .into_iter()
            .map(|batch| (batch.first, batch))
            .collect();
        let mut earlier_sent = state.sent;
        for entry in journal {
            match entry {
                ImportEntry::Sent(end) => earlier_sent = earlier_sent.max(end),
                ImportEntry::Batch(batch) => {
                    earlier.insert(batch.first, batch);
                }
            }
        }
        // What the journal settled right after the prefix extends it.
        while let Some(batch) = earlier.remove(&state.done) {
            if !batch.is_settled() {
                earlier.insert(batch.first, batch);
                break;
            }
            add_to_prefix(&mut state, batch);
        }
        let earlier = earlier.split_off(&state.done);
        Tracker {
            skip: state.done,
            sent: state.done,
            state,
            earlier,
            earlier_sent,
            next_index: 0,
            waiting: BTreeMap::new(),
            stuck: false,
        }
    }

    /// Where this run starts in the input.
    pub(crate) fn skip(&self) -> u64 {
        self.skip
    }

    /// Notes that pairs before `end` may be sent from now on.
    pub(crate) fn mark_sent(&mut self, end: u64) {
        self.sent = self.sent.max(end);
    }

    /// Records a finished batch of this run; returns it as the journal keeps it.
    pub(crate) fn record(&mut self, report: BatchReport) -> BatchRecord {
        let index = report.index;
        let record = self.classify(report);
        self.waiting.insert(index, record.clone());
        while let Some(next) = self.waiting.remove(&self.next_index) {
            self.fold(next);
            self.next_index += 1;
        }
        record
    }

    /// The state to save: the prefix, every answered batch past it (this run's and the
    /// earlier runs' not yet answered again), and how far pairs may have been sent.
    pub(crate) fn snapshot(&self) -> ImportState {
        let mut later: Vec<BatchRecord> = self
            .state
            .later
            .iter()
            .chain(self.waiting.values())
            .chain(self.earlier.values())
            .cloned()
            .collect();
        later.sort_by_key(|batch| batch.first);
        ImportState {
            sent: self.earlier_sent.max(self.sent),
            later,
            ..self.state.clone()
        }
    }

    /// The totals so far: the settled prefix (earlier runs' included) and this run's
    /// answered batches past it.
    pub(crate) fn totals(&self) -> Totals {
        let state = &self.state;
        let mut totals = Totals {
            pairs: state.done,
            succeeded: state.succeeded,
            unchanged: state.unchanged,
            failed: state.failed.clone(),
        };
        for batch in state.later.iter().chain(self.waiting.values()) {
            totals.pairs += batch.pairs;
            totals.succeeded += batch.succeeded;
            totals.unchanged += batch.unchanged;
            totals.failed.extend(batch.failed.iter().cloned());
        }
        totals
    }

    /// The report as a record at its place in the input, read against earlier runs.
    fn classify(&mut self, report: BatchReport) -> BatchRecord {
        let first = self.skip + report.first_pair;
        let mut record = BatchRecord {
            first,
            pairs: report.pairs,
            succeeded: report.succeeded,
            unchanged: report.unchanged,
            duplicates: report.duplicates,
            failed: report.failed.into_iter().map(FailedPair::from).collect(),
        };
        let earlier = self
            .earlier
            .remove(&first)
            .filter(|earlier| earlier.pairs == record.pairs);
        let theirs = match earlier {
            // Pairs that run blocked are "already blocked" now.
            Some(earlier) => earlier.succeeded.min(record.unchanged),
            // Sent by a run that stopped before the answer: its work looks the same.
            None if first < self.earlier_sent => record.unchanged,
            None => 0,
        };
        record.succeeded += theirs;
        record.unchanged -= theirs;
        record
    }

    fn fold(&mut self, batch: BatchRecord) {
        if !self.stuck && batch.is_settled() {
            add_to_prefix(&mut self.state, batch);
            if !self.earlier.is_empty() {
                self.earlier = self.earlier.split_off(&self.state.done);
            }
        } else {
            self.stuck = true;
            self.state.later.push(batch);
        }
    }
}

fn add_to_prefix(state: &mut ImportState, batch: BatchRecord) {
    state.succeeded += batch.succeeded;
    state.unchanged += batch.unchanged;
    state.duplicates += batch.duplicates;
    state.done = batch.end();
    state.failed.extend(batch.failed);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(
        index: u64,
        first_pair: u64,
        pairs: u64,
        succeeded: u64,
        unchanged: u64,
    ) -> BatchReport {
        let mut report = BatchReport::default();
        report.index = index;
        report.first_pair = first_pair;
        report.pairs = pairs;
        report.from = "a".to_owned();
        report.succeeded = succeeded;
        report.unchanged = unchanged;
        report
    }

    fn unsettled(mut report: BatchReport) -> BatchReport {
        report.succeeded -= 1;
        report.failed.push(tencent_im::blocklist::PairFailure::new(
            "a",
            "z",
            tencent_im::blocklist::FailureReason::Request(
                tencent_im::blocklist::RequestFailure::RateLimiter,
            ),
            "the rate limiter is down",
        ));
        report
    }

    #[test]
    fn the_prefix_advances_only_in_order() {
        let mut tracker = Tracker::new();
        tracker.record(report(1, 3, 2, 2, 0));
        assert_eq!(tracker.snapshot().done, 0);
        tracker.record(report(0, 0, 3, 3, 0));
        let state = tracker.snapshot();
        assert_eq!((state.done, state.succeeded), (5, 5));
        assert!(state.later.is_empty());
    }

    #[test]
    fn a_batch_in_flight_at_a_crash_counts_its_already_blocked_as_blocked() {
        // The killed run announced pairs up to 6 and recorded the batch 0..3 only.
        let journal = vec![
            ImportEntry::Sent(6),
            ImportEntry::Batch(BatchRecord {
                first: 0,
                pairs: 3,
                succeeded: 2,
                unchanged: 1,
                duplicates: 0,
                failed: Vec::new(),
            }),
        ];
        let mut tracker = Tracker::resume(ImportState::default(), journal);
        assert_eq!(tracker.skip(), 3, "the journal's answer extends the prefix");
        tracker.record(report(0, 0, 3, 0, 3)); // 3..6: maybe sent, no answer recorded
        tracker.record(report(1, 3, 2, 1, 1)); // 6..8: never sent before
        let totals = tracker.totals();
        assert_eq!(
            (totals.pairs, totals.succeeded, totals.unchanged),
            (8, 2 + 3 + 1, 1 + 1)
        );
    }

    #[test]
    fn a_batch_answered_out_of_order_keeps_its_counts_when_sent_again() {
        let mut first = Tracker::new();
        first.mark_sent(6);
        first.record(report(1, 3, 3, 2, 1)); // 3..6 answered, 0..3 still in flight
        let saved = first.snapshot();
        assert_eq!((saved.done, saved.sent, saved.later.len()), (0, 6, 1));

        let mut second = Tracker::resume(saved, Vec::new());
        second.record(report(0, 0, 3, 3, 0));
        // Sent again: the two it blocked are "already blocked" now, with the one from before.
        second.record(report(1, 3, 3, 0, 3));
        let totals = second.totals();
        assert_eq!((totals.succeeded, totals.unchanged), (5, 1));
    }

    #[test]
    fn a_failure_that_is_not_final_stops_the_prefix_and_is_sent_again() {
        let mut first = Tracker::new();
        first.mark_sent(6);
        first.record(unsettled(report(0, 0, 3, 3, 0)));
        first.record(report(1, 3, 3, 3, 0));
        let totals = first.totals();
        assert_eq!(
            (totals.pairs, totals.succeeded, totals.unsettled()),
            (6, 5, 1)
        );
        let saved = first.snapshot();
        assert_eq!(saved.done, 0, "nothing is done before the failed pair");
        assert_eq!(saved.later.len(), 2);
        assert_eq!(saved.impossibility(6), None);

        let mut second = Tracker::resume(saved, Vec::new());
        assert_eq!(second.skip(), 0);
        second.record(report(0, 0, 3, 1, 2));
        second.record(report(1, 3, 3, 0, 3));
        let totals = second.totals();
        assert_eq!(
            (totals.pairs, totals.succeeded, totals.unchanged),
            (6, 6, 0)
        );
        assert!(totals.failed.is_empty());
        assert_eq!(second.snapshot().done, 6);
    }
}
