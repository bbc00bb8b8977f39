//! The blocklist export at `black_list_get`'s 200 calls/s: `imctl blocklist export` of many
//! users' blocklists from the emulator over HTTP, against the floor the rate sets.

use std::path::Path;

use im_protocol::Api;

use crate::suite::ctx::Ctx;
use crate::suite::imctl::{Totals, emulator_with_accounts, imctl};
use crate::suite::inputs::{numbered, pair_files, write_lines};
use crate::suite::paced::{self, Floor, Pacing, Rounds};
use crate::suite::process::{Invocation, path_str};
use crate::suite::report::Section;
use crate::suite::stats::grouped;

/// Entries in each exported user's blocklist.
const ENTRIES_PER_USER: usize = 5;

/// Latency the emulator adds before every answer, in milliseconds.
const LATENCY_MS: u32 = 50;

/// `black_list_get`'s documented limit, in calls per second.
const RATE: u32 = Api::BlackListGet.default_calls_per_second();

const PACING: Pacing<'static> = Pacing {
    name: "Export",
    round: "export",
    unit: "calls",
    rate: RATE,
    done_column: "pairs written",
};

/// The export of `export_users` users' blocklists.
pub(crate) fn export(ctx: &Ctx) -> Section {
    println!("==> blocklist export at {RATE} calls/s with {LATENCY_MS} ms latency");
    let users = ctx.settings.export_users;
    let section = Section::new(
        &format!("Blocklist export at {RATE} calls/s"),
        &format!(
            "`imctl blocklist export` (release build, default pacing of {RATE} calls/s per API) of \
             {} users' blocklists of {ENTRIES_PER_USER} entries each, {} pairs in all, written to \
             a pairs file. Each user's list fits one page of `black_list_get`, so the export \
             makes at least {} calls, and the floor is calls / {RATE} = {:.1} s. The emulator \
             runs in its own process with a limit of {RATE} calls in any sliding second (over \
             it: code 60007) and {LATENCY_MS} ms of latency before every answer. Elapsed is the \
             whole `imctl` process, from start to exit; the calls are the emulator's count.",
            grouped(users as f64),
            grouped((users * ENTRIES_PER_USER) as f64),
            grouped(users as f64),
            users as f64 / f64::from(RATE)
        ),
    );
    match rounds(ctx, section.clone(), users) {
        Ok(section) => section,
        Err(error) => section.not_measured(&error, &PACING.figures()),
    }
}

fn rounds(ctx: &Ctx, section: Section, users: usize) -> Result<Section, String> {
    let dir = ctx.scratch.join("export");
    let (pairs, accounts) = pair_files(&dir, "held", "u", users, "t", ENTRIES_PER_USER)?;
    let users_file = dir.join("users.txt");
    write_lines(&users_file, numbered("u", users))?;
    let out = dir.join("exported.csv");
    let client = |url: &str| export_invocation(ctx, url, &users_file, &out);
    let rounds = Rounds {
        emulator: emulator_with_accounts(ctx, RATE, LATENCY_MS, &accounts)
            .arg("--blocks")
            .arg(path_str(&pairs)),
        client: &client,
        done: |totals: &Totals| totals.pairs,
        writes: Some(&out),
        expected: Some((users * ENTRIES_PER_USER) as u64),
        floor: Floor::Counted,
    };
    let mut section = paced::measure(ctx, &PACING, &rounds, section)?;
    section.notes.push(format!(
        "Input: `{}` (written by `cargo xtask bench`: `u000000` ... {} users), the pairs the \
         emulator blocks first, `{}`, and the accounts it imports first, `{}`.",
        ctx.show(&users_file),
        grouped(users as f64),
        ctx.show(&pairs),
        ctx.show(&accounts)
    ));
    Ok(section)
}

/// `imctl blocklist export --users FILE --out OUT --json` against `url`.
fn export_invocation(ctx: &Ctx, url: &str, users: &Path, out: &Path) -> Invocation {
    imctl(ctx, url, ["blocklist", "export", "--users"])
        .arg(path_str(users))
        .arg("--out")
        .arg(path_str(out))
        .arg("--json")
}
