//! Resumable imports: what is done, saved as it goes (and the saving, shared with export).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tencent_im::blocklist::{BatchReport, PairFailure};

use crate::Failure;

/// What an import has finished, counted from the start of the input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Checkpoint {
    /// Pairs of the input in the file (to notice a different file on resume).
    pub(crate) total: u64,
    /// Every pair before this position is finished.
    pub(crate) done: u64,
    /// Pairs read when this was saved: those between `done` and `read` may have been sent
    /// by a run that stopped abruptly.
    pub(crate) read: u64,
    pub(crate) succeeded: u64,
    pub(crate) unchanged: u64,
    pub(crate) duplicates: u64,
    pub(crate) failed: Vec<FailedPair>,
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
}

impl From<PairFailure> for FailedPair {
    fn from(failure: PairFailure) -> Self {
        FailedPair {
            from: failure.from,
            account: failure.account,
            code: failure.reason.code().map(|code| code.0),
            reason: crate::output::describe_reason(failure.reason),
            info: failure.info,
        }
    }
}

impl Checkpoint {
    /// Reads a checkpoint; `None` when the file does not exist.
    pub(crate) fn load(path: &Path) -> Result<Option<Checkpoint>, Failure> {
        load_json(path)
    }

    /// Writes the checkpoint atomically (a temporary file renamed over the old one).
    pub(crate) fn save(&self, path: &Path) -> Result<(), Failure> {
        save_json(self, path)
    }
}

/// Reads a checkpoint of any command; `None` when the file does not exist.
pub(crate) fn load_json<T: DeserializeOwned>(path: &Path) -> Result<Option<T>, Failure> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|error| {
            Failure::new(format!(
                "checkpoint {} is unreadable: {error}",
                path.display()
            ))
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(Failure::new(format!(
            "cannot read checkpoint {}: {error}",
            path.display()
        ))),
    }
}

/// Writes a checkpoint of any command atomically (a temporary file renamed over the old one).
pub(crate) fn save_json<T: Serialize>(value: &T, path: &Path) -> Result<(), Failure> {
    let temporary = temporary_path(path);
    let bytes = serde_json::to_vec(value)
        .map_err(|error| Failure::new(format!("cannot encode the checkpoint: {error}")))?;
    std::fs::write(&temporary, bytes)
        .and_then(|()| std::fs::rename(&temporary, path))
        .map_err(|error| {
            Failure::new(format!(
                "cannot write checkpoint {}: {error}",
                path.display()
            ))
        })
}

fn temporary_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}

/// Folds batch reports, which finish out of order, into the checkpoint in input order.
#[derive(Debug)]
pub(crate) struct Tracker {
    pub(crate) checkpoint: Checkpoint,
    /// Where this run started in the input.
    skip: u64,
    /// Pairs that an earlier run may have sent without recording: `[done, read)` then.
    maybe_sent: (u64, u64),
    next_index: u64,
    waiting: BTreeMap<u64, BatchReport>,
}

impl Tracker {
    pub(crate) fn new(checkpoint: Checkpoint) -> Self {
        let skip = checkpoint.done;
        let maybe_sent = (checkpoint.done, checkpoint.read.max(checkpoint.done));
        Tracker {
            checkpoint,
            skip,
            maybe_sent,
            next_index: 0,
            waiting: BTreeMap::new(),
        }
    }

    /// Where this run starts in the input.
    pub(crate) fn skip(&self) -> u64 {
        self.skip
    }

    /// Records a finished batch; returns whether the finished prefix grew.
    pub(crate) fn record(&mut self, report: BatchReport) -> bool {
        self.waiting.insert(report.index, report);
        let mut advanced = false;
        while let Some(report) = self.waiting.remove(&self.next_index) {
            self.apply(report);
            self.next_index += 1;
            advanced = true;
        }
        advanced
    }

    fn apply(&mut self, report: BatchReport) {
        let start = self.skip + report.first_pair;
        let end = start + report.pairs;
        let checkpoint = &mut self.checkpoint;
        // A batch an interrupted run may already have sent: "already blocked" may be its work.
        if start >= self.maybe_sent.0 && end <= self.maybe_sent.1 {
            checkpoint.succeeded += report.succeeded + report.unchanged;
        } else {
            checkpoint.succeeded += report.succeeded;
            checkpoint.unchanged += report.unchanged;
        }
        checkpoint.duplicates += report.duplicates;
        checkpoint
            .failed
            .extend(report.failed.into_iter().map(FailedPair::from));
        checkpoint.done = end;
    }
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
        BatchReport {
            index,
            first_pair,
            pairs,
            from: "a".to_owned(),
            succeeded,
            unchanged,
            duplicates: 0,
            failed: Vec::new(),
        }
    }

    #[test]
    fn the_finished_prefix_advances_only_in_order() {
        let mut tracker = Tracker::new(Checkpoint::default());
        assert!(!tracker.record(report(1, 3, 2, 2, 0)));
        assert_eq!(tracker.checkpoint.done, 0);
        assert!(tracker.record(report(0, 0, 3, 3, 0)));
        assert_eq!(tracker.checkpoint.done, 5);
        assert_eq!(tracker.checkpoint.succeeded, 5);
    }

    #[test]
    fn a_resumed_run_counts_from_the_checkpoint() {
        let earlier = Checkpoint {
            total: 10,
            done: 4,
            read: 7,
            succeeded: 4,
            ..Checkpoint::default()
        };
        let mut tracker = Tracker::new(earlier);
        assert_eq!(tracker.skip(), 4);
        // Pairs 4..7 may have been sent before the stop: already blocked counts as done by us.
        tracker.record(report(0, 0, 3, 1, 2));
        tracker.record(report(1, 3, 3, 1, 2));
        assert_eq!(tracker.checkpoint.done, 10);
        assert_eq!(tracker.checkpoint.succeeded, 4 + 3 + 1);
        assert_eq!(tracker.checkpoint.unchanged, 2);
    }

    #[test]
    fn save_and_load_round_trip() {
        let dir =
            std::env::temp_dir().join(format!("imctl-checkpoint-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("import.checkpoint");
        assert_eq!(Checkpoint::load(&path).expect("missing is fine"), None);
        let checkpoint = Checkpoint {
            total: 3,
            done: 2,
            read: 3,
            succeeded: 1,
            unchanged: 0,
            duplicates: 0,
            failed: vec![FailedPair {
                from: "a".to_owned(),
                account: "b".to_owned(),
                code: Some(30003),
                reason: "30003 ACCOUNT_NOT_FOUND".to_owned(),
                info: "no such account".to_owned(),
            }],
        };
        checkpoint.save(&path).expect("save");
        assert_eq!(Checkpoint::load(&path).expect("load"), Some(checkpoint));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
