//! The machine a run measured, for the report's first table.

use std::process::Command;
use std::time::SystemTime;

/// The machine and the run, for the report's first table.
#[derive(Clone, Debug, Default)]
pub(crate) struct Machine {
    pub(crate) rows: Vec<(String, String)>,
}

impl Machine {
    /// What can be read about this machine without any dependency.
    pub(crate) fn describe() -> Machine {
        let mut rows = Vec::new();
        let cpus = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
        rows.push(("CPUs (nproc)".to_owned(), cpus.to_string()));
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let model = cpuinfo
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                (name.trim() == "model name").then(|| value.trim().to_owned())
            })
            .unwrap_or_else(|| "unknown".to_owned());
        rows.push(("CPU".to_owned(), model));
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory = meminfo
            .lines()
            .find_map(|line| {
                line.strip_prefix("MemTotal:").and_then(|rest| {
                    rest.trim()
                        .trim_end_matches("kB")
                        .trim()
                        .parse::<f64>()
                        .ok()
                })
            })
            .map_or_else(
                || "unknown".to_owned(),
                |kib| format!("{:.1} GiB", kib / 1024.0 / 1024.0),
            );
        rows.push(("Memory".to_owned(), memory));
        let os = std::fs::read_to_string("/etc/os-release")
            .unwrap_or_default()
            .lines()
            .find_map(|line| line.strip_prefix("PRETTY_NAME="))
            .map(|name| name.trim_matches('"').to_owned())
            .unwrap_or_else(|| std::env::consts::OS.to_owned());
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|text| format!(", Linux {}", text.trim()))
            .unwrap_or_default();
        rows.push(("OS".to_owned(), format!("{os}{kernel}")));
        rows.push(("rustc".to_owned(), command_line("rustc", &["--version"])));
        Machine { rows }
    }

    pub(crate) fn push(&mut self, name: &str, value: impl Into<String>) {
        self.rows.push((name.to_owned(), value.into()));
    }
}

/// The first line a command prints, or "unknown".
pub(crate) fn command_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .filter(|output| output.status.success())
        .and_then(|output| {
            String::from_utf8_lossy(&output.stdout)
                .lines()
                .next()
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The 1-, 5- and 15-minute load averages.
pub(crate) fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The current time in UTC, e.g. `2026-11-24T03:21:21Z`.
pub(crate) fn utc_now() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}
