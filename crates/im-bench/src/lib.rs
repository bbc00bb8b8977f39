//! The benchmark suite behind `cargo xtask bench`: the runner that writes
//! `docs/benchmarks.md`, and the measuring programs it runs.
//!
//! `bench-report` is the runner ([`suite`]): it builds the release binaries it needs, installs
//! the official Python and Node UserSig libraries into a scratch folder, runs every measurement
//! in interleaved rounds, one process per measurement, and writes the figures with their
//! targets, the machine, and the commands that reproduce them. `cargo xtask bench [OPTIONS]`
//! runs it; the options are listed in [`suite`].
//!
//! Each measuring program measures one thing in one process, on one thread, and prints its
//! figures as `RESULT name=value` lines on standard output (and facts about the run as
//! `INFO name=value` lines), so the runner can run them in interleaved rounds and take medians:
//!
//! - `bench-usersig`: UserSig generations and decode+verify per second.
//! - `bench-cpu`: the SDK's own CPU cost of one 1000-account call, and of its parts.
//! - `bench-overhead`: one 1000-account call through the SDK over loopback HTTP against a bare
//!   hyper POST of the same bytes to the same server.
//! - `bench-emulator`: the emulator served on loopback until standard input closes, then its
//!   request log summarised ([`EmulatorSummary`]: calls, rate-limit rejections, busiest
//!   one-second window).
//!
//! This library holds what they share: the workload's constants, the lines they print, a tiny
//! option parser, a timed loop, and the thread's CPU clock.

mod lines;
pub mod suite;
mod summary;

pub use lines::{info, result};
pub use summary::EmulatorSummary;

use std::collections::HashMap;
use std::fmt;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The documented example key of the UserSig algorithm, used by every measurement.
pub const KEY: &str = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";

/// The SDKAppID of every measurement.
pub const SDKAPPID: u64 = 1_400_000_000;

/// The admin identifier every UserSig is made for.
pub const ADMIN: &str = "administrator";

/// The validity of the measured UserSigs: 180 days, the official libraries' default.
pub const EXPIRE: u64 = 15_552_000;

/// The accounts of one full request: 1000, the most one call may carry.
pub fn thousand_accounts() -> Vec<String> {
    (0..1000).map(|i| format!("user_{i:06}")).collect()
}

/// The service's answer to an add of `accounts`: every account blocked.
pub fn canned_answer(accounts: &[String]) -> Result<bytes::Bytes, BenchError> {
    let response = im_protocol::UpdateBlocklistResponse::new(
        accounts
            .iter()
            .map(|account| im_protocol::AccountResult::new(account, im_protocol::ErrorCode::OK, ""))
            .collect(),
    );
    im_protocol::encode_json(&im_protocol::Envelope::ok(response))
        .map(bytes::Bytes::from)
        .map_err(|error| BenchError::because("cannot encode the answer", error))
}

/// The current Unix time in seconds, read from the system clock.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// A failure of a measuring program, printed before it exits with status 1.
#[derive(Debug)]
pub struct BenchError(String);

impl BenchError {
    /// A failure with this message.
    pub fn new(message: impl Into<String>) -> Self {
        BenchError(message.into())
    }

    /// A failure of `what`, caused by `error`.
    pub fn because(what: &str, error: impl fmt::Display) -> Self {
        BenchError(format!("{what}: {error}"))
    }
}

impl fmt::Display for BenchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BenchError {}

/// The command line of a measuring program: positional words, then `--name value` pairs.
#[derive(Debug, Default)]
pub struct Options {
    positional: Vec<String>,
    named: HashMap<String, String>,
}

impl Options {
    /// Parses the process's arguments.
    pub fn from_env() -> Result<Self, BenchError> {
        Self::parse(std::env::args().skip(1))
    }

    /// Parses `args`: every `--name` takes the next argument as its value.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, BenchError> {
        let mut options = Options::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            if let Some(name) = arg.strip_prefix("--") {
                let value = args
                    .next()
                    .ok_or_else(|| BenchError::new(format!("--{name} needs a value")))?;
                options.named.insert(name.to_owned(), value);
            } else {
                options.positional.push(arg);
            }
        }
        Ok(options)
    }

    /// The positional argument at `index`, if given.
    pub fn positional(&self, index: usize) -> Option<&str> {
        self.positional.get(index).map(String::as_str)
    }

    /// The value of `--name`, if given.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.named.get(name).map(String::as_str)
    }

    /// The number given as `--name`, or `default`.
    pub fn number(&self, name: &str, default: f64) -> Result<f64, BenchError> {
        match self.text(name) {
            None => Ok(default),
            Some(value) => value
                .parse::<f64>()
                .ok()
                .filter(|number| number.is_finite() && *number >= 0.0)
                .ok_or_else(|| BenchError::new(format!("--{name} needs a number, got {value:?}"))),
        }
    }

    /// The durations of the warm-up (`--warmup`, default 0.3 s) and of the timed loop
    /// (`--secs`, default 2.5 s).
    pub fn durations(&self) -> Result<(Duration, Duration), BenchError> {
        Ok((
            Duration::from_secs_f64(self.number("warmup", 0.3)?),
            Duration::from_secs_f64(self.number("secs", 2.5)?),
        ))
    }
}

/// What a timed loop measured.
#[derive(Clone, Copy, Debug)]
pub struct Rate {
    /// Operations completed in the timed part.
    pub ops: u64,
    /// Wall-clock time of the timed part.
    pub elapsed: Duration,
    /// CPU time the thread spent in the timed part, when the system reports it.
    pub cpu: Option<Duration>,
}

impl Rate {
    /// Operations per second of wall-clock time.
    pub fn per_sec(&self) -> f64 {
        self.ops as f64 / self.elapsed.as_secs_f64().max(f64::MIN_POSITIVE)
    }

    /// Microseconds of wall-clock time per operation.
    pub fn wall_micros(&self) -> f64 {
        self.elapsed.as_secs_f64() * 1e6 / self.ops.max(1) as f64
    }

    /// Microseconds of the thread's CPU time per operation, when known.
    pub fn cpu_micros(&self) -> Option<f64> {
        self.cpu
            .map(|cpu| cpu.as_secs_f64() * 1e6 / self.ops.max(1) as f64)
    }

    /// Prints `ops_per_sec`, `us_per_op`, `cpu_us_per_op` (when known) and `ops`.
    pub fn report(&self) {
        result("ops_per_sec", format_args!("{:.1}", self.per_sec()));
        result("us_per_op", format_args!("{:.3}", self.wall_micros()));
        if let Some(cpu) = self.cpu_micros() {
            result("cpu_us_per_op", format_args!("{cpu:.3}"));
        }
        result("ops", self.ops);
    }
}

/// Runs `op` for `warmup`, then repeatedly in batches of `batch` until `secs` have passed,
/// and reports how many ran in how long. The clock is read once per batch.
pub fn timed_loop(warmup: Duration, secs: Duration, batch: u64, mut op: impl FnMut()) -> Rate {
    let batch = batch.max(1);
    let warm_until = Instant::now() + warmup;
    while Instant::now() < warm_until {
        for _ in 0..batch {
            op();
        }
    }
    let cpu_start = thread_cpu_time();
    let start = Instant::now();
    let mut ops = 0;
    loop {
        for _ in 0..batch {
            op();
        }
        ops += batch;
        if start.elapsed() >= secs {
            break;
        }
    }
    let elapsed = start.elapsed();
    let cpu = cpu_start
        .zip(thread_cpu_time())
        .map(|(start, end)| end.saturating_sub(start));
    Rate { ops, elapsed, cpu }
}

/// The CPU time this thread has used so far, from `/proc/thread-self/schedstat` (Linux);
/// `None` elsewhere.
pub fn thread_cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos = text.split_whitespace().next()?.parse::<u64>().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// The median of `values` (the mean of the middle two for an even count); 0 when empty.
pub fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    match (values.get(middle.wrapping_sub(1)), values.get(middle)) {
        (Some(low), Some(high)) if values.len().is_multiple_of(2) => (low + high) / 2.0,
        (_, Some(value)) => *value,
        _ => 0.0,
    }
}

/// The `q` quantile (0 to 1) of `values` by the nearest rank; 0 when empty.
pub fn quantile(values: &mut [f64], q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let rank = ((values.len() - 1) as f64 * q.clamp(0.0, 1.0)).round() as usize;
    values.get(rank).copied().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_take_positionals_and_named_values() {
        let options = Options::parse(
            ["verify", "--secs", "1.5", "extra"]
                .into_iter()
                .map(String::from),
        )
        .unwrap();
        assert_eq!(options.positional(0), Some("verify"));
        assert_eq!(options.positional(1), Some("extra"));
        assert_eq!(options.number("secs", 9.0).unwrap(), 1.5);
        assert_eq!(options.number("warmup", 0.3).unwrap(), 0.3);
        assert!(Options::parse(["--secs".to_owned()]).is_err());
        let bad = Options::parse(["--secs", "fast"].into_iter().map(String::from)).unwrap();
        assert!(bad.number("secs", 1.0).is_err());
    }

    #[test]
    fn medians_and_quantiles() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&mut []), 0.0);
        let mut values: Vec<f64> = (1..=11).map(f64::from).collect();
        assert_eq!(quantile(&mut values, 0.9), 10.0);
        assert_eq!(quantile(&mut values, 0.0), 1.0);
        assert_eq!(quantile(&mut values, 1.0), 11.0);
    }
}
