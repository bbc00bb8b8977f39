//! The bulk account import at `multiaccount_import`'s 100 calls/s: `imctl account import` of
//! many accounts into the emulator over HTTP, against the floor the rate sets.

use im_protocol::Api;

use crate::suite::ctx::Ctx;
use crate::suite::imctl::{Totals, emulator, imctl};
use crate::suite::inputs::{numbered, write_lines};
use crate::suite::paced::{self, Floor, Pacing, Rounds};
use crate::suite::process::path_str;
use crate::suite::report::Section;
use crate::suite::stats::grouped;

/// `multiaccount_import`'s documented limit, in calls per second.
const RATE: u32 = Api::MultiAccountImport.default_calls_per_second();

/// Accounts one `multiaccount_import` request carries at most.
const ACCOUNTS_PER_REQUEST: usize = Api::MultiAccountImport.max_accounts();

/// Latency the emulator adds before every answer, in milliseconds.
const LATENCY_MS: u32 = 50;

const PACING: Pacing<'static> = Pacing {
    name: "Account import",
    round: "account import",
    unit: "requests",
    rate: RATE,
    done_column: "accounts imported",
};

/// The import of `account_import_accounts` accounts into an emulator that knows none.
pub(crate) fn account_import(ctx: &Ctx) -> Section {
    println!("==> bulk account import at {RATE} calls/s with {LATENCY_MS} ms latency");
    let accounts = ctx.settings.account_import_accounts;
    let requests = accounts.div_ceil(ACCOUNTS_PER_REQUEST);
    let section = Section::new(
        &format!("Bulk account import at {RATE} calls/s"),
        &format!(
            "`imctl account import` (release build, default pacing: {RATE} calls/s for \
             `multiaccount_import`) of {} accounts from a file of one UserID per line, into an \
             emulator that knows none of them. At {ACCOUNTS_PER_REQUEST} accounts per request \
             that is at least {} requests, and the floor is requests / {RATE} = {:.1} s. The \
             emulator runs in its own process with a limit of {RATE} calls in any sliding second \
             (`multiaccount_import`'s documented limit; over it: code 60007) and {LATENCY_MS} ms \
             of latency before every answer. Elapsed is the whole `imctl` process, from start \
             to exit; the calls are the emulator's count.",
            grouped(accounts as f64),
            grouped(requests as f64),
            requests as f64 / f64::from(RATE)
        ),
    );
    match rounds(ctx, section.clone(), accounts) {
        Ok(section) => section,
        Err(error) => section.not_measured(&error, &PACING.figures()),
    }
}

fn rounds(ctx: &Ctx, section: Section, accounts: usize) -> Result<Section, String> {
    let file = ctx.scratch.join("accounts").join("accounts.csv");
    write_lines(&file, numbered("a", accounts))?;
    let client = |url: &str| {
        imctl(ctx, url, ["account", "import", "--file"])
            .arg(path_str(&file))
            .arg("--json")
    };
    let rounds = Rounds {
        emulator: emulator(ctx, RATE, LATENCY_MS),
        client: &client,
        done: |totals: &Totals| totals.succeeded,
        writes: None,
        expected: Some(accounts as u64),
        floor: Floor::Fixed {
            secs: accounts.div_ceil(ACCOUNTS_PER_REQUEST) as f64 / f64::from(RATE),
            work: format!("{} accounts", grouped(accounts as f64)),
        },
    };
    let mut section = paced::measure(ctx, &PACING, &rounds, section)?;
    section.notes.push(format!(
        "Input: `{}` (written by `cargo xtask bench`: `a000000` ... {} accounts, one UserID per \
         line).",
        ctx.show(&file),
        grouped(accounts as f64)
    ));
    Ok(section)
}
