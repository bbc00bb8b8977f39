//! The blocklist export at 200 calls/s: `imctl blocklist export` of many users' blocklists
//! from the emulator over HTTP, against the floor the rate limit sets.

use std::path::{Path, PathBuf};

use super::Ctx;
use super::figures::{
    KEY, RATE, SDKAPPID, emulator_invocation, export_line, pair_files, path_str, show_import,
};
use super::process::{self, Background, Invocation, Series, grouped, json_number};
use super::report::{Check, Section, Verdict};

/// Entries in each exported user's blocklist.
const ENTRIES_PER_USER: usize = 5;

/// Latency the emulator adds before every answer, in milliseconds.
const LATENCY_MS: u32 = 50;

const RATIO_FIGURE: &str = "Export: elapsed ÷ (calls / 200)";
const REJECTIONS_FIGURE: &str = "Export: rate-limit rejections";

/// The export of `export_users` users' blocklists at 200 calls/s with 50 ms latency.
pub(crate) fn export(ctx: &Ctx) -> Section {
    println!("==> blocklist export at 200 calls/s with {LATENCY_MS} ms latency");
    let users = ctx.settings.export_users;
    let section = Section::new(
        "Blocklist export at 200 calls/s",
        &format!(
            "`imctl blocklist export` (release build, default pacing of 200 calls/s per API) of \
             {} users' blocklists of {ENTRIES_PER_USER} entries each, {} pairs in all, written to \
             a pairs file. Each user's list fits one page of `black_list_get`, so the export \
             makes at least {} calls, and the floor is calls / 200 = {:.1} s. The emulator runs \
             in its own process with a limit of 200 calls in any sliding second (over it: code \
             60007) and {LATENCY_MS} ms of latency before every answer. Elapsed is the whole \
             `imctl` process, from start to exit; the calls are the emulator's count.",
            grouped(users as f64),
            grouped((users * ENTRIES_PER_USER) as f64),
            grouped(users as f64),
            users as f64 / RATE
        ),
    );
    let figures = [(RATIO_FIGURE, "≤ 1.05"), (REJECTIONS_FIGURE, "0")];
    match export_rounds(ctx, section.clone(), users) {
        Ok(section) => section,
        Err(error) => section.not_measured(&error, &figures),
    }
}

/// One export run against a fresh emulator.
struct ExportRun {
    elapsed: f64,
    span: f64,
    calls: f64,
    rejected: f64,
    max_window: f64,
    other_failures: f64,
    pairs: u64,
}

impl ExportRun {
    /// Elapsed over the floor the calls the emulator counted set at 200 calls/s.
    fn ratio(&self) -> f64 {
        self.elapsed / (self.calls / RATE)
    }
}

fn export_rounds(ctx: &Ctx, mut section: Section, users: usize) -> Result<Section, String> {
    let dir = ctx.scratch.join("export");
    let (pairs, accounts) = pair_files(&dir, "held", "u", users, "t", ENTRIES_PER_USER)?;
    let users_file = users_file(&dir, users)?;
    let out = dir.join("exported.csv");
    let mut runs = Vec::new();
    for round in 1..=ctx.settings.slow_rounds {
        let _ = std::fs::remove_file(&out);
        let mut emulator = Background::start(
            &emulator_with_blocks(ctx, &accounts, &pairs),
            "bench-emulator",
        )?;
        let url = emulator.wait_for_line("URL ")?;
        let export = process::measure(&export_invocation(ctx, &url, &users_file, &out), false)?;
        let summary = emulator.finish()?;
        let run = ExportRun {
            elapsed: export.elapsed.as_secs_f64(),
            span: summary.number("call_span_secs")?,
            calls: summary.number("calls")?,
            rejected: summary.number("rejected")?,
            max_window: summary.number("max_calls_1s")?,
            other_failures: summary.number("other_failures")?,
            pairs: json_number(&export.stdout, "pairs").unwrap_or(0),
        };
        let expected = (users * ENTRIES_PER_USER) as u64;
        if run.pairs != expected || run.calls < 1.0 {
            return Err(format!(
                "round {round} exported {} pairs of {expected} in {} calls",
                run.pairs, run.calls
            ));
        }
        println!(
            "    export round {round}: {:.2} s for {} calls ({:.3}× the floor), {} rejected, busiest second {}",
            run.elapsed,
            run.calls,
            run.ratio(),
            run.rejected,
            run.max_window
        );
        runs.push(run);
    }
    section.header(&[
        "round",
        "elapsed",
        "calls",
        "elapsed ÷ floor",
        "first to last call ÷ floor",
        "pairs written",
        "rate-limit rejections",
        "other failures",
        "most calls in any 1 s",
    ]);
    for (index, run) in runs.iter().enumerate() {
        let floor = run.calls / RATE;
        section.row(vec![
            (index + 1).to_string(),
            format!("{:.2} s", run.elapsed),
            grouped(run.calls),
            format!("{:.3}", run.ratio()),
            format!("{:.3}", run.span / floor),
            grouped(run.pairs as f64),
            grouped(run.rejected),
            grouped(run.other_failures),
            grouped(run.max_window),
        ]);
    }
    let ratio = Series(runs.iter().map(ExportRun::ratio).collect()).median();
    let calls = Series(runs.iter().map(|run| run.calls).collect()).median();
    let rejected = Series(runs.iter().map(|run| run.rejected).collect()).max();
    let max_window = Series(runs.iter().map(|run| run.max_window).collect()).max();
    section.checks.push(Check::new(
        RATIO_FIGURE,
        format!(
            "{ratio:.3} ({:.2} s for {} calls; floor {:.1} s)",
            ratio * calls / RATE,
            grouped(calls),
            calls / RATE
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
        "Input: `{}` (written by the xtask: `u000000` ... {} users), the pairs the emulator \
         blocks first, `{}`, and the accounts it imports first, `{}`.",
        ctx.show(&users_file),
        grouped(users as f64),
        ctx.show(&pairs),
        ctx.show(&accounts)
    ));
    section.commands = vec![
        format!(
            "{}   # prints `URL http://127.0.0.1:PORT`; serves until stdin closes (Ctrl-D), then prints its request-log summary",
            ctx.display(&emulator_with_blocks(ctx, &accounts, &pairs))
        ),
        export_line(),
        show_import(
            ctx,
            &export_invocation(ctx, "http://127.0.0.1:PORT", &users_file, &out),
            None,
        ),
    ];
    Ok(section)
}

/// Writes the file naming the users `u000000` ... whose blocklists are exported.
fn users_file(dir: &Path, users: usize) -> Result<PathBuf, String> {
    let path = dir.join("users.txt");
    let text: String = (0..users).map(|user| format!("u{user:06}\n")).collect();
    std::fs::write(&path, text)
        .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
    Ok(path)
}

/// `bench-emulator` knowing `accounts` and holding the blocks of `pairs`.
fn emulator_with_blocks(ctx: &Ctx, accounts: &Path, pairs: &Path) -> Invocation {
    emulator_invocation(ctx, 200, LATENCY_MS, accounts)
        .arg("--blocks")
        .arg(path_str(pairs))
}

/// `imctl blocklist export --users FILE --out OUT --json` against `url`.
fn export_invocation(ctx: &Ctx, url: &str, users: &Path, out: &Path) -> Invocation {
    Invocation::new(ctx.bin("imctl"))
        .env("TIM_ENDPOINT", url)
        .env("TIM_SDKAPPID", SDKAPPID)
        .env("TIM_SECRET_KEY", KEY)
        .args(["blocklist", "export", "--users"])
        .arg(path_str(users))
        .arg("--out")
        .arg(path_str(out))
        .arg("--json")
}
