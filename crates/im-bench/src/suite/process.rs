//! Running a measuring program to its end: the command as a reader would type it, the lines
//! it printed, what it cost (elapsed time, and peak memory from GNU time or `/proc`).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::lines::Line;

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

/// A path as a command-line argument.
pub(crate) fn path_str(path: &std::path::Path) -> String {
    path.display().to_string()
}

/// GNU time, which reports a child's peak resident set size.
const TIME: &str = "/usr/bin/time";

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
            match Line::parse(line) {
                Some(Line::Result(name, value)) => {
                    output.results.insert(name.to_owned(), value.to_owned());
                }
                Some(Line::Info(name, value)) => {
                    output.infos.insert(name.to_owned(), value.to_owned());
                }
                Some(Line::Sample(sample)) => output.sample = Some(sample.to_owned()),
                None => {}
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
        output.max_rss_kib =
            gnu_time_field(&stderr, "Maximum resident set size (kbytes):").map(|kib| kib as u64);
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
    let stdout = read_in_background(child.stdout.take());
    let stderr = read_in_background(child.stderr.take());
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
    let text = stdout.join().unwrap_or_default();
    let errors = stderr.join().unwrap_or_default();
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

/// Reads a child's pipe to its end on a thread of its own, so the child never blocks on it.
fn read_in_background(
    pipe: Option<impl std::io::Read + Send + 'static>,
) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_string(&mut text);
        }
        text
    })
}

/// The last `lines` lines of `text`, on one line.
pub(crate) fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect();
    all[all.len().saturating_sub(lines)..].join(" | ")
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
    fn gnu_time_fields_are_read() {
        let stderr = "\tUser time (seconds): 0.75\n\tSystem time (seconds): 0.25\n\
                      \tMaximum resident set size (kbytes): 2048\n";
        assert_eq!(
            gnu_time_field(stderr, "Maximum resident set size (kbytes):"),
            Some(2048.0)
        );
        assert_eq!(gnu_time_field(stderr, "System time (seconds):"), Some(0.25));
        assert_eq!(gnu_time_field(stderr, "Elapsed"), None);
    }

    #[test]
    fn tail_keeps_the_last_lines_on_one_line() {
        assert_eq!(tail("a\n\nb\nc\n", 2), "b | c");
        assert_eq!(tail("", 3), "");
    }
}
