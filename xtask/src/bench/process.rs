//! Running the measuring programs: commands shown as a reader would type them, their
//! `RESULT`/`INFO`/`SAMPLE` lines, peak memory, background servers, and small statistics.

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A program with its arguments and extra environment, runnable and printable.
#[derive(Clone, Debug)]
pub(crate) struct Invocation {
    pub(crate) program: PathBuf,
    pub(crate) args: Vec<String>,
    pub(crate) envs: Vec<(String, String)>,
}

impl Invocation {
    pub(crate) fn new(program: impl Into<PathBuf>) -> Self {
        Invocation {
            program: program.into(),
            args: Vec::new(),
            envs: Vec::new(),
        }
    }

    pub(crate) fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub(crate) fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub(crate) fn env(mut self, name: &str, value: impl Into<String>) -> Self {
        self.envs.push((name.to_owned(), value.into()));
        self
    }

    /// The command, wrapped in `/usr/bin/time -v` when `time_v` is set. Variables that
    /// would change what `imctl` does are removed from the inherited environment.
    pub(crate) fn command(&self, time_v: bool) -> Command {
        let mut command = if time_v {
            let mut command = Command::new(TIME);
            command.arg("-v").arg(&self.program);
            command
        } else {
            Command::new(&self.program)
        };
        command.args(&self.args);
        for name in [
            "TIM_ENDPOINT",
            "TIM_REGION",
            "TIM_SDKAPPID",
            "TIM_SECRET_KEY",
            "TIM_ADMIN",
            "TIM_RATE",
            "TIM_REDIS_URL",
            "RUST_LOG",
        ] {
            command.env_remove(name);
        }
        command.envs(self.envs.iter().map(|(name, value)| (name, value)));
        command
    }
}

/// GNU time, which reports a child's peak resident set size.
pub(crate) const TIME: &str = "/usr/bin/time";

/// Whether GNU time is installed.
pub(crate) fn has_gnu_time() -> bool {
    Command::new(TIME)
        .args(["-v", "true"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// What a measuring program printed, and what running it cost.
#[derive(Debug, Default)]
pub(crate) struct Output {
    pub(crate) results: BTreeMap<String, String>,
    pub(crate) infos: BTreeMap<String, String>,
    pub(crate) sample: Option<String>,
    pub(crate) stdout: String,
    /// Peak resident set size in KiB, from GNU time.
    pub(crate) max_rss_kib: Option<u64>,
    /// Share of the process's CPU time spent in the kernel, from GNU time.
    pub(crate) sys_share: Option<f64>,
    /// Minor page faults of the whole process, from GNU time.
    pub(crate) minor_faults: Option<u64>,
    /// Wall-clock time from spawning the process to its exit.
    pub(crate) elapsed: Duration,
}

impl Output {
    /// Reads the `RESULT`, `INFO` and `SAMPLE` lines of `text`.
    pub(crate) fn parse(text: &str) -> Output {
        let mut output = Output {
            stdout: text.to_owned(),
            ..Output::default()
        };
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("RESULT ") {
                if let Some((name, value)) = rest.split_once('=') {
                    output.results.insert(name.to_owned(), value.to_owned());
                }
            } else if let Some(rest) = line.strip_prefix("INFO ") {
                if let Some((name, value)) = rest.split_once('=') {
                    output.infos.insert(name.to_owned(), value.to_owned());
                }
            } else if let Some(sample) = line.strip_prefix("SAMPLE ") {
                output.sample = Some(sample.trim().to_owned());
            }
        }
        output
    }

    /// The number printed as `RESULT name=...`.
    pub(crate) fn number(&self, name: &str) -> Result<f64, String> {
        self.results
            .get(name)
            .and_then(|value| value.parse::<f64>().ok())
            .ok_or_else(|| format!("no RESULT {name} in the output:\n{}", self.stdout))
    }
}

/// Runs `invocation` to completion and reads its output; fails when it fails.
pub(crate) fn measure(invocation: &Invocation, time_v: bool) -> Result<Output, String> {
    let started = Instant::now();
    let result = invocation
        .command(time_v)
        .stdin(Stdio::null())
        .output()
        .map_err(|error| format!("cannot run {}: {error}", invocation.program.display()))?;
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&result.stderr);
    if !result.status.success() {
        return Err(format!(
            "{} failed ({}): {}",
            invocation.program.display(),
            result.status,
            tail(&stderr, 12)
        ));
    }
    let mut output = Output::parse(&String::from_utf8_lossy(&result.stdout));
    output.elapsed = elapsed;
    if time_v {
        output.max_rss_kib = gnu_time_max_rss(&stderr);
        let user = gnu_time_field(&stderr, "User time (seconds):");
        let system = gnu_time_field(&stderr, "System time (seconds):");
        output.sys_share = user
            .zip(system)
            .filter(|(user, system)| user + system > 0.0)
            .map(|(user, system)| system / (user + system));
        output.minor_faults = gnu_time_field(&stderr, "Minor (reclaiming a frame) page faults:")
            .map(|faults| faults as u64);
    }
    Ok(output)
}

/// The peak resident set size reported by `/usr/bin/time -v`, in KiB.
pub(crate) fn gnu_time_max_rss(stderr: &str) -> Option<u64> {
    stderr.lines().find_map(|line| {
        line.trim()
            .strip_prefix("Maximum resident set size (kbytes):")
            .and_then(|value| value.trim().parse().ok())
    })
}

/// A number reported by `/usr/bin/time -v` on the line starting with `label`.
fn gnu_time_field(stderr: &str, label: &str) -> Option<f64> {
    stderr.lines().find_map(|line| {
        line.trim()
            .strip_prefix(label)
            .and_then(|value| value.trim().parse().ok())
    })
}

/// Runs `invocation` while polling its peak resident set size (`VmHWM`) from `/proc`, for
/// machines without GNU time. Returns the output and the last peak seen.
pub(crate) fn measure_polling_rss(invocation: &Invocation) -> Result<Output, String> {
    let started = Instant::now();
    let mut child = invocation
        .command(false)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| format!("cannot run {}: {error}", invocation.program.display()))?;
    let status_path = format!("/proc/{}/status", child.id());
    let mut stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(stdout) = stdout.as_mut() {
            let _ = stdout.read_to_string(&mut text);
        }
        text
    });
    let mut stderr = child.stderr.take();
    let err_reader = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(stderr) = stderr.as_mut() {
            let _ = stderr.read_to_string(&mut text);
        }
        text
    });
    let mut peak = None;
    let status = loop {
        if let Ok(text) = std::fs::read_to_string(&status_path)
            && let Some(kib) = text.lines().find_map(|line| {
                line.strip_prefix("VmHWM:")
                    .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            })
        {
            peak = Some(kib);
        }
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(error) => return Err(format!("cannot wait for the child: {error}")),
        }
    };
    let elapsed = started.elapsed();
    let text = reader.join().unwrap_or_default();
    let errors = err_reader.join().unwrap_or_default();
    if !status.success() {
        return Err(format!(
            "{} failed ({status}): {}",
            invocation.program.display(),
            tail(&errors, 12)
        ));
    }
    let mut output = Output::parse(&text);
    output.elapsed = elapsed;
    output.max_rss_kib = peak;
    Ok(output)
}

/// Runs a setup command (an installer) with its output in `log`, killing it after `limit`.
pub(crate) fn run_logged(
    mut command: Command,
    log: &Path,
    limit: Duration,
) -> Result<ExitStatus, String> {
    let file = std::fs::File::create(log)
        .map_err(|error| format!("cannot create {}: {error}", log.display()))?;
    let file2 = file
        .try_clone()
        .map_err(|error| format!("cannot reuse {}: {error}", log.display()))?;
    let mut child = command
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(file2)
        .spawn()
        .map_err(|error| error.to_string())?;
    let deadline = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("gave up after {} s", limit.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(error) => return Err(error.to_string()),
        }
    }
}

/// The last `lines` lines of `text`, on one line.
pub(crate) fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect();
    all[all.len().saturating_sub(lines)..].join(" | ")
}

/// A program running in the background (an emulator, a Redis server); killed when dropped.
pub(crate) struct Background {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Option<BufReader<ChildStdout>>,
    name: String,
}

impl Background {
    /// Starts `invocation` with piped standard input and output.
    pub(crate) fn start(invocation: &Invocation, name: &str) -> Result<Background, String> {
        let mut child = invocation
            .command(false)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|error| format!("cannot start {name}: {error}"))?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().map(BufReader::new);
        Ok(Background {
            child,
            stdin,
            stdout,
            name: name.to_owned(),
        })
    }

    /// Reads standard output until a line starts with `prefix`; returns the rest of it.
    pub(crate) fn wait_for_line(&mut self, prefix: &str) -> Result<String, String> {
        let stdout = self
            .stdout
            .as_mut()
            .ok_or_else(|| format!("{} has no output", self.name))?;
        let mut line = String::new();
        loop {
            line.clear();
            let read = stdout
                .read_line(&mut line)
                .map_err(|error| format!("cannot read from {}: {error}", self.name))?;
            if read == 0 {
                return Err(format!("{} exited before printing {prefix:?}", self.name));
            }
            if let Some(rest) = line.trim().strip_prefix(prefix) {
                return Ok(rest.trim().to_owned());
            }
        }
    }

    /// Closes standard input (the emulator's signal to stop), then reads the rest of its
    /// output and waits for it to exit.
    pub(crate) fn finish(mut self) -> Result<Output, String> {
        drop(self.stdin.take());
        let mut text = String::new();
        if let Some(stdout) = self.stdout.as_mut() {
            stdout
                .read_to_string(&mut text)
                .map_err(|error| format!("cannot read from {}: {error}", self.name))?;
        }
        let status = self
            .child
            .wait()
            .map_err(|error| format!("cannot wait for {}: {error}", self.name))?;
        if !status.success() {
            return Err(format!("{} failed ({status})", self.name));
        }
        Ok(Output::parse(&text))
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A TCP port on loopback that was free a moment ago.
pub(crate) fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|error| format!("no free port on loopback: {error}"))
}

/// Waits until a Redis server on `port` answers PING.
pub(crate) fn wait_for_redis(port: u16, limit: Duration) -> Result<(), String> {
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

/// A small random generator (xorshift64*), to shuffle the order of contenders in a round.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Shuffles `items` in place (Fisher-Yates).
    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

/// Per-round values of one figure.
#[derive(Clone, Debug, Default)]
pub(crate) struct Series(pub(crate) Vec<f64>);

impl Series {
    pub(crate) fn push(&mut self, value: f64) {
        self.0.push(value);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn sorted(&self) -> Vec<f64> {
        let mut values = self.0.clone();
        values.sort_by(f64::total_cmp);
        values
    }

    /// The median (the mean of the middle two for an even count); 0 when empty.
    pub(crate) fn median(&self) -> f64 {
        let values = self.sorted();
        let n = values.len();
        match n {
            0 => 0.0,
            _ if n.is_multiple_of(2) => (values[n / 2 - 1] + values[n / 2]) / 2.0,
            _ => values[n / 2],
        }
    }

    pub(crate) fn max(&self) -> f64 {
        self.sorted().last().copied().unwrap_or(0.0)
    }

    /// (max - min) / median, as a percentage.
    pub(crate) fn spread_percent(&self) -> f64 {
        let values = self.sorted();
        let median = self.median();
        match (values.first(), values.last()) {
            (Some(min), Some(max)) if median != 0.0 => (max - min) / median * 100.0,
            _ => 0.0,
        }
    }

    /// The values in run order, formatted with `format`.
    pub(crate) fn list(&self, format: impl Fn(f64) -> String) -> String {
        self.0
            .iter()
            .map(|value| format(*value))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Formats a whole number with thousands separators: 12096.4 -> "12,096".
pub(crate) fn grouped(value: f64) -> String {
    let whole = value.round().max(0.0) as u64;
    let digits = whole.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// The value of `"name":<number>` in a JSON text (enough for `imctl --json` totals).
pub(crate) fn json_number(text: &str, name: &str) -> Option<u64> {
    let key = format!("\"{name}\":");
    let start = text.find(&key)? + key.len();
    let digits: String = text[start..]
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_lines_are_read() {
        let output = Output::parse(
            "INFO implementation=x (y)\nRESULT ops_per_sec=12.5\nnoise\nSAMPLE abc\n",
        );
        assert_eq!(output.number("ops_per_sec").unwrap(), 12.5);
        assert_eq!(output.infos["implementation"], "x (y)");
        assert_eq!(output.sample.as_deref(), Some("abc"));
        assert!(output.number("missing").is_err());
    }

    #[test]
    fn series_statistics() {
        let series = Series(vec![3.0, 1.0, 2.0]);
        assert_eq!(series.median(), 2.0);
        assert_eq!(series.spread_percent(), 100.0);
        assert_eq!(Series(vec![1.0, 2.0, 3.0, 4.0]).median(), 2.5);
        assert_eq!(Series::default().median(), 0.0);
    }

    #[test]
    fn formatting_helpers() {
        assert_eq!(grouped(12_096.4), "12,096");
        assert_eq!(grouped(999.0), "999");
        assert_eq!(grouped(1_000_000.0), "1,000,000");
        assert_eq!(
            json_number(r#"{"pairs":10,"succeeded": 9,"failed":[]}"#, "succeeded"),
            Some(9)
        );
        assert_eq!(json_number("{}", "pairs"), None);
        assert_eq!(
            gnu_time_max_rss("\tMaximum resident set size (kbytes): 2048\n"),
            Some(2048)
        );
        assert_eq!(
            gnu_time_field("\tSystem time (seconds): 0.25\n", "System time (seconds):"),
            Some(0.25)
        );
    }

    #[test]
    fn shuffling_keeps_every_item() {
        let mut items = [1, 2, 3, 4, 5];
        Rng::new(7).shuffle(&mut items);
        let mut sorted = items;
        sorted.sort_unstable();
        assert_eq!(sorted, [1, 2, 3, 4, 5]);
    }
}
