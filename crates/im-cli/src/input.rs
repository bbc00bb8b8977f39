//! Reading accounts from arguments and files, validated before anything is sent.
//!
//! One trimming rule ([`records::trim`]) for arguments and files. An argument names one
//! account: `--to "bob,carol"` is refused (give `--to bob carol`); a UserID that holds a
//! comma is given in a file, quoted. Files of UserIDs are CSV with one field per record.

use std::path::Path;

use tencent_im::protocol::validate_user_id as validate_account;

use crate::Failure;
use crate::cli::{AccountIds, Targets};
use crate::records::{self, Format, Records, line_error};

pub(crate) use crate::pairs_file::PairsFile;

/// The columns of a file of UserIDs.
const USER_IDS: Format = Format {
    columns: &["UserID"],
    required: 1,
    shape: "one UserID per line",
};

/// The From account, trimmed and checked.
pub(crate) fn from_account(from: &str) -> Result<String, Failure> {
    let from = records::trim(from);
    if from.is_empty() {
        return Err(Failure::new("--from is empty"));
    }
    validate_account(from).map_err(|error| Failure::new(format!("invalid --from: {error}")))?;
    Ok(from.to_owned())
}

/// The From account and the accounts of `--to` or `--to-file`, each validated; at least
/// one account.
pub(crate) fn targets(target: &Targets) -> Result<(String, Vec<String>), Failure> {
    let from = from_account(&target.from)?;
    let accounts = match &target.to_file {
        Some(path) => read_accounts(path)?,
        None => listed_accounts(&target.to, "--to")?,
    };
    if accounts.is_empty() {
        return Err(Failure::new("no accounts given"));
    }
    Ok((from, accounts))
}

/// The users of `--users FILE` (or `-` for standard input) or `--user a b c`, each
/// validated, repeated ones dropped (the first one stays); at least one.
pub(crate) fn users(file: Option<&Path>, listed: &[String]) -> Result<Vec<String>, Failure> {
    named_accounts(file, listed, "--user")
}

/// The accounts of `--id` or `--file`, each validated, repeated ones dropped; at least one.
pub(crate) fn account_ids(args: &AccountIds) -> Result<Vec<String>, Failure> {
    named_accounts(args.file.as_deref(), &args.ids, "--id")
}

/// The accounts of a file (one per line, `-` for standard input) or of the command line
/// (`flag`), each validated, repeated ones dropped (the first one stays); at least one.
fn named_accounts(
    file: Option<&Path>,
    listed: &[String],
    flag: &str,
) -> Result<Vec<String>, Failure> {
    let accounts = match file {
        Some(path) => read_accounts(path)?,
        None => listed_accounts(listed, flag)?,
    };
    let mut seen = std::collections::HashSet::with_capacity(accounts.len());
    let accounts: Vec<String> = accounts
        .into_iter()
        .filter(|account| seen.insert(account.clone()))
        .collect();
    if accounts.is_empty() {
        return Err(Failure::new("no accounts given"));
    }
    Ok(accounts)
}

/// The accounts of repeated arguments of `flag`: trimmed, one account each, validated.
fn listed_accounts(listed: &[String], flag: &str) -> Result<Vec<String>, Failure> {
    listed
        .iter()
        .map(|given| {
            let account = records::trim(given);
            if account.contains(',') {
                return Err(Failure::new(format!(
                    "{flag} {given:?} holds a comma: give one account per argument \
                     ({flag} bob carol); a UserID with a comma goes in a file, quoted"
                )));
            }
            validate_account(account)
                .map_err(|error| Failure::new(format!("invalid {flag}: {error}")))?;
            Ok(account.to_owned())
        })
        .collect()
}

/// The UserIDs of a file (`-` for standard input), one per record; at least one.
fn read_accounts(path: &Path) -> Result<Vec<String>, Failure> {
    let shown = if path == Path::new("-") {
        "standard input".to_owned()
    } else {
        path.display().to_string()
    };
    let accounts = if path == Path::new("-") {
        user_ids(std::io::stdin().lock(), &shown)?
    } else {
        let file = std::fs::File::open(path)
            .map_err(|error| Failure::new(format!("cannot read {shown}: {error}")))?;
        user_ids(file, &shown)?
    };
    if accounts.is_empty() {
        return Err(Failure::new(format!(
            "{shown} names no account (only blank lines, comments or a header)"
        )));
    }
    Ok(accounts)
}

/// The UserIDs of `source`, one per record, each validated.
fn user_ids(source: impl std::io::Read, shown_as: &str) -> Result<Vec<String>, Failure> {
    let mut accounts = Vec::new();
    for record in Records::new(source, USER_IDS, shown_as) {
        let record = record?;
        let line = record.line;
        let Some(account) = record.fields.into_iter().next() else {
            continue;
        };
        validate_account(&account).map_err(|error| line_error(shown_as, line, error))?;
        accounts.push(account);
    }
    Ok(accounts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Result<Vec<String>, String> {
        user_ids(text.as_bytes(), "ids.txt").map_err(|failure| failure.to_string())
    }

    #[test]
    fn files_of_user_ids_read_as_csv() {
        assert_eq!(
            ids("\u{feff}UserID\r\n# comment\r\n  bob \r\n\"b,ob\"\r\n\n\"#vip\"\n"),
            Ok(vec!["bob".to_owned(), "b,ob".to_owned(), "#vip".to_owned()])
        );
        let error = ids("alice\nbob,carol\n").expect_err("two fields");
        assert!(
            error.starts_with("ids.txt:2: expected one UserID per line"),
            "{error}"
        );
        let error = ids(&format!("alice\n{}\n", "x".repeat(33))).expect_err("33 bytes");
        assert!(error.starts_with("ids.txt:2: "), "{error}");
    }

    #[test]
    fn arguments_follow_the_trimming_rule_of_files() {
        let listed = [" bob ".to_owned(), "\tcarol".to_owned()];
        assert_eq!(
            listed_accounts(&listed, "--to").ok(),
            Some(vec!["bob".to_owned(), "carol".to_owned()])
        );
        assert_eq!(from_account(" alice ").ok().as_deref(), Some("alice"));
        assert!(from_account("  ").is_err());
    }

    #[test]
    fn an_argument_with_a_comma_is_refused() {
        let error = listed_accounts(&["bob,carol".to_owned()], "--to").expect_err("a comma");
        assert!(error.to_string().contains("holds a comma"), "{error}");
        assert!(listed_accounts(&[String::new()], "--to").is_err());
    }
}
