//! The bulk account import at 100 calls/s: `imctl account import` of many accounts into
//! the emulator over HTTP, against the floor `multiaccount_import`'s documented limit sets.

use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};

use super::Ctx;
use super::figures::{KEY, SDKAPPID, export_line, path_str, show_import};
use super::process::{self, Background, Invocation, Series, grouped, json_number};
use super::report::{Check, Section, Verdict};

/// `multiaccount_import`'s documented limit, in calls per second.
const ACCOUNT_RATE: f64 = 100.0;

/// Accounts one `multiaccount_import` request carries at most.
const ACCOUNTS_PER_REQUEST: usize = 100;

/// Latency the emulator adds before every answer, in milliseconds.
const LATENCY_MS: u32 = 50;

const RATIO_FIGURE: &str = "Account import: elapsed ÷ (requests / 100)";
const REJECTIONS_FIGURE: &str = "Account import: rate-limit rejections";

/// The import of `account_import_accounts` accounts at 100 calls/s with 50 ms latency.
pub(crate) fn account_import(ctx: &Ctx) -> Section {
    println!("==> bulk account import at 100 calls/s with {LATENCY_MS} ms latency");
    let accounts = ctx.settings.account_import_accounts;
    let requests = accounts.div_ceil(ACCOUNTS_PER_REQUEST);
    let section = Section::new(
        "Bulk account import at 100 calls/s",
        &format!(
            "`imctl account import` (release build, default pacing: 100 calls/s for \
             `multiaccount_import`) of {} accounts from a file of one UserID per line, into an \
             emulator that knows none of them. At {ACCOUNTS_PER_REQUEST} accounts per request \
             that is at least {} requests, and the floor is requests / 100 = {:.1} s. The \
             emulator runs in its own process with a limit of 100 calls in any sliding second \
             (`multiaccount_import`'s documented limit; over it: code 60007) and {LATENCY_MS} ms \
             of latency before every answer. Elapsed is the whole `imctl` process, from start \
             to exit; the calls are the emulator's count.",
            grouped(accounts as f64),
            grouped(requests as f64),
            requests as f64 / ACCOUNT_RATE
        ),
    );
    let figures = [(RATIO_FIGURE, "≤ 1.05"), (REJECTIONS_FIGURE, "0")];
    match import_rounds(ctx, section.clone(), accounts) {
        Ok(section) => section,
        Err(error) => section.not_measured(&error, &figures),
    }
}

/// One import run against a fresh emulator.
struct AccountImportRun {
    elapsed: f64,
    span: f64,
    calls: f64,
    rejected: f64,
    max_window: f64,
    other_failures: f64,
    imported: u64,
}

fn import_rounds(ctx: &Ctx, mut section: Section, accounts: usize) -> Result<Section, String> {
    let dir = ctx.scratch.join("accounts");
    let file = accounts_file(&dir, accounts)?;
    let floor = accounts.div_ceil(ACCOUNTS_PER_REQUEST) as f64 / ACCOUNT_RATE;
    let mut runs = Vec::new();
    for round in 1..=ctx.settings.slow_rounds {
        let mut emulator = Background::start(&emulator_invocation(ctx), "bench-emulator")?;
        let url = emulator.wait_for_line("URL ")?;
        let import = process::measure(&import_invocation(ctx, &url, &file), false)?;
        let summary = emulator.finish()?;
        let run = AccountImportRun {
            elapsed: import.elapsed.as_secs_f64(),
            span: summary.number("call_span_secs")?,
            calls: summary.number("calls")?,
            rejected: summary.number("rejected")?,
            max_window: summary.number("max_calls_1s")?,
            other_failures: summary.number("other_failures")?,
            imported: json_number(&import.stdout, "succeeded").unwrap_or(0),
        };
        if run.imported != accounts as u64 {
            return Err(format!(
                "round {round} imported {} accounts of {accounts}",
                run.imported
            ));
        }
        println!(
            "    account import round {round}: {:.2} s for {} calls ({:.3}× the floor), {} rejected, busiest second {}",
            run.elapsed,
            run.calls,
            run.elapsed / floor,
            run.rejected,
            run.max_window
        );
        runs.push(run);
    }
    section.header(&[
        "round",
        "elapsed",
        "elapsed ÷ floor",
        "first to last call ÷ floor",
        "calls",
        "accounts imported",
        "rate-limit rejections",
        "other failures",
        "most calls in any 1 s",
    ]);
    for (index, run) in runs.iter().enumerate() {
        section.row(vec![
            (index + 1).to_string(),
            format!("{:.2} s", run.elapsed),
            format!("{:.3}", run.elapsed / floor),
            format!("{:.3}", run.span / floor),
            grouped(run.calls),
            grouped(run.imported as f64),
            grouped(run.rejected),
            grouped(run.other_failures),
            grouped(run.max_window),
        ]);
    }
    let ratio = Series(runs.iter().map(|run| run.elapsed / floor).collect()).median();
    let rejected = Series(runs.iter().map(|run| run.rejected).collect()).max();
    let max_window = Series(runs.iter().map(|run| run.max_window).collect()).max();
    section.checks.push(Check::new(
        RATIO_FIGURE,
        format!(
            "{ratio:.3} ({:.2} s for {} accounts; floor {floor:.1} s)",
            ratio * floor,
            grouped(accounts as f64)
        ),
        "≤ 1.05",
        Verdict::of(ratio <= 1.05),
    ));
    section.checks.push(Check::new(
        REJECTIONS_FIGURE,
        format!(
            "{} (most calls in any 1 s: {})",
            grouped(rejected),
            grouped(max_window)
        ),
        "0",
        Verdict::of(rejected == 0.0),
    ));
    section.notes.push(format!(
        "Input: `{}` (written by the xtask: `a000000` ... {} accounts, one UserID per line).",
        ctx.show(&file),
        grouped(accounts as f64)
    ));
    section.commands = vec![
        format!(
            "{}   # prints `URL http://127.0.0.1:PORT`; serves until stdin closes (Ctrl-D), then prints its request-log summary",
            ctx.display(&emulator_invocation(ctx))
        ),
        export_line(),
        show_import(
            ctx,
            &import_invocation(ctx, "http://127.0.0.1:PORT", &file),
            None,
        ),
    ];
    Ok(section)
}

/// Writes the accounts file `a000000` ... of `accounts` lines.
fn accounts_file(dir: &Path, accounts: usize) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir)
        .map_err(|error| format!("cannot create {}: {error}", dir.display()))?;
    let path = dir.join("accounts.csv");
    let file = File::create(&path)
        .map_err(|error| format!("cannot create {}: {error}", path.display()))?;
    let mut writer = BufWriter::new(file);
    (0..accounts)
        .try_for_each(|account| writeln!(writer, "a{account:06}"))
        .and_then(|()| writer.flush())
        .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
    Ok(path)
}

/// `bench-emulator` with no account, limited to 100 calls/s per API, with the latency.
fn emulator_invocation(ctx: &Ctx) -> Invocation {
    Invocation::new(ctx.bin("bench-emulator")).args([
        "--rate".to_owned(),
        (ACCOUNT_RATE as u32).to_string(),
        "--latency-ms".to_owned(),
        LATENCY_MS.to_string(),
    ])
}

/// `imctl account import --file FILE --json` against `url`.
fn import_invocation(ctx: &Ctx, url: &str, file: &Path) -> Invocation {
    Invocation::new(ctx.bin("imctl"))
        .env("TIM_ENDPOINT", url)
        .env("TIM_SDKAPPID", SDKAPPID)
        .env("TIM_SECRET_KEY", KEY)
        .args(["account", "import", "--file"])
        .arg(path_str(file))
        .arg("--json")
}
