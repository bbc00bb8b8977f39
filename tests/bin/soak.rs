//! The long fault-injection soak, run by `cargo xtask soak`.
//!
//! Drives the SDK against the emulator over HTTP on loopback (or in process with
//! `--in-process`) with seeded faults, prints a Markdown table of the figures, writes it to
//! `--out` when given, and exits with status 1 when a check failed.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tests::soak::{self, Face, SoakConfig};

const USAGE: &str = "\
usage: soak [options]

  --operations N       account operations to run, at least (default 1000000)
  --seed N             seed of the operation mix and the faults (default 1)
  --users N            users owning blocklists (default 400)
  --accounts N         other accounts to block (default 20000)
  --lanes N            workers running at once (default 16)
  --rate-limit N       the emulator's calls/s per API; the client paces at it (default 200)
  --http-502 P         probability of HTTP 502 per request (default 0.01)
  --request-error P    probability of a request-level 30006/30007/30008 (default 0.01)
  --account-error P    probability of a per-account 30006/30007/30008 (default 0.00005)
  --lost-answer P      probability of an applied request whose answer is lost (default 0.01)
  --truncated-json P   probability of an applied request with a truncated answer (default 0.01)
  --latency-ms N       latency of every answer (default 2)
  --jitter-ms N        extra latency up to N ms (default 8)
  --in-process         use the in-process transport instead of HTTP
  --out FILE           also write the figures to FILE
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (config, out) = match parse(&args) {
        Ok(Some(parsed)) => parsed,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("soak: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("soak: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "soak: {} account operations, seed {}, {:?} face",
        config.operations, config.seed, config.face
    );
    let report = runtime.block_on(async {
        let progress = config.progress.clone();
        let target = config.operations;
        let reporter = tokio::spawn(async move {
            let Some(progress) = progress else { return };
            let mut ticker = tokio::time::interval(Duration::from_secs(10));
            ticker.tick().await;
            loop {
                ticker.tick().await;
                let done = progress.load(Ordering::Relaxed);
                println!(
                    "soak: {done} of {target} account operations ({:.0}%)",
                    done as f64 * 100.0 / target.max(1) as f64
                );
            }
        });
        let report = soak::run(&config).await;
        reporter.abort();
        report
    });
    let report = match report {
        Ok(report) => report,
        Err(error) => {
            eprintln!("soak: {error}");
            return ExitCode::FAILURE;
        }
    };
    let table = report.to_string();
    println!("\n{table}");
    if let Some(out) = out {
        if let Err(error) = std::fs::write(&out, &table) {
            eprintln!("soak: cannot write {out}: {error}");
            return ExitCode::FAILURE;
        }
        println!("soak: figures written to {out}");
    }
    let violations = report.violations();
    if violations.is_empty() {
        println!("soak: passed: nothing lost, nothing spurious, every limit kept");
        ExitCode::SUCCESS
    } else {
        for violation in violations {
            eprintln!("soak: FAILED: {violation}");
        }
        ExitCode::FAILURE
    }
}

/// Reads the options; `None` when help was asked for.
fn parse(args: &[String]) -> Result<Option<(SoakConfig, Option<String>)>, String> {
    let mut config = SoakConfig::new(1, 1_000_000);
    config.face = Face::Http;
    let mut seed = None;
    let mut faults = SoakConfig::default_faults(1);
    let mut out = None;
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let flag = flag.as_str();
        if matches!(flag, "-h" | "--help") {
            return Ok(None);
        }
        if flag == "--in-process" {
            config.face = Face::InProcess;
            continue;
        }
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value"))?
            .as_str();
        match flag {
            "--operations" => config.operations = number(flag, value)?,
            "--seed" => seed = Some(number(flag, value)?),
            "--users" => config.users = number(flag, value)?,
            "--accounts" => config.accounts = number(flag, value)?,
            "--lanes" => config.lanes = number(flag, value)?,
            "--rate-limit" => config.rate_limit = number(flag, value)?,
            "--http-502" => faults = faults.http_502(probability(flag, value)?),
            "--request-error" => faults = faults.request_error(probability(flag, value)?),
            "--account-error" => faults = faults.account_error(probability(flag, value)?),
            "--lost-answer" => faults = faults.lost_answer(probability(flag, value)?),
            "--truncated-json" => faults = faults.truncated_json(probability(flag, value)?),
            "--latency-ms" => faults = faults.latency(Duration::from_millis(number(flag, value)?)),
            "--jitter-ms" => {
                faults = faults.latency_jitter(Duration::from_millis(number(flag, value)?));
            }
            "--out" => out = Some(value.to_owned()),
            other => return Err(format!("unknown option {other}")),
        }
    }
    if let Some(seed) = seed {
        config.seed = seed;
        faults.seed = seed;
    }
    config.faults = faults;
    config.progress = Some(Arc::new(AtomicU64::new(0)));
    Ok(Some((config, out)))
}

fn number<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
    value
        .replace('_', "")
        .parse()
        .map_err(|_| format!("{flag}: {value:?} is not a number"))
}

fn probability(flag: &str, value: &str) -> Result<f64, String> {
    let p: f64 = number(flag, value)?;
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(format!(
            "{flag}: {value} is not a probability between 0 and 1"
        ))
    }
}
