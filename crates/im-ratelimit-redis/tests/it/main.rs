//! Tests of the Redis rate limiter against a real `redis-server`, started per test on a free
//! loopback port. Install it with `apt-get install redis-server` (Debian, Ubuntu) or
//! `brew install redis` (macOS). Built without it, the tests that need it are listed as
//! ignored ("needs redis-server"); with `IM_REQUIRE_REDIS=1` (CI) they run and fail instead.

mod lanes;
mod outage;
mod redis_server;
mod spacing;
mod support;
mod throttle;
