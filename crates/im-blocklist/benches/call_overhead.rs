//! The client's own CPU cost per call: validation, encoding, signing, building the URL,
//! decoding the answer and sorting the outcome, with no network and no pacing.
//!
//! Run with `cargo bench -p im-blocklist --bench call_overhead`. The transport answers at
//! once with a canned 1000-item response built before measuring, and the rate limiter is
//! `Unlimited`, so what is measured is the SDK alone.
//!
//! - `blocklist/add_1000/cached_sig`: one `add` of 1000 accounts with the signer's cached
//!   UserSig, as in steady operation.
//! - `blocklist/add_1000/fresh_sig`: the same with a signer that makes a new UserSig on every
//!   call (its refresh margin equals the validity).
//! - `signer/refresh`: making one administrator UserSig, for comparison.

use std::hint::black_box;
use std::sync::Arc;

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use im_blocklist::{Blocklist, Unlimited};
use im_protocol::{AccountResult, Endpoint, Envelope, ErrorCode, Region, UpdateBlocklistResponse};
use im_sig::{SecretKey, Signer};
use im_transport::test_util::{FnTransport, json_response};

const KEY: &str = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";
const APP: u64 = 1_400_000_000;
const ADMIN: &str = "administrator";

/// The 1000 accounts of each call.
fn accounts() -> Vec<String> {
    (0..1000).map(|i| format!("user_{i:06}")).collect()
}

/// The service's answer to an add of `accounts`: every account blocked.
fn canned_answer(accounts: &[String]) -> Bytes {
    let response = UpdateBlocklistResponse::new(
        accounts
            .iter()
            .map(|account| AccountResult::new(account, ErrorCode::OK, ""))
            .collect(),
    );
    let body = im_protocol::encode_json(&Envelope::ok(response)).expect("the answer encodes");
    Bytes::from(body)
}

fn blocklist(signer: Signer, answer: Bytes) -> Blocklist {
    let transport = Arc::new(FnTransport::from_sync(move |_request| {
        Ok(json_response(http::StatusCode::OK, answer.clone()))
    }));
    Blocklist::builder(signer, transport, Endpoint::region(Region::Singapore))
        .rate_limiter(Arc::new(Unlimited))
        .build()
}

fn add_1000(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a current-thread runtime");
    let accounts = accounts();
    let answer = canned_answer(&accounts);
    let cached = blocklist(
        Signer::new(APP, ADMIN, SecretKey::from(KEY)),
        answer.clone(),
    );
    let fresh = blocklist(
        Signer::new(APP, ADMIN, SecretKey::from(KEY)).with_refresh_margin(u64::MAX),
        answer,
    );

    let mut group = c.benchmark_group("blocklist/add_1000");
    group.throughput(Throughput::Elements(accounts.len() as u64));
    for (name, blocklist) in [("cached_sig", &cached), ("fresh_sig", &fresh)] {
        group.bench_function(name, |b| {
            b.to_async(&runtime).iter(|| async {
                let outcome = blocklist
                    .add(
                        black_box("owner"),
                        black_box(&accounts).iter().map(String::as_str),
                    )
                    .await
                    .expect("the canned answer is valid");
                assert_eq!(outcome.succeeded.len(), 1000);
                outcome
            });
        });
    }
    group.finish();

    let signer = Signer::new(APP, ADMIN, SecretKey::from(KEY));
    let mut group = c.benchmark_group("signer");
    group.throughput(Throughput::Elements(1));
    group.bench_function("refresh", |b| b.iter(|| signer.refresh()));
    group.finish();
}

criterion_group!(benches, add_1000);
criterion_main!(benches);
