//! Finds out whether `redis-server` is installed, for the tests that start their own.
//!
//! When it is not on PATH, the build sets the cfg `redis_server_missing`, and those tests are
//! marked `#[ignore = "needs redis-server"]`: `cargo test` then lists them as ignored with
//! the reason, instead of passing them without running anything. With `IM_REQUIRE_REDIS=1`
//! (CI sets it) the cfg is never set, so a missing `redis-server` fails the tests.
//!
//! `imctl` has the same script for its own tests (each published crate carries its own).

use std::env;
use std::path::PathBuf;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(redis_server_missing)");
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rerun-if-env-changed=IM_REQUIRE_REDIS");
    let required = env::var("IM_REQUIRE_REDIS").is_ok_and(|value| value == "1");
    let path = env::var_os("PATH").unwrap_or_default();
    let directories: Vec<PathBuf> = env::split_paths(&path).collect();
    let name = format!("redis-server{}", env::consts::EXE_SUFFIX);
    match directories
        .iter()
        .map(|directory| directory.join(&name))
        .find(|candidate| candidate.is_file())
    {
        // Uninstalling it changes this file: the build runs again.
        Some(binary) => println!("cargo::rerun-if-changed={}", binary.display()),
        None => {
            // Installing it changes one of these directories: the build runs again.
            for directory in directories.iter().filter(|directory| directory.is_dir()) {
                println!("cargo::rerun-if-changed={}", directory.display());
            }
            if !required {
                println!("cargo::rustc-cfg=redis_server_missing");
            }
        }
    }
}
