//! What a resumable import saves: the settled prefix of its input, the answered batches
//! past it, and the journal of what may be in flight. The file format and its writer are
//! in [`crate::checkpoint_file`]; folding batches into this state is
//! [`crate::import_tracker`].

use serde::{Deserialize, Serialize};
use tencent_im::blocklist::{FailureReason, PairFailure, RequestFailure};

/// The command name a blocklist import checkpoint is bound to.
pub(crate) const BLOCKLIST_IMPORT: &str = "blocklist import";

/// What a blocklist import has settled, counted from the start of the input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ImportState {
    /// Every pair before this position is settled and counted below.
    pub(crate) done: u64,
    /// Pairs before this position may have been sent by a run: one that stopped without
    /// recording an answer for them left them ambiguous.
    pub(crate) sent: u64,
    /// Pairs blocked by the import.
    pub(crate) succeeded: u64,
    /// Pairs that were blocked before the import.
    pub(crate) unchanged: u64,
    /// Pairs repeated within a batch.
    pub(crate) duplicates: u64,
    /// Pairs that failed for good (the service's final answer).
    pub(crate) failed: Vec<FailedPair>,
    /// Batches past `done` that were answered, in input order: finished out of order when
    /// the run stopped, or after a batch that is not settled. A resumed run sends them
    /// again and keeps what they did.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) later: Vec<BatchRecord>,
}

/// What one answered batch did, at its position in the input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct BatchRecord {
    /// The position of its first pair in the input.
    pub(crate) first: u64,
    /// Input pairs it covers.
    pub(crate) pairs: u64,
    pub(crate) succeeded: u64,
    pub(crate) unchanged: u64,
    pub(crate) duplicates: u64,
    pub(crate) failed: Vec<FailedPair>,
}

/// A journal entry of a blocklist import.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ImportEntry {
    /// Pairs before this position may be sent from now on (written before they are).
    Sent(u64),
    /// A batch was answered.
    Batch(BatchRecord),
}

/// The command name an account import checkpoint is bound to.
pub(crate) const ACCOUNT_IMPORT: &str = "account import";

/// What an account import has settled, counted from the start of its distinct accounts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AccountImportState {
    /// Every account before this position is settled and counted below.
    pub(crate) done: u64,
    /// Accounts imported.
    pub(crate) succeeded: u64,
    /// Records of the file naming an account an earlier record named.
    pub(crate) duplicates: u64,
    /// Accounts that failed for good.
    pub(crate) failed: Vec<FailedPair>,
}

impl AccountImportState {
    /// Adds a chunk of `size` accounts that follows the ones counted.
    pub(crate) fn add_chunk(&mut self, size: u64, succeeded: u64, failed: &[FailedPair]) {
        self.done += size;
        self.succeeded += succeeded;
        self.failed.extend_from_slice(failed);
    }

    /// Why this state cannot belong to `total` accounts, if it cannot.
    pub(crate) fn impossibility(&self, total: u64) -> Option<String> {
        if self.done > total {
            return Some(format!(
                "records {} accounts done, but the input has {total}",
                self.done
            ));
        }
        if self.succeeded + self.failed.len() as u64 != self.done {
            return Some(format!(
                "counts {} accounts in its totals, but {} done",
                self.succeeded + self.failed.len() as u64,
                self.done
            ));
        }
        if self.failed.iter().any(|failure| !failure.settled) {
            return Some("counts an account that is not settled as done".to_owned());
        }
        None
    }
}

/// A failed pair as saved in the checkpoint and printed as JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FailedPair {
    /// The user whose blocklist was to change; empty for an account import.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub(crate) from: String,
    pub(crate) account: String,
    pub(crate) code: Option<i64>,
    /// Why it failed, in words: the code's name or the typed reason.
    #[serde(default)]
    pub(crate) reason: String,
    pub(crate) info: String,
    /// Whether this is the service's final answer. A failure that is not (the request
    /// failed, was not sent, or the rate limiter was down) is not done: a rerun with the
    /// same checkpoint sends the pair again.
    pub(crate) settled: bool,
}

impl From<PairFailure> for FailedPair {
    fn from(failure: PairFailure) -> Self {
        FailedPair {
            from: failure.from,
            account: failure.account,
            code: failure.reason.code().map(|code| code.0),
            reason: crate::output::describe_reason(failure.reason),
            info: failure.info,
            settled: is_settled(failure.reason),
        }
    }
}

/// Whether a failure is final: the service answered the item for good, or the input was
/// refused. A transient code (of a retry class), a request that failed or was never made,
/// and an item the answer left out are not: sending it again may succeed.
pub(crate) fn is_settled(reason: FailureReason) -> bool {
    match reason {
        FailureReason::Code(code) => !code.retry_class().is_retryable(),
        FailureReason::Request(failure) => match failure {
            RequestFailure::Service(code) => !code.retry_class().is_retryable(),
            RequestFailure::Encode
            | RequestFailure::InvalidInput
            | RequestFailure::UnexpectedAnswer => true,
            _ => false,
        },
        FailureReason::ListedFailed
        | FailureReason::UnreadableResult
        | FailureReason::InvalidInput => true,
        _ => false,
    }
}

impl BatchRecord {
    /// The position after its last pair.
    pub(crate) fn end(&self) -> u64 {
        self.first + self.pairs
    }

    /// Whether every failure in it is final.
    pub(crate) fn is_settled(&self) -> bool {
        self.failed.iter().all(|failure| failure.settled)
    }

    /// Whether its counts add up to its pairs.
    fn adds_up(&self) -> bool {
        self.pairs > 0
            && self.succeeded + self.unchanged + self.duplicates + self.failed.len() as u64
                == self.pairs
    }
}

impl ImportState {
    /// Why this state cannot belong to an input of `total` pairs, if it cannot: positions
    /// past the end, counts that do not add up, batches that overlap.
    pub(crate) fn impossibility(&self, total: u64) -> Option<String> {
        let counted = self.succeeded + self.unchanged + self.duplicates + self.failed.len() as u64;
        if self.done > total || self.sent > total {
            return Some(format!(
                "records {} pairs done and {} sent, but the input has {total}",
                self.done, self.sent
            ));
        }
        if counted != self.done {
            return Some(format!(
                "counts {counted} pairs in its totals, but {} done",
                self.done
            ));
        }
        if self.failed.iter().any(|failure| !failure.settled) {
            return Some("counts a pair that is not settled as done".to_owned());
        }
        self.later_impossibility(&self.later, total)
    }

    /// Why journal entries cannot follow this state in an input of `total` pairs, if
    /// they cannot.
    pub(crate) fn journal_impossibility(
        &self,
        journal: &[ImportEntry],
        total: u64,
    ) -> Option<String> {
        let mut batches = Vec::new();
        for entry in journal {
            match entry {
                ImportEntry::Sent(end) if *end > total => {
                    return Some(format!(
                        "records {end} pairs sent, but the input has {total}"
                    ));
                }
                ImportEntry::Sent(_) => {}
                ImportEntry::Batch(batch) => batches.push(batch.clone()),
            }
        }
        batches.sort_by_key(|batch| batch.first);
        batches.dedup_by_key(|batch| batch.first);
        self.later_impossibility(&batches, total)
    }

    fn later_impossibility(&self, batches: &[BatchRecord], total: u64) -> Option<String> {
        let mut after = self.done;
        for batch in batches {
            if batch.first < after || batch.end() > total || !batch.adds_up() {
                return Some(format!(
                    "records a batch of pairs {}..{} that does not fit the input",
                    batch.first,
                    batch.end()
                ));
            }
            after = batch.end();
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tencent_im::ErrorCode;

    fn failed(settled: bool) -> FailedPair {
        FailedPair {
            from: "a".to_owned(),
            account: "b".to_owned(),
            code: Some(30003),
            reason: String::new(),
            info: String::new(),
            settled,
        }
    }

    #[test]
    fn only_final_answers_are_settled() {
        assert!(is_settled(FailureReason::Code(ErrorCode(30003))));
        assert!(!is_settled(FailureReason::Code(ErrorCode(30006))));
        assert!(!is_settled(FailureReason::Request(
            RequestFailure::RateLimiter
        )));
        assert!(!is_settled(FailureReason::NotSent(
            RequestFailure::RateLimiter
        )));
        assert!(!is_settled(FailureReason::Request(
            RequestFailure::HttpStatus(502)
        )));
        assert!(!is_settled(FailureReason::NoResult));
        assert!(is_settled(FailureReason::Request(RequestFailure::Service(
            ErrorCode(70003)
        ))));
        assert!(is_settled(FailureReason::InvalidInput));
    }

    #[test]
    fn impossible_states_are_named() {
        let fine = ImportState {
            done: 2,
            sent: 3,
            succeeded: 1,
            failed: vec![failed(true)],
            ..ImportState::default()
        };
        assert_eq!(fine.impossibility(3), None);
        assert!(fine.impossibility(1).is_some(), "more done than pairs");
        let uncounted = ImportState {
            succeeded: 0,
            ..fine.clone()
        };
        assert!(uncounted.impossibility(3).is_some());
        let unsettled = ImportState {
            failed: vec![failed(false)],
            ..fine.clone()
        };
        assert!(unsettled.impossibility(3).is_some());
        let batch = BatchRecord {
            first: 1,
            pairs: 1,
            succeeded: 1,
            unchanged: 0,
            duplicates: 0,
            failed: Vec::new(),
        };
        let overlapping = ImportState {
            later: vec![batch.clone()],
            ..fine.clone()
        };
        assert!(overlapping.impossibility(3).is_some());
        let past_end = ImportEntry::Batch(BatchRecord {
            first: 2,
            pairs: 2,
            succeeded: 2,
            ..batch
        });
        assert!(fine.journal_impossibility(&[past_end], 3).is_some());
        assert!(
            fine.journal_impossibility(&[ImportEntry::Sent(4)], 3)
                .is_some()
        );
        assert_eq!(fine.journal_impossibility(&[ImportEntry::Sent(3)], 3), None);
    }
}
