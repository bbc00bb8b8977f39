//! Reading accounts and pairs from arguments and files, validated before anything is sent.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};

use futures_util::Stream;
use futures_util::stream;
use tencent_im::protocol::validate_user_id as validate_account;
use tokio::io::AsyncBufReadExt as _;

use crate::Failure;
use crate::cli::{AccountIds, Targets};

/// Checks the From account.
pub(crate) fn from_account(from: &str) -> Result<(), Failure> {
    if from.is_empty() {
        return Err(Failure::new("--from is empty"));
    }
    validate_account(from).map_err(|error| Failure::new(format!("invalid --from: {error}")))
}

/// The accounts of `--to` or `--to-file`, each validated; at least one.
pub(crate) fn accounts(target: &Targets) -> Result<Vec<String>, Failure> {
    from_account(&target.from)?;
    let accounts = match &target.to_file {
        Some(path) => read_accounts(path)?,
        None => {
            for account in &target.to {
                validate_account(account)
                    .map_err(|error| Failure::new(format!("invalid --to: {error}")))?;
            }
            target.to.clone()
        }
    };
    if accounts.is_empty() {
        return Err(Failure::new("no accounts given"));
    }
    Ok(accounts)
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
        None => {
            for account in listed {
                validate_account(account)
                    .map_err(|error| Failure::new(format!("invalid {flag}: {error}")))?;
            }
            listed.to_vec()
        }
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

/// Whether a line carries data: not blank and not a `#` comment.
fn data_line(line: &str) -> Option<&str> {
    let line = line.trim();
    (!line.is_empty() && !line.starts_with('#')).then_some(line)
}

fn read_accounts(path: &Path) -> Result<Vec<String>, Failure> {
    let reader: Box<dyn std::io::BufRead> = if path == Path::new("-") {
        Box::new(BufReader::new(std::io::stdin()))
    } else {
        let file = std::fs::File::open(path)
            .map_err(|error| Failure::new(format!("cannot read {}: {error}", path.display())))?;
        Box::new(BufReader::new(file))
    };
    let mut accounts = Vec::new();
    for (index, line) in reader.lines().enumerate() {
        let line =
            line.map_err(|error| Failure::new(format!("cannot read {}: {error}", path.display())))?;
        if let Some(account) = data_line(&line) {
            validate_account(account).map_err(|error| {
                Failure::new(format!("{}:{}: {error}", path.display(), index + 1))
            })?;
            accounts.push(account.to_owned());
        }
    }
    Ok(accounts)
}

/// Parses a `from,to` line; `None` for blank and comment lines.
pub(crate) fn parse_pair(line: &str) -> Result<Option<(String, String)>, String> {
    let Some(line) = data_line(line) else {
        return Ok(None);
    };
    let (from, to) = line
        .split_once(',')
        .ok_or_else(|| "expected `from,to`".to_owned())?;
    let (from, to) = (from.trim(), to.trim());
    if to.contains(',') {
        return Err("expected exactly one comma".to_owned());
    }
    if from.is_empty() {
        return Err("the From account is empty".to_owned());
    }
    validate_account(from).map_err(|error| error.to_string())?;
    validate_account(to).map_err(|error| error.to_string())?;
    Ok(Some((from.to_owned(), to.to_owned())))
}

/// A pairs file ready to stream: standard input is copied to a temporary file first so it
/// can be validated before anything is sent.
pub(crate) struct PairsFile {
    path: PathBuf,
    temporary: bool,
}

impl PairsFile {
    /// Opens `path` (or spools standard input for `-`).
    pub(crate) fn open(path: &Path) -> Result<Self, Failure> {
        if path != Path::new("-") {
            std::fs::metadata(path).map_err(|error| {
                Failure::new(format!("cannot read {}: {error}", path.display()))
            })?;
            return Ok(PairsFile {
                path: path.to_path_buf(),
                temporary: false,
            });
        }
        let spool = std::env::temp_dir().join(format!("imctl-import-{}.csv", std::process::id()));
        let mut file = std::fs::File::create(&spool)
            .map_err(|error| Failure::new(format!("cannot buffer standard input: {error}")))?;
        std::io::copy(&mut std::io::stdin().lock(), &mut file)
            .map_err(|error| Failure::new(format!("cannot read standard input: {error}")))?;
        Ok(PairsFile {
            path: spool,
            temporary: true,
        })
    }

    /// Validates every line; returns the number of pairs.
    pub(crate) fn scan(&self, shown_as: &Path) -> Result<u64, Failure> {
        let file = std::fs::File::open(&self.path).map_err(|error| {
            Failure::new(format!("cannot read {}: {error}", shown_as.display()))
        })?;
        let mut pairs = 0u64;
        for (index, line) in BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|error| {
                Failure::new(format!("cannot read {}: {error}", shown_as.display()))
            })?;
            match parse_pair(&line) {
                Ok(Some(_)) => pairs += 1,
                Ok(None) => {}
                Err(reason) => {
                    return Err(Failure::new(format!(
                        "{}:{}: {reason}",
                        shown_as.display(),
                        index + 1
                    )));
                }
            }
        }
        Ok(pairs)
    }

    /// Streams the pairs after skipping the first `skip` of them.
    pub(crate) async fn stream(
        &self,
        skip: u64,
    ) -> Result<impl Stream<Item = (String, String)> + Send + 'static, Failure> {
        let file = tokio::fs::File::open(&self.path)
            .await
            .map_err(|error| Failure::new(format!("cannot read the pairs file: {error}")))?;
        let lines = tokio::io::BufReader::new(file).lines();
        let pairs = stream::unfold(lines, |mut lines| async move {
            loop {
                match lines.next_line().await {
                    Ok(Some(line)) => {
                        if let Ok(Some(pair)) = parse_pair(&line) {
                            return Some((pair, lines));
                        }
                    }
                    Ok(None) => return None,
                    Err(error) => {
                        tracing::error!(%error, "reading the pairs file failed; stopping");
                        return None;
                    }
                }
            }
        });
        Ok(futures_util::StreamExt::skip(
            pairs,
            usize::try_from(skip).unwrap_or(usize::MAX),
        ))
    }
}

impl Drop for PairsFile {
    fn drop(&mut self) {
        if self.temporary {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_lines() {
        assert_eq!(parse_pair("  # comment"), Ok(None));
        assert_eq!(parse_pair(""), Ok(None));
        assert_eq!(
            parse_pair(" alice , bob "),
            Ok(Some(("alice".to_owned(), "bob".to_owned())))
        );
        assert!(parse_pair("alice").is_err());
        assert!(parse_pair(",bob").is_err());
        assert!(parse_pair("alice,bob,carol").is_err());
        assert!(parse_pair(&format!("alice,{}", "x".repeat(33))).is_err());
    }
}
