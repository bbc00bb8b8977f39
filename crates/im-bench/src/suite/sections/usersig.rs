//! UserSig generation (im-sig against the official Python and Node libraries) and
//! decode+verify: two sections from one set of interleaved rounds.

use super::official::Libraries;
use crate::suite::contenders::{Contender, interleave};
use crate::suite::ctx::Ctx;
use crate::suite::process::{self, Invocation};
use crate::suite::report::{Check, Section, Verdict};
use crate::suite::stats::{grouped, mib};

/// UserSig generation (im-sig against the official libraries) and decode+verify.
/// Returns the two sections and the runtimes of the official libraries for the machine table.
pub(crate) fn usersig(
    ctx: &mut Ctx,
    libraries: &Libraries,
) -> (Section, Section, Vec<(String, String)>) {
    println!("==> UserSig generation and verification");
    let usersig_bin = ctx.bin("bench-usersig");
    let mut contenders = vec![Contender::new(
        "im-sig (Rust)",
        Invocation::new(&usersig_bin).arg("generate"),
        "ops_per_sec",
    )];
    let python_index = libraries.python.as_ref().ok().map(|invocation| {
        contenders.push(Contender::new(
            "tls-sig-api-v2 (Python)",
            invocation.clone(),
            "ops_per_sec",
        ));
        contenders.len() - 1
    });
    let node_index = libraries.node.as_ref().ok().map(|invocation| {
        contenders.push(Contender::new(
            "tls-sig-api-v2 (Node)",
            invocation.clone(),
            "ops_per_sec",
        ));
        contenders.len() - 1
    });
    let verify_own = contenders.len();
    contenders.push(Contender::new(
        "verify: im-sig's own UserSig",
        Invocation::new(&usersig_bin).args(["verify", "--sig", "own"]),
        "ops_per_sec",
    ));
    contenders.push(Contender::new(
        "verify: a UserSig of the Python library",
        Invocation::new(&usersig_bin).args(["verify", "--sig", "python"]),
        "ops_per_sec",
    ));
    interleave(ctx, "usersig", &mut contenders, &[]);

    // Check that each official library's UserSig is valid for the same inputs.
    let mut valid = vec![String::from("yes (self-checked)"); contenders.len()];
    for index in [python_index, node_index].into_iter().flatten() {
        valid[index] = match &contenders[index].sample {
            Some(sample) => match process::measure(
                &Invocation::new(&usersig_bin).args(["check", "--sig", sample]),
                false,
            ) {
                Ok(_) => "yes (`im_sig::verify`)".to_owned(),
                Err(error) => format!("**no**: {error}"),
            },
            None => "not checked".to_owned(),
        };
    }

    let mut runtimes = Vec::new();
    for (index, name) in [(python_index, "Python"), (node_index, "Node")] {
        if let Some(output) = index.and_then(|index| contenders[index].last.as_ref()) {
            let library = output
                .infos
                .get("implementation")
                .cloned()
                .unwrap_or_default();
            let runtime = output.infos.get("runtime").cloned().unwrap_or_default();
            runtimes.push((name.to_owned(), format!("{runtime}; {library}")));
        }
    }

    let rust = contenders[0].values.median();
    let mut generation = Section::new(
        "UserSig generation: im-sig against the official libraries",
        "Complete UserSig generations per second, single thread, each generation reading the \
         clock. im-sig frames the JSON document as zlib stored blocks (the server and every \
         official verifier accept any zlib level), so no compressor state is set up per call; \
         the official libraries deflate at level 6 through their runtime's zlib.",
    );
    generation.header(&[
        "implementation",
        "gens/s (median)",
        "time/gen",
        "CPU time/gen",
        "im-sig is faster by",
        "… by CPU time",
        "spread",
        "peak RSS",
        "kernel share of CPU",
        "page faults/gen",
        "valid UserSig",
        "gens/s per round",
    ]);
    let rust_cpu = contenders[0].cpu_micros.median();
    for (index, contender) in contenders.iter().enumerate().take(verify_own) {
        let median = contender.values.median();
        if contender.values.is_empty() {
            continue;
        }
        let name = contender
            .last
            .as_ref()
            .and_then(|output| output.infos.get("implementation").cloned())
            .unwrap_or_else(|| contender.label.clone());
        generation.row(vec![
            name,
            grouped(median),
            format!("{:.2} µs", contender.micros.median()),
            format!("{:.2} µs", contender.cpu_micros.median()),
            if index == 0 {
                "-".to_owned()
            } else {
                format!("{:.1}×", rust / median)
            },
            if index == 0 || rust_cpu == 0.0 {
                "-".to_owned()
            } else {
                format!("{:.1}×", contender.cpu_micros.median() / rust_cpu)
            },
            contender.values.spread(),
            contender.rss_kib.median_or_dash(mib),
            contender
                .sys_share
                .median_or_dash(|share| format!("{share:.0}%")),
            contender
                .faults_per_op
                .median_or_dash(|faults| format!("{faults:.2}")),
            valid[index].clone(),
            contender.values.list(grouped),
        ]);
    }
    for (index, library, target, label, setup) in [
        (
            python_index,
            &libraries.python,
            20.0,
            "Python",
            &libraries.python_setup,
        ),
        (
            node_index,
            &libraries.node,
            5.0,
            "Node",
            &libraries.node_setup,
        ),
    ] {
        let figure = format!("UserSig gens/s: im-sig ÷ official {label} library");
        let target_text = format!("≥ {target}×");
        let contender = index.map(|index| &contenders[index]);
        match (library, contender) {
            (Err(reason), _) => {
                generation.notes.push(format!(
                    "The official {label} library could not be installed or run here, so it was \
                     not measured: {reason}. To install it by hand: `{setup}`."
                ));
                generation
                    .checks
                    .push(Check::new(figure, "-", target_text, Verdict::NotMeasured));
            }
            (Ok(_), Some(contender)) if !contender.values.is_empty() && rust > 0.0 => {
                let theirs = contender.values.median();
                let ratio = rust / theirs;
                let per_round: Vec<String> = contenders[0]
                    .values
                    .0
                    .iter()
                    .zip(&contender.values.0)
                    .map(|(ours, theirs)| format!("{:.1}×", ours / theirs))
                    .collect();
                generation.notes.push(format!(
                    "im-sig ÷ {label}, round by round: {}.",
                    per_round.join(", ")
                ));
                if ratio < target {
                    let theirs_micros = contender.micros.median();
                    generation.notes.push(format!(
                        "Target missed against the {label} library: it takes {theirs_micros:.2} µs \
                         per generation here{}, and im-sig {:.2} µs; {target}× would need im-sig \
                         at {:.2} µs or less.",
                        if contender.sys_share.is_empty() {
                            String::new()
                        } else {
                            format!(
                                " ({:.0}% of its CPU time in the kernel, {:.2} page faults per \
                                 generation)",
                                contender.sys_share.median(),
                                contender.faults_per_op.median()
                            )
                        },
                        contenders[0].micros.median(),
                        theirs_micros / target
                    ));
                }
                let cpu_ratio = contender.cpu_micros.median() / rust_cpu;
                generation.checks.push(Check::new(
                    figure,
                    format!(
                        "{ratio:.1}× ({} vs {} gens/s; {cpu_ratio:.1}× by CPU time)",
                        grouped(rust),
                        grouped(theirs)
                    ),
                    target_text,
                    Verdict::of(ratio >= target),
                ));
            }
            (Ok(_), contender) => {
                let reason = contender
                    .and_then(|contender| contender.error.clone())
                    .unwrap_or_else(|| "no figure".to_owned());
                generation
                    .notes
                    .push(format!("The {label} driver failed: {reason}."));
                generation
                    .checks
                    .push(Check::new(figure, "-", target_text, Verdict::NotMeasured));
            }
        }
    }
    if let Some(error) = &contenders[0].error {
        generation
            .notes
            .push(format!("im-sig's measurement failed: {error}."));
    }
    let timing = ctx.settings.timing();
    generation.commands = vec![
        "cargo build --release -p im-cli -p im-bench".to_owned(),
        format!("{} generate {timing}", ctx.show(&usersig_bin)),
        format!(
            "{}   # the driver is crates/im-bench/scripts/usersig.py",
            libraries.python_setup
        ),
        format!(
            "{}/bin/python {} {timing}",
            ctx.show(&ctx.scratch.join("py")),
            ctx.show(&ctx.scratch.join("usersig.py"))
        ),
        format!(
            "{}   # the driver is crates/im-bench/scripts/usersig.js",
            libraries.node_setup
        ),
        format!(
            "node {} {timing}",
            ctx.show(&ctx.scratch.join("node/usersig.js"))
        ),
        "cargo bench -p im-sig --bench generate   # the same operations under criterion".to_owned(),
    ];

    let verification = verification(ctx, &contenders[verify_own..]);
    (generation, verification, runtimes)
}

/// The least decode+verify calls per second the emulator may afford.
const VERIFY_TARGET: &str = "≥ 100,000/s";

/// The decode+verify section from its contenders (the `verify` modes of `bench-usersig`).
fn verification(ctx: &Ctx, contenders: &[Contender]) -> Section {
    let mut verification = Section::new(
        "UserSig decode + verify",
        "`im_sig::verify` per second, single thread, each call reading the clock: base64, zlib \
         inflate, JSON, then the app, identifier, expiry and the HMAC-SHA256 signature (compared \
         in constant time). The emulator does this for every request. Two inputs: a UserSig \
         made by im-sig (stored blocks) and one made by the official Python library (deflate \
         level 6, JSON with spaces).",
    );
    verification.header(&[
        "UserSig verified",
        "verifications/s (median)",
        "time/verify",
        "spread",
        "verifications/s per round",
    ]);
    for contender in contenders {
        let label = contender.label.trim_start_matches("verify: ").to_owned();
        if let Some(error) = &contender.error {
            verification
                .notes
                .push(format!("{} failed: {error}.", contender.label));
            verification.checks.push(Check::new(
                format!("UserSig decode+verify/s ({label})"),
                "-",
                VERIFY_TARGET,
                Verdict::NotMeasured,
            ));
            continue;
        }
        let median = contender.values.median();
        verification.row(vec![
            label.clone(),
            grouped(median),
            format!("{:.2} µs", contender.micros.median()),
            contender.values.spread(),
            contender.values.list(grouped),
        ]);
        verification.checks.push(Check::new(
            format!("UserSig decode+verify/s ({label})"),
            format!("{}/s", grouped(median)),
            VERIFY_TARGET,
            Verdict::of(median >= 100_000.0),
        ));
    }
    let timing = ctx.settings.timing();
    let usersig_bin = ctx.bin("bench-usersig");
    verification.commands = vec![
        format!("{} verify --sig own {timing}", ctx.show(&usersig_bin)),
        format!("{} verify --sig python {timing}", ctx.show(&usersig_bin)),
    ];
    verification
}
