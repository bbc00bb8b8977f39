//! CSV records of an input file, read with bounded memory.
//!
//! Every input file of imctl (pairs, accounts, lists of UserIDs) is CSV: fields separated
//! by commas; a field holding a comma, a quote or a line break is written in double quotes
//! (a quote inside doubled); lines end in LF or CRLF; a UTF-8 byte order mark at the start
//! is skipped. On top of CSV, the rules the README documents:
//!
//! - a line whose first character is `#` is a comment; blank lines are skipped; a line of
//!   blanks and then `#` is an error (it would be read as data);
//! - spaces and tabs around a field are removed, quoted or not ([`trim`]); a quoted field
//!   starts with its quote (as in any CSV, `alice, "bob"` reads the quotes as data);
//! - the first record may be a header naming the columns, in any letter case;
//! - a line, or the fields of one record, over [`MAX_RECORD_BYTES`] is an error as soon
//!   as it is met: the reader holds at most that much and its buffer, whatever the input
//!   (`/dev/zero` included).

use std::fmt::Display;
use std::io::{self, BufRead as _, BufReader, Read};

use csv_core::ReadRecordResult;

use crate::Failure;

/// The longest line, and the most field bytes in one record, an input file may have.
pub(crate) const MAX_RECORD_BYTES: usize = 4096;

/// How much of the input is read ahead of the parser.
const BUFFER_BYTES: usize = 8 * 1024;

/// The columns of one kind of input file.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Format {
    /// The column names a header spells (compared without regard to ASCII case); a record
    /// has at most this many fields.
    pub(crate) columns: &'static [&'static str],
    /// How many fields a record has at least.
    pub(crate) required: usize,
    /// The shape of a record, for messages: "`from,to`".
    pub(crate) shape: &'static str,
}

/// One record: its fields, trimmed, and the line it ends on.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Record {
    /// The line (from 1) the record ends on.
    pub(crate) line: u64,
    /// The fields: at least the format's `required`, at most its `columns`.
    pub(crate) fields: Vec<String>,
}

/// Removes the spaces and tabs (any ASCII white space) around an account or a field: the
/// one trimming rule of files and arguments.
pub(crate) fn trim(text: &str) -> &str {
    text.trim_ascii()
}

/// The error of a bad record: `<file>:<line>: <reason>`.
pub(crate) fn line_error(shown_as: &str, line: u64, reason: impl Display) -> Failure {
    Failure::new(format!("{shown_as}:{line}: {reason}"))
}

/// The records of a CSV source, each checked against a [`Format`]; the first error ends
/// the iteration.
pub(crate) struct Records<R> {
    source: BufReader<LineRules<R>>,
    parser: csv_core::Reader,
    format: Format,
    shown_as: String,
    field_bytes: Vec<u8>,
    ends: Vec<usize>,
    /// The line the parser is on.
    line: u64,
    /// No record was returned yet, so the next one may be a header.
    first: bool,
    /// The end or an error was reached.
    finished: bool,
}

impl<R: Read> Records<R> {
    /// Reads `source`; `shown_as` names it in errors.
    pub(crate) fn new(source: R, format: Format, shown_as: impl Into<String>) -> Self {
        let parser = csv_core::ReaderBuilder::new().comment(Some(b'#')).build();
        Records {
            source: BufReader::with_capacity(BUFFER_BYTES, LineRules::new(source)),
            parser,
            format,
            shown_as: shown_as.into(),
            field_bytes: vec![0; MAX_RECORD_BYTES],
            // One more than a record may have, so that a record ending exactly at the
            // limit is not mistaken for one with more fields.
            ends: vec![0; format.columns.len() + 1],
            line: 1,
            first: true,
            finished: false,
        }
    }

    /// The next record as CSV, blank and comment lines skipped; `None` at the end.
    fn read_record(&mut self) -> Result<Option<Record>, Failure> {
        let (mut out_len, mut ends_len) = (0, 0);
        loop {
            let input = match self.source.fill_buf() {
                Ok(input) => input,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(self.read_error(&error)),
            };
            let (result, read, written, ended) = self.parser.read_record(
                input,
                self.field_bytes.get_mut(out_len..).unwrap_or_default(),
                self.ends.get_mut(ends_len..).unwrap_or_default(),
            );
            let consumed = input.get(..read).unwrap_or_default();
            // A record's line is that of its last byte, not of the line break ending it.
            let record_line = match consumed.split_last() {
                Some((b'\n', before)) => self.line + newlines(before),
                _ => self.line + newlines(consumed),
            };
            self.line += newlines(consumed);
            self.source.consume(read);
            out_len += written;
            ends_len += ended;
            match result {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => {
                    return Err(self.error_at(
                        self.line,
                        format_args!("a record is longer than {MAX_RECORD_BYTES} bytes"),
                    ));
                }
                ReadRecordResult::OutputEndsFull => return Err(self.too_many_fields(self.line)),
                ReadRecordResult::Record if ends_len > self.format.columns.len() => {
                    return Err(self.too_many_fields(record_line));
                }
                ReadRecordResult::Record => {
                    let fields = self.fields(out_len, ends_len, record_line)?;
                    return Ok(Some(Record {
                        line: record_line,
                        fields,
                    }));
                }
                ReadRecordResult::End => return Ok(None),
            }
        }
    }

    /// The trimmed fields of the record just read.
    fn fields(&self, out_len: usize, ends_len: usize, line: u64) -> Result<Vec<String>, Failure> {
        let bytes = self.field_bytes.get(..out_len).unwrap_or_default();
        let ends = self.ends.get(..ends_len).unwrap_or_default();
        let mut start = 0;
        ends.iter()
            .map(|&end| {
                let field = bytes.get(start..end).unwrap_or_default();
                start = end;
                std::str::from_utf8(field)
                    .map(|text| trim(text).to_owned())
                    .map_err(|_| self.error_at(line, "not UTF-8 text"))
            })
            .collect()
    }

    fn too_many_fields(&self, line: u64) -> Failure {
        self.error_at(
            line,
            format_args!(
                "expected {}, found more fields (quote a field that holds a comma)",
                self.format.shape
            ),
        )
    }

    fn read_error(&self, error: &io::Error) -> Failure {
        match error
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<LineError>())
        {
            Some(broken) => self.error_at(broken.line(), broken),
            None => Failure::new(format!("cannot read {}: {error}", self.shown_as)),
        }
    }

    fn error_at(&self, line: u64, reason: impl Display) -> Failure {
        line_error(&self.shown_as, line, reason)
    }

    /// Whether `fields` name the format's columns.
    fn is_header(&self, fields: &[String]) -> bool {
        fields.len() >= self.format.required
            && fields
                .iter()
                .zip(self.format.columns)
                .all(|(field, column)| field.eq_ignore_ascii_case(column))
    }
}

impl<R: Read> Iterator for Records<R> {
    type Item = Result<Record, Failure>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.finished {
            let record = match self.read_record() {
                Ok(Some(record)) => record,
                Ok(None) => break,
                Err(failure) => {
                    self.finished = true;
                    return Some(Err(failure));
                }
            };
            if record.fields.len() == 1 && record.fields.iter().all(String::is_empty) {
                continue; // A line of spaces.
            }
            if std::mem::replace(&mut self.first, false) && self.is_header(&record.fields) {
                continue;
            }
            if record.fields.len() < self.format.required {
                self.finished = true;
                return Some(Err(self.error_at(
                    record.line,
                    format_args!(
                        "expected {}, found {} field(s)",
                        self.format.shape,
                        record.fields.len()
                    ),
                )));
            }
            return Some(Ok(record));
        }
        self.finished = true;
        None
    }
}

fn newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&byte| byte == b'\n').count() as u64
}

/// A line that breaks a rule of the reading, met while reading.
#[derive(Debug, thiserror::Error)]
enum LineError {
    /// The line is longer than [`MAX_RECORD_BYTES`].
    #[error("a line is longer than {MAX_RECORD_BYTES} bytes")]
    TooLong { line: u64 },
    /// Blanks and then `#`: neither a comment nor, surely, an account.
    #[error("`#` starts a comment only in the first column (quote a field that starts with `#`)")]
    IndentedComment { line: u64 },
}

impl LineError {
    fn line(&self) -> u64 {
        match self {
            LineError::TooLong { line } | LineError::IndentedComment { line } => *line,
        }
    }
}

/// A reader that checks each line as it goes by: it fails as soon as a line grows past
/// [`MAX_RECORD_BYTES`] (so an endless line, a comment or `/dev/zero`, stops the reading
/// instead of running on), or starts with blanks and then `#`.
struct LineRules<R> {
    inner: R,
    line: u64,
    line_bytes: usize,
    /// Every byte of the line so far was a space or a tab.
    blank_so_far: bool,
}

impl<R> LineRules<R> {
    fn new(inner: R) -> Self {
        LineRules {
            inner,
            line: 1,
            line_bytes: 0,
            blank_so_far: true,
        }
    }

    /// Checks the next piece of the current line.
    fn check(&mut self, segment: &[u8]) -> Result<(), LineError> {
        if self.blank_so_far
            && let Some(at) = segment
                .iter()
                .position(|&byte| byte != b' ' && byte != b'\t')
        {
            self.blank_so_far = false;
            if segment.get(at) == Some(&b'#') && self.line_bytes + at > 0 {
                return Err(LineError::IndentedComment { line: self.line });
            }
        }
        self.line_bytes += segment.len();
        if self.line_bytes > MAX_RECORD_BYTES {
            return Err(LineError::TooLong { line: self.line });
        }
        Ok(())
    }
}

impl<R: Read> Read for LineRules<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        let chunk = buf
            .get(..read)
            .ok_or_else(|| io::Error::other("the reader claimed more bytes than it was given"))?;
        for (index, segment) in chunk.split(|&byte| byte == b'\n').enumerate() {
            if index > 0 {
                self.line += 1;
                self.line_bytes = 0;
                self.blank_so_far = true;
            }
            self.check(segment)
                .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error))?;
        }
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: Format = Format {
        columns: &["from", "to"],
        required: 2,
        shape: "`from,to`",
    };
    const UP_TO_THREE: Format = Format {
        columns: &["UserID", "Nick", "FaceUrl"],
        required: 1,
        shape: "`UserID[,Nick[,FaceUrl]]`",
    };

    fn read(text: &[u8], format: Format) -> Result<Vec<Record>, String> {
        Records::new(text, format, "f.csv")
            .map(|record| record.map_err(|failure| failure.to_string()))
            .collect()
    }

    fn record(line: u64, fields: &[&str]) -> Record {
        Record {
            line,
            fields: fields.iter().map(|field| (*field).to_owned()).collect(),
        }
    }

    #[test]
    fn quotes_crlf_a_bom_comments_blank_lines_and_trimming() {
        let text = b"\xef\xbb\xbf# a comment\r\n\r\n  alice ,\"b,ob\" \r\n\"say \"\"hi\"\"\",carol\n   \n\"#dave\"\t, erin\t";
        assert_eq!(
            read(text, TWO),
            Ok(vec![
                record(3, &["alice", "b,ob"]),
                record(4, &["say \"hi\"", "carol"]),
                record(6, &["#dave", "erin"]),
            ])
        );
    }

    #[test]
    fn a_header_is_skipped_only_first() {
        assert_eq!(
            read(b"# note\nFrom,TO\nfrom,to\n", TWO),
            Ok(vec![record(3, &["from", "to"])])
        );
        assert_eq!(
            read(b"userid,nick\nalice\n", UP_TO_THREE),
            Ok(vec![record(2, &["alice"])])
        );
    }

    #[test]
    fn field_counts_outside_the_format_name_the_line() {
        assert_eq!(
            read(b"alice,bob\nalice\n", TWO),
            Err("f.csv:2: expected `from,to`, found 1 field(s)".to_owned())
        );
        let error = read(b"a,b\nalice,bob,carol\n", TWO).expect_err("three fields");
        assert!(
            error.starts_with("f.csv:2: expected `from,to`, found more fields"),
            "{error}"
        );
    }

    #[test]
    fn a_quoted_field_spans_lines_and_counts_them() {
        assert_eq!(
            read(b"\"multi\nline\",x\nnext,y\n", TWO),
            Ok(vec![
                record(2, &["multi\nline", "x"]),
                record(3, &["next", "y"])
            ])
        );
    }

    #[test]
    fn bytes_that_are_not_utf8_name_the_line() {
        assert_eq!(
            read(b"ok,ok\nbad\xff,x\n", TWO),
            Err("f.csv:2: not UTF-8 text".to_owned())
        );
    }

    #[test]
    fn an_endless_line_fails_within_the_limit() {
        // An endless source: the reader must stop by itself, early.
        let zeros = io::repeat(0).take(u64::MAX);
        let mut records = Records::new(zeros, TWO, "/dev/zero");
        let error = records.next().expect("an item").expect_err("too long");
        assert_eq!(
            error.to_string(),
            format!("/dev/zero:1: a line is longer than {MAX_RECORD_BYTES} bytes")
        );
        assert!(records.next().is_none());
    }

    #[test]
    fn an_endless_comment_fails_too() {
        let source = io::Cursor::new(b"a,b\n#".to_vec()).chain(io::repeat(b'x').take(u64::MAX));
        let error = Records::new(source, TWO, "f.csv")
            .find_map(Result::err)
            .expect("an error");
        assert!(error.to_string().starts_with("f.csv:2: a line is longer"));
    }

    #[test]
    fn a_record_of_many_short_lines_fails_past_the_limit() {
        // An unclosed quote turns every following line into one field.
        let source = io::Cursor::new(b"\"".to_vec()).chain(io::Cursor::new(b"a\n".repeat(1 << 20)));
        let error = Records::new(source, TWO, "f.csv")
            .find_map(Result::err)
            .expect("an error");
        assert!(
            error
                .to_string()
                .contains(&format!("a record is longer than {MAX_RECORD_BYTES} bytes")),
            "{error}"
        );
    }

    #[test]
    fn an_indented_comment_is_an_error_not_data() {
        assert_eq!(
            read(b"a,b\n  # note, with a comma\n", TWO),
            Err("f.csv:2: `#` starts a comment only in the first column (quote a field that starts with `#`)".to_owned())
        );
        let split = io::Cursor::new(b"a,b\n \t".to_vec()).chain(&b"  #x,y\n"[..]);
        assert!(Records::new(split, TWO, "f.csv").any(|record| record.is_err()));
        assert_eq!(read(b"\"#x\",y\n", TWO), Ok(vec![record(1, &["#x", "y"])]));
    }

    #[test]
    fn a_line_at_the_limit_is_read() {
        let long = "x".repeat(MAX_RECORD_BYTES - 2);
        let text = format!("{long},y\n");
        let records = read(text.as_bytes(), TWO).expect("at the limit");
        assert_eq!(records.len(), 1);
        let text = format!("{long}x,yz\n");
        assert!(read(text.as_bytes(), TWO).is_err());
    }
}
