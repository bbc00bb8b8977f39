//! The paced sections (bulk import, export, account import) share one measuring shape: rounds
//! of one `imctl` command against a freshly started emulator that enforces the API's limit,
//! each round's elapsed time compared with the floor the rate sets, and two checks: elapsed ÷
//! floor, and rate-limit rejections. A section says what it runs; this module runs it and
//! writes the table, the checks and the commands.

use std::path::Path;

use super::ctx::Ctx;
use super::imctl::{Totals, export_line, show_imctl, start_emulator};
use super::process::{self, Invocation};
use super::report::{Check, Section, Verdict};
use super::stats::{Series, grouped};
use crate::EmulatorSummary;

/// The most elapsed ÷ floor a paced run may take.
const RATIO_TARGET: f64 = 1.05;

/// How a paced section names its figures.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pacing<'a> {
    /// How its figures start: `Bulk import`, `Export`, `Account import`.
    pub(crate) name: &'a str,
    /// How the progress lines name a round: `import`, `export`, `account import`.
    pub(crate) round: &'a str,
    /// What the floor counts: `calls` or `requests`.
    pub(crate) unit: &'a str,
    /// The API's limit, in calls per second.
    pub(crate) rate: u32,
    /// The table's column for the work done: `pairs blocked`, `accounts imported`, ...
    pub(crate) done_column: &'a str,
}

impl Pacing<'_> {
    fn ratio_figure(&self) -> String {
        format!("{}: elapsed ÷ ({} / {})", self.name, self.unit, self.rate)
    }

    fn rejections_figure(&self) -> String {
        format!("{}: rate-limit rejections", self.name)
    }

    /// The section's figures with their targets, for a section that could not be measured.
    pub(crate) fn figures(&self) -> [(String, String); 2] {
        [
            (self.ratio_figure(), format!("≤ {RATIO_TARGET}")),
            (self.rejections_figure(), "0".to_owned()),
        ]
    }
}

/// The floor a run's elapsed time is compared with.
#[derive(Clone, Debug)]
pub(crate) enum Floor {
    /// The work needs at least `secs` at the rate; `work` says what it is (`2,000 calls`).
    Fixed { secs: f64, work: String },
    /// The calls the emulator counted in each run, over the rate.
    Counted,
}

impl Floor {
    /// The floor of `run`, in seconds.
    fn secs(&self, run: &Run, rate: u32) -> f64 {
        match self {
            Floor::Fixed { secs, .. } => *secs,
            Floor::Counted => run.emulator.calls as f64 / f64::from(rate),
        }
    }
}

/// What the rounds of a paced section run.
pub(crate) struct Rounds<'a> {
    /// The emulator, started afresh for each round.
    pub(crate) emulator: Invocation,
    /// The `imctl` command against the emulator's URL.
    pub(crate) client: &'a dyn Fn(&str) -> Invocation,
    /// The work a run did, from `imctl`'s totals.
    pub(crate) done: fn(&Totals) -> u64,
    /// The file the command writes, removed before each round so that an earlier round's
    /// cannot pass for it.
    pub(crate) writes: Option<&'a Path>,
    /// The work each run must do, when it is known in advance.
    pub(crate) expected: Option<u64>,
    pub(crate) floor: Floor,
}

/// One `imctl` run against a fresh emulator.
#[derive(Clone, Debug)]
pub(crate) struct Run {
    /// The whole `imctl` process, from start to exit, in seconds.
    pub(crate) elapsed: f64,
    pub(crate) emulator: EmulatorSummary,
    pub(crate) done: u64,
}

/// Runs the rounds and writes the table, the checks and the commands into `section`.
pub(crate) fn measure(
    ctx: &Ctx,
    pacing: &Pacing<'_>,
    rounds: &Rounds<'_>,
    mut section: Section,
) -> Result<Section, String> {
    let mut runs = Vec::new();
    for round in 1..=ctx.settings.slow_rounds {
        let run = run_once(rounds)?;
        if let Some(expected) = rounds.expected.filter(|expected| run.done != *expected) {
            return Err(format!(
                "round {round}: {} {} of {expected}",
                pacing.done_column, run.done
            ));
        }
        if run.emulator.calls == 0 {
            return Err(format!("round {round}: the emulator counted no calls"));
        }
        println!(
            "    {} round {round}: {:.2} s for {} calls ({:.3}× the floor), {} rejected, busiest second {}",
            pacing.round,
            run.elapsed,
            run.emulator.calls,
            run.elapsed / rounds.floor.secs(&run, pacing.rate),
            run.emulator.rejected,
            run.emulator.max_calls_1s
        );
        runs.push(run);
    }
    fill(&mut section, pacing, &rounds.floor, &runs);
    section.commands = vec![
        format!(
            "{}   # prints `URL http://127.0.0.1:PORT`; serves until stdin closes (Ctrl-D), then prints its request-log summary",
            ctx.display(&rounds.emulator)
        ),
        export_line(),
        show_imctl(ctx, &(rounds.client)("http://127.0.0.1:PORT"), None),
    ];
    Ok(section)
}

/// One round: a fresh emulator, the `imctl` command against it, and what both report.
fn run_once(rounds: &Rounds<'_>) -> Result<Run, String> {
    if let Some(file) = rounds.writes {
        let _ = std::fs::remove_file(file);
    }
    let (emulator, url) = start_emulator(&rounds.emulator)?;
    let output = process::measure(&(rounds.client)(&url), false)?;
    let summary = EmulatorSummary::read(&emulator.finish()?.results)?;
    Ok(Run {
        elapsed: output.elapsed.as_secs_f64(),
        emulator: summary,
        done: (rounds.done)(&Totals::read(&output.stdout)?),
    })
}

/// The table of the runs, and the two checks: the median elapsed ÷ floor, and the worst
/// round's rejections (with its busiest second).
fn fill(section: &mut Section, pacing: &Pacing<'_>, floor: &Floor, runs: &[Run]) {
    let rate = pacing.rate;
    section.header(&[
        "round",
        "elapsed",
        "elapsed ÷ floor",
        "first to last call ÷ floor",
        "calls",
        pacing.done_column,
        "rate-limit rejections",
        "other failures",
        "most calls in any 1 s",
    ]);
    for (index, run) in runs.iter().enumerate() {
        let secs = floor.secs(run, rate);
        let emulator = &run.emulator;
        section.row(vec![
            (index + 1).to_string(),
            format!("{:.2} s", run.elapsed),
            format!("{:.3}", run.elapsed / secs),
            format!("{:.3}", emulator.call_span_secs / secs),
            grouped(emulator.calls as f64),
            grouped(run.done as f64),
            grouped(emulator.rejected as f64),
            grouped(emulator.other_failures as f64),
            grouped(emulator.max_calls_1s as f64),
        ]);
    }
    let ratio: Series = runs
        .iter()
        .map(|run| run.elapsed / floor.secs(run, rate))
        .collect();
    let ratio = ratio.median();
    let worst = |count: fn(&EmulatorSummary) -> u64| {
        runs.iter()
            .map(|run| count(&run.emulator) as f64)
            .collect::<Series>()
            .max()
    };
    let rejected = worst(|emulator| emulator.rejected);
    let max_window = worst(|emulator| emulator.max_calls_1s);
    let (work, floor_secs) = match floor {
        Floor::Fixed { secs, work } => (work.clone(), *secs),
        Floor::Counted => {
            let calls: Series = runs.iter().map(|run| run.emulator.calls as f64).collect();
            let calls = calls.median();
            (format!("{} calls", grouped(calls)), calls / f64::from(rate))
        }
    };
    let [
        (ratio_figure, ratio_target),
        (rejections_figure, rejections_target),
    ] = pacing.figures();
    section.checks.push(Check::new(
        ratio_figure,
        format!(
            "{ratio:.3} ({:.2} s for {work}; floor {floor_secs:.1} s)",
            ratio * floor_secs
        ),
        ratio_target,
        Verdict::of(ratio <= RATIO_TARGET),
    ));
    section.checks.push(Check::new(
        rejections_figure,
        format!(
            "{} (most calls in any 1 s: {})",
            grouped(rejected),
            grouped(max_window)
        ),
        rejections_target,
        Verdict::of(rejected == 0.0),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    const IMPORT: Pacing<'static> = Pacing {
        name: "Bulk import",
        round: "import",
        unit: "calls",
        rate: 200,
        done_column: "pairs blocked",
    };

    fn run(elapsed: f64, calls: u64, rejected: u64, max_calls_1s: u64) -> Run {
        Run {
            elapsed,
            emulator: EmulatorSummary {
                requests: calls + rejected,
                calls,
                rejected,
                other_failures: 0,
                max_calls_1s,
                call_span_secs: elapsed - 0.1,
                accounts: calls * 5,
            },
            done: calls * 5,
        }
    }

    #[test]
    fn a_fixed_floor_gives_the_table_and_both_checks() {
        let mut section = Section::new("Bulk import at 200 calls/s", "intro");
        let floor = Floor::Fixed {
            secs: 10.0,
            work: "2,000 calls".to_owned(),
        };
        let runs = [
            run(10.63, 2000, 0, 197),
            run(10.46, 2000, 2, 201),
            run(10.82, 2000, 0, 195),
        ];
        fill(&mut section, &IMPORT, &floor, &runs);
        assert_eq!(section.header[5], "pairs blocked");
        assert_eq!(
            section.rows[1],
            [
                "2", "10.46 s", "1.046", "1.036", "2,000", "10,000", "2", "0", "201"
            ]
        );
        let ratio = &section.checks[0];
        assert_eq!(ratio.figure, "Bulk import: elapsed ÷ (calls / 200)");
        assert_eq!(ratio.value, "1.063 (10.63 s for 2,000 calls; floor 10.0 s)");
        assert_eq!(
            (ratio.target.as_str(), ratio.verdict),
            ("≤ 1.05", Verdict::Miss)
        );
        let rejections = &section.checks[1];
        assert_eq!(rejections.figure, "Bulk import: rate-limit rejections");
        assert_eq!(rejections.value, "2 (most calls in any 1 s: 201)");
        assert_eq!(rejections.verdict, Verdict::Miss);
    }

    #[test]
    fn a_counted_floor_follows_the_calls_each_run_made() {
        let export = Pacing {
            name: "Export",
            done_column: "pairs written",
            ..IMPORT
        };
        let mut section = Section::new("Export", "intro");
        let runs = [run(10.2, 2000, 0, 197), run(5.1, 1000, 0, 198)];
        fill(&mut section, &export, &Floor::Counted, &runs);
        assert_eq!(section.rows[0][2], "1.020");
        assert_eq!(section.rows[1][2], "1.020");
        assert_eq!(
            section.checks[0].value,
            "1.020 (7.65 s for 1,500 calls; floor 7.5 s)"
        );
        assert_eq!(section.checks[0].verdict, Verdict::Pass);
        assert_eq!(section.checks[1].value, "0 (most calls in any 1 s: 198)");
        assert_eq!(section.checks[1].verdict, Verdict::Pass);
    }

    #[test]
    fn figures_not_measured_have_the_same_names_and_targets() {
        let [(ratio, ratio_target), (rejections, zero)] = IMPORT.figures();
        assert_eq!(ratio, "Bulk import: elapsed ÷ (calls / 200)");
        assert_eq!((ratio_target.as_str(), zero.as_str()), ("≤ 1.05", "0"));
        assert_eq!(rejections, "Bulk import: rate-limit rejections");
    }
}
