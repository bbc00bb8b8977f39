//! The accounts file of `imctl account import`: one `UserID[,Nick[,FaceUrl]]` record per
//! line (CSV, see [`crate::records`]: a nickname with a comma is quoted), read and
//! validated whole before anything is sent.

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;

use tencent_im::account::NewAccount;
use tencent_im::protocol::validate_user_id;

use crate::Failure;
use crate::records::{Format, Records, line_error};

/// The columns of an accounts file.
const ACCOUNTS: Format = Format {
    columns: &["UserID", "Nick", "FaceUrl"],
    required: 1,
    shape: "`UserID[,Nick[,FaceUrl]]`",
};

/// The accounts of a file, in file order, without repeats.
#[derive(Debug)]
pub(crate) struct AccountsFile {
    /// The distinct accounts, first occurrence kept.
    pub(crate) accounts: Vec<NewAccount>,
    /// Records naming an account that an earlier record named.
    pub(crate) duplicates: u64,
}

/// Reads `path` (or standard input for `-`).
pub(crate) fn read(path: &Path) -> Result<AccountsFile, Failure> {
    if path == Path::new("-") {
        return parse(std::io::stdin().lock(), "standard input");
    }
    let file = std::fs::File::open(path)
        .map_err(|error| Failure::new(format!("cannot read {}: {error}", path.display())))?;
    parse(file, &path.display().to_string())
}

/// Parses records from `source`; `shown_as` names it in errors.
fn parse(source: impl Read, shown_as: &str) -> Result<AccountsFile, Failure> {
    let mut seen = HashSet::new();
    let mut file = AccountsFile {
        accounts: Vec::new(),
        duplicates: 0,
    };
    for record in Records::new(source, ACCOUNTS, shown_as) {
        let record = record?;
        let line = record.line;
        let mut fields = record.fields.into_iter();
        let user_id = fields.next().unwrap_or_default();
        validate_user_id(&user_id).map_err(|error| line_error(shown_as, line, error))?;
        if !seen.insert(user_id.clone()) {
            file.duplicates += 1;
            continue;
        }
        let mut account = NewAccount::new(user_id);
        if let Some(nick) = fields.next().filter(|nick| !nick.is_empty()) {
            account = account.nick(nick);
        }
        if let Some(face_url) = fields.next().filter(|url| !url.is_empty()) {
            account = account.face_url(face_url);
        }
        file.accounts.push(account);
    }
    if file.accounts.is_empty() {
        return Err(Failure::new(format!(
            "{shown_as} names no account (only blank lines, comments or a header)"
        )));
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_with_optional_fields_quotes_comments_and_repeats() {
        let text = "# UserID,Nick,FaceUrl\nalice\n\n bob , Bob \"B\" \n\"carol\",\"Smith, Carol\",https://example.com/c.png\nalice,Again\n";
        let file = parse(text.as_bytes(), "accounts.csv").expect("valid");
        assert_eq!(
            file.accounts,
            [
                NewAccount::new("alice"),
                NewAccount::new("bob").nick("Bob \"B\""),
                NewAccount::new("carol")
                    .nick("Smith, Carol")
                    .face_url("https://example.com/c.png"),
            ]
        );
        assert_eq!(file.duplicates, 1);
    }

    #[test]
    fn a_bad_record_names_its_line() {
        let error = parse("alice\nbob,B,u,extra\n".as_bytes(), "a.csv").expect_err("4 fields");
        assert!(
            error.to_string().contains("`UserID[,Nick[,FaceUrl]]`"),
            "{error}"
        );
        assert!(error.to_string().starts_with("a.csv:2: "), "{error}");
        let error = parse("ok\n\"tab\there\"\n".as_bytes(), "a.csv").expect_err("bad UserID");
        assert!(error.to_string().contains("a.csv:2: "), "{error}");
        assert!(parse(",Nick\n".as_bytes(), "a.csv").is_err());
        let error = parse("# only a comment\n\nUserID\n".as_bytes(), "a.csv").expect_err("empty");
        assert_eq!(
            error.to_string(),
            "a.csv names no account (only blank lines, comments or a header)"
        );
    }

    #[test]
    fn a_header_a_bom_and_crlf() {
        let text = "\u{feff}UserID,Nick,FaceUrl\r\nalice,\"Alice, A.\"\r\n\"#vip\"\r\n";
        let file = parse(text.as_bytes(), "a.csv").expect("valid");
        assert_eq!(
            file.accounts,
            [
                NewAccount::new("alice").nick("Alice, A."),
                NewAccount::new("#vip")
            ]
        );
    }

    #[test]
    fn a_line_over_the_limit_fails_at_once() {
        let endless = std::io::repeat(b'x');
        let error = parse(endless, "/dev/zero").expect_err("too long");
        assert!(
            error
                .to_string()
                .starts_with("/dev/zero:1: a line is longer"),
            "{error}"
        );
    }
}
