//! `cargo xtask bench`: builds and runs the bench suite of `crates/im-bench`, which measures
//! the SDK side by side with the official libraries and writes `docs/benchmarks.md`.
//!
//! - `cargo xtask bench [--quick] [--only SECTIONS]`: builds `imctl` and the suite in release
//!   mode, in one build so every run measures the same binaries, then runs `bench-report`
//!   with these options (its crate documentation lists them).
//! - `cargo xtask bench criterion [ARGS]`: the criterion benchmarks of the workspace.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `cargo xtask bench [options]`.
pub(crate) fn run(root: &Path, extra: &[&str]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    if let ["criterion", rest @ ..] = extra {
        let mut args = vec!["bench", "--workspace", "--all-features", "--"];
        args.extend_from_slice(rest);
        return crate::step(root, &cargo, &args, &[]);
    }
    crate::step(
        root,
        &cargo,
        &["build", "--release", "-p", "im-bench", "-p", "im-cli"],
        &[],
    )?;
    let runner = target_dir(root).join("release").join("bench-report");
    println!("==> target/release/bench-report {}", extra.join(" "));
    let status = Command::new(&runner)
        .current_dir(root)
        .args(extra)
        .status()
        .map_err(|error| format!("cannot run {}: {error}", runner.display()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("bench-report failed ({status})"))
    }
}

/// The cargo target directory: `CARGO_TARGET_DIR` when set, else `target` in the workspace.
fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if Path::new(&dir).is_absolute() => PathBuf::from(dir),
        Some(dir) => std::env::current_dir().map_or_else(|_| root.join(&dir), |cwd| cwd.join(&dir)),
        None => root.join("target"),
    }
}
