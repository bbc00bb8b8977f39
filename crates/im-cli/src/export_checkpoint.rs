//! Resumable exports: which users are finished, and how much of the output holds them.
//!
//! Users are finished in input order, so the finished part is a prefix of the input: its
//! length (`done`) and the length of the output that holds its entries (`written`) say
//! where a resumed run starts and where it cuts the output back to.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::Failure;
use crate::checkpoint::{load_json, save_json};
use crate::cli::ExportFormat;

/// What an export has finished, counted from the start of the input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ExportCheckpoint {
    /// Users of the input (after dropping repeated ones).
    pub(crate) users: u64,
    /// A digest of the users in order, to notice a different input on resume.
    pub(crate) input_digest: String,
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
}

impl ExportCheckpoint {
    /// The start of an export of `users` in `format`.
    pub(crate) fn new(users: &[String], format: ExportFormat) -> Self {
        ExportCheckpoint {
            users: users.len() as u64,
            input_digest: digest(users),
            format,
            done: 0,
            written: 0,
            exported: 0,
            empty: 0,
            pairs: 0,
            failed: Vec::new(),
        }
    }

    /// Reads a checkpoint; `None` when the file does not exist.
    pub(crate) fn load(path: &Path) -> Result<Option<Self>, Failure> {
        load_json(path)
    }

    /// Writes the checkpoint atomically.
    pub(crate) fn save(&self, path: &Path) -> Result<(), Failure> {
        save_json(self, path)
    }

    /// Why this checkpoint cannot resume the export `fresh` describes, if it cannot.
    pub(crate) fn mismatch(&self, fresh: &ExportCheckpoint) -> Option<String> {
        if self.users != fresh.users || self.input_digest != fresh.input_digest {
            return Some(format!(
                "the checkpoint is for another list of users ({} users; this one has {})",
                self.users, fresh.users
            ));
        }
        (self.format != fresh.format).then(|| "the checkpoint is for another --format".to_owned())
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

/// A 64-bit FNV-1a digest of the users, in hex: enough to tell one input from another.
fn digest(users: &[String]) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    for user in users {
        // A newline cannot be part of a UserID, so it separates them unambiguously.
        for byte in user.bytes().chain(std::iter::once(b'\n')) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn another_input_or_format_does_not_resume() {
        let saved = ExportCheckpoint::new(&users(&["a", "b"]), ExportFormat::Pairs);
        let same = ExportCheckpoint::new(&users(&["a", "b"]), ExportFormat::Pairs);
        assert_eq!(saved.mismatch(&same), None);
        let reordered = ExportCheckpoint::new(&users(&["b", "a"]), ExportFormat::Pairs);
        assert!(saved.mismatch(&reordered).is_some());
        let joined = ExportCheckpoint::new(&users(&["ab"]), ExportFormat::Pairs);
        assert!(saved.mismatch(&joined).is_some());
        let json = ExportCheckpoint::new(&users(&["a", "b"]), ExportFormat::Jsonl);
        assert!(saved.mismatch(&json).is_some());
    }

    #[test]
    fn users_are_counted_as_they_finish() {
        let mut checkpoint = ExportCheckpoint::new(&users(&["a", "b", "c"]), ExportFormat::Pairs);
        checkpoint.record_exported(2);
        checkpoint.record_exported(0);
        assert!(!checkpoint.is_complete());
        checkpoint.record_failed(FailedUser {
            user: "c".to_owned(),
            code: Some(30003),
            info: "no such account".to_owned(),
        });
        assert!(checkpoint.is_complete());
        assert_eq!(
            (checkpoint.exported, checkpoint.empty, checkpoint.pairs),
            (2, 1, 2)
        );
    }

    #[test]
    fn save_and_load_round_trip() {
        let dir =
            std::env::temp_dir().join(format!("imctl-export-checkpoint-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("export.checkpoint");
        let mut checkpoint = ExportCheckpoint::new(&users(&["a"]), ExportFormat::Jsonl);
        checkpoint.record_exported(3);
        checkpoint.written = 120;
        checkpoint.save(&path).expect("save");
        assert_eq!(
            ExportCheckpoint::load(&path).expect("load"),
            Some(checkpoint)
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
