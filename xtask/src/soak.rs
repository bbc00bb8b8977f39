//! `cargo xtask soak`: the long fault-injection run.
//!
//! Builds and runs the `soak` binary of the `tests` crate in release mode, passing every
//! option through (`cargo xtask soak -- --help` lists them; the defaults are one million
//! account operations over HTTP with every kind of fault). The figures are printed and
//! written to `soak/figures.md` in the target directory, unless `--out` names a file.

use std::path::{Path, PathBuf};

/// Runs the soak with `extra` as the binary's options.
pub(crate) fn run(root: &Path, extra: &[&str]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    // A leading `--` separates cargo's arguments from the binary's; accept it or not.
    let extra = match extra {
        ["--", rest @ ..] => rest,
        other => other,
    };
    let mut args = vec!["run", "--release", "-p", "tests", "--bin", "soak", "--"];
    args.extend_from_slice(extra);
    let asks_for_help = extra.iter().any(|arg| matches!(*arg, "-h" | "--help"));
    let out = if extra.contains(&"--out") || asks_for_help {
        None
    } else {
        let out = figures_path(root);
        if let Some(dir) = out.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|error| format!("cannot create {}: {error}", dir.display()))?;
        }
        Some(out.to_string_lossy().into_owned())
    };
    if let Some(out) = &out {
        args.push("--out");
        args.push(out);
    }
    crate::step(root, &cargo, &args, &[])?;
    if let Some(out) = out {
        println!("==> soak figures: {out} (copy them into docs/reliability.md with the command)");
    }
    Ok(())
}

/// Where the figures go: `soak/figures.md` in the target directory.
fn figures_path(root: &Path) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map_or_else(|| root.join("target"), |dir| root.join(dir));
    target.join("soak").join("figures.md")
}
