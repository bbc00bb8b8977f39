//! `cargo xtask soak`: the long fault-injection run.

use std::path::Path;

/// Not written yet.
pub(crate) fn run(_root: &Path, _extra: &[&str]) -> Result<(), String> {
    Err("soak is not available yet".to_owned())
}
