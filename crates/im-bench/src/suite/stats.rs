//! Per-round values of a figure, and how the report writes numbers.

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

    /// The median (the mean of the middle two for an even count); 0 when empty.
    pub(crate) fn median(&self) -> f64 {
        crate::median(&mut self.0.clone())
    }

    /// The largest value; 0 when empty.
    pub(crate) fn max(&self) -> f64 {
        self.0.iter().copied().reduce(f64::max).unwrap_or(0.0)
    }

    /// (max - min) / median, as a percentage; 0 when empty or the median is 0.
    pub(crate) fn spread_percent(&self) -> f64 {
        let median = self.median();
        let min = self.0.iter().copied().reduce(f64::min);
        match min {
            Some(min) if median != 0.0 => (self.max() - min) / median * 100.0,
            _ => 0.0,
        }
    }

    /// `spread_percent` as the report shows it: `12%`.
    pub(crate) fn spread(&self) -> String {
        format!("{:.0}%", self.spread_percent())
    }

    /// The values in run order, formatted with `format`.
    pub(crate) fn list(&self, format: impl Fn(f64) -> String) -> String {
        self.0
            .iter()
            .map(|value| format(*value))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The median formatted with `format`, or `-` when nothing was measured.
    pub(crate) fn median_or_dash(&self, format: impl Fn(f64) -> String) -> String {
        if self.is_empty() {
            "-".to_owned()
        } else {
            format(self.median())
        }
    }
}

impl FromIterator<f64> for Series {
    fn from_iter<I: IntoIterator<Item = f64>>(values: I) -> Self {
        Series(values.into_iter().collect())
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

/// A duration in microseconds, shown in ns below 1 µs.
pub(crate) fn micros(value: f64) -> String {
    if value < 1.0 {
        format!("{:.0} ns", value * 1000.0)
    } else {
        format!("{value:.1} µs")
    }
}

/// KiB as MiB with one decimal.
pub(crate) fn mib(kib: f64) -> String {
    format!("{:.1} MiB", kib / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_statistics() {
        let series = Series(vec![3.0, 1.0, 2.0]);
        assert_eq!(series.median(), 2.0);
        assert_eq!(series.max(), 3.0);
        assert_eq!(series.spread_percent(), 100.0);
        assert_eq!(series.spread(), "100%");
        assert_eq!(series.list(|value| format!("{value:.1}")), "3.0, 1.0, 2.0");
        assert_eq!(Series(vec![1.0, 2.0, 3.0, 4.0]).median(), 2.5);
        assert_eq!(Series::default().median(), 0.0);
        assert_eq!(Series::default().max(), 0.0);
        assert_eq!(Series::default().spread_percent(), 0.0);
        assert_eq!(Series::default().median_or_dash(mib), "-");
    }

    #[test]
    fn formatting_helpers() {
        assert_eq!(grouped(12_096.4), "12,096");
        assert_eq!(grouped(999.0), "999");
        assert_eq!(grouped(1_000_000.0), "1,000,000");
        assert_eq!(micros(0.092), "92 ns");
        assert_eq!(micros(338.44), "338.4 µs");
        assert_eq!(mib(14_745.6), "14.4 MiB");
    }
}
