//! Integration tests of the blocklist client against a fake service, in virtual time.
//!
//! Every test drives the public API through `im_transport::test_util` doubles, mostly the
//! fake service of [`support`], and asserts on what was sent and what came back.

mod batching;
mod check;
mod convergence;
mod decode;
mod doubles;
mod failover;
mod import;
mod list;
mod pacing;
mod retry;
mod secrets;
mod signing;
mod support;
mod validation;
