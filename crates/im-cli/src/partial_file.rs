//! An output file that appears under its name only when it is complete.
//!
//! The bytes go to `<name>.part` beside it. [`PartialFile::sync`] makes what was appended
//! durable and returns its length, which a checkpoint records; a resumed run cuts the part
//! file back to that length, so whatever a stopped run wrote after its last checkpoint is
//! dropped, never duplicated. [`PartialFile::finish`] renames the part file to the name.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};

use crate::Failure;
use crate::checkpoint_file::sync_directory;

/// An output being written to `<name>.part`.
#[derive(Debug)]
pub(crate) struct PartialFile {
    name: PathBuf,
    part: PathBuf,
    writer: BufWriter<File>,
    written: u64,
}

impl PartialFile {
    /// The part file of the output `name`.
    pub(crate) fn part_path(name: &Path) -> PathBuf {
        let mut file_name = name.file_name().unwrap_or_default().to_os_string();
        file_name.push(".part");
        name.with_file_name(file_name)
    }

    /// Starts the output `name` empty.
    pub(crate) fn create(name: &Path) -> Result<Self, Failure> {
        let part = Self::part_path(name);
        let file = File::create(&part).map_err(|error| cannot("create", &part, &error))?;
        Ok(PartialFile {
            name: name.to_path_buf(),
            part,
            writer: BufWriter::new(file),
            written: 0,
        })
    }

    /// Reopens the output `name` of an earlier run, keeping its first `written` bytes (the
    /// length a checkpoint recorded) and dropping the rest.
    pub(crate) fn resume(name: &Path, written: u64) -> Result<Self, Failure> {
        let part = Self::part_path(name);
        let file = OpenOptions::new()
            .write(true)
            .open(&part)
            .map_err(|error| {
                Failure::new(format!(
                    "cannot reopen {} to resume: {error}; remove the checkpoint to start over",
                    part.display()
                ))
            })?;
        let length = file
            .metadata()
            .map_err(|error| cannot("read", &part, &error))?
            .len();
        if length < written {
            return Err(Failure::new(format!(
                "{} holds {length} bytes, but the checkpoint recorded {written}; remove the checkpoint to start over",
                part.display()
            )));
        }
        file.set_len(written)
            .map_err(|error| cannot("truncate", &part, &error))?;
        let mut writer = BufWriter::new(file);
        std::io::Seek::seek(&mut writer, std::io::SeekFrom::Start(written))
            .map_err(|error| cannot("reopen", &part, &error))?;
        Ok(PartialFile {
            name: name.to_path_buf(),
            part,
            writer,
            written,
        })
    }

    /// Appends `bytes`.
    pub(crate) fn append(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        self.writer
            .write_all(bytes)
            .map_err(|error| cannot("write", &self.part, &error))?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    /// Makes everything appended so far durable; returns its length in bytes.
    pub(crate) fn sync(&mut self) -> Result<u64, Failure> {
        self.writer
            .flush()
            .and_then(|()| self.writer.get_ref().sync_data())
            .map_err(|error| cannot("write", &self.part, &error))?;
        Ok(self.written)
    }

    /// Syncs the part file and renames it to the output's name, durably.
    pub(crate) fn finish(mut self) -> Result<(), Failure> {
        self.sync()?;
        std::fs::rename(&self.part, &self.name).map_err(|error| {
            Failure::new(format!(
                "cannot rename {} to {}: {error}",
                self.part.display(),
                self.name.display()
            ))
        })?;
        match self.name.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => sync_directory(dir),
            _ => sync_directory(Path::new(".")),
        }
        Ok(())
    }

    /// Removes the part file: the output of a run that cannot be resumed.
    pub(crate) fn discard(self) {
        let PartialFile { part, writer, .. } = self;
        drop(writer);
        let _ = std::fs::remove_file(part);
    }
}

fn cannot(what: &str, path: &Path, error: &std::io::Error) -> Failure {
    Failure::new(format!("cannot {what} {}: {error}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("imctl-partial-file-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch directory");
        dir
    }

    #[test]
    fn the_name_appears_only_when_finished() {
        let dir = scratch("finish");
        let name = dir.join("pairs.csv");
        let mut file = PartialFile::create(&name).expect("create");
        file.append(b"a,b\n").expect("append");
        assert_eq!(file.sync().expect("sync"), 4);
        assert!(!name.exists());
        file.finish().expect("finish");
        assert_eq!(std::fs::read_to_string(&name).expect("read"), "a,b\n");
        assert!(!PartialFile::part_path(&name).exists());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_resumed_file_drops_what_was_written_after_the_recorded_length() {
        let dir = scratch("resume");
        let name = dir.join("pairs.csv");
        let mut file = PartialFile::create(&name).expect("create");
        file.append(b"a,b\n").expect("append");
        let recorded = file.sync().expect("sync");
        // Written after the checkpoint, then the process died.
        file.append(b"c,d\nc,").expect("append");
        file.sync().expect("sync");
        drop(file);

        let mut file = PartialFile::resume(&name, recorded).expect("resume");
        file.append(b"c,d\n").expect("append");
        file.finish().expect("finish");
        assert_eq!(std::fs::read_to_string(&name).expect("read"), "a,b\nc,d\n");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_part_file_shorter_than_recorded_is_refused() {
        let dir = scratch("short");
        let name = dir.join("pairs.csv");
        std::fs::write(PartialFile::part_path(&name), "a,b\n").expect("write");
        assert!(PartialFile::resume(&name, 100).is_err());
        assert!(PartialFile::resume(&dir.join("missing.csv"), 0).is_err());
        let _ = std::fs::remove_dir_all(dir);
    }
}
