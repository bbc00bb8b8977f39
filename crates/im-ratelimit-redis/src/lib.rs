#![cfg_attr(docsrs, feature(doc_cfg))]
//! A calls-per-second budget shared by many processes, on Redis.
//!
//! Tencent Cloud Chat limits each API to a number of calls per second (200 for the blocklist
//! APIs) **per app**, not per process. The client's default pacer
//! ([`AdaptivePacer`](im_client::AdaptivePacer)) spaces calls within one process, so a
//! backend running on ten machines, or three bulk imports at once, overruns the limit and
//! gets rate-limit errors. [`RedisRateLimiter`] implements the client's
//! [`RateLimiter`](im_client::RateLimiter) trait on the Redis those teams already run, so
//! every process spends one shared budget.
//!
//! The limiter keeps one budget per app and API: every call names both in its
//! [`RateKey`](im_client::RateKey), so one limiter, with one Redis connection, can serve the
//! clients of several SDKAppIDs without their calls slowing each other.
//!
//! ```no_run
//! use std::sync::Arc;
//! use im_client::{Client, Endpoint, Region, SecretKey, Signer, Transport};
//! use im_ratelimit_redis::{RedisRateLimiter, Unavailable};
//!
//! # async fn run(transport: Arc<dyn Transport>) -> Result<(), Box<dyn std::error::Error>> {
//! let limiter = Arc::new(
//!     RedisRateLimiter::connect("redis://:password@cache.internal:6379/")
//!         .await?
//!         .on_unavailable(Unavailable::FallBackToLocal),
//! );
//! let endpoint = Endpoint::region(Region::Singapore);
//! // Two apps share the limiter; each spends its own budget.
//! let production = Client::builder(
//!     Signer::new(1_400_000_000, "administrator", SecretKey::from("app key")),
//!     Arc::clone(&transport),
//!     endpoint.clone(),
//! )
//! .rate_limiter(limiter.clone())
//! .build();
//! let staging = Client::builder(
//!     Signer::new(1_400_000_001, "administrator", SecretKey::from("other app key")),
//!     transport,
//!     endpoint,
//! )
//! .rate_limiter(limiter)
//! .build();
//! # let _ = (production, staging); Ok(()) }
//! ```
//!
//! # How it works
//!
//! Each (app, API) pair is a *lane*: a Redis hash at `{prefix}:{sdkappid}:{api path}`, e.g.
//! `tim:rate:1400000000:v4/sns/black_list_add` (the prefix is
//! [`RedisRateLimiter::key_prefix`]). A Lua script (the generic cell rate algorithm with a
//! burst tolerance of zero) reserves one slot per call, atomically:
//!
//! ```text
//! now      = TIME on the Redis server, in microseconds
//! slot     = max(tat, now)               tat: the lane's next free slot
//! tat      = slot + ceil(1 s * (1 + HEADROOM) / rate)
//! return   slot - now                    the caller sleeps this long, then starts
//! ```
//!
//! Slots are one interval apart (2% wider than `1 / rate`, [`HEADROOM`](im_client::HEADROOM),
//! to absorb network jitter), so no one-second window ever holds more than `rate` starts
//! and there is no burst, exactly like the in-process
//! [`AdaptivePacer`](im_client::AdaptivePacer). Time comes from the Redis server's clock,
//! so machines with skewed clocks agree; callers only sleep for the relative wait. The lane
//! expires a second after its last slot (or after its throttle recovery, below).
//!
//! When the service answers a call with a rate-limit code, the client calls
//! [`on_throttled`](im_client::RateLimiter::on_throttled), and a background task stores a
//! throttled rate and its time in the lane: 70% of the current rate, never below 5% of
//! nominal; an answer to a call started before this process last slowed the lane down is
//! an echo of the same episode and changes nothing. The script then paces every process at that rate, climbing back linearly to
//! nominal over ten seconds, the same curve as the in-process pacer. Every process sharing a
//! lane should configure the same nominal rate.
//!
//! The script uses only `EVALSHA`/`EVAL`, `TIME`, `HMGET`, `HSET` and `PEXPIRE`: no Redis
//! modules, so it runs on managed Redis (and Valkey), version 4 or later.
//!
//! # When Redis is unavailable
//!
//! Every Redis operation has a timeout ([`RedisRateLimiter::operation_timeout`], 500 ms by
//! default), so a hung Redis is noticed quickly. What happens next is the caller's choice
//! ([`Unavailable`]):
//!
//! - [`Unavailable::FallBackToLocal`] (the default): calls are paced by this process alone,
//!   at the same rates, and one warning is logged per outage. One call per
//!   [`recheck_interval`](RedisRateLimiter::recheck_interval) (one second) tries Redis again;
//!   when it answers, the limiter shares the budget again and logs that it did. While Redis
//!   is down each process spends the whole budget, so several processes can exceed it
//!   together until the service's rate-limit answers slow them down.
//! - [`Unavailable::Fail`]: `acquire` fails, so no call starts unpaced; the calls that
//!   could not start are reported as failed, not lost, with
//!   [`Error::RateLimiter`](im_client::Error::RateLimiter), whose
//!   [`cause`](im_client::RateLimitError::cause) is the [`RedisLimiterError`].
//!
//! The connection is re-established automatically after a failure. The Redis URL's password
//! never appears in `Debug` output or logs.
//!
//! # Testing
//!
//! The tests start their own `redis-server` on a free loopback port, without persistence,
//! and stop it afterwards; nothing shared is needed. Install it with
//! `apt-get install redis-server` (Debian, Ubuntu) or `brew install redis` (macOS). When it
//! is not on `PATH` at build time, the build script marks the tests that need it as ignored
//! ("needs redis-server"), so `cargo test` lists them as such rather than passing them
//! unrun; with `IM_REQUIRE_REDIS=1` (CI sets it) they run and fail instead. Run them with
//! `cargo test -p im-ratelimit-redis`.
//!
//! Redis runs on the wall clock, so the tests through the limiter assert only what holds
//! whatever the timing (orderings, counts, slots as Redis issued them, a TTL present and
//! bounded). The script's decisions (rates, their climb back, slots and waits) are checked
//! exactly by unit tests that pass the script the time instead of letting it read the
//! server's clock. That calls start at their slots is measured by `cargo xtask bench`.
//!
//! The example `shared_rate` measures the limiter against a running Redis:
//! `cargo run --release -p im-ratelimit-redis --example shared_rate -- redis://127.0.0.1:6379/`.

mod error;
mod limiter;
mod outage;
mod redact;
mod script;

pub use error::RedisLimiterError;
pub use limiter::{
    DEFAULT_KEY_PREFIX, DEFAULT_OPERATION_TIMEOUT, DEFAULT_RECHECK_INTERVAL, Grant,
    RedisRateLimiter,
};
pub use outage::Unavailable;
