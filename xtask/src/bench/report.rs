//! The machine a run measured, and `docs/benchmarks.md` itself.

use std::fmt::Write as _;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

/// Whether a figure met its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Pass,
    Miss,
    /// Measured, with no target.
    Reported,
    /// Could not be measured on this machine.
    NotMeasured,
}

impl Verdict {
    pub(crate) fn of(met: bool) -> Verdict {
        if met { Verdict::Pass } else { Verdict::Miss }
    }

    fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Miss => "**MISS**",
            Verdict::Reported => "-",
            Verdict::NotMeasured => "not measured",
        }
    }
}

/// One line of the summary: a figure, its target and whether it was met.
#[derive(Clone, Debug)]
pub(crate) struct Check {
    pub(crate) figure: String,
    pub(crate) value: String,
    pub(crate) target: String,
    pub(crate) verdict: Verdict,
}

impl Check {
    pub(crate) fn new(
        figure: impl Into<String>,
        value: impl Into<String>,
        target: impl Into<String>,
        verdict: Verdict,
    ) -> Check {
        Check {
            figure: figure.into(),
            value: value.into(),
            target: target.into(),
            verdict,
        }
    }
}

/// One section of the report: what was measured, the figures, and how to measure again.
#[derive(Clone, Debug, Default)]
pub(crate) struct Section {
    pub(crate) title: String,
    pub(crate) intro: String,
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<Vec<String>>,
    pub(crate) checks: Vec<Check>,
    pub(crate) notes: Vec<String>,
    pub(crate) commands: Vec<String>,
}

impl Section {
    pub(crate) fn new(title: &str, intro: &str) -> Section {
        Section {
            title: title.to_owned(),
            intro: intro.to_owned(),
            ..Section::default()
        }
    }

    pub(crate) fn header(&mut self, columns: &[&str]) {
        self.header = columns.iter().map(|column| (*column).to_owned()).collect();
    }

    pub(crate) fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// A section whose measurement could not run, with the reason and its checks marked.
    pub(crate) fn not_measured(mut self, reason: &str, figures: &[(&str, &str)]) -> Section {
        self.header.clear();
        self.rows.clear();
        self.notes
            .insert(0, format!("Not measured in this run: {reason}"));
        self.checks = figures
            .iter()
            .map(|(figure, target)| Check::new(*figure, "-", *target, Verdict::NotMeasured))
            .collect();
        self
    }
}

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
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rest = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Everything the report says.
pub(crate) struct Report<'a> {
    pub(crate) command: &'a str,
    pub(crate) date: &'a str,
    pub(crate) machine: &'a Machine,
    pub(crate) method: &'a [String],
    pub(crate) sections: &'a [Section],
}

impl Report<'_> {
    /// The Markdown text of `docs/benchmarks.md`.
    pub(crate) fn markdown(&self) -> String {
        let mut md = String::new();
        let _ = writeln!(
            md,
            "<!-- Generated by `{}`; do not edit by hand: run it again. -->\n",
            self.command
        );
        md.push_str("# Benchmarks\n\n");
        let _ = writeln!(
            md,
            "Every figure below was measured by `{}` on {} on the machine described below; \
             each section ends with the commands that measure it again. Ratios compare \
             contenders measured side by side in the same run, in interleaved rounds.\n",
            self.command, self.date
        );
        md.push_str(
            "Soak and fuzzing figures (long fault-injection runs, fuzzers) are in \
             [reliability.md](reliability.md).\n\n",
        );

        md.push_str("## Summary\n\n| Figure | Measured | Target | Result |\n|---|---|---|:---:|\n");
        for check in self.sections.iter().flat_map(|section| &section.checks) {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                check.figure,
                check.value,
                check.target,
                check.verdict.label()
            );
        }

        md.push_str("\n## Machine\n\n| | |\n|---|---|\n");
        for (name, value) in &self.machine.rows {
            let _ = writeln!(md, "| {name} | {value} |");
        }

        md.push_str("\n## Method\n\n");
        for line in self.method {
            let _ = writeln!(md, "- {line}");
        }

        for (index, section) in self.sections.iter().enumerate() {
            let _ = writeln!(md, "\n## {}. {}\n", index + 1, section.title);
            let _ = writeln!(md, "{}\n", section.intro);
            if !section.header.is_empty() {
                let _ = writeln!(md, "| {} |", section.header.join(" | "));
                let alignment: Vec<&str> = section
                    .header
                    .iter()
                    .enumerate()
                    .map(|(i, _)| if i == 0 { "---" } else { "---:" })
                    .collect();
                let _ = writeln!(md, "|{}|", alignment.join("|"));
                for row in &section.rows {
                    let _ = writeln!(md, "| {} |", row.join(" | "));
                }
                md.push('\n');
            }
            for note in &section.notes {
                let _ = writeln!(md, "{note}\n");
            }
            if !section.commands.is_empty() {
                md.push_str("Reproduce:\n\n```sh\n");
                for command in &section.commands {
                    let _ = writeln!(md, "{command}");
                }
                md.push_str("```\n");
            }
        }
        md
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_civil() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(20_513), (2026, 3, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn the_report_starts_by_saying_it_is_generated() {
        let mut section = Section::new("UserSig", "What it measures.");
        section.header(&["implementation", "gens/s"]);
        section.row(vec!["im-sig".to_owned(), "1,000".to_owned()]);
        section
            .checks
            .push(Check::new("gens/s", "1,000", ">= 10", Verdict::Miss));
        section.commands.push("cargo xtask bench".to_owned());
        let machine = Machine {
            rows: vec![("CPUs (nproc)".to_owned(), "2".to_owned())],
        };
        let md = Report {
            command: "cargo xtask bench",
            date: "2026-01-01T00:00:00Z",
            machine: &machine,
            method: &["median of 5 rounds".to_owned()],
            sections: &[section],
        }
        .markdown();
        assert!(md.starts_with("<!-- Generated by `cargo xtask bench`"));
        assert!(md.contains("| gens/s | 1,000 | >= 10 | **MISS** |"));
        assert!(md.contains("## 1. UserSig"));
        assert!(md.contains("| im-sig | 1,000 |"));
        assert!(md.contains("reliability.md"));
    }
}
