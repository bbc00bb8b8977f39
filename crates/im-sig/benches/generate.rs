//! Throughput of UserSig generation, decoding and verification.
//!
//! Run with `cargo bench -p im-sig --bench generate`. The `usersig/deflate` group measures
//! what the zlib step would cost with a real deflate encoder (flate2's zlib-rs backend,
//! one reused `Compress` per level); `generate` frames the document as stored blocks
//! instead, and the difference is why.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use flate2::{Compress, Compression, FlushCompress};
use im_sig::{Expected, ManualClock, SecretKey, SigParams, Signer, decode, generate, verify};

const KEY: &str = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";
const APP: u64 = 1_400_000_000;
const ADMIN: &str = "administrator";
const EXPIRE: u64 = 15_552_000;
const NOW: u64 = 1_700_000_000;

/// The admin UserSig of the official Python library for the same inputs (deflate level 6).
const PYTHON_USERSIG: &str = "eJyrVgrxCdYrSy1SslJQMtIzUNJRAItkpqTmlWSmZUIkElNyM-Myi0uKEkvyi2BKilOyEwsKMlOACgxNDKAAKpdaUZBZlAqSMTU1NUKIl2TmgkXN0dQXZ6aD7PFyrqpIzHOz8AsJiUgsNcnVNsqwLC8zT4-0yqv0yy7ONajINfRzjQg1MjexVaoFANTGNgc_";

/// The document the official Python library compresses for these inputs.
const DOCUMENT: &str = r#"{"TLS.ver":"2.0","TLS.identifier":"administrator","TLS.sdkappid":1400000000,"TLS.expire":15552000,"TLS.time":1700000000,"TLS.sig":"JCzxanF8NTTXau4m+2h9wv7gYJnyNksm0xm1NEXU274="}"#;

fn usersig(c: &mut Criterion) {
    let key = SecretKey::new(KEY);
    let params = SigParams::new(APP, ADMIN, EXPIRE);
    let expected = Expected::new(APP, ADMIN);
    let own = generate(&key, &params, NOW);

    let mut group = c.benchmark_group("usersig/generate");
    group.throughput(Throughput::Elements(1));
    group.bench_function("admin", |b| {
        b.iter(|| generate(black_box(&key), black_box(&params), black_box(NOW)));
    });
    group.finish();

    let mut group = c.benchmark_group("usersig/decode");
    group.throughput(Throughput::Elements(1));
    group.bench_function("own", |b| {
        b.iter(|| decode(black_box(own.expose_secret())));
    });
    group.bench_function("python", |b| {
        b.iter(|| decode(black_box(PYTHON_USERSIG)));
    });
    group.finish();

    let mut group = c.benchmark_group("usersig/verify");
    group.throughput(Throughput::Elements(1));
    group.bench_function("own", |b| {
        b.iter(|| {
            verify(
                black_box(own.expose_secret()),
                &key,
                &expected,
                black_box(NOW),
            )
        });
    });
    group.bench_function("python", |b| {
        b.iter(|| verify(black_box(PYTHON_USERSIG), &key, &expected, black_box(NOW)));
    });
    group.finish();

    let mut group = c.benchmark_group("usersig/signer");
    group.throughput(Throughput::Elements(1));
    let signer = Signer::new(APP, ADMIN, key.clone()).with_clock(Arc::new(ManualClock::new(NOW)));
    group.bench_function("cached", |b| {
        b.iter(|| signer.sig());
    });
    group.finish();
}

fn deflate(c: &mut Criterion) {
    let mut group = c.benchmark_group("usersig/deflate");
    group.throughput(Throughput::Elements(1));
    for level in [0, 1, 6] {
        let mut compress = Compress::new(Compression::new(level), true);
        let mut out = Vec::with_capacity(512);
        group.bench_function(format!("zlib-rs-level-{level}-reused"), |b| {
            b.iter(|| {
                compress.reset();
                out.clear();
                compress
                    .compress_vec(
                        black_box(DOCUMENT.as_bytes()),
                        &mut out,
                        FlushCompress::Finish,
                    )
                    .unwrap();
                out.len()
            });
        });
    }
    group.finish();
}

criterion_group!(benches, usersig, deflate);
criterion_main!(benches);
