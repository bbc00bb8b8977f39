//! `cargo xtask bench`: measures the SDK side by side with the official libraries and
//! writes `docs/benchmarks.md`.
//!
//! It builds the release binaries (`imctl` and the measuring programs of `crates/im-bench`),
//! installs the official Python and Node UserSig libraries into a scratch folder under the
//! cargo target directory (saying so, and going on without them, when they cannot be
//! installed), runs every measurement in interleaved rounds, one process per measurement, and
//! writes the figures with their targets, the machine, and the commands that reproduce them.
//!
//! - `cargo xtask bench`: the full run; writes `docs/benchmarks.md`.
//! - `cargo xtask bench --quick`: fewer rounds and smaller sizes; writes
//!   `<target>/bench-scratch/benchmarks.md` instead, so a quick run never replaces the
//!   published figures.
//! - `--only usersig,cpu,overhead,import,export,accounts,memory,redis`: only those sections (also
//!   written to the scratch folder).
//! - `cargo xtask bench criterion [ARGS]`: the criterion benchmarks of the workspace.

mod accounts;
mod export;
mod figures;
mod process;
mod report;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use process::{Invocation, Rng};
use report::{Machine, Report, Section};

/// The sections, in report order.
const SECTIONS: &[&str] = &[
    "usersig", "cpu", "overhead", "import", "export", "accounts", "redis", "memory",
];

/// How much a run measures.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub(crate) quick: bool,
    /// Rounds of the short measurements (UserSig, CPU, overhead).
    pub(crate) rounds: usize,
    /// Rounds of the long ones (bulk import, Redis, memory).
    pub(crate) slow_rounds: usize,
    /// Seconds of each timed loop, and of its warm-up.
    pub(crate) secs: f64,
    pub(crate) warmup: f64,
    /// Calls of the bulk import at 200 calls/s.
    pub(crate) bulk_calls: usize,
    /// Users whose blocklists the export at 200 calls/s reads.
    pub(crate) export_users: usize,
    /// Accounts of the bulk account import at 100 calls/s.
    pub(crate) account_import_accounts: usize,
    /// Calls of each of the three processes sharing a budget through Redis.
    pub(crate) redis_calls: usize,
    /// Pair counts of the peak-memory imports (a smaller and the headline one).
    pub(crate) memory_pairs: [usize; 2],
}

impl Settings {
    fn full() -> Settings {
        Settings {
            quick: false,
            rounds: 5,
            slow_rounds: 3,
            secs: 2.5,
            warmup: 0.3,
            bulk_calls: 2000,
            export_users: 2000,
            account_import_accounts: 100_000,
            redis_calls: 400,
            memory_pairs: [100_000, 1_000_000],
        }
    }

    fn quick() -> Settings {
        Settings {
            quick: true,
            rounds: 3,
            slow_rounds: 1,
            secs: 0.5,
            warmup: 0.1,
            bulk_calls: 400,
            export_users: 400,
            account_import_accounts: 20_000,
            redis_calls: 100,
            memory_pairs: [10_000, 100_000],
        }
    }
}

/// Where things are, and what the run measures.
pub(crate) struct Ctx {
    pub(crate) settings: Settings,
    /// The cargo target directory of this run.
    target: PathBuf,
    /// `<target>/release`.
    pub(crate) release: PathBuf,
    /// `<target>/bench-scratch`: installed libraries, drivers, generated input files.
    pub(crate) scratch: PathBuf,
    /// Whether `/usr/bin/time -v` is available for peak memory.
    pub(crate) gnu_time: bool,
    pub(crate) rng: Rng,
}

impl Ctx {
    /// A path as the report shows it: under `target/` as in a default checkout, never an
    /// absolute path of this machine.
    pub(crate) fn show(&self, path: &Path) -> String {
        if let Ok(rest) = path.strip_prefix(&self.target) {
            return format!("target/{}", rest.display());
        }
        if path.is_absolute() {
            // A system program: its name is enough.
            return path
                .file_name()
                .map_or_else(String::new, |name| name.to_string_lossy().into_owned());
        }
        path.display().to_string()
    }

    /// An invocation as a reader would type it.
    pub(crate) fn display(&self, invocation: &Invocation) -> String {
        self.display_with(invocation, &[], None)
    }

    /// An invocation as a reader would type it, leaving out the variables named in
    /// `exported` (set once by an `export` line) and run under `wrapper` if given.
    pub(crate) fn display_with(
        &self,
        invocation: &Invocation,
        exported: &[&str],
        wrapper: Option<&str>,
    ) -> String {
        let mut words: Vec<String> = invocation
            .envs
            .iter()
            .filter(|(name, _)| !exported.contains(&name.as_str()))
            .map(|(name, value)| format!("{name}={}", quote(&self.show_arg(value))))
            .collect();
        words.extend(wrapper.map(str::to_owned));
        words.push(self.show(&invocation.program));
        words.extend(invocation.args.iter().map(|arg| quote(&self.show_arg(arg))));
        words.join(" ")
    }

    fn show_arg(&self, arg: &str) -> String {
        let path = Path::new(arg);
        if path.is_absolute() {
            self.show(path)
        } else {
            arg.to_owned()
        }
    }

    pub(crate) fn bin(&self, name: &str) -> PathBuf {
        self.release.join(name)
    }
}

/// Quotes a shell word when it needs it.
fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '-' | '_' | '.' | '/' | ':' | ',' | '=' | '@' | '+')
        });
    if plain {
        word.to_owned()
    } else {
        format!("'{word}'")
    }
}

/// Runs `cargo xtask bench [options]`.
pub(crate) fn run(root: &Path, extra: &[&str]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    if let ["criterion", rest @ ..] = extra {
        let mut args = vec!["bench", "--workspace", "--all-features", "--"];
        args.extend_from_slice(rest);
        return crate::step(root, &cargo, &args, &[]);
    }
    let mut settings = Settings::full();
    let mut only: Option<Vec<String>> = None;
    let mut args = extra.iter();
    while let Some(arg) = args.next() {
        match *arg {
            "--quick" => settings = Settings::quick(),
            "--only" => {
                let list = args.next().ok_or("--only needs a list, e.g. usersig,cpu")?;
                let names: Vec<String> = list.split(',').map(str::to_owned).collect();
                if let Some(unknown) = names.iter().find(|name| !SECTIONS.contains(&name.as_str()))
                {
                    return Err(format!(
                        "unknown section {unknown:?}; use {}",
                        SECTIONS.join(",")
                    ));
                }
                only = Some(names);
            }
            other => {
                return Err(format!(
                    "unknown option {other:?}; usage: cargo xtask bench [--quick] [--only {}] | bench criterion [ARGS]",
                    SECTIONS.join(",")
                ));
            }
        }
    }
    let started = Instant::now();
    let date = report::utc_now();
    let load_before = report::load_average();

    let target = target_dir(root);
    let scratch = target.join("bench-scratch");
    std::fs::create_dir_all(&scratch)
        .map_err(|error| format!("cannot create {}: {error}", scratch.display()))?;
    let wanted = |name: &str| {
        only.as_ref()
            .is_none_or(|names| names.iter().any(|n| n == name))
    };
    // `imctl` is needed only by the figures that run it.
    let mut build = vec!["build", "--release", "-p", "im-bench"];
    if ["import", "export", "accounts", "redis", "memory"]
        .iter()
        .any(|name| wanted(name))
    {
        build.extend(["-p", "im-cli"]);
    }
    crate::step(root, &cargo, &build, &[])?;
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(1, |elapsed| elapsed.as_nanos() as u64);
    let mut ctx = Ctx {
        release: target.join("release"),
        target,
        scratch,
        gnu_time: process::has_gnu_time(),
        rng: Rng::new(seed),
        settings,
    };
    if !ctx.gnu_time {
        println!(
            "==> /usr/bin/time is missing: peak memory is read from /proc while the import runs"
        );
    }

    let mut machine = Machine::describe();
    let mut sections: Vec<Section> = Vec::new();
    if wanted("usersig") {
        let libraries = figures::install_libraries(&ctx);
        let (generation, verification, runtimes) = figures::usersig(&mut ctx, &libraries);
        for (name, value) in runtimes {
            machine.push(&name, value);
        }
        sections.push(generation);
        sections.push(verification);
    }
    if wanted("cpu") {
        sections.push(figures::cpu(&mut ctx));
    }
    if wanted("overhead") {
        sections.push(figures::overhead(&mut ctx));
    }
    if wanted("import") {
        sections.push(figures::bulk_import(&ctx));
    }
    if wanted("export") {
        sections.push(export::export(&ctx));
    }
    if wanted("accounts") {
        sections.push(accounts::account_import(&ctx));
    }
    if wanted("redis") {
        sections.push(figures::redis(&ctx));
    }
    if wanted("memory") {
        sections.push(figures::memory(&ctx));
    }

    let elapsed = started.elapsed();
    machine.push(
        "Load average (1, 5, 15 min) before / after",
        format!("{load_before} / {}", report::load_average()),
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
    let method = method(&ctx);
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
    let destination = if ctx.settings.quick || only.is_some() {
        ctx.scratch.join("benchmarks.md")
    } else {
        root.join("docs/benchmarks.md")
    };
    std::fs::write(&destination, markdown)
        .map_err(|error| format!("cannot write {}: {error}", destination.display()))?;
    println!(
        "==> wrote {} in {} s",
        destination.display(),
        elapsed.as_secs()
    );
    for check in sections.iter().flat_map(|section| &section.checks) {
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

/// The cargo target directory: `CARGO_TARGET_DIR` when set, else `target` in the workspace.
fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if Path::new(&dir).is_absolute() => PathBuf::from(dir),
        Some(dir) => std::env::current_dir().map_or_else(|_| root.join(&dir), |cwd| cwd.join(&dir)),
        None => root.join("target"),
    }
}

/// How the figures were measured, for the report.
fn method(ctx: &Ctx) -> Vec<String> {
    let s = &ctx.settings;
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

/// Runs one setup command (venv, pip, npm) with its output in `log`.
pub(crate) fn setup_command(program: &str, args: &[&str], log: &Path) -> Result<(), String> {
    println!("==> {program} {}", args.join(" "));
    let mut command = Command::new(program);
    command.args(args);
    match process::run_logged(command, log, Duration::from_secs(300)) {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!(
            "`{program} {}` failed ({status}): {}",
            args.join(" "),
            process::tail(&std::fs::read_to_string(log).unwrap_or_default(), 3)
        )),
        Err(error) => Err(format!("`{program} {}`: {error}", args.join(" "))),
    }
}
