//! Three `imctl` processes sharing one 200 calls/s budget through one Redis server, against
//! one emulator that logs every call.

use std::fs::File;
use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use im_protocol::Api;

use crate::EmulatorSummary;
use crate::suite::background::Background;
use crate::suite::ctx::Ctx;
use crate::suite::imctl::{
    Totals, blocklist_import, emulator_with_accounts, export_line, show_imctl, start_emulator,
};
use crate::suite::inputs::pair_files;
use crate::suite::machine::command_line;
use crate::suite::process::Invocation;
use crate::suite::report::{Check, Section, Verdict};
use crate::suite::stats::{Series, grouped};

/// `black_list_add`'s documented limit, in calls per second: the budget the three share.
const RATE: u32 = Api::BlackListAdd.default_calls_per_second();

/// The processes sharing the budget.
const PROCESSES: usize = 3;

/// Pairs of each user: one call each.
const PAIRS_PER_USER: usize = 5;

/// The most elapsed ÷ floor the three may take.
const RATIO_TARGET: f64 = 1.1;

/// The section's figures with their targets: the busiest second, rejections, elapsed ÷ floor.
fn figures() -> [(String, String); 3] {
    let name = format!("Redis, {PROCESSES} processes");
    [
        (
            format!("{name}: most calls in any 1 s"),
            format!("≤ {RATE}"),
        ),
        (format!("{name}: rate-limit rejections"), "0".to_owned()),
        (
            format!("{name}: elapsed ÷ (total calls / {RATE})"),
            format!("≤ {RATIO_TARGET}"),
        ),
    ]
}

/// Three processes of `redis_calls` calls each, started together.
pub(crate) fn redis(ctx: &Ctx) -> Section {
    println!("==> three processes sharing {RATE} calls/s through Redis");
    let each = ctx.settings.redis_calls;
    let section = Section::new(
        &format!("Three processes sharing {RATE} calls/s through Redis"),
        &format!(
            "Three `imctl blocklist import --redis URL` processes, started together, each \
             importing its own {} users × {PAIRS_PER_USER} pairs ({} calls each, {} in all, so \
             the floor is {:.1} s), share one budget of {RATE} calls/s per API through one Redis \
             server. One emulator (own process, limit {RATE} calls in any sliding second, no \
             latency, no faults) serves all three and logs every call.",
            grouped(each as f64),
            grouped(each as f64),
            grouped((PROCESSES * each) as f64),
            (PROCESSES * each) as f64 / f64::from(RATE)
        ),
    );
    if command_line("redis-server", &["--version"]) == "unknown" {
        println!("==> redis-server is not installed: skipping the shared-budget figure");
        return section.not_measured(
            "`redis-server` is not installed here (`apt-get install redis-server` or `brew install redis`)",
            &figures(),
        );
    }
    match rounds(ctx, section.clone(), each) {
        Ok(section) => section,
        Err(error) => section.not_measured(&error, &figures()),
    }
}

/// One round: the three processes against a fresh emulator.
struct Round {
    /// From starting the first process to the exit of the last, in seconds.
    elapsed: f64,
    emulator: EmulatorSummary,
    /// When each process exited, in seconds from the start.
    per_process: Vec<f64>,
    blocked: u64,
}

fn rounds(ctx: &Ctx, mut section: Section, each: usize) -> Result<Section, String> {
    let dir = ctx.scratch.join("redis");
    let mut files = Vec::new();
    for process in 0..PROCESSES {
        files.push(pair_files(
            &dir,
            &format!("pairs-{process}"),
            &format!("r{process}u"),
            each,
            "t",
            PAIRS_PER_USER,
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

    let port = free_port()?;
    let redis = Background::start(&redis_server(port), "redis-server")?;
    wait_for_redis(port, Duration::from_secs(10))?;
    let redis_url = format!("redis://127.0.0.1:{port}");
    let total_calls = (PROCESSES * each) as f64;
    let floor = total_calls / f64::from(RATE);
    let emulator = emulator_with_accounts(ctx, RATE, 0, &accounts);
    let mut rounds = Vec::new();
    for round in 1..=ctx.settings.slow_rounds {
        let (server, url) = start_emulator(&emulator)?;
        let started = Instant::now();
        let mut children = Vec::new();
        for (index, (pairs, _)) in files.iter().enumerate() {
            let out = dir.join(format!("out-{index}.json"));
            let stdout = File::create(&out)
                .map_err(|error| format!("cannot create {}: {error}", out.display()))?;
            let child = blocklist_import(ctx, &url, pairs, &["--redis", &redis_url])
                .command(false)
                .stdin(Stdio::null())
                .stdout(stdout)
                .stderr(Stdio::inherit())
                .spawn()
                .map_err(|error| format!("cannot start imctl: {error}"))?;
            children.push((child, out));
        }
        let (per_process, failure) = wait_all(&mut children, started);
        let elapsed = started.elapsed().as_secs_f64();
        let summary = EmulatorSummary::read(&server.finish()?.results)?;
        if let Some(failure) = failure {
            return Err(failure);
        }
        let mut blocked = 0;
        for (_, out) in &children {
            let text = std::fs::read_to_string(out)
                .map_err(|error| format!("cannot read {}: {error}", out.display()))?;
            blocked += Totals::read(&text)?.succeeded;
        }
        let run = Round {
            elapsed,
            emulator: summary,
            per_process,
            blocked,
        };
        println!(
            "    redis round {round}: {:.2} s for {} calls ({:.3}× the floor), {} rejected, busiest second {}",
            run.elapsed,
            run.emulator.calls,
            run.elapsed / floor,
            run.emulator.rejected,
            run.emulator.max_calls_1s
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
            format!("{:.3}", run.emulator.call_span_secs / floor),
            run.per_process
                .iter()
                .map(|secs| format!("{secs:.2} s"))
                .collect::<Vec<_>>()
                .join(", "),
            grouped(run.emulator.calls as f64),
            grouped(run.blocked as f64),
            grouped(run.emulator.rejected as f64),
            grouped(run.emulator.max_calls_1s as f64),
        ]);
    }
    let series = |value: fn(&Round) -> f64| rounds.iter().map(value).collect::<Series>();
    let max_window = series(|run| run.emulator.max_calls_1s as f64).max();
    let rejected = series(|run| run.emulator.rejected as f64).max();
    let ratio = rounds
        .iter()
        .map(|run| run.elapsed / floor)
        .collect::<Series>()
        .median();
    let span = rounds
        .iter()
        .map(|run| run.emulator.call_span_secs / floor)
        .collect::<Series>()
        .median();
    let [
        (window_figure, window_target),
        (rejections_figure, rejections_target),
        (ratio_figure, ratio_target),
    ] = figures();
    section.checks.push(Check::new(
        window_figure,
        grouped(max_window),
        window_target,
        Verdict::of(max_window <= f64::from(RATE)),
    ));
    section.checks.push(Check::new(
        rejections_figure,
        grouped(rejected),
        rejections_target,
        Verdict::of(rejected == 0.0),
    ));
    section.checks.push(Check::new(
        ratio_figure,
        format!(
            "{ratio:.3} ({:.2} s for {} calls; first to last call {span:.3})",
            ratio * floor,
            grouped(total_calls)
        ),
        ratio_target,
        Verdict::of(ratio <= RATIO_TARGET),
    ));
    section.notes.push(format!(
        "Elapsed runs from starting the first process to the exit of the last; \"first to last \
         call\" is measured by the emulator. Input: `{}`, `{}` and `{}` (written by `cargo xtask \
         bench`).",
        ctx.show(&files[0].0),
        ctx.show(&files[1].0),
        ctx.show(&files[2].0)
    ));
    section.commands = vec![
        "redis-server --port 6390 --save '' --appendonly no &".to_owned(),
        format!(
            "{}   # prints `URL http://127.0.0.1:PORT`; Ctrl-D stops it and prints the summary",
            ctx.display(&emulator)
        ),
        export_line(),
    ];
    for (pairs, _) in &files {
        let invocation = blocklist_import(
            ctx,
            "http://127.0.0.1:PORT",
            pairs,
            &["--redis", "redis://127.0.0.1:6390"],
        );
        section
            .commands
            .push(format!("{} &", show_imctl(ctx, &invocation, None)));
    }
    section.commands.push("wait".to_owned());
    Ok(section)
}

/// Waits for every child, noting when each exits (seconds since `started`); returns those
/// times and the first failure, if any.
fn wait_all(
    children: &mut [(Child, std::path::PathBuf)],
    started: Instant,
) -> (Vec<f64>, Option<String>) {
    let mut done: Vec<Option<f64>> = vec![None; children.len()];
    let mut failure = None;
    while done.iter().any(Option::is_none) {
        for ((child, _), done) in children.iter_mut().zip(done.iter_mut()) {
            if done.is_some() {
                continue;
            }
            match child.try_wait() {
                Ok(Some(status)) => {
                    *done = Some(started.elapsed().as_secs_f64());
                    if !status.success() {
                        failure = Some(format!("an imctl process failed ({status})"));
                    }
                }
                Ok(None) => {}
                Err(error) => {
                    // Counted as ended, so the wait ends; the run fails.
                    *done = Some(started.elapsed().as_secs_f64());
                    failure = Some(format!("cannot wait for imctl: {error}"));
                }
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    (done.into_iter().flatten().collect(), failure)
}

/// A Redis server on loopback `port`, keeping nothing on disk.
fn redis_server(port: u16) -> Invocation {
    Invocation::new("redis-server").args([
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
    ])
}

/// A TCP port on loopback that was free a moment ago.
fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|error| format!("no free port on loopback: {error}"))
}

/// Waits until a Redis server on `port` answers PING.
fn wait_for_redis(port: u16, limit: Duration) -> Result<(), String> {
    let deadline = Instant::now() + limit;
    loop {
        if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) {
            let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
            let mut answer = [0_u8; 7];
            if stream.write_all(b"PING\r\n").is_ok()
                && stream.read_exact(&mut answer).is_ok()
                && &answer == b"+PONG\r\n"
            {
                return Ok(());
            }
        }
        if Instant::now() >= deadline {
            return Err(format!("redis-server did not answer on port {port}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
