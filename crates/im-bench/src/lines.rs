//! The lines a measuring program prints and the runner reads: `RESULT name=value` for a
//! figure, `INFO name=value` for a fact about the run, and `SAMPLE value` for one output the
//! runner checks. The official libraries' drivers in `scripts/` print the same lines.

use std::fmt;

const RESULT: &str = "RESULT ";
const INFO: &str = "INFO ";
const SAMPLE: &str = "SAMPLE ";

/// Prints one figure as `RESULT name=value`.
pub fn result(name: &str, value: impl fmt::Display) {
    println!("{}", result_line(name, value));
}

/// Prints one fact about the run as `INFO name=value`.
pub fn info(name: &str, value: impl fmt::Display) {
    println!("{INFO}{name}={value}");
}

/// The line [`result`] prints.
pub(crate) fn result_line(name: &str, value: impl fmt::Display) -> String {
    format!("{RESULT}{name}={value}")
}

/// One line of a measuring program's output that the runner reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Line<'a> {
    /// A figure: `RESULT name=value`.
    Result(&'a str, &'a str),
    /// A fact about the run: `INFO name=value`.
    Info(&'a str, &'a str),
    /// One output to check: `SAMPLE value`, trimmed.
    Sample(&'a str),
}

impl<'a> Line<'a> {
    /// Reads one line; `None` for any other text.
    pub(crate) fn parse(line: &'a str) -> Option<Line<'a>> {
        if let Some(rest) = line.strip_prefix(RESULT) {
            let (name, value) = rest.split_once('=')?;
            Some(Line::Result(name, value))
        } else if let Some(rest) = line.strip_prefix(INFO) {
            let (name, value) = rest.split_once('=')?;
            Some(Line::Info(name, value))
        } else {
            line.strip_prefix(SAMPLE)
                .map(|sample| Line::Sample(sample.trim()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_printed_result_reads_back() {
        let line = result_line("ops_per_sec", format_args!("{:.1}", 12.54));
        assert_eq!(line, "RESULT ops_per_sec=12.5");
        assert_eq!(
            Line::parse(&line),
            Some(Line::Result("ops_per_sec", "12.5"))
        );
    }

    #[test]
    fn info_sample_and_noise() {
        assert_eq!(
            Line::parse("INFO implementation=x (y)"),
            Some(Line::Info("implementation", "x (y)"))
        );
        assert_eq!(Line::parse("SAMPLE abc \r"), Some(Line::Sample("abc")));
        assert_eq!(Line::parse("noise"), None);
        assert_eq!(Line::parse("RESULT no-equals-sign"), None);
    }
}
