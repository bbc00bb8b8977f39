//! Tests of the Redis rate limiter against a real `redis-server`, started per test on a free
//! loopback port. Install it with `apt-get install redis-server` (Debian, Ubuntu) or
//! `brew install redis` (macOS); without it these tests are skipped, or fail with `IM_REQUIRE_REDIS=1`.

mod lanes;
mod outage;
mod redis_server;
mod spacing;
mod support;
mod throttle;
