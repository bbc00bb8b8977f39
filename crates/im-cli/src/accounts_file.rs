//! The accounts file of `imctl account import`: one `UserID[,Nick[,FaceUrl]]` record per
//! line (CSV, so a nickname with a comma is quoted), read and validated whole before
//! anything is sent.

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;

use tencent_im::account::NewAccount;
use tencent_im::protocol::validate_user_id;

use crate::Failure;

/// The accounts of a file, in file order, without repeats.
#[derive(Debug)]
pub(crate) struct AccountsFile {
    /// The distinct accounts, first occurrence kept.
    pub(crate) accounts: Vec<NewAccount>,
    /// Records naming an account that an earlier record named.
    pub(crate) duplicates: u64,
}

/// Reads `path` (or standard input for `-`); blank lines and `#` comments are skipped.
pub(crate) fn read(path: &Path) -> Result<AccountsFile, Failure> {
    let source: Box<dyn Read> =
        if path == Path::new("-") {
            Box::new(std::io::stdin())
        } else {
            Box::new(std::fs::File::open(path).map_err(|error| {
                Failure::new(format!("cannot read {}: {error}", path.display()))
            })?)
        };
    parse(source, &path.display().to_string())
}

/// Parses records from `source`; `shown_as` names it in errors.
fn parse(source: impl Read, shown_as: &str) -> Result<AccountsFile, Failure> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(source);
    let mut seen = HashSet::new();
    let mut file = AccountsFile {
        accounts: Vec::new(),
        duplicates: 0,
    };
    for record in reader.records() {
        let record = record.map_err(|error| Failure::new(format!("{shown_as}: {error}")))?;
        let line = record.position().map_or(0, csv::Position::line);
        let at = |reason: String| Failure::new(format!("{shown_as}:{line}: {reason}"));
        if record.len() > 3 {
            return Err(at(format!(
                "expected `UserID[,Nick[,FaceUrl]]`, found {} fields",
                record.len()
            )));
        }
        let field = |index: usize| record.get(index).filter(|value| !value.is_empty());
        let Some(user_id) = record.get(0) else {
            continue;
        };
        if record.len() == 1 && user_id.is_empty() {
            continue;
        }
        validate_user_id(user_id).map_err(|error| at(error.to_string()))?;
        if !seen.insert(user_id.to_owned()) {
            file.duplicates += 1;
            continue;
        }
        let mut account = NewAccount::new(user_id);
        if let Some(nick) = field(1) {
            account = account.nick(nick);
        }
        if let Some(face_url) = field(2) {
            account = account.face_url(face_url);
        }
        file.accounts.push(account);
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
        assert!(error.to_string().starts_with("a.csv:2: "), "{error}");
        let error = parse("ok\n\"tab\there\"\n".as_bytes(), "a.csv").expect_err("bad UserID");
        assert!(error.to_string().contains("a.csv:2: "), "{error}");
        assert!(parse(",Nick\n".as_bytes(), "a.csv").is_err());
    }
}
