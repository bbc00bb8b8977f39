//! The checks that keep the crates publishable: they package, every feature builds alone,
//! and the facade's default dependency tree stays lean.

use std::path::Path;
use std::process::Command;

use crate::step;

/// The crates published to the registry, leaves first. The bench programs, xtask and the
/// workspace tests are not published.
pub(crate) const PUBLISHED: [&str; 12] = [
    "im-protocol",
    "im-sig",
    "im-transport",
    "im-client",
    "im-blocklist",
    "im-account",
    "im-ratelimit-redis",
    "im-webhook",
    "im-server",
    "im-emulator",
    "tencent-im",
    "im-cli",
];

/// The most crates `tencent-im`'s default features may pull in (its own included). The
/// adapters, metrics and test doubles are opt-in; raise this only on purpose.
const MAX_DEFAULT_TREE: usize = 90;

/// `cargo package` for every published crate (without building them: the tests do that).
pub(crate) fn package(root: &Path, cargo: &str) -> Result<(), String> {
    let mut args = vec!["package", "--workspace", "--no-verify", "--allow-dirty"];
    for unpublished in ["im-bench", "xtask", "tests"] {
        args.extend(["--exclude", unpublished]);
    }
    step(root, cargo, &args, &[])
}

/// Checks each published crate with no features, then with each of its features alone, so
/// no feature depends on another being on by accident. `--all-features` is checked by the
/// lints and the tests.
pub(crate) fn each_feature(root: &Path, cargo: &str) -> Result<(), String> {
    for krate in PUBLISHED {
        let manifest = root.join("crates").join(krate).join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest)
            .map_err(|error| format!("cannot read {}: {error}", manifest.display()))?;
        let mut feature_sets = vec![String::new()];
        // `default` is the no-feature check's opposite, covered by the tests; `__name` is
        // internal, enabled through a public feature.
        feature_sets.extend(
            features(&text)
                .into_iter()
                .filter(|name| name != "default" && !name.starts_with("__")),
        );
        for features in &feature_sets {
            let mut args = vec!["check", "-p", krate, "--no-default-features", "--quiet"];
            if !features.is_empty() {
                args.extend(["--features", features]);
            }
            step(root, cargo, &args, &[])?;
        }
    }
    Ok(())
}

/// The names in a manifest's `[features]` table.
fn features(manifest: &str) -> Vec<String> {
    manifest
        .lines()
        .skip_while(|line| line.trim() != "[features]")
        .skip(1)
        .take_while(|line| !line.starts_with('['))
        .filter(|line| line.starts_with(|c: char| c.is_ascii_alphanumeric()))
        .filter_map(|line| line.split_once('='))
        .map(|(name, _)| name.trim().to_owned())
        .collect()
}

/// Fails when `tencent-im` with default features pulls in more than [`MAX_DEFAULT_TREE`]
/// crates.
pub(crate) fn default_tree(root: &Path, cargo: &str) -> Result<(), String> {
    println!("==> cargo tree -p tencent-im -e normal (at most {MAX_DEFAULT_TREE} crates)");
    let output = Command::new(cargo)
        .current_dir(root)
        .args([
            "tree",
            "-p",
            "tencent-im",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .output()
        .map_err(|error| format!("cannot run cargo tree: {error}"))?;
    if !output.status.success() {
        return Err("cargo tree -p tencent-im failed".to_owned());
    }
    let tree = String::from_utf8_lossy(&output.stdout);
    let count = distinct_crates(&tree);
    if count > MAX_DEFAULT_TREE {
        return Err(format!(
            "tencent-im's default features pull in {count} crates, more than {MAX_DEFAULT_TREE}: \
             put the new dependency behind a feature"
        ));
    }
    println!("    {count} crates");
    Ok(())
}

/// The distinct `name version` entries of a `cargo tree --prefix none` listing.
fn distinct_crates(tree: &str) -> usize {
    let mut crates: Vec<&str> = tree
        .lines()
        .filter_map(|line| {
            let mut words = line.split(' ');
            let name = words.next()?;
            let version = words.next()?;
            Some(&line[..name.len() + 1 + version.len()])
        })
        .collect();
    crates.sort_unstable();
    crates.dedup();
    crates.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_are_read_from_the_table() {
        let manifest = "[package]\nname = \"x\"\n\n[features]\ndefault = [\"hyper\"]\n\
                        # a comment\nhyper = [\n    \"dep:hyper\",\n]\ntest-util = []\n\n\
                        [dependencies]\nserde = \"1\"\n";
        assert_eq!(features(manifest), ["default", "hyper", "test-util"]);
    }

    #[test]
    fn crates_seen_twice_count_once() {
        let tree = "tencent-im v0.1.0 (/x)\nbytes v1.10.0\nhttp v1.3.0\nbytes v1.10.0 (*)\n\
                    async-trait v0.1.92 (proc-macro)\n";
        assert_eq!(distinct_crates(tree), 4);
    }
}
