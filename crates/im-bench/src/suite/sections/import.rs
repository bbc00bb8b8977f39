//! The bulk import at the blocklist's 200 calls/s: `imctl blocklist import` into the emulator
//! over HTTP with 50 ms of latency, against the floor the rate sets.

use im_protocol::Api;

use crate::suite::ctx::Ctx;
use crate::suite::imctl::{Totals, blocklist_import, emulator_with_accounts};
use crate::suite::inputs::pair_files;
use crate::suite::paced::{self, Floor, Pacing, Rounds};
use crate::suite::report::Section;
use crate::suite::stats::grouped;

/// Pairs of each user: one call each.
const PAIRS_PER_USER: usize = 5;

/// Latency the emulator adds before every answer, in milliseconds.
const LATENCY_MS: u32 = 50;

/// `black_list_add`'s documented limit, in calls per second.
const RATE: u32 = Api::BlackListAdd.default_calls_per_second();

const PACING: Pacing<'static> = Pacing {
    name: "Bulk import",
    round: "import",
    unit: "calls",
    rate: RATE,
    done_column: "pairs blocked",
};

/// The import of `bulk_calls` users' pairs, one call per user.
pub(crate) fn bulk_import(ctx: &Ctx) -> Section {
    println!("==> bulk import at {RATE} calls/s with {LATENCY_MS} ms latency");
    let calls = ctx.settings.bulk_calls;
    let section = Section::new(
        &format!("Bulk import at {RATE} calls/s"),
        &format!(
            "`imctl blocklist import` (release build, default pacing of {RATE} calls/s per API) \
             of {} pairs: {} users with {PAIRS_PER_USER} pairs each, one call per user, so {} \
             calls whose floor is calls / {RATE} = {:.1} s. The emulator runs in its own process \
             with a limit of {RATE} calls in any sliding second (over it: code 60007) and \
             {LATENCY_MS} ms of latency before every answer. Elapsed is the whole `imctl` \
             process, from start to exit.",
            grouped((calls * PAIRS_PER_USER) as f64),
            grouped(calls as f64),
            grouped(calls as f64),
            calls as f64 / f64::from(RATE)
        ),
    );
    match rounds(ctx, section.clone(), calls) {
        Ok(section) => section,
        Err(error) => section.not_measured(&error, &PACING.figures()),
    }
}

fn rounds(ctx: &Ctx, section: Section, calls: usize) -> Result<Section, String> {
    let dir = ctx.scratch.join("import");
    let (pairs, accounts) = pair_files(&dir, "pairs", "u", calls, "t", PAIRS_PER_USER)?;
    let client = |url: &str| blocklist_import(ctx, url, &pairs, &[]);
    let rounds = Rounds {
        emulator: emulator_with_accounts(ctx, RATE, LATENCY_MS, &accounts),
        client: &client,
        done: |totals: &Totals| totals.succeeded,
        writes: None,
        expected: None,
        floor: Floor::Fixed {
            secs: calls as f64 / f64::from(RATE),
            work: format!("{} calls", grouped(calls as f64)),
        },
    };
    let mut section = paced::measure(ctx, &PACING, &rounds, section)?;
    section.notes.push(format!(
        "Input: `{}` (written by `cargo xtask bench`: `u000000,t0000` ... {} users × {PAIRS_PER_USER} \
         targets) and the accounts the emulator imports first, `{}`.",
        ctx.show(&pairs),
        grouped(calls as f64),
        ctx.show(&accounts)
    ));
    Ok(section)
}
