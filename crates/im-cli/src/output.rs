//! Printing results: plain words by default, JSON with `--json`.

use serde::Serialize;
use tencent_im::blocklist::{AccountFailure, BlockedAccount, CheckOutcome};
use tencent_im::{ErrorCode, Outcome, Relation};

use crate::Failure;
use crate::checkpoint::{Checkpoint, FailedPair};

/// Prints a value as one line of JSON on standard output.
pub(crate) fn print_json<T: Serialize>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string(value)
        .map_err(|error| Failure::new(format!("cannot encode the output: {error}")))?;
    println!("{text}");
    Ok(())
}

#[derive(Serialize)]
struct FailedAccountJson<'a> {
    account: &'a str,
    code: Option<i64>,
    info: &'a str,
}

#[derive(Serialize)]
struct UpdateJson<'a> {
    succeeded: &'a [String],
    unchanged: &'a [String],
    failed: Vec<FailedAccountJson<'a>>,
}

fn failed_json(failed: &[AccountFailure]) -> Vec<FailedAccountJson<'_>> {
    failed
        .iter()
        .map(|failure| FailedAccountJson {
            account: &failure.account,
            code: failure.code.map(|code| code.0),
            info: &failure.info,
        })
        .collect()
}

/// Describes a failure code in words: `30003 ACCOUNT_NOT_FOUND (The requested ...)`.
pub(crate) fn describe_code(code: Option<ErrorCode>) -> String {
    match code {
        Some(code) => match code.meaning() {
            Some(meaning) => format!("{code} ({meaning})"),
            None => code.to_string(),
        },
        None => "no code".to_owned(),
    }
}

/// Prints the outcome of an add or remove.
pub(crate) fn update(
    outcome: &Outcome,
    json: bool,
    verb: &str,
    unchanged_words: &str,
) -> Result<(), Failure> {
    if json {
        return print_json(&UpdateJson {
            succeeded: &outcome.succeeded,
            unchanged: &outcome.unchanged,
            failed: failed_json(&outcome.failed),
        });
    }
    println!(
        "{} {verb}, {} {unchanged_words}, {} failed",
        outcome.succeeded.len(),
        outcome.unchanged.len(),
        outcome.failed.len()
    );
    print_failures(&outcome.failed);
    Ok(())
}

fn print_failures(failed: &[AccountFailure]) {
    for failure in failed {
        println!(
            "  {}: {} {}",
            failure.account,
            describe_code(failure.code),
            failure.info
        );
    }
}

#[derive(Serialize)]
struct EntryJson<'a> {
    account: &'a str,
    added_at: u64,
}

#[derive(Serialize)]
struct ListJson<'a> {
    entries: Vec<EntryJson<'a>>,
}

/// Prints a blocklist.
pub(crate) fn list(entries: &[BlockedAccount], json: bool) -> Result<(), Failure> {
    if json {
        return print_json(&ListJson {
            entries: entries
                .iter()
                .map(|entry| EntryJson {
                    account: &entry.account,
                    added_at: entry.added_at,
                })
                .collect(),
        });
    }
    for entry in entries {
        println!("{}\tblocked at {}", entry.account, entry.added_at);
    }
    println!("{} blocked account(s)", entries.len());
    Ok(())
}

/// The JSON spelling of a relation.
pub(crate) fn relation_name(relation: Relation) -> &'static str {
    match relation {
        Relation::BothWay => "BothWay",
        Relation::AWithB => "AWithB",
        Relation::BWithA => "BWithA",
        _ => "NO",
    }
}

#[derive(Serialize)]
struct CheckResultJson<'a> {
    account: &'a str,
    relation: Option<&'static str>,
    code: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    info: Option<&'a str>,
}

#[derive(Serialize)]
struct CheckJson<'a> {
    results: Vec<CheckResultJson<'a>>,
}

/// Prints the outcome of a check.
pub(crate) fn check(outcome: &CheckOutcome, from: &str, json: bool) -> Result<(), Failure> {
    if json {
        let mut results: Vec<CheckResultJson<'_>> = outcome
            .results
            .iter()
            .map(|result| CheckResultJson {
                account: &result.account,
                relation: Some(relation_name(result.relation)),
                code: 0,
                info: None,
            })
            .collect();
        results.extend(outcome.failed.iter().map(|failure| CheckResultJson {
            account: &failure.account,
            relation: None,
            code: failure.code.map_or(-1, |code| code.0),
            info: Some(&failure.info),
        }));
        return print_json(&CheckJson { results });
    }
    for result in &outcome.results {
        let words = match result.relation {
            Relation::BothWay => format!("{from} and {} block each other", result.account),
            Relation::AWithB => format!("{from} blocks {}", result.account),
            Relation::BWithA => format!("{} blocks {from}", result.account),
            _ => format!("no block between {from} and {}", result.account),
        };
        println!(
            "{}\t{}\t{words}",
            result.account,
            relation_name(result.relation)
        );
    }
    print_failures(&outcome.failed);
    Ok(())
}

#[derive(Serialize)]
struct ImportJson<'a> {
    pairs: u64,
    succeeded: u64,
    unchanged: u64,
    failed: &'a [FailedPair],
}

/// Prints the totals of an import.
pub(crate) fn import(
    pairs: u64,
    succeeded: u64,
    unchanged: u64,
    failed: &[FailedPair],
    json: bool,
) -> Result<(), Failure> {
    if json {
        return print_json(&ImportJson {
            pairs,
            succeeded,
            unchanged,
            failed,
        });
    }
    println!(
        "{pairs} pairs: {succeeded} blocked, {unchanged} already blocked, {} failed",
        failed.len()
    );
    for failure in failed.iter().take(20) {
        println!(
            "  {},{}: {} {}",
            failure.from,
            failure.account,
            describe_code(failure.code.map(ErrorCode)),
            failure.info
        );
    }
    if failed.len() > 20 {
        println!("  ... and {} more (use --json for all)", failed.len() - 20);
    }
    Ok(())
}

/// An account failure as the import checkpoint keeps it.
pub(crate) fn failed_account(failure: tencent_im::account::AccountFailure) -> FailedPair {
    FailedPair {
        from: String::new(),
        account: failure.account,
        code: failure.code.map(|code| code.0),
        info: failure.info,
    }
}

fn account_failures_json(
    failed: &[tencent_im::account::AccountFailure],
) -> Vec<FailedAccountJson<'_>> {
    failed
        .iter()
        .map(|failure| FailedAccountJson {
            account: &failure.account,
            code: failure.code.map(|code| code.0),
            info: &failure.info,
        })
        .collect()
}

fn print_account_failures(failed: &[tencent_im::account::AccountFailure]) {
    for failure in failed {
        println!(
            "  {}: {} {}",
            failure.account,
            describe_code(failure.code),
            failure.info
        );
    }
}

/// Prints the outcome of an account delete.
pub(crate) fn account_update(
    outcome: &tencent_im::account::Outcome,
    json: bool,
    verb: &str,
    unchanged_words: &str,
) -> Result<(), Failure> {
    if json {
        return print_json(&UpdateJson {
            succeeded: &outcome.succeeded,
            unchanged: &outcome.unchanged,
            failed: account_failures_json(&outcome.failed),
        });
    }
    println!(
        "{} {verb}, {} {unchanged_words}, {} failed",
        outcome.succeeded.len(),
        outcome.unchanged.len(),
        outcome.failed.len()
    );
    print_account_failures(&outcome.failed);
    Ok(())
}

#[derive(Serialize)]
struct AccountStatusJson<'a> {
    account: &'a str,
    status: &'static str,
}

#[derive(Serialize)]
struct AccountCheckJson<'a> {
    results: Vec<AccountStatusJson<'a>>,
    failed: Vec<FailedAccountJson<'a>>,
}

/// Prints the outcome of an account check: each account's status, then the failures.
pub(crate) fn account_check(
    outcome: &tencent_im::account::CheckOutcome,
    json: bool,
) -> Result<(), Failure> {
    if json {
        return print_json(&AccountCheckJson {
            results: outcome
                .results
                .iter()
                .map(|result| AccountStatusJson {
                    account: &result.account,
                    status: result.status.as_str(),
                })
                .collect(),
            failed: account_failures_json(&outcome.failed),
        });
    }
    for result in &outcome.results {
        println!("{}\t{}", result.account, result.status.as_str());
    }
    println!(
        "{} imported, {} not imported, {} failed",
        outcome.imported().count(),
        outcome.not_imported().count(),
        outcome.failed.len()
    );
    print_account_failures(&outcome.failed);
    Ok(())
}

#[derive(Serialize)]
struct AccountImportJson<'a> {
    accounts: u64,
    done: u64,
    succeeded: u64,
    duplicates: u64,
    failed: &'a [FailedPair],
}

/// Prints the totals of an account import.
pub(crate) fn account_import(checkpoint: &Checkpoint, json: bool) -> Result<(), Failure> {
    if json {
        return print_json(&AccountImportJson {
            accounts: checkpoint.total,
            done: checkpoint.done,
            succeeded: checkpoint.succeeded,
            duplicates: checkpoint.duplicates,
            failed: &checkpoint.failed,
        });
    }
    println!(
        "{} accounts: {} imported, {} failed{}",
        checkpoint.done,
        checkpoint.succeeded,
        checkpoint.failed.len(),
        if checkpoint.duplicates > 0 {
            format!(" ({} repeated records skipped)", checkpoint.duplicates)
        } else {
            String::new()
        }
    );
    for failure in checkpoint.failed.iter().take(20) {
        println!(
            "  {}: {} {}",
            failure.account,
            describe_code(failure.code.map(ErrorCode)),
            failure.info
        );
    }
    if checkpoint.failed.len() > 20 {
        println!(
            "  ... and {} more (use --json for all)",
            checkpoint.failed.len() - 20
        );
    }
    Ok(())
}
