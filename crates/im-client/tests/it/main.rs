//! Integration tests of the call engine, in virtual time, through transport doubles.
//!
//! Nothing here is a blocklist test: the engine is driven through APIs it knows only as
//! data (`call_json` of the account APIs, a per-item API written in the test).

mod batch;
mod call;
mod metadata;
mod operate;
mod support;
