//! UserSig throughput of `im_sig`, single thread, one process per measurement.
//!
//! ```text
//! bench-usersig generate [--secs 2.5] [--warmup 0.3]
//! bench-usersig verify [--sig own|python] [--secs 2.5] [--warmup 0.3]
//! bench-usersig check --sig USERSIG
//! ```
//!
//! - `generate`: `im_sig::generate` for `administrator`, SDKAppID 1400000000, validity
//!   15552000 s, with the documented example key; each generation reads the system clock,
//!   as the official libraries do.
//! - `verify`: `im_sig::verify` (decode, then check app, identifier, expiry and signature),
//!   as the emulator does for every request; `own` verifies a UserSig of this crate (zlib
//!   stored blocks), `python` one made by the official Python library (deflate level 6).
//!   Each verification reads the system clock too.
//! - `check`: verifies one UserSig made by another implementation with the same inputs, so
//!   the figures compare the same work; exits 1 when it is not valid.

use std::process::ExitCode;

use im_bench::{ADMIN, BenchError, EXPIRE, KEY, Options, SDKAPPID, info, result, timed_loop};
use im_sig::{Expected, SecretKey, SigParams, generate, verify};

/// The admin UserSig of the official Python library for these inputs, issued at
/// [`PYTHON_TIME`] (deflate level 6, JSON with spaces).
const PYTHON_USERSIG: &str = "eJyrVgrxCdYrSy1SslJQMtIzUNJRAItkpqTmlWSmZUIkElNyM-Myi0uKEkvyi2BKilOyEwsKMlOACgxNDKAAKpdaUZBZlAqSMTU1NUKIl2TmgkXN0dQXZ6aD7PFyrqpIzHOz8AsJiUgsNcnVNsqwLC8zT4-0yqv0yy7ONajINfRzjQg1MjexVaoFANTGNgc_";

/// When [`PYTHON_USERSIG`] was issued.
const PYTHON_TIME: u64 = 1_700_000_000;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bench-usersig: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), BenchError> {
    let options = Options::from_env()?;
    let key = SecretKey::new(KEY);
    let params = SigParams::new(SDKAPPID, ADMIN, EXPIRE);
    let expected = Expected::new(SDKAPPID, ADMIN);
    let (warmup, secs) = options.durations()?;
    match options.positional(0) {
        Some("generate") => {
            let sample = generate(&key, &params, im_bench::unix_now());
            verify(
                sample.expose_secret(),
                &key,
                &expected,
                im_bench::unix_now(),
            )
            .map_err(|error| BenchError::new(format!("own UserSig does not verify: {error}")))?;
            let rate = timed_loop(warmup, secs, 64, || {
                std::hint::black_box(generate(
                    &key,
                    std::hint::black_box(&params),
                    im_bench::unix_now(),
                ));
            });
            info("implementation", "im-sig (Rust)");
            rate.report();
            Ok(())
        }
        Some("verify") => {
            let (sig, shift) = match options.text("sig").unwrap_or("own") {
                "own" => (
                    generate(&key, &params, im_bench::unix_now())
                        .expose_secret()
                        .to_owned(),
                    0,
                ),
                "python" => (
                    PYTHON_USERSIG.to_owned(),
                    // Verify as if a minute after it was issued, still reading the clock.
                    im_bench::unix_now().saturating_sub(PYTHON_TIME + 60),
                ),
                other => {
                    return Err(BenchError::new(format!(
                        "--sig must be own or python, got {other:?}"
                    )));
                }
            };
            let check_now = im_bench::unix_now().saturating_sub(shift);
            verify(&sig, &key, &expected, check_now).map_err(|error| {
                BenchError::new(format!("the UserSig does not verify: {error}"))
            })?;
            let mut failures = 0_u64;
            let rate = timed_loop(warmup, secs, 64, || {
                let now = im_bench::unix_now().saturating_sub(shift);
                if verify(std::hint::black_box(&sig), &key, &expected, now).is_err() {
                    failures += 1;
                }
            });
            if failures > 0 {
                return Err(BenchError::new(format!(
                    "{failures} verifications failed during the loop"
                )));
            }
            rate.report();
            Ok(())
        }
        Some("check") => {
            let sig = options
                .text("sig")
                .ok_or_else(|| BenchError::new("check needs --sig USERSIG"))?;
            let doc = verify(sig.trim(), &key, &expected, im_bench::unix_now())
                .map_err(|error| BenchError::new(format!("not a valid UserSig: {error}")))?;
            info("expires_at", doc.expires_at());
            result("valid", 1);
            Ok(())
        }
        _ => Err(BenchError::new(
            "usage: bench-usersig generate|verify [--sig own|python]|check --sig USERSIG [--secs S] [--warmup S]",
        )),
    }
}
