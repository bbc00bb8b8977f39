//! Integration tests of the emulator, through its in-process transport and its HTTP server.

mod accounts;
mod blocklist;
mod checks;
mod faults;
mod http;
mod rate_limit;
mod setup;
mod support;
mod webhooks;
