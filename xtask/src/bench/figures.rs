//! The measurements: each runs its rounds and returns a section of the report.

use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use super::process::{self, Background, Invocation, Output, Series, grouped, json_number};
use super::report::{Check, Section, Verdict, command_line};
use super::{Ctx, setup_command};

/// The workload's app, and the documented example key every measurement signs with.
pub(super) const SDKAPPID: &str = "1400000000";
pub(super) const KEY: &str = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";

/// The rate every paced figure runs at: the service's documented limit per API.
pub(super) const RATE: f64 = 200.0;

/// The drivers of the official libraries; written into the scratch folder at run time.
const PYTHON_DRIVER: &str = include_str!("../../../crates/im-bench/scripts/usersig.py");
const NODE_DRIVER: &str = include_str!("../../../crates/im-bench/scripts/usersig.js");

pub(super) fn path_str(path: &Path) -> String {
    path.display().to_string()
}

/// A duration in microseconds, shown in ns below 1 µs.
fn micros(value: f64) -> String {
    if value < 1.0 {
        format!("{:.0} ns", value * 1000.0)
    } else {
        format!("{value:.1} µs")
    }
}

fn mib(kib: f64) -> String {
    format!("{:.1} MiB", kib / 1024.0)
}

/// The official libraries, ready to run, or why not.
pub(crate) struct Libraries {
    python: Result<Invocation, String>,
    node: Result<Invocation, String>,
    python_setup: String,
    node_setup: String,
}

/// Installs the official Python and Node UserSig libraries into the scratch folder.
pub(crate) fn install_libraries(ctx: &Ctx) -> Libraries {
    let venv = ctx.scratch.join("py");
    let node_dir = ctx.scratch.join("node");
    let python_setup = format!(
        "python3 -m venv {0} && {0}/bin/python -m pip install tls-sig-api-v2",
        ctx.show(&venv)
    );
    let node_setup = format!(
        "npm install --prefix {} tls-sig-api-v2",
        ctx.show(&node_dir)
    );
    let python = install_python(ctx, &venv);
    if let Err(reason) = &python {
        println!("==> the official Python library cannot be used, going on without it: {reason}");
    }
    let node = install_node(ctx, &node_dir);
    if let Err(reason) = &node {
        println!("==> the official Node library cannot be used, going on without it: {reason}");
    }
    Libraries {
        python,
        node,
        python_setup,
        node_setup,
    }
}

fn install_python(ctx: &Ctx, venv: &Path) -> Result<Invocation, String> {
    let python = venv.join("bin").join("python");
    let log = ctx.scratch.join("install-python.log");
    let imports = || {
        std::process::Command::new(&python)
            .args(["-c", "import TLSSigAPIv2"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    };
    if !imports() {
        println!(
            "==> installing the official Python library (tls-sig-api-v2) into {}",
            ctx.show(venv)
        );
        if !python.exists() {
            setup_command("python3", &["-m", "venv", &path_str(venv)], &log)?;
        }
        setup_command(
            &path_str(&python),
            &[
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--quiet",
                "tls-sig-api-v2",
            ],
            &log,
        )?;
        if !imports() {
            return Err("installed, but `import TLSSigAPIv2` fails".to_owned());
        }
    }
    let script = ctx.scratch.join("usersig.py");
    std::fs::write(&script, PYTHON_DRIVER)
        .map_err(|error| format!("cannot write {}: {error}", script.display()))?;
    Ok(Invocation::new(python).arg(path_str(&script)))
}

fn install_node(ctx: &Ctx, dir: &Path) -> Result<Invocation, String> {
    if command_line("node", &["--version"]) == "unknown" {
        return Err("node is not installed".to_owned());
    }
    let installed = dir.join("node_modules/tls-sig-api-v2/package.json");
    if !installed.exists() {
        println!(
            "==> installing the official Node library (tls-sig-api-v2) into {}",
            ctx.show(dir)
        );
        std::fs::create_dir_all(dir)
            .map_err(|error| format!("cannot create {}: {error}", dir.display()))?;
        setup_command(
            "npm",
            &[
                "install",
                "--prefix",
                &path_str(dir),
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                "tls-sig-api-v2",
            ],
            &ctx.scratch.join("install-node.log"),
        )?;
        if !installed.exists() {
            return Err("npm finished, but the package is not there".to_owned());
        }
    }
    let script = dir.join("usersig.js");
    std::fs::write(&script, NODE_DRIVER)
        .map_err(|error| format!("cannot write {}: {error}", script.display()))?;
    Ok(Invocation::new("node").arg(path_str(&script)))
}

/// One program measured in interleaved rounds.
struct Contender {
    label: String,
    invocation: Invocation,
    /// The figure it reports per round, e.g. `ops_per_sec`.
    figure: &'static str,
    values: Series,
    micros: Series,
    cpu_micros: Series,
    rss_kib: Series,
    sys_share: Series,
    faults_per_op: Series,
    extra: Vec<Series>,
    last: Option<Output>,
    sample: Option<String>,
    error: Option<String>,
}

impl Contender {
    fn new(label: &str, invocation: Invocation, figure: &'static str) -> Contender {
        Contender {
            label: label.to_owned(),
            invocation,
            figure,
            values: Series::default(),
            micros: Series::default(),
            cpu_micros: Series::default(),
            rss_kib: Series::default(),
            sys_share: Series::default(),
            faults_per_op: Series::default(),
            extra: Vec::new(),
            last: None,
            sample: None,
            error: None,
        }
    }
}

/// Runs every contender once per round, in a new random order each round. A contender that
/// fails is dropped from later rounds, with its error kept.
fn interleave(ctx: &mut Ctx, what: &str, contenders: &mut [Contender], extra: &[&str]) {
    let rounds = ctx.settings.rounds;
    let timing = [
        "--secs".to_owned(),
        ctx.settings.secs.to_string(),
        "--warmup".to_owned(),
        ctx.settings.warmup.to_string(),
    ];
    for contender in contenders.iter_mut() {
        contender.invocation = contender.invocation.clone().args(timing.clone());
        contender.extra = vec![Series::default(); extra.len()];
    }
    for round in 1..=rounds {
        let mut order: Vec<usize> = (0..contenders.len()).collect();
        ctx.rng.shuffle(&mut order);
        for index in order {
            let contender = &mut contenders[index];
            if contender.error.is_some() {
                continue;
            }
            match process::measure(&contender.invocation, ctx.gnu_time)
                .and_then(|output| output.number(contender.figure).map(|value| (output, value)))
            {
                Ok((output, value)) => {
                    println!(
                        "    {what} round {round}/{rounds}: {:<40} {}",
                        contender.label,
                        format_value(value)
                    );
                    contender.values.push(value);
                    if let Ok(micros) = output.number("us_per_op") {
                        contender.micros.push(micros);
                    }
                    if let Ok(micros) = output.number("cpu_us_per_op") {
                        contender.cpu_micros.push(micros);
                    }
                    for (series, name) in contender.extra.iter_mut().zip(extra) {
                        if let Ok(value) = output.number(name) {
                            series.push(value);
                        }
                    }
                    if let Some(kib) = output.max_rss_kib {
                        contender.rss_kib.push(kib as f64);
                    }
                    if let Some(share) = output.sys_share {
                        contender.sys_share.push(share * 100.0);
                    }
                    if let (Some(faults), Ok(ops)) = (output.minor_faults, output.number("ops")) {
                        contender.faults_per_op.push(faults as f64 / ops.max(1.0));
                    }
                    if contender.sample.is_none() {
                        contender.sample.clone_from(&output.sample);
                    }
                    contender.last = Some(output);
                }
                Err(error) => {
                    println!("    {what}: {} failed: {error}", contender.label);
                    contender.error = Some(error);
                }
            }
        }
    }
}

fn format_value(value: f64) -> String {
    if value >= 1000.0 {
        grouped(value)
    } else {
        format!("{value:.2}")
    }
}

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
            format!("{:.0}%", contender.values.spread_percent()),
            if contender.rss_kib.is_empty() {
                "-".to_owned()
            } else {
                mib(contender.rss_kib.median())
            },
            if contender.sys_share.is_empty() {
                "-".to_owned()
            } else {
                format!("{:.0}%", contender.sys_share.median())
            },
            if contender.faults_per_op.is_empty() {
                "-".to_owned()
            } else {
                format!("{:.2}", contender.faults_per_op.median())
            },
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
    let timing = format!(
        "--secs {} --warmup {}",
        ctx.settings.secs, ctx.settings.warmup
    );
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
    for contender in &contenders[verify_own..] {
        if let Some(error) = &contender.error {
            verification
                .notes
                .push(format!("{} failed: {error}.", contender.label));
            verification.checks.push(Check::new(
                format!("UserSig decode+verify/s ({})", contender.label),
                "-",
                "≥ 100,000/s",
                Verdict::NotMeasured,
            ));
            continue;
        }
        let median = contender.values.median();
        let label = contender.label.trim_start_matches("verify: ").to_owned();
        verification.row(vec![
            label.clone(),
            grouped(median),
            format!("{:.2} µs", contender.micros.median()),
            format!("{:.0}%", contender.values.spread_percent()),
            contender.values.list(grouped),
        ]);
        verification.checks.push(Check::new(
            format!("UserSig decode+verify/s ({label})"),
            format!("{}/s", grouped(median)),
            "≥ 100,000/s",
            Verdict::of(median >= 100_000.0),
        ));
    }
    verification.commands = vec![
        format!("{} verify --sig own {timing}", ctx.show(&usersig_bin)),
        format!("{} verify --sig python {timing}", ctx.show(&usersig_bin)),
    ];
    (generation, verification, runtimes)
}

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
            if contender.cpu_micros.is_empty() {
                "-".to_owned()
            } else {
                micros(contender.cpu_micros.median())
            },
            format!("{:.0}%", contender.values.spread_percent()),
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
    let timing = format!(
        "--secs {} --warmup {}",
        ctx.settings.secs, ctx.settings.warmup
    );
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

/// The most CPU the SDK may spend on one 1000-account call with a cached UserSig.
const CPU_PER_CALL_TARGET_US: f64 = 150.0;
/// One-account call on loopback: SDK ÷ bare POST.
const ONE_ACCOUNT_TARGET: f64 = 1.10;
/// 1000-account call on loopback: SDK ÷ (bare POST + decoding the answer).
const THOUSAND_ACCOUNTS_TARGET: f64 = 1.25;

/// Calls through the SDK over loopback, one account and 1000, against bare hyper POSTs.
pub(crate) fn overhead(ctx: &mut Ctx) -> Section {
    println!("==> per-call overhead on loopback");
    let bin = ctx.bin("bench-overhead");
    let one = |mode: &str| Invocation::new(&bin).arg(mode).arg("--accounts").arg("1");
    let mut contenders = vec![
        Contender::new(
            "SDK: `client.blocklist().add(from, 1000 accounts)`",
            Invocation::new(&bin).arg("sdk"),
            "median_us",
        ),
        Contender::new(
            "bare hyper-util POST of the same request",
            Invocation::new(&bin).arg("bare"),
            "median_us",
        ),
        Contender::new(
            "bare POST, then decode the answer into typed structs",
            Invocation::new(&bin).arg("bare-decode"),
            "median_us",
        ),
        Contender::new(
            "SDK: `client.blocklist().add(from, [one account])`",
            one("sdk"),
            "median_us",
        ),
        Contender::new(
            "bare POST of the same one-account request",
            one("bare"),
            "median_us",
        ),
    ];
    let extra = ["mean_us", "p90_us", "client_cpu_us_per_call", "calls"];
    interleave(ctx, "overhead", &mut contenders, &extra);
    let mut section = Section::new(
        "Per-call overhead on loopback",
        "Sequential calls over one kept-alive HTTP/1.1 connection to a minimal hyper server on \
         127.0.0.1 (its own thread) that reads the request and answers at once with a canned \
         `black_list_add` response (1000 items, or one). The SDK call goes through the \
         `tencent-im` facade with its default transport and the `Unlimited` rate limiter; the \
         bare call POSTs the same URL shape and JSON body with hyper-util's client and reads \
         the whole answer; the bare-decode call also decodes it into the typed response, the \
         least a hand-written client does with it. The one-account call is compared with the \
         bare POST; the 1000-account call with the bare POST plus decoding.",
    );
    section.header(&[
        "client",
        "median time/call",
        "mean",
        "90th percentile",
        "client CPU/call",
        "calls per round",
        "spread",
        "median µs per round",
    ]);
    for contender in &contenders {
        if let Some(error) = &contender.error {
            section
                .notes
                .push(format!("{} failed: {error}.", contender.label));
            continue;
        }
        let [mean, p90, cpu, calls] = [0, 1, 2, 3].map(|i| contender.extra[i].median());
        section.row(vec![
            contender.label.clone(),
            format!("{:.1} µs", contender.values.median()),
            format!("{mean:.1} µs"),
            format!("{p90:.1} µs"),
            format!("{cpu:.1} µs"),
            grouped(calls),
            format!("{:.0}%", contender.values.spread_percent()),
            contender.values.list(|value| format!("{value:.1}")),
        ]);
    }
    let ratios = [
        (
            "One-account call on loopback: SDK ÷ bare hyper POST",
            3,
            4,
            ONE_ACCOUNT_TARGET,
        ),
        (
            "1000-account call on loopback: SDK ÷ (bare POST + decode)",
            0,
            2,
            THOUSAND_ACCOUNTS_TARGET,
        ),
    ];
    for (figure, sdk, baseline, target) in ratios {
        let target_text = format!("≤ {target:.2}×");
        let (sdk, baseline) = (&contenders[sdk].values, &contenders[baseline].values);
        if sdk.is_empty() || baseline.is_empty() {
            section
                .checks
                .push(Check::new(figure, "-", target_text, Verdict::NotMeasured));
            continue;
        }
        let (sdk_median, base_median) = (sdk.median(), baseline.median());
        let ratio = sdk_median / base_median;
        let per_round: Vec<String> = sdk
            .0
            .iter()
            .zip(&baseline.0)
            .map(|(s, b)| format!("{:.2}×", s / b))
            .collect();
        section.notes.push(format!(
            "{figure}, round by round: {}.",
            per_round.join(", ")
        ));
        section.checks.push(Check::new(
            figure,
            format!("{ratio:.2}× ({sdk_median:.1} µs vs {base_median:.1} µs)"),
            target_text,
            Verdict::of(ratio <= target),
        ));
    }
    if !contenders[0].values.is_empty() && !contenders[1].values.is_empty() {
        let (sdk, bare) = (contenders[0].values.median(), contenders[1].values.median());
        section.notes.push(format!(
            "For reference, 1000 accounts, SDK ÷ bare POST without decoding: {:.2}× \
             ({sdk:.1} µs vs {bare:.1} µs): the SDK decodes the ~60 KB answer, the bare POST \
             does not.",
            sdk / bare
        ));
    }
    let timing = format!(
        "--secs {} --warmup {}",
        ctx.settings.secs, ctx.settings.warmup
    );
    section.commands = vec![
        format!("{} sdk {timing}", ctx.show(&bin)),
        format!("{} bare {timing}", ctx.show(&bin)),
        format!("{} bare-decode {timing}", ctx.show(&bin)),
        format!("{} sdk --accounts 1 {timing}", ctx.show(&bin)),
        format!("{} bare --accounts 1 {timing}", ctx.show(&bin)),
    ];
    section
}

/// Writes a pairs file of `froms` users with `per_from` pairs each, and the accounts file
/// naming every account, unless they exist already. Returns (pairs, accounts).
pub(super) fn pair_files(
    dir: &Path,
    name: &str,
    from_prefix: &str,
    froms: usize,
    to_prefix: &str,
    per_from: usize,
) -> Result<(PathBuf, PathBuf), String> {
    std::fs::create_dir_all(dir)
        .map_err(|error| format!("cannot create {}: {error}", dir.display()))?;
    let pairs = dir.join(format!("{name}.csv"));
    let accounts = dir.join(format!("{name}-accounts.txt"));
    let write = |path: &Path, body: &dyn Fn(&mut BufWriter<File>) -> std::io::Result<()>| {
        let file = File::create(path)
            .map_err(|error| format!("cannot create {}: {error}", path.display()))?;
        let mut writer = BufWriter::new(file);
        body(&mut writer)
            .and_then(|()| writer.flush())
            .map_err(|error| format!("cannot write {}: {error}", path.display()))
    };
    write(&pairs, &|out| {
        for from in 0..froms {
            for to in 0..per_from {
                writeln!(out, "{from_prefix}{from:06},{to_prefix}{to:04}")?;
            }
        }
        Ok(())
    })?;
    write(&accounts, &|out| {
        for from in 0..froms {
            writeln!(out, "{from_prefix}{from:06}")?;
        }
        for to in 0..per_from {
            writeln!(out, "{to_prefix}{to:04}")?;
        }
        Ok(())
    })?;
    Ok((pairs, accounts))
}

/// Starts `bench-emulator` and returns it with the URL it serves.
fn start_emulator(
    ctx: &Ctx,
    rate: u32,
    latency_ms: u32,
    accounts: &Path,
) -> Result<(Background, String), String> {
    let invocation = emulator_invocation(ctx, rate, latency_ms, accounts);
    let mut emulator = Background::start(&invocation, "bench-emulator")?;
    let url = emulator.wait_for_line("URL ")?;
    Ok((emulator, url))
}

pub(super) fn emulator_invocation(
    ctx: &Ctx,
    rate: u32,
    latency_ms: u32,
    accounts: &Path,
) -> Invocation {
    Invocation::new(ctx.bin("bench-emulator")).args([
        "--rate".to_owned(),
        rate.to_string(),
        "--latency-ms".to_owned(),
        latency_ms.to_string(),
        "--accounts".to_owned(),
        path_str(accounts),
    ])
}

/// `imctl blocklist import --file FILE --json` against `url`, with `extra` global options.
fn import_invocation(ctx: &Ctx, url: &str, file: &Path, extra: &[&str]) -> Invocation {
    Invocation::new(ctx.bin("imctl"))
        .env("TIM_ENDPOINT", url)
        .env("TIM_SDKAPPID", SDKAPPID)
        .env("TIM_SECRET_KEY", KEY)
        .args(["blocklist", "import", "--file"])
        .arg(path_str(file))
        .arg("--json")
        .args(extra.iter().copied())
}

/// The credentials every `imctl` command below uses, set once.
pub(super) fn export_line() -> String {
    format!("export TIM_SDKAPPID={SDKAPPID} TIM_SECRET_KEY={KEY}   # the documented example key")
}

/// An `imctl` command as shown after [`export_line`].
pub(super) fn show_import(ctx: &Ctx, invocation: &Invocation, wrapper: Option<&str>) -> String {
    ctx.display_with(invocation, &["TIM_SDKAPPID", "TIM_SECRET_KEY"], wrapper)
}

/// Summary of one import run against the emulator.
struct ImportRun {
    elapsed: f64,
    span: f64,
    calls: f64,
    rejected: f64,
    max_window: f64,
    other_failures: f64,
    succeeded: u64,
}

fn import_run(output: &Output, emulator: &Output, elapsed: f64) -> Result<ImportRun, String> {
    Ok(ImportRun {
        elapsed,
        span: emulator.number("call_span_secs")?,
        calls: emulator.number("calls")?,
        rejected: emulator.number("rejected")?,
        max_window: emulator.number("max_calls_1s")?,
        other_failures: emulator.number("other_failures")?,
        succeeded: json_number(&output.stdout, "succeeded").unwrap_or(0),
    })
}

/// The bulk import at 200 calls/s against the emulator with 50 ms latency.
pub(crate) fn bulk_import(ctx: &Ctx) -> Section {
    println!("==> bulk import at 200 calls/s with 50 ms latency");
    let calls = ctx.settings.bulk_calls;
    let section = Section::new(
        "Bulk import at 200 calls/s",
        &format!(
            "`imctl blocklist import` (release build, default pacing of 200 calls/s per API) of \
             {} pairs: {} users with 5 pairs each, one call per user, so {} calls whose floor is \
             calls / 200 = {:.1} s. The emulator runs in its own process with a limit of 200 \
             calls in any sliding second (over it: code 60007) and 50 ms of latency before every \
             answer. Elapsed is the whole `imctl` process, from start to exit.",
            grouped((calls * 5) as f64),
            grouped(calls as f64),
            grouped(calls as f64),
            calls as f64 / RATE
        ),
    );
    let figures = [
        ("Bulk import: elapsed ÷ (calls / 200)", "≤ 1.05"),
        ("Bulk import: rate-limit rejections", "0"),
    ];
    match bulk_import_rounds(ctx, section.clone(), calls) {
        Ok(section) => section,
        Err(error) => section.not_measured(&error, &figures),
    }
}

fn bulk_import_rounds(ctx: &Ctx, mut section: Section, calls: usize) -> Result<Section, String> {
    let dir = ctx.scratch.join("import");
    let (pairs, accounts) = pair_files(&dir, "pairs", "u", calls, "t", 5)?;
    let floor = calls as f64 / RATE;
    let mut runs = Vec::new();
    for round in 1..=ctx.settings.slow_rounds {
        let (emulator, url) = start_emulator(ctx, 200, 50, &accounts)?;
        let import = process::measure(&import_invocation(ctx, &url, &pairs, &[]), false)?;
        let summary = emulator.finish()?;
        let run = import_run(&import, &summary, import.elapsed.as_secs_f64())?;
        println!(
            "    import round {round}: {:.2} s for {} calls ({:.3}× the floor), {} rejected, busiest second {}",
            run.elapsed,
            run.calls,
            run.elapsed / floor,
            run.rejected,
            run.max_window
        );
        runs.push(run);
    }
    section.header(&[
        "round",
        "elapsed",
        "elapsed ÷ floor",
        "first to last call ÷ floor",
        "calls",
        "pairs blocked",
        "rate-limit rejections",
        "other failures",
        "most calls in any 1 s",
    ]);
    for (index, run) in runs.iter().enumerate() {
        section.row(vec![
            (index + 1).to_string(),
            format!("{:.2} s", run.elapsed),
            format!("{:.3}", run.elapsed / floor),
            format!("{:.3}", run.span / floor),
            grouped(run.calls),
            grouped(run.succeeded as f64),
            grouped(run.rejected),
            grouped(run.other_failures),
            grouped(run.max_window),
        ]);
    }
    let ratio = Series(runs.iter().map(|run| run.elapsed / floor).collect()).median();
    let rejected = Series(runs.iter().map(|run| run.rejected).collect()).max();
    let max_window = Series(runs.iter().map(|run| run.max_window).collect()).max();
    section.checks.push(Check::new(
        "Bulk import: elapsed ÷ (calls / 200)",
        format!(
            "{ratio:.3} ({:.2} s for {} calls; floor {floor:.1} s)",
            ratio * floor,
            grouped(calls as f64)
        ),
        "≤ 1.05",
        Verdict::of(ratio <= 1.05),
    ));
    section.checks.push(Check::new(
        "Bulk import: rate-limit rejections",
        format!(
            "{} (most calls in any 1 s: {})",
            grouped(rejected),
            grouped(max_window)
        ),
        "0",
        Verdict::of(rejected == 0.0),
    ));
    section.notes.push(format!(
        "Input: `{}` (written by the xtask: `u000000,t0000` ... {} users × 5 targets) and the \
         accounts the emulator imports first, `{}`.",
        ctx.show(&pairs),
        grouped(calls as f64),
        ctx.show(&accounts)
    ));
    section.commands = vec![
        format!(
            "{}   # prints `URL http://127.0.0.1:PORT`; serves until stdin closes (Ctrl-D), then prints its request-log summary",
            ctx.display(&emulator_invocation(ctx, 200, 50, &accounts))
        ),
        export_line(),
        show_import(
            ctx,
            &import_invocation(ctx, "http://127.0.0.1:PORT", &pairs, &[]),
            None,
        ),
    ];
    Ok(section)
}

/// Three `imctl` processes sharing one 200 calls/s budget through Redis.
pub(crate) fn redis(ctx: &Ctx) -> Section {
    println!("==> three processes sharing 200 calls/s through Redis");
    let each = ctx.settings.redis_calls;
    let section = Section::new(
        "Three processes sharing 200 calls/s through Redis",
        &format!(
            "Three `imctl blocklist import --redis URL` processes, started together, each \
             importing its own {} users × 5 pairs ({} calls each, {} in all, so the floor is \
             {:.1} s), share one budget of 200 calls/s per API through one Redis server. One \
             emulator (own process, limit 200 calls in any sliding second, no latency, no \
             faults) serves all three and logs every call.",
            grouped(each as f64),
            grouped(each as f64),
            grouped((3 * each) as f64),
            (3 * each) as f64 / RATE
        ),
    );
    let figures = [
        ("Redis, 3 processes: most calls in any 1 s", "≤ 200"),
        ("Redis, 3 processes: rate-limit rejections", "0"),
        ("Redis, 3 processes: elapsed ÷ (total calls / 200)", "≤ 1.1"),
    ];
    if command_line("redis-server", &["--version"]) == "unknown" {
        println!("==> redis-server is not installed: skipping the shared-budget figure");
        return section.not_measured(
            "`redis-server` is not installed here (`apt-get install redis-server` or `brew install redis`)",
            &figures,
        );
    }
    match redis_rounds(ctx, section.clone(), each) {
        Ok(section) => section,
        Err(error) => section.not_measured(&error, &figures),
    }
}

fn redis_rounds(ctx: &Ctx, mut section: Section, each: usize) -> Result<Section, String> {
    let dir = ctx.scratch.join("redis");
    let mut files = Vec::new();
    for process in 0..3 {
        files.push(pair_files(
            &dir,
            &format!("pairs-{process}"),
            &format!("r{process}u"),
            each,
            "t",
            5,
        )?);
    }
    // One accounts file for the emulator: every process's users and the shared targets.
    let accounts = dir.join("accounts.txt");
    let mut all = String::new();
    for (_, file) in &files {
        all.push_str(
            &std::fs::read_to_string(file)
                .map_err(|error| format!("cannot read {}: {error}", file.display()))?,
        );
    }
    std::fs::write(&accounts, all)
        .map_err(|error| format!("cannot write {}: {error}", accounts.display()))?;

    let port = process::free_port()?;
    let redis_invocation = Invocation::new("redis-server").args([
        "--port".to_owned(),
        port.to_string(),
        "--bind".to_owned(),
        "127.0.0.1".to_owned(),
        "--save".to_owned(),
        String::new(),
        "--appendonly".to_owned(),
        "no".to_owned(),
        "--loglevel".to_owned(),
        "warning".to_owned(),
    ]);
    let redis = Background::start(&redis_invocation, "redis-server")?;
    process::wait_for_redis(port, Duration::from_secs(10))?;
    let redis_url = format!("redis://127.0.0.1:{port}");
    let total_calls = (3 * each) as f64;
    let floor = total_calls / RATE;

    struct Round {
        elapsed: f64,
        span: f64,
        calls: f64,
        rejected: f64,
        max_window: f64,
        per_process: Vec<f64>,
        blocked: u64,
    }
    let mut rounds = Vec::new();
    for round in 1..=ctx.settings.slow_rounds {
        let (emulator, url) = start_emulator(ctx, 200, 0, &accounts)?;
        let started = Instant::now();
        let mut children = Vec::new();
        for (index, (pairs, _)) in files.iter().enumerate() {
            let out = dir.join(format!("out-{index}.json"));
            let stdout = File::create(&out)
                .map_err(|error| format!("cannot create {}: {error}", out.display()))?;
            let child = import_invocation(ctx, &url, pairs, &["--redis", &redis_url])
                .command(false)
                .stdin(Stdio::null())
                .stdout(stdout)
                .stderr(Stdio::inherit())
                .spawn()
                .map_err(|error| format!("cannot start imctl: {error}"))?;
            children.push((child, out, None::<f64>));
        }
        // Wait for all three, noting when each exits.
        let mut failure = None;
        while children.iter().any(|(_, _, done)| done.is_none()) {
            for (child, _, done) in children.iter_mut().filter(|(_, _, done)| done.is_none()) {
                match child.try_wait() {
                    Ok(Some(status)) => {
                        *done = Some(started.elapsed().as_secs_f64());
                        if !status.success() {
                            failure = Some(format!("an imctl process failed ({status})"));
                        }
                    }
                    Ok(None) => {}
                    Err(error) => failure = Some(format!("cannot wait for imctl: {error}")),
                }
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        let elapsed = started.elapsed().as_secs_f64();
        let summary = emulator.finish()?;
        if let Some(failure) = failure {
            return Err(failure);
        }
        let mut blocked = 0;
        for (_, out, _) in &children {
            let text = std::fs::read_to_string(out).unwrap_or_default();
            blocked += json_number(&text, "succeeded").unwrap_or(0);
        }
        let run = Round {
            elapsed,
            span: summary.number("call_span_secs")?,
            calls: summary.number("calls")?,
            rejected: summary.number("rejected")?,
            max_window: summary.number("max_calls_1s")?,
            per_process: children.iter().filter_map(|(_, _, done)| *done).collect(),
            blocked,
        };
        println!(
            "    redis round {round}: {:.2} s for {} calls ({:.3}× the floor), {} rejected, busiest second {}",
            run.elapsed,
            run.calls,
            run.elapsed / floor,
            run.rejected,
            run.max_window
        );
        rounds.push(run);
    }
    drop(redis);

    section.header(&[
        "round",
        "elapsed (all three)",
        "elapsed ÷ floor",
        "first to last call ÷ floor",
        "each process",
        "calls",
        "pairs blocked",
        "rate-limit rejections",
        "most calls in any 1 s",
    ]);
    for (index, run) in rounds.iter().enumerate() {
        section.row(vec![
            (index + 1).to_string(),
            format!("{:.2} s", run.elapsed),
            format!("{:.3}", run.elapsed / floor),
            format!("{:.3}", run.span / floor),
            run.per_process
                .iter()
                .map(|secs| format!("{secs:.2} s"))
                .collect::<Vec<_>>()
                .join(", "),
            grouped(run.calls),
            grouped(run.blocked as f64),
            grouped(run.rejected),
            grouped(run.max_window),
        ]);
    }
    let max_window = Series(rounds.iter().map(|run| run.max_window).collect()).max();
    let rejected = Series(rounds.iter().map(|run| run.rejected).collect()).max();
    let ratio = Series(rounds.iter().map(|run| run.elapsed / floor).collect()).median();
    let span = Series(rounds.iter().map(|run| run.span / floor).collect()).median();
    section.checks.push(Check::new(
        "Redis, 3 processes: most calls in any 1 s",
        grouped(max_window),
        "≤ 200",
        Verdict::of(max_window <= RATE),
    ));
    section.checks.push(Check::new(
        "Redis, 3 processes: rate-limit rejections",
        grouped(rejected),
        "0",
        Verdict::of(rejected == 0.0),
    ));
    section.checks.push(Check::new(
        "Redis, 3 processes: elapsed ÷ (total calls / 200)",
        format!(
            "{ratio:.3} ({:.2} s for {} calls; first to last call {span:.3})",
            ratio * floor,
            grouped(total_calls)
        ),
        "≤ 1.1",
        Verdict::of(ratio <= 1.1),
    ));
    section.notes.push(format!(
        "Elapsed runs from starting the first process to the exit of the last; \"first to last \
         call\" is measured by the emulator. Input: `{}`, `{}` and `{}` (written by the xtask).",
        ctx.show(&files[0].0),
        ctx.show(&files[1].0),
        ctx.show(&files[2].0)
    ));
    section.commands = vec![
        "redis-server --port 6390 --save '' --appendonly no &".to_owned(),
        format!(
            "{}   # prints `URL http://127.0.0.1:PORT`; Ctrl-D stops it and prints the summary",
            ctx.display(&emulator_invocation(ctx, 200, 0, &accounts))
        ),
    ];
    section.commands.push(export_line());
    for (pairs, _) in &files {
        let invocation = import_invocation(
            ctx,
            "http://127.0.0.1:PORT",
            pairs,
            &["--redis", "redis://127.0.0.1:6390"],
        );
        section
            .commands
            .push(format!("{} &", show_import(ctx, &invocation, None)));
    }
    section.commands.push("wait".to_owned());
    Ok(section)
}

/// Peak memory of `imctl blocklist import` over a large streamed input.
pub(crate) fn memory(ctx: &Ctx) -> Section {
    println!("==> peak memory of a streamed import");
    let [small, large] = ctx.settings.memory_pairs;
    let section = Section::new(
        "Peak memory of a streamed bulk import",
        &format!(
            "`imctl blocklist import` of {} and of {} pairs (users with 1000 pairs each, so one \
             full 1000-account call per user), against an emulator in its own process with no \
             limit and no latency, and `--rate 100000` so the run is bound by CPU, not pacing. \
             The file is read as a stream (once to count it, once to import it) and at most 64 \
             calls are in flight, so memory should not grow with the input. Peak RSS is the \
             `imctl` process alone{}; the emulator's state lives in the other process.",
            grouped(small as f64),
            grouped(large as f64),
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
    match memory_rounds(ctx, section.clone(), [small, large], &figure) {
        Ok(section) => section,
        Err(error) => section.not_measured(&error, &[(&figure, "< 64 MiB")]),
    }
}

fn memory_rounds(
    ctx: &Ctx,
    mut section: Section,
    sizes: [usize; 2],
    figure: &str,
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
    let mut commands = Vec::new();
    for size in sizes {
        let froms = size / 1000;
        let (pairs, accounts) = pair_files(&dir, &format!("pairs-{size}"), "m", froms, "n", 1000)?;
        let mut rss = Series::default();
        let mut elapsed = Series::default();
        let mut calls = 0.0;
        let extra = ["--rate", "100000"];
        for round in 1..=ctx.settings.slow_rounds {
            let (emulator, url) = start_emulator(ctx, 0, 0, &accounts)?;
            let invocation = import_invocation(ctx, &url, &pairs, &extra);
            let output = if ctx.gnu_time {
                process::measure(&invocation, true)?
            } else {
                process::measure_polling_rss(&invocation)?
            };
            let summary = emulator.finish()?;
            let blocked = json_number(&output.stdout, "succeeded").unwrap_or(0);
            if blocked != size as u64 {
                return Err(format!(
                    "the import of {size} pairs blocked {blocked}: {}",
                    output.stdout.trim()
                ));
            }
            let kib = output
                .max_rss_kib
                .ok_or("the peak memory could not be read")? as f64;
            calls = summary.number("calls")?;
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
            grouped(calls),
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
                "< 64 MiB",
                Verdict::of(peak < 64.0),
            ));
        }
        commands.push(format!(
            "{}   # Ctrl-D stops it",
            ctx.display(&emulator_invocation(ctx, 0, 0, &accounts))
        ));
        commands.push(show_import(
            ctx,
            &import_invocation(ctx, "http://127.0.0.1:PORT", &pairs, &extra),
            Some("/usr/bin/time -v"),
        ));
    }
    commands.insert(0, export_line());
    section.notes.push(format!(
        "Input: `{}/pairs-N.csv` (written by the xtask: `m000000,n0000` ..., 1000 targets per \
         user).",
        ctx.show(&dir)
    ));
    section.commands = commands;
    Ok(section)
}
