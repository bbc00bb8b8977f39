//! The emulator's request-log summary: printed by `bench-emulator` when it stops and read by
//! the runner, so both sides name the figures alike.

use std::collections::BTreeMap;

use crate::lines::result_line;

/// What the emulator saw while one measurement ran against it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct EmulatorSummary {
    /// Every request received.
    pub requests: u64,
    /// Calls that counted against the frequency limit.
    pub calls: u64,
    /// Calls refused by the frequency limit (code 60007).
    pub rejected: u64,
    /// Answers with any other non-zero code.
    pub other_failures: u64,
    /// The most calls to one API that arrived within any one second.
    pub max_calls_1s: u64,
    /// Seconds from the first call's arrival to the last one's.
    pub call_span_secs: f64,
    /// Accounts carried by the calls.
    pub accounts: u64,
}

impl EmulatorSummary {
    /// The summary as `RESULT name=value` lines.
    pub fn lines(&self) -> Vec<String> {
        vec![
            result_line("requests", self.requests),
            result_line("calls", self.calls),
            result_line("rejected", self.rejected),
            result_line("other_failures", self.other_failures),
            result_line("max_calls_1s", self.max_calls_1s),
            result_line("call_span_secs", format_args!("{:.4}", self.call_span_secs)),
            result_line("accounts", self.accounts),
        ]
    }

    /// Prints the summary on standard output.
    pub fn print(&self) {
        for line in self.lines() {
            println!("{line}");
        }
    }

    /// Reads the summary from the `RESULT` values a finished `bench-emulator` printed.
    pub(crate) fn read(results: &BTreeMap<String, String>) -> Result<EmulatorSummary, String> {
        let text = |name: &str| {
            results
                .get(name)
                .ok_or_else(|| format!("the emulator's summary has no {name}"))
        };
        let count = |name: &str| {
            text(name)?
                .parse::<u64>()
                .map_err(|error| format!("the emulator's {name} is not a count: {error}"))
        };
        Ok(EmulatorSummary {
            requests: count("requests")?,
            calls: count("calls")?,
            rejected: count("rejected")?,
            other_failures: count("other_failures")?,
            max_calls_1s: count("max_calls_1s")?,
            call_span_secs: text("call_span_secs")?
                .parse()
                .map_err(|error| format!("the emulator's call_span_secs: {error}"))?,
            accounts: count("accounts")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lines::Line;

    #[test]
    fn a_printed_summary_reads_back() {
        let summary = EmulatorSummary {
            requests: 2003,
            calls: 2000,
            rejected: 3,
            other_failures: 1,
            max_calls_1s: 197,
            call_span_secs: 10.523_456,
            accounts: 10_000,
        };
        let lines = summary.lines();
        let results: BTreeMap<String, String> = lines
            .iter()
            .filter_map(|line| match Line::parse(line) {
                Some(Line::Result(name, value)) => Some((name.to_owned(), value.to_owned())),
                _ => None,
            })
            .collect();
        assert_eq!(results.len(), 7);
        assert_eq!(results["call_span_secs"], "10.5235");
        let read = EmulatorSummary::read(&results).unwrap();
        assert_eq!(
            read,
            EmulatorSummary {
                call_span_secs: 10.5235,
                ..summary
            }
        );
    }

    #[test]
    fn a_missing_figure_is_named() {
        let error = EmulatorSummary::read(&BTreeMap::new()).unwrap_err();
        assert!(error.contains("requests"), "{error}");
    }
}
