//! The SDK's CPU cost of one 1000-account call with no network and no pacing, and of its
//! main parts (`bench-cpu`).

use crate::suite::contenders::{Contender, interleave};
use crate::suite::ctx::Ctx;
use crate::suite::process::Invocation;
use crate::suite::report::{Check, Section, Verdict};
use crate::suite::stats::micros;

/// The most CPU the SDK may spend on one 1000-account call with a cached UserSig.
const CPU_PER_CALL_TARGET_US: f64 = 150.0;

/// The SDK's CPU cost of one 1000-account call, and of its parts.
pub(crate) fn cpu(ctx: &mut Ctx) -> Section {
    println!("==> CPU cost of a 1000-account call");
    let bin = ctx.bin("bench-cpu");
    let parts = [
        (
            "call-cached",
            "whole `add` of 1000 accounts, cached UserSig (steady state)",
        ),
        (
            "call-fresh",
            "whole `add` of 1000 accounts, a new UserSig every call",
        ),
        ("encode", "build + encode the 1000-account request body"),
        ("decode", "decode the 1000-item answer"),
        ("sign-cached", "hand out the cached UserSig"),
        ("sign-fresh", "make a new UserSig"),
    ];
    let mut contenders: Vec<Contender> = parts
        .iter()
        .map(|(mode, label)| Contender::new(label, Invocation::new(&bin).arg(*mode), "us_per_op"))
        .collect();
    interleave(ctx, "cpu", &mut contenders, &[]);
    let mut section = Section::new(
        "The SDK's CPU cost per 1000-account call",
        "One `Blocklist::add` of 1000 accounts with no network and no pacing: the transport \
         answers at once with a canned 1000-item response (about 60 KB) and the rate limiter is \
         `Unlimited`, so what is measured is the SDK alone: validation, de-duplication, \
         encoding, signing, the URL, decoding the answer and sorting the outcome. Then the main \
         parts alone. Single thread; CPU time is the thread's own (`/proc/thread-self/schedstat`).",
    );
    section.header(&[
        "what",
        "wall time/op (median)",
        "CPU time/op (median)",
        "spread",
        "wall time per round",
    ]);
    for contender in &contenders {
        if let Some(error) = &contender.error {
            section
                .notes
                .push(format!("{} failed: {error}.", contender.label));
            continue;
        }
        section.row(vec![
            contender.label.clone(),
            micros(contender.values.median()),
            contender.cpu_micros.median_or_dash(micros),
            contender.values.spread(),
            contender.values.list(micros),
        ]);
    }
    // The cached-UserSig call is the steady state, with a target; the other is reported.
    for (index, label, target) in [
        (0, "cached UserSig", Some(CPU_PER_CALL_TARGET_US)),
        (1, "new UserSig each call", None),
    ] {
        let contender = &contenders[index];
        let cpu = (!contender.values.is_empty()).then(|| {
            if contender.cpu_micros.is_empty() {
                contender.values.median()
            } else {
                contender.cpu_micros.median()
            }
        });
        let (value, verdict) = match (cpu, target) {
            (None, _) => ("-".to_owned(), Verdict::NotMeasured),
            (Some(cpu), Some(target)) => (format!("{cpu:.1} µs CPU"), Verdict::of(cpu <= target)),
            (Some(cpu), None) => (format!("{cpu:.1} µs CPU"), Verdict::Reported),
        };
        let target = target.map_or_else(
            || "reported (no target)".to_owned(),
            |target| format!("≤ {target:.0} µs"),
        );
        section.checks.push(Check::new(
            format!("SDK CPU per 1000-account call ({label})"),
            value,
            target,
            verdict,
        ));
    }
    let timing = ctx.settings.timing();
    section.commands = parts
        .iter()
        .map(|(mode, _)| format!("{} {mode} {timing}", ctx.show(&bin)))
        .collect();
    section.commands.push(
        "cargo bench -p im-blocklist --bench call_overhead   # the same call under criterion"
            .to_owned(),
    );
    section
}
