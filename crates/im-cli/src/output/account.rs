//! Printing the results of `imctl account`.

use serde::Serialize;
use tencent_im::account::{AccountFailure, CheckOutcome};

use super::{
    FailedAccountJson, describe_reason, failed_json, print_failures, print_json, terminal_text,
};
use crate::Failure;
use crate::checkpoint::{AccountImportState, FailedPair, is_settled};

/// An account failure as the import checkpoint keeps it.
pub(crate) fn failed_account(failure: AccountFailure) -> FailedPair {
    FailedPair {
        from: String::new(),
        account: failure.account,
        code: failure.reason.code().map(|code| code.0),
        reason: describe_reason(failure.reason),
        info: failure.info,
        settled: is_settled(failure.reason),
    }
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
pub(crate) fn account_check(outcome: &CheckOutcome, json: bool) -> Result<(), Failure> {
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
            failed: failed_json(&outcome.failed),
        });
    }
    for result in &outcome.results {
        println!(
            "{}\t{}",
            terminal_text(&result.account),
            result.status.as_str()
        );
    }
    println!(
        "{} imported, {} not imported, {} failed",
        outcome.imported().count(),
        outcome.not_imported().count(),
        outcome.failed.len()
    );
    print_failures(&outcome.failed);
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

/// Prints the totals of an import of `total` accounts.
pub(crate) fn account_import(
    total: u64,
    checkpoint: &AccountImportState,
    json: bool,
) -> Result<(), Failure> {
    if json {
        return print_json(&AccountImportJson {
            accounts: total,
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
    super::print_failed_pairs(&checkpoint.failed, |failure| failure.account.clone());
    Ok(())
}
