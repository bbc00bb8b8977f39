//! Project automation, run as `cargo xtask <command>`.
//!
//! - `codegen [--check]`: writes the generated parts of `im-protocol` and `docs/errors.md`
//!   from `docs/spec/`; with `--check`, writes nothing and fails with a diff when they are stale.
//! - `ci`: the one command CI runs (format, lints, generated-code check, dependency rules,
//!   each feature alone, packaging, tests, docs).
//! - `bench`: runs the benchmarks and writes `docs/benchmarks.md`.
//! - `soak`: drives the SDK against the emulator with faults and checks nothing was lost.
//!
//! It uses the standard library only, so it builds in seconds.

mod bench;
mod codegen;
mod diff;
mod publish;
mod soak;
mod spec;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["codegen"] => codegen::run(&project_root(), codegen::Mode::Write),
        ["codegen", "--check"] => codegen::run(&project_root(), codegen::Mode::Check),
        ["ci"] => ci(),
        ["bench", rest @ ..] => bench::run(&project_root(), rest),
        ["soak", rest @ ..] => soak::run(&project_root(), rest),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "usage: cargo xtask codegen [--check] | ci | bench [options] | soak [options]";

/// The workspace root: the parent of this crate's directory.
fn project_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map_or_else(|| manifest_dir.to_path_buf(), Path::to_path_buf)
}

/// Runs every check CI runs, stopping at the first failure.
fn ci() -> Result<(), String> {
    let root = project_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    step(&root, &cargo, &["fmt", "--all", "--check"], &[])?;
    step(
        &root,
        &cargo,
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    )?;
    println!("==> cargo xtask codegen --check");
    codegen::run(&root, codegen::Mode::Check)?;
    check_leaf_dependencies(&root, &cargo)?;
    publish::default_tree(&root, &cargo)?;
    publish::each_feature(&root, &cargo)?;
    publish::package(&root, &cargo)?;
    step(
        &root,
        &cargo,
        &["test", "--workspace", "--all-features"],
        &[],
    )?;
    step(
        &root,
        &cargo,
        &["doc", "--workspace", "--no-deps", "--all-features"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    )?;
    println!("==> all checks passed");
    Ok(())
}

/// The leaf crates a user can take alone must not pull an async runtime or an HTTP stack,
/// and the dependencies point one way: the engine and the emulator know no API family, and
/// no family depends on another.
fn check_leaf_dependencies(root: &Path, cargo: &str) -> Result<(), String> {
    // (crate, what its normal dependency tree must not hold, why)
    let rules: [(&str, &[&str], &str); 9] = [
        ("im-protocol", &["tokio", "hyper"], "a leaf without I/O"),
        ("im-sig", &["tokio", "hyper"], "a leaf without I/O"),
        (
            "im-protocol",
            &["im-client", "im-sig", "im-transport"],
            "a leaf",
        ),
        (
            "im-client",
            &["im-blocklist", "im-account"],
            "the engine knows no API family",
        ),
        (
            "im-account",
            &["im-blocklist"],
            "an API family never depends on another",
        ),
        (
            "im-blocklist",
            &["im-account"],
            "an API family never depends on another",
        ),
        (
            "im-ratelimit-redis",
            &["im-blocklist"],
            "it implements the engine's limiter",
        ),
        (
            "im-emulator",
            &["im-client", "im-blocklist", "im-account"],
            "the emulator judges the client independently",
        ),
        (
            "im-server",
            &[
                "im-protocol",
                "im-sig",
                "im-transport",
                "im-client",
                "im-webhook",
            ],
            "the server loop is a leaf that knows nothing of Tencent",
        ),
    ];
    for (krate, forbidden, why) in rules {
        println!(
            "==> cargo tree -p {krate} (none of {})",
            forbidden.join(", ")
        );
        let output = Command::new(cargo)
            .current_dir(root)
            .args(["tree", "-p", krate, "-e", "normal", "--prefix", "none"])
            .output()
            .map_err(|error| format!("cannot run cargo tree: {error}"))?;
        if !output.status.success() {
            return Err(format!("cargo tree -p {krate} failed"));
        }
        let tree = String::from_utf8_lossy(&output.stdout);
        let found: Vec<&str> = tree
            .lines()
            .skip(1)
            .filter(|line| {
                let name = line.split(' ').next().unwrap_or_default();
                forbidden
                    .iter()
                    .any(|bad| name == *bad || name.starts_with(&format!("{bad}-")))
            })
            .collect();
        if !found.is_empty() {
            return Err(format!(
                "{krate} must not depend on {} ({why}), but its tree has: {}",
                forbidden.join(" or "),
                found.join(", ")
            ));
        }
    }
    Ok(())
}

/// Runs one command, echoing it first; fails when it fails.
pub(crate) fn step(
    root: &Path,
    program: &str,
    args: &[&str],
    env: &[(&str, &str)],
) -> Result<(), String> {
    println!("==> cargo {}", args.join(" "));
    let status = Command::new(program)
        .current_dir(root)
        .args(args)
        .envs(env.iter().copied())
        .status()
        .map_err(|error| format!("cannot run {program}: {error}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo {}` failed ({status})", args.join(" ")))
    }
}
