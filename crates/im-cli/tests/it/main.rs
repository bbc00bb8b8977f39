//! `imctl` run as a process: exit codes, JSON output, standard error.

mod support;

/// The Redis limiter's own test helper: a private `redis-server` per test.
#[path = "../../../im-ratelimit-redis/tests/it/redis_server.rs"]
#[allow(dead_code)]
mod redis_server;

mod account;
mod blocklist;
mod checkpoint;
mod commands;
mod export;
mod formats;
mod import;
mod input;
mod interrupt;
mod migration;
mod native;
mod retry_after;
mod shared_rate;
mod sig;
mod terminal;
mod webhook;
