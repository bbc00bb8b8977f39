//! `cargo xtask bench`: runs the benchmarks.

use std::path::Path;

/// Runs the criterion benchmarks of the workspace.
pub(crate) fn run(root: &Path, extra: &[&str]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut args = vec!["bench", "--workspace", "--all-features", "--"];
    args.extend_from_slice(extra);
    crate::step(root, &cargo, &args, &[])
}
