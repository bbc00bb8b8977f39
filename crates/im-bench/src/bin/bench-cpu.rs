//! The SDK's own CPU cost of one 1000-account `add`, and of its main parts, with no network
//! and no pacing: single thread, one process per measurement.
//!
//! ```text
//! bench-cpu call-cached|call-fresh|encode|sign-cached|sign-fresh|decode [--secs 2.5] [--warmup 0.3]
//! ```
//!
//! - `call-cached`: `Blocklist::add` of 1000 accounts through a transport that answers at
//!   once with a canned 1000-item response, the rate limiter `Unlimited`, and the signer's
//!   cached UserSig (steady operation): validation, de-duplication, encoding, signing, the
//!   URL, decoding the answer and sorting the outcome.
//! - `call-fresh`: the same with a signer that makes a new UserSig for every call.
//! - `encode`: building the 1000-account request body and serializing it to JSON.
//! - `sign-cached` / `sign-fresh`: the signer handing out its cached UserSig / making one.
//! - `decode`: parsing the canned 1000-item answer.
//!
//! Figures are wall-clock and thread CPU time per operation (`/proc/thread-self/schedstat`).

use std::process::ExitCode;
use std::sync::Arc;

use bytes::Bytes;
use im_bench::{ADMIN, BenchError, KEY, Options, SDKAPPID, canned_answer, info, timed_loop};
use im_blocklist::{Blocklist, Unlimited};
use im_protocol::{
    AddBlocklistRequest, Endpoint, Region, UpdateBlocklistResponse, decode_response, encode_json,
};
use im_sig::{SecretKey, Signer};
use im_transport::test_util::{FnTransport, json_response};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bench-cpu: {error}");
            ExitCode::FAILURE
        }
    }
}

fn blocklist(signer: Signer, answer: Bytes) -> Blocklist {
    let transport = Arc::new(FnTransport::from_sync(move |_request| {
        Ok(json_response(http::StatusCode::OK, answer.clone()))
    }));
    Blocklist::builder(signer, transport, Endpoint::region(Region::Singapore))
        .rate_limiter(Arc::new(Unlimited))
        .build()
}

fn run() -> Result<(), BenchError> {
    let options = Options::from_env()?;
    let (warmup, secs) = options.durations()?;
    let accounts = im_bench::thousand_accounts();
    let answer = canned_answer(&accounts)?;
    info("answer_bytes", answer.len());
    let rate = match options.positional(0) {
        Some(mode @ ("call-cached" | "call-fresh")) => {
            let mut signer = Signer::new(SDKAPPID, ADMIN, SecretKey::new(KEY));
            if mode == "call-fresh" {
                signer = signer.with_refresh_margin(u64::MAX);
            }
            let blocklist = blocklist(signer, answer);
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .map_err(|error| BenchError::new(format!("no runtime: {error}")))?;
            let mut wrong = 0_u64;
            let rate = timed_loop(warmup, secs, 16, || {
                let outcome = runtime.block_on(blocklist.add(
                    "owner",
                    std::hint::black_box(&accounts).iter().map(String::as_str),
                ));
                if !outcome.is_ok_and(|outcome| outcome.succeeded.len() == accounts.len()) {
                    wrong += 1;
                }
            });
            if wrong > 0 {
                return Err(BenchError::new(format!(
                    "{wrong} calls did not block every account"
                )));
            }
            rate
        }
        Some("encode") => timed_loop(warmup, secs, 16, || {
            let request =
                AddBlocklistRequest::new("owner", std::hint::black_box(&accounts).iter().cloned());
            std::hint::black_box(
                encode_json(&request)
                    .map(|body| body.len())
                    .unwrap_or_default(),
            );
        }),
        Some("decode") => {
            let mut wrong = 0_u64;
            let rate = timed_loop(warmup, secs, 16, || {
                let decoded =
                    decode_response::<UpdateBlocklistResponse>(std::hint::black_box(&answer));
                if !decoded.is_ok_and(|response| response.result_item.len() == accounts.len()) {
                    wrong += 1;
                }
            });
            if wrong > 0 {
                return Err(BenchError::new("the canned answer did not decode"));
            }
            rate
        }
        Some("sign-cached") => {
            let signer = Signer::new(SDKAPPID, ADMIN, SecretKey::new(KEY));
            timed_loop(warmup, secs, 256, || {
                std::hint::black_box(signer.sig());
            })
        }
        Some("sign-fresh") => {
            let signer = Signer::new(SDKAPPID, ADMIN, SecretKey::new(KEY));
            timed_loop(warmup, secs, 256, || {
                std::hint::black_box(signer.refresh());
            })
        }
        _ => {
            return Err(BenchError::new(
                "usage: bench-cpu call-cached|call-fresh|encode|sign-cached|sign-fresh|decode [--secs S] [--warmup S]",
            ));
        }
    };
    rate.report();
    Ok(())
}
