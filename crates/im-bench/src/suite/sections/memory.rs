//! Peak memory of `imctl blocklist import` over a large streamed input, against an emulator
//! with no limit and no latency, so the run is bound by CPU.

use im_protocol::Api;

use crate::EmulatorSummary;
use crate::suite::ctx::Ctx;
use crate::suite::imctl::{
    Totals, blocklist_import, emulator_with_accounts, export_line, show_imctl, start_emulator,
};
use crate::suite::inputs::pair_files;
use crate::suite::process;
use crate::suite::report::{Check, Section, Verdict};
use crate::suite::stats::{Series, grouped, mib};

/// Pairs of each user: one full `black_list_add` call.
const PAIRS_PER_USER: usize = Api::BlackListAdd.max_accounts();

/// The most peak memory the headline import may take, in MiB.
const PEAK_TARGET_MIB: f64 = 64.0;

/// `imctl`'s own pacing, high enough not to be what bounds the run.
const IMPORT_OPTIONS: [&str; 2] = ["--rate", "100000"];

/// The imports of `memory_pairs` pairs; the larger one has the target.
pub(crate) fn memory(ctx: &Ctx) -> Section {
    println!("==> peak memory of a streamed import");
    let [small, large] = ctx.settings.memory_pairs;
    let section = Section::new(
        "Peak memory of a streamed bulk import",
        &format!(
            "`imctl blocklist import` of {} and of {} pairs (users with {PAIRS_PER_USER} pairs \
             each, so one full {PAIRS_PER_USER}-account call per user), against an emulator in \
             its own process with no limit and no latency, and `{}` so the run is bound by CPU, \
             not pacing. The file is read as a stream (once to count it, once to import it) and \
             at most 64 calls are in flight, so memory should not grow with the input. Peak RSS \
             is the `imctl` process alone{}; the emulator's state lives in the other process.",
            grouped(small as f64),
            grouped(large as f64),
            IMPORT_OPTIONS.join(" "),
            if ctx.gnu_time {
                ", from `/usr/bin/time -v`"
            } else {
                ", from `VmHWM` in /proc, polled while it runs"
            }
        ),
    );
    let figure = format!(
        "Peak memory of `imctl blocklist import`, {} pairs",
        grouped(large as f64)
    );
    let target = format!("< {PEAK_TARGET_MIB} MiB");
    match rounds(ctx, section.clone(), [small, large], (&figure, &target)) {
        Ok(section) => section,
        Err(error) => section.not_measured(&error, &[(figure, target)]),
    }
}

fn rounds(
    ctx: &Ctx,
    mut section: Section,
    sizes: [usize; 2],
    (figure, target): (&str, &str),
) -> Result<Section, String> {
    let dir = ctx.scratch.join("memory");
    section.header(&[
        "pairs",
        "calls",
        "peak RSS (median)",
        "elapsed (median)",
        "pairs/s (median)",
        "peak RSS per round",
    ]);
    let mut commands = vec![export_line()];
    for size in sizes {
        let froms = size / PAIRS_PER_USER;
        let (pairs, accounts) = pair_files(
            &dir,
            &format!("pairs-{size}"),
            "m",
            froms,
            "n",
            PAIRS_PER_USER,
        )?;
        let emulator = emulator_with_accounts(ctx, 0, 0, &accounts);
        let mut rss = Series::default();
        let mut elapsed = Series::default();
        let mut calls = 0;
        for round in 1..=ctx.settings.slow_rounds {
            let (server, url) = start_emulator(&emulator)?;
            let invocation = blocklist_import(ctx, &url, &pairs, &IMPORT_OPTIONS);
            let output = if ctx.gnu_time {
                process::measure(&invocation, true)?
            } else {
                process::measure_polling_rss(&invocation)?
            };
            let summary = EmulatorSummary::read(&server.finish()?.results)?;
            let blocked = Totals::read(&output.stdout)?.succeeded;
            if blocked != size as u64 {
                return Err(format!(
                    "the import of {size} pairs blocked {blocked}: {}",
                    output.stdout.trim()
                ));
            }
            let kib = output
                .max_rss_kib
                .ok_or("the peak memory could not be read")? as f64;
            calls = summary.calls;
            println!(
                "    memory round {round}: {size} pairs, peak {}, {:.2} s",
                mib(kib),
                output.elapsed.as_secs_f64()
            );
            rss.push(kib);
            elapsed.push(output.elapsed.as_secs_f64());
        }
        let secs = elapsed.median();
        section.row(vec![
            grouped(size as f64),
            grouped(calls as f64),
            mib(rss.median()),
            format!("{secs:.2} s"),
            grouped(size as f64 / secs),
            rss.list(mib),
        ]);
        if size == sizes[1] {
            let peak = rss.median() / 1024.0;
            section.checks.push(Check::new(
                figure,
                format!("{peak:.1} MiB ({} pairs/s)", grouped(size as f64 / secs)),
                target,
                Verdict::of(peak < PEAK_TARGET_MIB),
            ));
        }
        commands.push(format!("{}   # Ctrl-D stops it", ctx.display(&emulator)));
        commands.push(show_imctl(
            ctx,
            &blocklist_import(ctx, "http://127.0.0.1:PORT", &pairs, &IMPORT_OPTIONS),
            Some("/usr/bin/time -v"),
        ));
    }
    section.notes.push(format!(
        "Input: `{}/pairs-N.csv` (written by `cargo xtask bench`: `m000000,n0000` ..., \
         {PAIRS_PER_USER} targets per user).",
        ctx.show(&dir)
    ));
    section.commands = commands;
    Ok(section)
}
