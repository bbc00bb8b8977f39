//! The emulator served on loopback for a benchmark, then its request log summarised.
//!
//! ```text
//! bench-emulator [--rate 200] [--latency-ms 0] [--accounts FILE] [--blocks PAIRS]
//! ```
//!
//! Imports the accounts named in `FILE` (one per line), blocks the `from,to` pairs of
//! `PAIRS` (one per line; for measuring exports), serves the emulator on
//! `127.0.0.1` with a frequency limit of `--rate` calls/s per API (0: unlimited) and
//! `--latency-ms` of added latency before every blocklist answer, and prints
//! `URL http://127.0.0.1:PORT` once it listens. It serves until its standard input is closed,
//! then prints, as `RESULT name=value` lines (an [`EmulatorSummary`]):
//!
//! - `requests`: every request received;
//! - `calls`: blocklist calls that counted against the limit;
//! - `rejected`: calls refused by the frequency limit (code 60007);
//! - `other_failures`: answers with any other non-zero code;
//! - `max_calls_1s`: the most calls to one API that arrived within any one second;
//! - `call_span_secs`: from the first call's arrival to the last one's;
//! - `accounts`: accounts carried by the calls.

use std::io::{Read as _, Write as _};
use std::process::ExitCode;
use std::time::Duration;

use im_bench::{BenchError, EmulatorSummary, KEY, Options, SDKAPPID};
use im_emulator::{Emulator, Faults};
use im_protocol::{Api, ErrorCode};
use im_sig::SecretKey;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bench-emulator: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), BenchError> {
    let options = Options::from_env()?;
    let rate = options.number("rate", 200.0)?;
    let latency = Duration::from_secs_f64(options.number("latency-ms", 0.0)? / 1000.0);
    let mut faults = Faults::none();
    if !latency.is_zero() {
        faults = Faults::seeded(1).latency(latency);
    }
    let emulator = Emulator::builder()
        .sdkappid(SDKAPPID)
        .key(SecretKey::new(KEY))
        .rate_limit(rate as u32)
        .faults(faults)
        .build()
        .map_err(|error| BenchError::because("cannot build the emulator", error))?;
    if let Some(path) = options.text("accounts") {
        let text = std::fs::read_to_string(path)
            .map_err(|error| BenchError::because(&format!("cannot read {path}"), error))?;
        let imported = emulator.import_accounts(
            text.lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .map(str::to_owned),
        );
        eprintln!("bench-emulator: imported {imported} accounts");
    }
    if let Some(path) = options.text("blocks") {
        let text = std::fs::read_to_string(path)
            .map_err(|error| BenchError::because(&format!("cannot read {path}"), error))?;
        let mut blocked = 0usize;
        for (from, to) in text.lines().filter_map(|line| line.trim().split_once(',')) {
            let code = emulator.block(from, to);
            if code != ErrorCode::OK {
                return Err(BenchError::new(format!(
                    "cannot block {from},{to}: code {code}"
                )));
            }
            blocked += 1;
        }
        eprintln!("bench-emulator: blocked {blocked} pairs");
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| BenchError::because("no runtime", error))?;
    runtime.block_on(async {
        let server = emulator
            .serve(([127, 0, 0, 1], 0).into())
            .await
            .map_err(|error| BenchError::because("cannot serve", error))?;
        println!("URL {}", server.base_url());
        std::io::stdout()
            .flush()
            .map_err(|error| BenchError::because("cannot write", error))?;
        // Serve until whoever started this closes its end of standard input.
        let _ = tokio::task::spawn_blocking(|| {
            let mut sink = Vec::new();
            std::io::stdin().read_to_end(&mut sink)
        })
        .await;
        server.shutdown().await;
        Ok::<_, BenchError>(())
    })?;
    summarise(&emulator).print();
    Ok(())
}

/// What the request log says about the measurement that just ran.
fn summarise(emulator: &Emulator) -> EmulatorSummary {
    let log = emulator.requests();
    let calls: Vec<_> = log
        .iter()
        .filter(|request| request.counts_as_call())
        .collect();
    let rejected = log
        .iter()
        .filter(|request| request.rejected_by_rate_limit)
        .count();
    let other_failures = log
        .iter()
        .filter(|request| {
            !request.rejected_by_rate_limit && request.code.is_none_or(|code| code != ErrorCode::OK)
        })
        .count();
    let max_calls_1s = Api::ALL
        .iter()
        .map(|api| emulator.max_calls_in_window(*api, Duration::from_secs(1)))
        .max()
        .unwrap_or(0);
    let span = match (calls.first(), calls.last()) {
        (Some(first), Some(last)) => last.at.saturating_duration_since(first.at),
        _ => Duration::ZERO,
    };
    EmulatorSummary {
        requests: log.len() as u64,
        calls: calls.len() as u64,
        rejected: rejected as u64,
        other_failures: other_failures as u64,
        max_calls_1s: max_calls_1s as u64,
        call_span_secs: span.as_secs_f64(),
        accounts: calls.iter().map(|request| request.accounts).sum::<usize>() as u64,
    }
}
