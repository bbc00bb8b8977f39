//! Printing results: plain words by default, JSON with `--json`.

use serde::Serialize;
use tencent_im::blocklist::{AccountFailure, BlockedAccount, CheckOutcome, FailureReason};
use tencent_im::{ErrorCode, Outcome, Relation};

use crate::Failure;
use crate::checkpoint::FailedPair;

mod account;
mod export;
mod terminal;
mod webhook;

pub(crate) use account::{account_check, account_import, failed_account};
pub(crate) use export::export;
pub(crate) use terminal::{escape_controls, log_writer, terminal_text};
pub(crate) use webhook::{event_line, rejection_line};

/// Prints a value as one line of JSON on standard output.
pub(crate) fn print_json<T: Serialize>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string(value)
        .map_err(|error| Failure::new(format!("cannot encode the output: {error}")))?;
    println!("{text}");
    Ok(())
}

#[derive(Serialize)]
pub(crate) struct FailedAccountJson<'a> {
    account: &'a str,
    code: Option<i64>,
    reason: String,
    info: &'a str,
}

#[derive(Serialize)]
struct UpdateJson<'a> {
    succeeded: &'a [String],
    unchanged: &'a [String],
    failed: Vec<FailedAccountJson<'a>>,
}

pub(crate) fn failed_json(failed: &[AccountFailure]) -> Vec<FailedAccountJson<'_>> {
    failed
        .iter()
        .map(|failure| FailedAccountJson {
            account: &failure.account,
            code: failure.code().map(|code| code.0),
            reason: failure.reason.to_string(),
            info: &failure.info,
        })
        .collect()
}

/// Describes why an account failed: its code in words when the service gave one (also
/// the code of the request that carried it), otherwise the typed reason.
pub(crate) fn describe_reason(reason: FailureReason) -> String {
    match reason {
        FailureReason::Code(code) => describe_code(Some(code)),
        other => match other.code() {
            Some(code) => format!("{other} ({})", describe_code(Some(code))),
            None => other.to_string(),
        },
    }
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

/// Prints the outcome of a write: a blocklist add or remove, an account delete.
pub(crate) fn update(
    outcome: &Outcome,
    json: bool,
    verb: &str,
    unchanged_words: &str,
) -> Result<(), Failure> {
    let (succeeded, unchanged, failed) = (&outcome.succeeded, &outcome.unchanged, &outcome.failed);
    if json {
        return print_json(&UpdateJson {
            succeeded,
            unchanged,
            failed: failed_json(failed),
        });
    }
    println!(
        "{} {verb}, {} {unchanged_words}, {} failed",
        succeeded.len(),
        unchanged.len(),
        failed.len()
    );
    print_failures(failed);
    Ok(())
}

pub(crate) fn print_failures(failed: &[AccountFailure]) {
    for failure in failed {
        println!(
            "  {}: {} {}",
            terminal_text(&failure.account),
            terminal_text(&describe_reason(failure.reason)),
            terminal_text(&failure.info)
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
        println!(
            "{}\tblocked at {}",
            terminal_text(&entry.account),
            entry.added_at
        );
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
            code: failure.code().map_or(-1, |code| code.0),
            info: Some(&failure.info),
        }));
        return print_json(&CheckJson { results });
    }
    for result in &outcome.results {
        println!("{}", check_line(from, &result.account, result.relation));
    }
    print_failures(&outcome.failed);
    Ok(())
}

/// One account's relation in words: `bob<TAB>AWithB<TAB>alice blocks bob`, names escaped.
fn check_line(from: &str, account: &str, relation: Relation) -> String {
    let (from, account) = (terminal_text(from), terminal_text(account));
    let words = match relation {
        Relation::BothWay => format!("{from} and {account} block each other"),
        Relation::AWithB => format!("{from} blocks {account}"),
        Relation::BWithA => format!("{account} blocks {from}"),
        _ => format!("no block between {from} and {account}"),
    };
    format!("{account}\t{}\t{words}", relation_name(relation))
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
    print_failed_pairs(failed, |failure| {
        format!("{},{}", failure.from, failure.account)
    });
    Ok(())
}

/// Prints the first 20 failures of an import, each named by `name`.
pub(crate) fn print_failed_pairs(failed: &[FailedPair], name: impl Fn(&FailedPair) -> String) {
    for failure in failed.iter().take(20) {
        // Checkpoints written before reasons were kept have the code only.
        let why = if failure.reason.is_empty() {
            describe_code(failure.code.map(ErrorCode))
        } else {
            failure.reason.clone()
        };
        println!(
            "  {}: {} {}",
            terminal_text(&name(failure)),
            terminal_text(&why),
            terminal_text(&failure.info)
        );
    }
    if failed.len() > 20 {
        println!("  ... and {} more (use --json for all)", failed.len() - 20);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_line_escapes_the_names() {
        assert_eq!(
            check_line("alice", "bob", Relation::AWithB),
            "bob\tAWithB\talice blocks bob"
        );
        assert_eq!(
            check_line("alice", "b\nob", Relation::BWithA),
            "b\\nob\tBWithA\tb\\nob blocks alice"
        );
    }
}
