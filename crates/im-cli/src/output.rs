//! Printing results: plain words by default, JSON with `--json`.

use std::path::Path;

use serde::Serialize;
use tencent_im::blocklist::{AccountFailure, BlockedAccount, CheckOutcome, FailureReason};
use tencent_im::{ErrorCode, Outcome, Relation};

use crate::Failure;
use crate::checkpoint::FailedPair;
use crate::export_checkpoint::{ExportCheckpoint, FailedUser};

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
    reason: String,
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
            describe_reason(failure.reason),
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
            code: failure.code().map_or(-1, |code| code.0),
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
            match failure.code {
                Some(code) => describe_code(Some(ErrorCode(code))),
                None => failure.reason.clone(),
            },
            failure.info
        );
    }
    if failed.len() > 20 {
        println!("  ... and {} more (use --json for all)", failed.len() - 20);
    }
    Ok(())
}

/// Text from the network made safe for a terminal: control characters are escaped.
pub(crate) fn terminal_text(text: &str) -> String {
    let mut safe = String::with_capacity(text.len());
    for character in text.chars() {
        if character.is_control() {
            safe.extend(character.escape_default());
        } else {
            safe.push(character);
        }
    }
    safe
}

#[derive(Serialize)]
struct ExportJson<'a> {
    users: u64,
    done: u64,
    exported: u64,
    empty: u64,
    pairs: u64,
    failed: &'a [FailedUser],
    out: Option<String>,
}

/// Prints the totals of an export; `out` is the finished file, `None` when the export
/// stopped before it was complete.
pub(crate) fn export(
    checkpoint: &ExportCheckpoint,
    out: Option<&Path>,
    json: bool,
) -> Result<(), Failure> {
    let failed = &checkpoint.failed;
    if json {
        return print_json(&ExportJson {
            users: checkpoint.users,
            done: checkpoint.done,
            exported: checkpoint.exported,
            empty: checkpoint.empty,
            pairs: checkpoint.pairs,
            failed,
            out: out.map(|path| path.display().to_string()),
        });
    }
    println!(
        "{} of {} users: {} exported ({} with an empty blocklist), {} failed; {} pairs{}",
        checkpoint.done,
        checkpoint.users,
        checkpoint.exported,
        checkpoint.empty,
        failed.len(),
        checkpoint.pairs,
        out.map(|path| format!(" in {}", path.display()))
            .unwrap_or_default()
    );
    for failure in failed.iter().take(20) {
        println!(
            "  {}: {} {}",
            failure.user,
            describe_code(failure.code.map(ErrorCode)),
            terminal_text(&failure.info)
        );
    }
    if failed.len() > 20 {
        println!("  ... and {} more (use --json for all)", failed.len() - 20);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_from_the_network_are_escaped() {
        assert_eq!(terminal_text("plain text"), "plain text");
        assert_eq!(
            terminal_text("evil\u{1b}[2J\r\nnext\u{9b}"),
            "evil\\u{1b}[2J\\r\\nnext\\u{9b}"
        );
    }
}
