//! The pairs file of `imctl blocklist import`: one `from,to` record per line (CSV, see
//! [`crate::records`]), validated whole before anything is sent, then streamed.
//!
//! Standard input is read once: it is copied, while it is validated, into a private
//! temporary file that has no name ([`private_spool`]), so it can be counted and streamed
//! like a file, no other user can read or replace it, and it is gone when the process
//! ends, however it ends.

use std::fs::File;
use std::io::{self, Read, Seek as _, Write as _};
use std::path::{Path, PathBuf};

use futures_util::{Stream, stream};
use tencent_im::protocol::validate_user_id;

use crate::Failure;
use crate::records::{Format, Record, Records, line_error};

/// The columns of a pairs file.
const PAIRS: Format = Format {
    columns: &["from", "to"],
    required: 2,
    shape: "`from,to`",
};

/// How many validated pairs the reading thread may hold ahead of the import.
const PAIRS_AHEAD: usize = 1024;

/// The pairs of `source`, each validated, in order; the first error ends them.
pub(crate) fn pairs(
    source: impl Read,
    shown_as: &str,
) -> impl Iterator<Item = Result<(String, String), Failure>> {
    let shown = shown_as.to_owned();
    Records::new(source, PAIRS, shown_as).map(move |record| record.and_then(|r| pair(r, &shown)))
}

/// Checks a record of two fields: a From account and a To account.
fn pair(record: Record, shown_as: &str) -> Result<(String, String), Failure> {
    let line = record.line;
    let mut fields = record.fields.into_iter();
    let (Some(from), Some(to)) = (fields.next(), fields.next()) else {
        return Err(line_error(shown_as, line, "expected `from,to`"));
    };
    if from.is_empty() {
        return Err(line_error(shown_as, line, "the From account is empty"));
    }
    for account in [&from, &to] {
        validate_user_id(account).map_err(|error| line_error(shown_as, line, error))?;
    }
    Ok((from, to))
}

/// A pairs file ready to be counted and streamed.
pub(crate) struct PairsFile {
    source: Source,
}

enum Source {
    /// A file named by the user, read again for each pass.
    Path(PathBuf),
    /// Standard input, copied into an unnamed private temporary file.
    Spool(File),
}

impl PairsFile {
    /// Opens `path`; for `-`, reads standard input into a private temporary file,
    /// validating it on the way (a bad record stops the copy at once).
    pub(crate) fn open(path: &Path) -> Result<Self, Failure> {
        if path != Path::new("-") {
            std::fs::metadata(path).map_err(|error| {
                Failure::new(format!("cannot read {}: {error}", path.display()))
            })?;
            return Ok(PairsFile {
                source: Source::Path(path.to_path_buf()),
            });
        }
        let mut spool = private_spool()
            .map_err(|error| Failure::new(format!("cannot buffer standard input: {error}")))?;
        let copy = Copy {
            from: io::stdin().lock(),
            to: &mut spool,
        };
        for pair in pairs(copy, STANDARD_INPUT) {
            pair?;
        }
        spool
            .flush()
            .map_err(|error| Failure::new(format!("cannot buffer standard input: {error}")))?;
        Ok(PairsFile {
            source: Source::Spool(spool),
        })
    }

    /// Validates every record; returns the number of pairs, at least one.
    pub(crate) fn scan(&self, shown_as: &Path) -> Result<u64, Failure> {
        let shown = self.name(shown_as);
        let mut count = 0u64;
        for pair in pairs(self.reader(&shown)?, &shown) {
            pair?;
            count += 1;
        }
        if count == 0 {
            return Err(Failure::new(format!(
                "{shown} holds no pairs (only blank lines, comments or a header)"
            )));
        }
        Ok(count)
    }

    /// Streams the pairs after skipping the first `skip` of them. They are read on a
    /// blocking thread a bounded distance ahead; a read error, or a record that no longer
    /// validates (the file changed), is logged and ends the stream.
    pub(crate) async fn stream(
        &self,
        skip: u64,
    ) -> Result<impl Stream<Item = (String, String)> + Send + 'static, Failure> {
        let shown = "the pairs file";
        let reader = self.reader(shown)?;
        let (sender, receiver) = tokio::sync::mpsc::channel(PAIRS_AHEAD);
        tokio::task::spawn_blocking(move || {
            for (index, pair) in pairs(reader, shown).enumerate() {
                match pair {
                    Ok(_) if (index as u64) < skip => {}
                    Ok(pair) => {
                        if sender.blocking_send(pair).is_err() {
                            return; // The import stopped reading.
                        }
                    }
                    Err(error) => {
                        tracing::error!(%error, "reading the pairs file failed; stopping");
                        return;
                    }
                }
            }
        });
        Ok(stream::unfold(receiver, |mut receiver| async move {
            receiver.recv().await.map(|pair| (pair, receiver))
        }))
    }

    /// How the input is named in messages.
    fn name(&self, shown_as: &Path) -> String {
        match self.source {
            Source::Path(_) => shown_as.display().to_string(),
            Source::Spool(_) => STANDARD_INPUT.to_owned(),
        }
    }

    /// A reader of the input from its start. Passes over a spool take turns: each one
    /// rewinds the one file they share.
    fn reader(&self, shown: &str) -> Result<Box<dyn Read + Send>, Failure> {
        let cannot = |error: io::Error| Failure::new(format!("cannot read {shown}: {error}"));
        match &self.source {
            Source::Path(path) => Ok(Box::new(File::open(path).map_err(cannot)?)),
            Source::Spool(spool) => {
                let mut file = spool.try_clone().map_err(cannot)?;
                file.rewind().map_err(cannot)?;
                Ok(Box::new(file))
            }
        }
    }
}

const STANDARD_INPUT: &str = "standard input";

/// An unnamed temporary file only its owner may read: `O_TMPFILE` where the system has
/// it (no name ever), otherwise a random name created `O_EXCL` and unlinked at once;
/// mode 0600 either way (`O_TMPFILE` alone would follow the umask).
fn private_spool() -> io::Result<File> {
    let spool = tempfile::tempfile()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        spool.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(spool)
}

/// A reader that writes what it reads to a second place.
struct Copy<R, W> {
    from: R,
    to: W,
}

impl<R: Read, W: io::Write> Read for Copy<R, W> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.from.read(buf)?;
        self.to.write_all(buf.get(..read).unwrap_or_default())?;
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<(String, String)>, String> {
        pairs(text.as_bytes(), "p.csv")
            .map(|pair| pair.map_err(|failure| failure.to_string()))
            .collect()
    }

    fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(from, to)| ((*from).to_owned(), (*to).to_owned()))
            .collect()
    }

    #[test]
    fn pairs_with_a_header_quotes_and_crlf() {
        assert_eq!(
            read("from,to\r\n alice , bob \r\n\"#carol\",\"d,ave\"\r\n"),
            Ok(owned(&[("alice", "bob"), ("#carol", "d,ave")]))
        );
    }

    #[test]
    fn bad_pairs_name_their_line() {
        assert_eq!(
            read("alice,bob\n,bob\n"),
            Err("p.csv:2: the From account is empty".to_owned())
        );
        let long = "x".repeat(33);
        let error = read(&format!("# c\nalice,{long}\n")).expect_err("too long");
        assert!(error.starts_with("p.csv:2: UserID"), "{error}");
        let error = read("alice,\"bob\tx\"\n").expect_err("a tab");
        assert!(error.contains("printable"), "{error}");
        assert!(read("alice,bob,carol\n").is_err());
        let error = read("  # indented, so not a comment\n").expect_err("indented");
        assert!(
            error.starts_with("p.csv:1: `#` starts a comment only"),
            "{error}"
        );
    }

    #[test]
    fn a_copy_holds_every_byte_read() {
        let mut copied = Vec::new();
        let mut copy = Copy {
            from: &b"alice,bob\n"[..],
            to: &mut copied,
        };
        let mut read = Vec::new();
        copy.read_to_end(&mut read).expect("read");
        assert_eq!(read, copied);
    }
}
