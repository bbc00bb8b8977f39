//! The two programs of the paced sections: `bench-emulator` serving on loopback, and `imctl`
//! against it, with the credentials every command uses and the totals `imctl --json` prints.

use std::path::Path;

use serde::Deserialize;

use super::background::Background;
use super::ctx::Ctx;
use super::process::{Invocation, path_str};
use crate::{KEY, SDKAPPID};

/// `bench-emulator` limited to `rate` calls/s per API (0: unlimited), with `latency_ms` before
/// every answer.
pub(crate) fn emulator(ctx: &Ctx, rate: u32, latency_ms: u32) -> Invocation {
    Invocation::new(ctx.bin("bench-emulator")).args([
        "--rate".to_owned(),
        rate.to_string(),
        "--latency-ms".to_owned(),
        latency_ms.to_string(),
    ])
}

/// [`emulator`] knowing the accounts named in the file `accounts`.
pub(crate) fn emulator_with_accounts(
    ctx: &Ctx,
    rate: u32,
    latency_ms: u32,
    accounts: &Path,
) -> Invocation {
    emulator(ctx, rate, latency_ms)
        .arg("--accounts")
        .arg(path_str(accounts))
}

/// Starts `invocation` (a `bench-emulator`) and returns it with the URL it serves.
pub(crate) fn start_emulator(invocation: &Invocation) -> Result<(Background, String), String> {
    let mut emulator = Background::start(invocation, "bench-emulator")?;
    let url = emulator.wait_for_line("URL ")?;
    Ok((emulator, url))
}

/// `imctl ARGS --json` against `url`, with the workload's credentials.
pub(crate) fn imctl<'a>(
    ctx: &Ctx,
    url: &str,
    args: impl IntoIterator<Item = &'a str>,
) -> Invocation {
    Invocation::new(ctx.bin("imctl"))
        .env("TIM_ENDPOINT", url)
        .env("TIM_SDKAPPID", SDKAPPID.to_string())
        .env("TIM_SECRET_KEY", KEY)
        .args(args)
}

/// `imctl blocklist import --file FILE --json` against `url`, with `extra` global options.
pub(crate) fn blocklist_import(ctx: &Ctx, url: &str, file: &Path, extra: &[&str]) -> Invocation {
    imctl(ctx, url, ["blocklist", "import", "--file"])
        .arg(path_str(file))
        .arg("--json")
        .args(extra.iter().copied())
}

/// The credentials every `imctl` command below uses, set once.
pub(crate) fn export_line() -> String {
    format!("export TIM_SDKAPPID={SDKAPPID} TIM_SECRET_KEY={KEY}   # the documented example key")
}

/// An `imctl` command as shown after [`export_line`].
pub(crate) fn show_imctl(ctx: &Ctx, invocation: &Invocation, wrapper: Option<&str>) -> String {
    ctx.display_with(invocation, &["TIM_SDKAPPID", "TIM_SECRET_KEY"], wrapper)
}

/// The totals `imctl --json` prints at the end of an import or an export (the fields the
/// suite reads; a command prints only some of them).
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
pub(crate) struct Totals {
    /// Pairs read (import) or written (export).
    #[serde(default)]
    pub(crate) pairs: u64,
    /// Pairs blocked, or accounts imported.
    #[serde(default)]
    pub(crate) succeeded: u64,
}

impl Totals {
    /// Reads the JSON document `imctl --json` printed.
    pub(crate) fn read(stdout: &str) -> Result<Totals, String> {
        serde_json::from_str(stdout).map_err(|error| {
            format!(
                "imctl's --json output cannot be read ({error}): {}",
                super::process::tail(stdout, 3)
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_are_the_top_level_fields() {
        let import = r#"{"pairs":10,"succeeded":9,"unchanged":0,"failed":[{"from":"u1","account":"t1","code":30006,"reason":"busy","info":"\"succeeded\":7"}]}"#;
        assert_eq!(
            Totals::read(import).unwrap(),
            Totals {
                pairs: 10,
                succeeded: 9
            }
        );
        // What text search got wrong: the same key nested earlier, a space before a colon.
        let nested = r#"{"failed":[{"succeeded":1}],"succeeded":2}"#;
        assert_eq!(Totals::read(nested).unwrap().succeeded, 2);
        let spaced = "{\n  \"pairs\" : 10,\n  \"succeeded\" : 9\n}\n";
        assert_eq!(Totals::read(spaced).unwrap().succeeded, 9);
        let export =
            r#"{"users":2,"done":2,"exported":2,"empty":0,"pairs":10,"failed":[],"out":"x.csv"}"#;
        assert_eq!(Totals::read(export).unwrap().pairs, 10);
    }

    #[test]
    fn output_that_is_not_json_is_an_error_not_zero() {
        let error = Totals::read("10 pairs: 9 blocked").unwrap_err();
        assert!(error.contains("10 pairs: 9 blocked"), "{error}");
    }
}
