//! The runner of `cargo xtask bench` (the `bench-report` program): measures the SDK side by
//! side with the official libraries and writes `docs/benchmarks.md`.
//!
//! It runs the release binaries beside it (`imctl` and the measuring programs of this crate:
//! `cargo build --release -p im-bench -p im-cli`, which `cargo xtask bench` runs first),
//! installs the official Python and Node UserSig libraries into a scratch folder under the
//! cargo target directory (saying so, and going on without them, when they cannot be
//! installed), runs every measurement in interleaved rounds, one process per measurement, and
//! writes the figures with their targets, the machine, and the commands that reproduce them.
//!
//! - `cargo xtask bench`: the full run; writes `docs/benchmarks.md`.
//! - `cargo xtask bench --quick`: fewer rounds and smaller sizes; writes
//!   `<target>/bench-scratch/benchmarks.md` instead, so a quick run never replaces the
//!   published figures.
//! - `--only usersig,cpu,overhead,import,export,accounts,memory,redis`: only those sections
//!   (also written to the scratch folder).
//!
//! One module per section of the report (`sections/`); the short measurements share the
//! interleaved rounds of `contenders.rs`, the paced ones (import, export, account import) the
//! rounds against a fresh emulator of `paced.rs`.

mod background;
mod contenders;
mod ctx;
mod imctl;
mod inputs;
mod machine;
mod paced;
mod plan;
mod process;
mod report;
mod sections;
mod setup;
mod stats;

use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::BenchError;
use ctx::Ctx;
use machine::Machine;
use plan::Plan;
use report::{Report, Section};

/// Runs the suite with the command line `args` (without the program's name).
pub fn run(args: impl IntoIterator<Item = String>) -> Result<(), BenchError> {
    let plan = Plan::parse(args).map_err(BenchError::new)?;
    measure(&plan).map_err(BenchError::new)
}

fn measure(plan: &Plan) -> Result<(), String> {
    let started = Instant::now();
    let date = machine::utc_now();
    let load_before = machine::load_average();

    let release = release_dir()?;
    let mut programs = vec![
        "bench-usersig",
        "bench-cpu",
        "bench-overhead",
        "bench-emulator",
    ];
    if plan.runs_imctl() {
        programs.push("imctl");
    }
    if let Some(missing) = programs.iter().find(|name| !release.join(name).exists()) {
        return Err(format!(
            "{missing} is not built in {}: run `cargo build --release -p im-bench -p im-cli`              first (`cargo xtask bench` does)",
            release.display()
        ));
    }
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(1, |elapsed| elapsed.as_nanos() as u64);
    let mut ctx = Ctx::new(plan.settings.clone(), release, seed)?;
    if !ctx.gnu_time {
        println!(
            "==> /usr/bin/time is missing: peak memory is read from /proc while the import runs"
        );
    }

    let mut machine = Machine::describe();
    let sections = sections::measure(&mut ctx, plan, &mut machine);

    let elapsed = started.elapsed();
    machine.push(
        "Load average (1, 5, 15 min) before / after",
        format!("{load_before} / {}", machine::load_average()),
    );
    machine.push(
        "Run",
        format!(
            "{} in {} s, round order seed {seed}",
            if ctx.settings.quick {
                "quick run"
            } else {
                "full run"
            },
            elapsed.as_secs()
        ),
    );
    let method = sections::method(&ctx.settings);
    let command = if ctx.settings.quick {
        "cargo xtask bench --quick"
    } else {
        "cargo xtask bench"
    };
    let markdown = Report {
        command,
        date: &date,
        machine: &machine,
        method: &method,
        sections: &sections,
    }
    .markdown();
    let destination = if plan.writes_published_figures() {
        workspace_root().join("docs/benchmarks.md")
    } else {
        ctx.scratch.join("benchmarks.md")
    };
    std::fs::write(&destination, markdown)
        .map_err(|error| format!("cannot write {}: {error}", destination.display()))?;
    println!(
        "==> wrote {} in {} s",
        destination.display(),
        elapsed.as_secs()
    );
    for check in sections
        .iter()
        .flat_map(|section: &Section| &section.checks)
    {
        println!(
            "    {:<13} {}: {} (target {})",
            format!("{:?}", check.verdict),
            check.figure,
            check.value,
            check.target
        );
    }
    Ok(())
}

/// `<target>/release`: where this program and the measuring programs beside it were built.
fn release_dir() -> Result<PathBuf, String> {
    let exe = std::env::current_exe()
        .map_err(|error| format!("cannot tell where this program is: {error}"))?;
    exe.parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| format!("{} has no folder", exe.display()))
}

/// The workspace root: two levels above this crate's directory.
fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .ancestors()
        .nth(2)
        .map_or_else(|| manifest_dir.to_path_buf(), Path::to_path_buf)
}
