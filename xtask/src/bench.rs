//! `cargo xtask bench`: builds and runs the benchmark suite of `crates/im-bench`, which
//! measures the SDK side by side with the official libraries and writes `docs/benchmarks.md`.
//!
//! - `cargo xtask bench [--quick] [--only SECTIONS]`: runs `bench-report` with these options
//!   (its crate documentation lists them).
//! - `cargo xtask bench criterion [ARGS]`: the criterion benchmarks of the workspace.

use std::path::Path;

/// Runs `cargo xtask bench [options]`.
pub(crate) fn run(root: &Path, extra: &[&str]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let (mut args, rest) = match extra {
        ["criterion", rest @ ..] => (vec!["bench", "--workspace", "--all-features", "--"], rest),
        options => (
            vec![
                "run",
                "--release",
                "-p",
                "im-bench",
                "--bin",
                "bench-report",
                "--",
            ],
            options,
        ),
    };
    args.extend_from_slice(rest);
    crate::step(root, &cargo, &args, &[])
}
