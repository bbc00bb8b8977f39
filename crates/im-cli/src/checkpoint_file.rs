//! The one checkpoint format of `imctl`, and its atomic, durable writer.
//!
//! A checkpoint is a file of JSON lines. The first line is a snapshot:
//!
//! ```text
//! {"imctl_checkpoint":2,"command":"blocklist import","input":{"sha256":"…","bytes":24000,"items":1200},"state":{…}}
//! ```
//!
//! It names the command and the input it is bound to ([`InputId`]), so a run with another
//! input, or another command, is refused instead of resumed. A snapshot is written to a
//! private temporary file beside the checkpoint, synced, renamed over it, and the directory
//! synced: a reader sees the old snapshot or the new one, never a mix, even after a crash.
//!
//! The lines after it are a journal that a command appends between snapshots (the bulk
//! import records which pairs may be in flight and each answered batch). An entry is
//! written before what it announces happens, so a killed process leaves it behind; entries
//! are synced at most [`SYNC_EVERY`] apart, so a power cut loses at most that much of
//! the journal. A last line cut short by a crash is ignored; any other damage refuses the
//! checkpoint.

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::Failure;
use crate::input_id::InputId;

/// The version of the format; checkpoints of other versions are refused.
pub(crate) const FORMAT_VERSION: u32 = 2;

/// How long journal entries may stay unsynced.
pub(crate) const SYNC_EVERY: Duration = Duration::from_millis(500);

/// The journal is folded into a new snapshot once it is larger than this and than the
/// last snapshot, so rewriting costs time in proportion to the progress made.
const MIN_JOURNAL_BEFORE_SNAPSHOT: u64 = 64 * 1024;

/// The snapshot line.
#[derive(Serialize, Deserialize)]
struct Snapshot<S> {
    imctl_checkpoint: u32,
    command: String,
    input: InputId,
    state: S,
}

/// What a checkpoint held: the state of its snapshot and the journal entries after it.
#[derive(Debug)]
pub(crate) struct Loaded<S, E> {
    pub(crate) state: S,
    pub(crate) journal: Vec<E>,
}

/// A checkpoint of one command bound to one input, being written.
#[derive(Debug)]
pub(crate) struct CheckpointFile {
    path: PathBuf,
    command: &'static str,
    input: InputId,
    /// The file as last renamed into place, open for appending journal entries.
    journal: Option<File>,
    snapshot_bytes: u64,
    journal_bytes: u64,
    unsynced: bool,
    last_sync: Instant,
}

impl CheckpointFile {
    /// Reads the checkpoint at `path` for `command` on `input` (`shown_as` names the input
    /// in messages); `None` when there is no file. A checkpoint of another command or
    /// input, of another format, or damaged, is an error that says so.
    pub(crate) fn load<S, E>(
        path: &Path,
        command: &str,
        input: &InputId,
        shown_as: &str,
    ) -> Result<Option<Loaded<S, E>>, Failure>
    where
        S: DeserializeOwned,
        E: DeserializeOwned,
    {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => {
                return Err(Failure::new(format!(
                    "cannot read checkpoint {}: {error}",
                    path.display()
                )));
            }
        };
        parse(&bytes, command, input, shown_as)
            .map(Some)
            .map_err(|reason| {
                Failure::new(format!(
                    "checkpoint {} {reason}; remove it to start over, or name another file",
                    path.display()
                ))
            })
    }

    /// A checkpoint of `command` on `input` to be written at `path`; nothing is written
    /// until [`save`](Self::save).
    pub(crate) fn new(path: &Path, command: &'static str, input: InputId) -> Self {
        CheckpointFile {
            path: path.to_path_buf(),
            command,
            input,
            journal: None,
            snapshot_bytes: 0,
            journal_bytes: 0,
            unsynced: false,
            last_sync: Instant::now(),
        }
    }

    /// Replaces the checkpoint with a snapshot of `state`, atomically and durably; the
    /// journal starts again empty. The first save also proves the path writable.
    pub(crate) fn save<S: Serialize>(&mut self, state: &S) -> Result<(), Failure> {
        let snapshot = Snapshot {
            imctl_checkpoint: FORMAT_VERSION,
            command: self.command.to_owned(),
            input: self.input.clone(),
            state,
        };
        let mut line = serde_json::to_vec(&snapshot)
            .map_err(|error| Failure::new(format!("cannot encode the checkpoint: {error}")))?;
        line.push(b'\n');
        let file = write_atomically(&self.path, &line).map_err(|error| {
            Failure::new(format!(
                "cannot write checkpoint {}: {error}",
                self.path.display()
            ))
        })?;
        self.journal = Some(file);
        self.snapshot_bytes = line.len() as u64;
        self.journal_bytes = 0;
        self.unsynced = false;
        self.last_sync = Instant::now();
        Ok(())
    }

    /// Appends a journal entry. It survives the process being killed at once; it is
    /// synced with the next [`sync_if_due`](Self::sync_if_due) or snapshot.
    pub(crate) fn append<E: Serialize>(&mut self, entry: &E) -> Result<(), Failure> {
        let mut line = serde_json::to_vec(entry)
            .map_err(|error| Failure::new(format!("cannot encode the checkpoint: {error}")))?;
        line.push(b'\n');
        let path = &self.path;
        let file = self.journal.as_mut().ok_or_else(|| {
            Failure::new(format!(
                "checkpoint {} was not started before its journal",
                path.display()
            ))
        })?;
        file.write_all(&line).map_err(|error| {
            Failure::new(format!(
                "cannot write checkpoint {}: {error}",
                path.display()
            ))
        })?;
        self.journal_bytes += line.len() as u64;
        self.unsynced = true;
        Ok(())
    }

    /// Syncs the journal when the last sync is [`SYNC_EVERY`] old.
    pub(crate) fn sync_if_due(&mut self) -> Result<(), Failure> {
        if !self.unsynced || self.last_sync.elapsed() < SYNC_EVERY {
            return Ok(());
        }
        if let Some(file) = &self.journal {
            file.sync_data().map_err(|error| {
                Failure::new(format!(
                    "cannot write checkpoint {}: {error}",
                    self.path.display()
                ))
            })?;
        }
        self.unsynced = false;
        self.last_sync = Instant::now();
        Ok(())
    }

    /// Whether the journal has grown enough to be folded into a new snapshot.
    pub(crate) fn wants_snapshot(&self) -> bool {
        self.journal_bytes > self.snapshot_bytes.max(MIN_JOURNAL_BEFORE_SNAPSHOT)
    }
}

/// Parses a checkpoint's bytes; the error completes "checkpoint PATH ...".
fn parse<S, E>(
    bytes: &[u8],
    command: &str,
    input: &InputId,
    shown_as: &str,
) -> Result<Loaded<S, E>, String>
where
    S: DeserializeOwned,
    E: DeserializeOwned,
{
    let text = std::str::from_utf8(bytes).map_err(|_| "is not a checkpoint of imctl".to_owned())?;
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or_default();
    let header: serde_json::Value = serde_json::from_str(first)
        .map_err(|_| "is not a checkpoint of imctl (or is damaged)".to_owned())?;
    let Some(version) = header.get("imctl_checkpoint") else {
        return Err(
            "was written by an older imctl, or is not a checkpoint: it does not say which input it belongs to"
                .to_owned(),
        );
    };
    if version.as_u64() != Some(u64::from(FORMAT_VERSION)) {
        return Err(format!(
            "has format {version}; this imctl reads format {FORMAT_VERSION}"
        ));
    }
    let written_by = header.get("command").and_then(serde_json::Value::as_str);
    if let Some(other) = written_by.filter(|other| *other != command) {
        return Err(format!("belongs to `imctl {other}`, not `imctl {command}`"));
    }
    let snapshot: Snapshot<S> =
        serde_json::from_value(header).map_err(|error| format!("is damaged: {error}"))?;
    if snapshot.input != *input {
        return Err(format!(
            "is for another input ({}), but {shown_as} has {input}: it is another input, or it changed since",
            snapshot.input
        ));
    }
    let mut journal = Vec::new();
    for line in lines {
        match serde_json::from_str(line) {
            Ok(entry) => journal.push(entry),
            // The last line, cut short when the writer was stopped: it never took effect.
            Err(_) if !line.ends_with('\n') => break,
            Err(error) => return Err(format!("has a damaged journal line: {error}")),
        }
    }
    Ok(Loaded {
        state: snapshot.state,
        journal,
    })
}

/// Writes `bytes` to a private temporary file beside `path`, syncs it, renames it to
/// `path` and syncs the directory; returns the renamed file, open for appending.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<File> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(path.file_name().unwrap_or_default());
    prefix.push(".");
    let mut temporary = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(dir)?;
    temporary.write_all(bytes)?;
    temporary.as_file().sync_all()?;
    let file = temporary.persist(path).map_err(|error| error.error)?;
    sync_directory(dir);
    Ok(file)
}

/// Makes a rename in `dir` durable. Best effort: some file systems refuse to sync a
/// directory, and the rename is atomic without it.
pub(crate) fn sync_directory(dir: &Path) {
    #[cfg(unix)]
    if let Ok(directory) = File::open(dir) {
        let _ = directory.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "imctl-checkpoint-file-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch directory");
        dir
    }

    fn input(items: u64) -> InputId {
        InputId::of_items(["alice", "bob"].into_iter().take(items as usize))
    }

    type Journal = Loaded<u64, u64>;

    fn load(path: &Path, command: &str, items: u64) -> Result<Option<Journal>, Failure> {
        CheckpointFile::load(path, command, &input(items), "the input")
    }

    #[test]
    fn a_snapshot_and_its_journal_round_trip() {
        let dir = scratch("round-trip");
        let path = dir.join("import.checkpoint");
        assert!(
            load(&path, "blocklist import", 2)
                .expect("missing")
                .is_none()
        );
        let mut file = CheckpointFile::new(&path, "blocklist import", input(2));
        file.save(&7u64).expect("save");
        file.append(&8u64).expect("append");
        file.append(&9u64).expect("append");
        let loaded = load(&path, "blocklist import", 2)
            .expect("load")
            .expect("some");
        assert_eq!((loaded.state, loaded.journal), (7, vec![8, 9]));
        // A snapshot folds the journal away.
        file.save(&10u64).expect("save");
        let loaded = load(&path, "blocklist import", 2)
            .expect("load")
            .expect("some");
        assert_eq!((loaded.state, loaded.journal), (10, vec![]));
        let leftovers = std::fs::read_dir(&dir).expect("dir").count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn another_input_command_format_or_garbage_is_refused() {
        let dir = scratch("refused");
        let path = dir.join("c");
        let mut file = CheckpointFile::new(&path, "blocklist import", input(2));
        file.save(&1u64).expect("save");
        let other_input = load(&path, "blocklist import", 1).expect_err("other input");
        assert!(
            other_input.to_string().contains("another input"),
            "{other_input}"
        );
        let other_command = load(&path, "account import", 2).expect_err("other command");
        assert!(
            other_command.to_string().contains("blocklist import"),
            "{other_command}"
        );

        for (text, words) in [
            ("garbage\n", "not a checkpoint"),
            (r#"{"total":3,"done":5}"#, "older imctl"),
            (r#"{"imctl_checkpoint":99}"#, "format 99"),
            ("\u{0}\u{ff}", "not a checkpoint"),
        ] {
            std::fs::write(&path, text).expect("write");
            let error = load(&path, "blocklist import", 2).expect_err(text);
            assert!(error.to_string().contains(words), "{text}: {error}");
            assert!(error.to_string().contains("remove it"), "{error}");
        }
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_torn_last_line_is_ignored_and_a_damaged_middle_refused() {
        let dir = scratch("torn");
        let path = dir.join("c");
        let mut file = CheckpointFile::new(&path, "blocklist import", input(2));
        file.save(&1u64).expect("save");
        file.append(&2u64).expect("append");
        let mut bytes = std::fs::read(&path).expect("read");
        bytes.extend_from_slice(b"{\"cut");
        std::fs::write(&path, &bytes).expect("write");
        let loaded = load(&path, "blocklist import", 2)
            .expect("load")
            .expect("some");
        assert_eq!(loaded.journal, vec![2]);
        bytes.extend_from_slice(b"\n3\n");
        std::fs::write(&path, &bytes).expect("write");
        assert!(load(&path, "blocklist import", 2).is_err());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn an_unwritable_path_fails_on_the_first_save() {
        let dir = scratch("unwritable");
        let path = dir.join("missing-directory").join("c");
        let mut file = CheckpointFile::new(&path, "blocklist import", input(2));
        let error = file.save(&1u64).expect_err("no such directory");
        assert!(
            error.to_string().contains("cannot write checkpoint"),
            "{error}"
        );
        assert!(file.append(&2u64).is_err(), "no journal without a snapshot");
        let _ = std::fs::remove_dir_all(dir);
    }
}
