//! The figures of a soak, and the report that prints them.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use im_emulator::Emulator;

use super::{Face, SoakConfig, apis};

/// What the workers counted. Every field is a plain count.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Figures {
    /// Accounts named in add, remove and check calls plus import pairs, repeats included.
    pub account_operations: u64,
    /// Calls made to the SDK (one `add`, one `import`, one whole `list`...).
    pub calls: u64,
    /// Calls by operation, e.g. `add` or `check (both)`.
    pub calls_by_operation: BTreeMap<&'static str, u64>,
    /// Accounts or pairs reported `succeeded`.
    pub succeeded: u64,
    /// Accounts or pairs reported `unchanged`.
    pub unchanged: u64,
    /// Repeated accounts collapsed by the SDK (add, remove, check and import).
    pub duplicates: u64,
    /// Adds refused with 30013 because the blocklist was full: expected, not applied.
    pub rejected_by_rule: u64,
    /// Failed accounts or pairs whose state had to be read from the emulator.
    pub failed_unknown: u64,
    /// Calls that ended with an error instead of an outcome.
    pub call_errors: u64,
    /// Accounts a check could not answer.
    pub check_failed: u64,
    /// Checked relations that disagree with the model.
    pub check_mismatches: u64,
    /// Blocklist entries read by list calls.
    pub entries_listed: u64,
    /// Lists that disagree with the model (missing, extra or repeated entries).
    pub list_mismatches: u64,
    /// Calls whose outcome does not hold every distinct input account exactly once.
    pub bucket_violations: u64,
    /// Entries the model holds and the emulator does not, at the end.
    pub lost: u64,
    /// Entries the emulator holds and the model does not, at the end.
    pub spurious: u64,
}

impl Figures {
    /// Adds another worker's counts to these.
    pub fn merge(&mut self, other: &Figures) {
        self.account_operations += other.account_operations;
        self.calls += other.calls;
        for (operation, calls) in &other.calls_by_operation {
            *self.calls_by_operation.entry(operation).or_default() += calls;
        }
        self.succeeded += other.succeeded;
        self.unchanged += other.unchanged;
        self.duplicates += other.duplicates;
        self.rejected_by_rule += other.rejected_by_rule;
        self.failed_unknown += other.failed_unknown;
        self.call_errors += other.call_errors;
        self.check_failed += other.check_failed;
        self.check_mismatches += other.check_mismatches;
        self.entries_listed += other.entries_listed;
        self.list_mismatches += other.list_mismatches;
        self.bucket_violations += other.bucket_violations;
        self.lost += other.lost;
        self.spurious += other.spurious;
    }

    /// Counts one call of `operation`.
    pub(crate) fn call(&mut self, operation: &'static str) {
        self.calls += 1;
        *self.calls_by_operation.entry(operation).or_default() += 1;
    }
}

/// The result of a soak: the workers' figures and the audit of the emulator's request log.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SoakReport {
    /// The seed of the operation mix and of the faults.
    pub seed: u64,
    /// The face of the emulator that was used.
    pub face: Face,
    /// Users owning blocklists.
    pub users: usize,
    /// Other accounts that could be blocked.
    pub accounts: usize,
    /// Workers that ran at once.
    pub lanes: usize,
    /// What the workers counted, with `lost` and `spurious` from the final comparison.
    pub figures: Figures,
    /// Requests the emulator received, retries included.
    pub requests: u64,
    /// Injected faults by kind (`Latency` counts every delayed answer).
    pub faults: BTreeMap<String, u64>,
    /// Requests the emulator refused with its calls/s limit (each was retried).
    pub rejected_by_rate_limit: u64,
    /// The emulator's limit in calls per second per API.
    pub rate_limit: u32,
    /// The most calls in any one-second window, per API.
    pub max_calls_per_second: BTreeMap<&'static str, usize>,
    /// Time the operations took on Tokio's clock (virtual when the clock is paused).
    pub elapsed: Duration,
    /// Time the operations took on the wall clock.
    pub wall: Duration,
}

impl SoakReport {
    pub(crate) fn new(
        config: &SoakConfig,
        figures: Figures,
        emulator: &Emulator,
        lanes: usize,
        elapsed: Duration,
        wall: Duration,
    ) -> Self {
        let log = emulator.requests();
        let mut faults = BTreeMap::new();
        for request in &log {
            for fault in &request.faults {
                *faults.entry(format!("{fault:?}")).or_default() += 1;
            }
        }
        let max_calls_per_second = apis()
            .iter()
            .map(|&api| {
                (
                    api.name(),
                    emulator.max_calls_in_window(api, Duration::from_secs(1)),
                )
            })
            .collect();
        SoakReport {
            seed: config.seed,
            face: config.face,
            users: config.users,
            accounts: config.accounts,
            lanes,
            figures,
            requests: log.len() as u64,
            faults,
            rejected_by_rate_limit: log
                .iter()
                .filter(|request| request.rejected_by_rate_limit)
                .count() as u64,
            rate_limit: config.rate_limit,
            max_calls_per_second,
            elapsed,
            wall,
        }
    }

    /// Every broken promise, in words; empty when the soak passed.
    pub fn violations(&self) -> Vec<String> {
        let figures = &self.figures;
        let mut violations = Vec::new();
        let mut expect_zero = |count: u64, what: &str| {
            if count > 0 {
                violations.push(format!("{count} {what}"));
            }
        };
        expect_zero(figures.lost, "lost entries");
        expect_zero(figures.spurious, "spurious entries");
        expect_zero(
            figures.bucket_violations,
            "outcomes without every account exactly once",
        );
        expect_zero(
            figures.check_mismatches,
            "checked relations that disagree with the model",
        );
        expect_zero(
            figures.list_mismatches,
            "lists that disagree with the model",
        );
        if self.rate_limit > 0 {
            let limit = usize::try_from(self.rate_limit).unwrap_or(usize::MAX);
            for (api, &max) in &self.max_calls_per_second {
                if max > limit {
                    violations.push(format!(
                        "{api}: {max} calls in one second, over the limit of {limit}"
                    ));
                }
            }
        }
        violations
    }
}

impl fmt::Display for SoakReport {
    /// A Markdown table of every figure.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let figures = &self.figures;
        let face = match self.face {
            Face::InProcess => "in-process transport",
            Face::Http => "HTTP on loopback",
        };
        let rate = |count: u64| {
            let secs = self.elapsed.as_secs_f64();
            if secs > 0.0 {
                format!("{:.0}/s", count as f64 / secs)
            } else {
                "-".to_owned()
            }
        };
        writeln!(f, "| Figure | Value |")?;
        writeln!(f, "|---|---|")?;
        writeln!(f, "| seed | {} |", self.seed)?;
        writeln!(f, "| face | {face} |")?;
        writeln!(
            f,
            "| users / other accounts / workers | {} / {} / {} |",
            self.users, self.accounts, self.lanes
        )?;
        writeln!(
            f,
            "| account operations | {} ({}) |",
            figures.account_operations,
            rate(figures.account_operations)
        )?;
        let by_operation: Vec<String> = figures
            .calls_by_operation
            .iter()
            .map(|(operation, calls)| format!("{operation} {calls}"))
            .collect();
        writeln!(
            f,
            "| calls | {} ({}) |",
            figures.calls,
            by_operation.join(", ")
        )?;
        writeln!(
            f,
            "| requests (with retries) | {} ({}) |",
            self.requests,
            rate(self.requests)
        )?;
        let faults: Vec<String> = self
            .faults
            .iter()
            .map(|(kind, count)| format!("{kind} {count}"))
            .collect();
        writeln!(f, "| faults injected | {} |", faults.join(", "))?;
        writeln!(
            f,
            "| succeeded / unchanged / duplicates | {} / {} / {} |",
            figures.succeeded, figures.unchanged, figures.duplicates
        )?;
        writeln!(
            f,
            "| rejected by rule (30013, blocklist full) | {} |",
            figures.rejected_by_rule
        )?;
        writeln!(f, "| failed_unknown | {} |", figures.failed_unknown)?;
        writeln!(f, "| call errors | {} |", figures.call_errors)?;
        writeln!(
            f,
            "| check: failed / mismatches | {} / {} |",
            figures.check_failed, figures.check_mismatches
        )?;
        writeln!(
            f,
            "| list: entries read / mismatches | {} / {} |",
            figures.entries_listed, figures.list_mismatches
        )?;
        writeln!(f, "| bucket violations | {} |", figures.bucket_violations)?;
        writeln!(f, "| **lost** | **{}** |", figures.lost)?;
        writeln!(f, "| **spurious** | **{}** |", figures.spurious)?;
        let windows: Vec<String> = self
            .max_calls_per_second
            .iter()
            .map(|(api, max)| format!("{api} {max}"))
            .collect();
        writeln!(
            f,
            "| max calls in any 1 s window (limit {}) | {} |",
            self.rate_limit,
            windows.join(", ")
        )?;
        writeln!(
            f,
            "| refused by the rate limit (then retried) | {} |",
            self.rejected_by_rate_limit
        )?;
        writeln!(
            f,
            "| elapsed | {:.1} s (wall {:.1} s) |",
            self.elapsed.as_secs_f64(),
            self.wall.as_secs_f64()
        )
    }
}
