//! The short measurements (UserSig, CPU cost, loopback overhead): contenders run one process
//! per measurement, every contender once per round, in a new random order each round.

use super::ctx::Ctx;
use super::process::{self, Invocation, Output};
use super::stats::{Series, grouped};

/// One program measured in interleaved rounds.
pub(crate) struct Contender {
    pub(crate) label: String,
    invocation: Invocation,
    /// The figure it reports per round, e.g. `ops_per_sec`.
    figure: &'static str,
    pub(crate) values: Series,
    pub(crate) micros: Series,
    pub(crate) cpu_micros: Series,
    pub(crate) rss_kib: Series,
    pub(crate) sys_share: Series,
    pub(crate) faults_per_op: Series,
    /// The figures named by `interleave`'s `extra`, in that order.
    pub(crate) extra: Vec<Series>,
    pub(crate) last: Option<Output>,
    pub(crate) sample: Option<String>,
    pub(crate) error: Option<String>,
}

impl Contender {
    pub(crate) fn new(label: &str, invocation: Invocation, figure: &'static str) -> Contender {
        Contender {
            label: label.to_owned(),
            invocation,
            figure,
            values: Series::default(),
            micros: Series::default(),
            cpu_micros: Series::default(),
            rss_kib: Series::default(),
            sys_share: Series::default(),
            faults_per_op: Series::default(),
            extra: Vec::new(),
            last: None,
            sample: None,
            error: None,
        }
    }

    /// Keeps what one round's output says.
    fn record(&mut self, output: Output, value: f64, extra: &[&str]) {
        self.values.push(value);
        if let Ok(micros) = output.number("us_per_op") {
            self.micros.push(micros);
        }
        if let Ok(micros) = output.number("cpu_us_per_op") {
            self.cpu_micros.push(micros);
        }
        for (series, name) in self.extra.iter_mut().zip(extra) {
            if let Ok(value) = output.number(name) {
                series.push(value);
            }
        }
        if let Some(kib) = output.max_rss_kib {
            self.rss_kib.push(kib as f64);
        }
        if let Some(share) = output.sys_share {
            self.sys_share.push(share * 100.0);
        }
        if let (Some(faults), Ok(ops)) = (output.minor_faults, output.number("ops")) {
            self.faults_per_op.push(faults as f64 / ops.max(1.0));
        }
        if self.sample.is_none() {
            self.sample.clone_from(&output.sample);
        }
        self.last = Some(output);
    }
}

/// Runs every contender once per round, in a new random order each round, keeping the
/// figures named in `extra` too. A contender that fails is dropped from later rounds, with
/// its error kept.
pub(crate) fn interleave(ctx: &mut Ctx, what: &str, contenders: &mut [Contender], extra: &[&str]) {
    let rounds = ctx.settings.rounds;
    let timing = [
        "--secs".to_owned(),
        ctx.settings.secs.to_string(),
        "--warmup".to_owned(),
        ctx.settings.warmup.to_string(),
    ];
    for contender in contenders.iter_mut() {
        contender.invocation = contender.invocation.clone().args(timing.clone());
        contender.extra = vec![Series::default(); extra.len()];
    }
    for round in 1..=rounds {
        let mut order: Vec<usize> = (0..contenders.len()).collect();
        ctx.rng.shuffle(&mut order);
        for index in order {
            let contender = &mut contenders[index];
            if contender.error.is_some() {
                continue;
            }
            match process::measure(&contender.invocation, ctx.gnu_time)
                .and_then(|output| output.number(contender.figure).map(|value| (output, value)))
            {
                Ok((output, value)) => {
                    println!(
                        "    {what} round {round}/{rounds}: {:<40} {}",
                        contender.label,
                        format_value(value)
                    );
                    contender.record(output, value, extra);
                }
                Err(error) => {
                    println!("    {what}: {} failed: {error}", contender.label);
                    contender.error = Some(error);
                }
            }
        }
    }
}

fn format_value(value: f64) -> String {
    if value >= 1000.0 {
        grouped(value)
    } else {
        format!("{value:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_round_keeps_every_figure_it_printed() {
        let mut contender =
            Contender::new("im-sig", Invocation::new("bench-usersig"), "ops_per_sec");
        contender.extra = vec![Series::default(); 2];
        let mut output = Output::parse(
            "RESULT ops_per_sec=1000\nRESULT us_per_op=1.0\nRESULT ops=500\nRESULT p90_us=4\nSAMPLE s\n",
        );
        output.minor_faults = Some(50);
        output.sys_share = Some(0.25);
        contender.record(output, 1000.0, &["mean_us", "p90_us"]);
        assert_eq!(contender.values.0, [1000.0]);
        assert_eq!(contender.micros.0, [1.0]);
        assert!(contender.cpu_micros.is_empty());
        assert!(contender.extra[0].is_empty());
        assert_eq!(contender.extra[1].0, [4.0]);
        assert_eq!(contender.faults_per_op.0, [0.1]);
        assert_eq!(contender.sys_share.0, [25.0]);
        assert_eq!(contender.sample.as_deref(), Some("s"));
        assert!(contender.last.is_some());
    }

    #[test]
    fn values_are_written_for_the_progress_lines() {
        assert_eq!(format_value(12_345.6), "12,346");
        assert_eq!(format_value(12.345), "12.35");
    }
}
