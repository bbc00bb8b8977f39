//! The runner of `cargo xtask bench`: measures every section and writes the report.
//!
//! ```text
//! bench-report [--quick] [--only usersig,cpu,overhead,import,export,accounts,redis,memory]
//! ```
//!
//! See [`im_bench::suite`] for what it measures and where the report goes.

use std::process::ExitCode;

fn main() -> ExitCode {
    match im_bench::suite::run(std::env::args().skip(1)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bench-report: {error}");
            ExitCode::FAILURE
        }
    }
}
