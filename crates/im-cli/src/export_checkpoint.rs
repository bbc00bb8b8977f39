//! Resumable exports: which users are finished, and how much of the output holds them.
//!
//! Users are finished in input order, so the finished part is a prefix of the input: its
//! length (`done`) and the length of the output that holds its entries (`written`) say
//! where a resumed run starts and where it cuts the output back to. The checkpoint is
//! bound to the list of users (see [`crate::checkpoint_file`]), and the format is checked
//! against its own.

use serde::{Deserialize, Serialize};

use crate::cli::ExportFormat;

/// The command name an export checkpoint is bound to.
pub(crate) const BLOCKLIST_EXPORT: &str = "blocklist export";

/// What an export has finished, counted from the start of the input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ExportCheckpoint {
    /// Users of the input (after dropping repeated ones).
    pub(crate) users: u64,
    /// The format of the output.
    pub(crate) format: ExportFormat,
    /// Every user before this position is finished: exported in full, or failed.
    pub(crate) done: u64,
    /// Bytes of the output that hold the finished users' entries.
    pub(crate) written: u64,
    /// Finished users whose whole blocklist was written, empty ones included.
    pub(crate) exported: u64,
    /// Exported users whose blocklist was empty.
    pub(crate) empty: u64,
    /// Entries written.
    pub(crate) pairs: u64,
    /// Users whose blocklist could not be exported.
    pub(crate) failed: Vec<FailedUser>,
}

/// A user whose blocklist could not be exported, as saved and printed as JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FailedUser {
    pub(crate) user: String,
    /// The service's error code, when it answered with one.
    pub(crate) code: Option<i64>,
    pub(crate) info: String,
    /// Whether this is a final answer. A user whose listing failed otherwise (the request
    /// failed, or the rate limiter was down) is not done: a rerun with the same
    /// checkpoint lists it again.
    pub(crate) settled: bool,
}

impl ExportCheckpoint {
    /// The start of an export of `users` in `format`.
    pub(crate) fn new(users: &[String], format: ExportFormat) -> Self {
        ExportCheckpoint {
            users: users.len() as u64,
            format,
            done: 0,
            written: 0,
            exported: 0,
            empty: 0,
            pairs: 0,
            failed: Vec::new(),
        }
    }

    /// Why this checkpoint cannot resume the export `fresh` describes, if it cannot: another
    /// format, or counts that cannot be.
    pub(crate) fn mismatch(&self, fresh: &ExportCheckpoint) -> Option<String> {
        if self.format != fresh.format {
            return Some("is for another --format".to_owned());
        }
        let counted = self.exported + self.failed.len() as u64;
        if self.users != fresh.users || self.done > self.users || counted != self.done {
            return Some(format!(
                "cannot be right: it records {} of {} users done and counts {counted}, for {} users",
                self.done, self.users, fresh.users
            ));
        }
        if self.empty > self.exported || self.failed.iter().any(|failure| !failure.settled) {
            return Some("cannot be right: its counts do not add up".to_owned());
        }
        None
    }

    /// Whether every user is finished.
    pub(crate) fn is_complete(&self) -> bool {
        self.done == self.users
    }

    /// Records the next user as exported with `entries` entries. (`written` is set from
    /// the output when it is synced, just before a save.)
    pub(crate) fn record_exported(&mut self, entries: u64) {
        self.done += 1;
        self.exported += 1;
        self.pairs += entries;
        if entries == 0 {
            self.empty += 1;
        }
    }

    /// Records the next user as failed; nothing of it is in the output.
    pub(crate) fn record_failed(&mut self, failure: FailedUser) {
        self.done += 1;
        self.failed.push(failure);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    fn failed(user: &str, settled: bool) -> FailedUser {
        FailedUser {
            user: user.to_owned(),
            code: Some(30003),
            info: "no such account".to_owned(),
            settled,
        }
    }

    #[test]
    fn another_format_or_impossible_counts_do_not_resume() {
        let fresh = ExportCheckpoint::new(&users(&["a", "b"]), ExportFormat::Pairs);
        assert_eq!(fresh.mismatch(&fresh), None);
        let json = ExportCheckpoint::new(&users(&["a", "b"]), ExportFormat::Jsonl);
        assert!(json.mismatch(&fresh).is_some());
        let mut too_far = fresh.clone();
        too_far.done = 3;
        too_far.exported = 3;
        assert!(too_far.mismatch(&fresh).is_some(), "more done than users");
        let mut uncounted = fresh.clone();
        uncounted.done = 1;
        assert!(uncounted.mismatch(&fresh).is_some());
        let mut unsettled = fresh.clone();
        unsettled.record_failed(failed("a", false));
        assert!(unsettled.mismatch(&fresh).is_some());
    }

    #[test]
    fn users_are_counted_as_they_finish() {
        let mut checkpoint = ExportCheckpoint::new(&users(&["a", "b", "c"]), ExportFormat::Pairs);
        checkpoint.record_exported(2);
        checkpoint.record_exported(0);
        assert!(!checkpoint.is_complete());
        checkpoint.record_failed(failed("c", true));
        assert!(checkpoint.is_complete());
        assert_eq!(
            (checkpoint.exported, checkpoint.empty, checkpoint.pairs),
            (2, 1, 2)
        );
        let fresh = ExportCheckpoint::new(&users(&["a", "b", "c"]), ExportFormat::Pairs);
        assert_eq!(checkpoint.mismatch(&fresh), None);
    }
}
