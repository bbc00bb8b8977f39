//! The sections of the report, one module each, measured in report order.

mod accounts;
mod cpu;
mod export;
mod import;
mod memory;
mod official;
mod overhead;
mod redis;
mod usersig;

use super::ctx::Ctx;
use super::machine::Machine;
use super::plan::{Plan, Settings};
use super::report::Section;

/// Measures the sections `plan` chooses, adding the official libraries' runtimes to `machine`.
pub(crate) fn measure(ctx: &mut Ctx, plan: &Plan, machine: &mut Machine) -> Vec<Section> {
    let mut sections = Vec::new();
    if plan.wants("usersig") {
        let libraries = official::install(ctx);
        let (generation, verification, runtimes) = usersig::usersig(ctx, &libraries);
        for (name, value) in runtimes {
            machine.push(&name, value);
        }
        sections.push(generation);
        sections.push(verification);
    }
    if plan.wants("cpu") {
        sections.push(cpu::cpu(ctx));
    }
    if plan.wants("overhead") {
        sections.push(overhead::overhead(ctx));
    }
    if plan.wants("import") {
        sections.push(import::bulk_import(ctx));
    }
    if plan.wants("export") {
        sections.push(export::export(ctx));
    }
    if plan.wants("accounts") {
        sections.push(accounts::account_import(ctx));
    }
    if plan.wants("redis") {
        sections.push(redis::redis(ctx));
    }
    if plan.wants("memory") {
        sections.push(memory::memory(ctx));
    }
    sections
}

/// How the figures were measured, for the report.
pub(crate) fn method(s: &Settings) -> Vec<String> {
    vec![
        "Release builds (`cargo build --release -p im-cli -p im-bench`); the measuring programs \
         are in `crates/im-bench` and the Python and Node drivers in `crates/im-bench/scripts/`."
            .to_owned(),
        format!(
            "Short measurements (UserSig, CPU cost, loopback overhead): single thread, one process \
             per measurement, {} s warm-up then a timed loop of at least {} s; {} rounds with the \
             contenders in a new random order each round (interleaved); the figure is the median \
             of the rounds. Spread = (max - min) / median over the rounds.",
            s.warmup, s.secs, s.rounds
        ),
        format!(
            "Long measurements (bulk import, export, account import, Redis, memory): {} round(s), each against a freshly \
             started emulator; the figure is the median (counts of rejections and the busiest \
             window are the worst round).",
            s.slow_rounds
        ),
        "Every UserSig generation reads the system clock, as the official libraries do; the \
         workload is identifier `administrator`, SDKAppID 1400000000, validity 15552000 s and \
         the documented example key. One UserSig from each official library is checked with \
         `im_sig::verify`, so all contenders do the same work."
            .to_owned(),
        "The official libraries are installed from the Python package index \
         (`pip install tls-sig-api-v2` into a virtualenv) and the npm registry \
         (`npm install tls-sig-api-v2`) under `target/bench-scratch/`."
            .to_owned(),
        "Nothing here is a test: `cargo test` never times anything. The machine is shared and \
         not isolated, so expect a few percent of noise; the spreads show how much."
            .to_owned(),
    ]
}
