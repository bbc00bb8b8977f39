//! Printing the totals of `imctl blocklist export`.

use std::path::Path;

use serde::Serialize;
use tencent_im::ErrorCode;

use super::{describe_code, print_json, terminal_text};
use crate::Failure;
use crate::export_checkpoint::{ExportCheckpoint, FailedUser};

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
            terminal_text(&failure.user),
            describe_code(failure.code.map(ErrorCode)),
            terminal_text(&failure.info)
        );
    }
    if failed.len() > 20 {
        println!("  ... and {} more (use --json for all)", failed.len() - 20);
    }
    Ok(())
}
