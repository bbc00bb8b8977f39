//! What a run measures: the sections chosen on the command line, and how long and how big.

/// The sections, in report order.
pub(crate) const SECTIONS: &[&str] = &[
    "usersig", "cpu", "overhead", "import", "export", "accounts", "redis", "memory",
];

/// The sections that run `imctl`.
const RUN_IMCTL: &[&str] = &["import", "export", "accounts", "redis", "memory"];

/// How much a run measures.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Settings {
    pub(crate) quick: bool,
    /// Rounds of the short measurements (UserSig, CPU, overhead).
    pub(crate) rounds: usize,
    /// Rounds of the long ones (bulk import, Redis, memory).
    pub(crate) slow_rounds: usize,
    /// Seconds of each timed loop, and of its warm-up.
    pub(crate) secs: f64,
    pub(crate) warmup: f64,
    /// Calls of the bulk import at 200 calls/s.
    pub(crate) bulk_calls: usize,
    /// Users whose blocklists the export at 200 calls/s reads.
    pub(crate) export_users: usize,
    /// Accounts of the bulk account import at 100 calls/s.
    pub(crate) account_import_accounts: usize,
    /// Calls of each of the three processes sharing a budget through Redis.
    pub(crate) redis_calls: usize,
    /// Pair counts of the peak-memory imports (a smaller and the headline one).
    pub(crate) memory_pairs: [usize; 2],
}

impl Settings {
    /// The published run.
    pub(crate) fn full() -> Settings {
        Settings {
            quick: false,
            rounds: 5,
            slow_rounds: 3,
            secs: 2.5,
            warmup: 0.3,
            bulk_calls: 2000,
            export_users: 2000,
            account_import_accounts: 100_000,
            redis_calls: 400,
            memory_pairs: [100_000, 1_000_000],
        }
    }

    /// Fewer rounds and smaller sizes, to try things out.
    pub(crate) fn quick() -> Settings {
        Settings {
            quick: true,
            rounds: 3,
            slow_rounds: 1,
            secs: 0.5,
            warmup: 0.1,
            bulk_calls: 400,
            export_users: 400,
            account_import_accounts: 20_000,
            redis_calls: 100,
            memory_pairs: [10_000, 100_000],
        }
    }

    /// The timing options every timed measuring program takes: `--secs S --warmup S`.
    pub(crate) fn timing(&self) -> String {
        format!("--secs {} --warmup {}", self.secs, self.warmup)
    }
}

/// The command line of a run: its settings and the sections it measures.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Plan {
    pub(crate) settings: Settings,
    /// The sections given with `--only`; every section when `None`.
    only: Option<Vec<String>>,
}

impl Plan {
    /// Reads `[--quick] [--only a,b]`.
    pub(crate) fn parse(args: impl IntoIterator<Item = String>) -> Result<Plan, String> {
        let mut plan = Plan {
            settings: Settings::full(),
            only: None,
        };
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--quick" => plan.settings = Settings::quick(),
                "--only" => {
                    let list = args.next().ok_or("--only needs a list, e.g. usersig,cpu")?;
                    let names: Vec<String> = list.split(',').map(str::to_owned).collect();
                    if let Some(unknown) =
                        names.iter().find(|name| !SECTIONS.contains(&name.as_str()))
                    {
                        return Err(format!(
                            "unknown section {unknown:?}; use {}",
                            SECTIONS.join(",")
                        ));
                    }
                    plan.only = Some(names);
                }
                other => {
                    return Err(format!(
                        "unknown option {other:?}; usage: cargo xtask bench [--quick] [--only {}] | bench criterion [ARGS]",
                        SECTIONS.join(",")
                    ));
                }
            }
        }
        Ok(plan)
    }

    /// Whether the run measures the section `name`.
    pub(crate) fn wants(&self, name: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|names| names.iter().any(|n| n == name))
    }

    /// Whether a chosen section runs `imctl`.
    pub(crate) fn runs_imctl(&self) -> bool {
        RUN_IMCTL.iter().any(|name| self.wants(name))
    }

    /// Whether the report replaces `docs/benchmarks.md`: only a full run of every section does.
    pub(crate) fn writes_published_figures(&self) -> bool {
        !self.settings.quick && self.only.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(args: &[&str]) -> Result<Plan, String> {
        Plan::parse(args.iter().map(|arg| (*arg).to_owned()))
    }

    #[test]
    fn no_option_is_the_published_run_of_every_section() {
        let plan = plan(&[]).unwrap();
        assert_eq!(plan.settings, Settings::full());
        assert!(SECTIONS.iter().all(|name| plan.wants(name)));
        assert!(plan.runs_imctl());
        assert!(plan.writes_published_figures());
    }

    #[test]
    fn only_chooses_sections_and_writes_to_the_scratch_folder() {
        let plan = plan(&["--only", "usersig,cpu", "--quick"]).unwrap();
        assert!(plan.settings.quick);
        assert!(plan.wants("cpu") && !plan.wants("import"));
        assert!(!plan.runs_imctl(), "usersig and cpu do not run imctl");
        assert!(!plan.writes_published_figures());
        let plan = super::Plan::parse(["--only".to_owned(), "export".to_owned()]).unwrap();
        assert!(plan.runs_imctl());
        assert!(!plan.writes_published_figures());
    }

    #[test]
    fn bad_options_are_refused_with_the_choices() {
        let error = plan(&["--only", "cpu,gpu"]).unwrap_err();
        assert!(
            error.contains("\"gpu\"") && error.contains("usersig,cpu"),
            "{error}"
        );
        assert!(plan(&["--only"]).is_err());
        let error = plan(&["--fast"]).unwrap_err();
        assert!(error.contains("usage: cargo xtask bench"), "{error}");
    }
}
