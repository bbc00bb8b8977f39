//! Integration tests across the workspace crates, in one test binary.

mod adapters;
mod dead_service;
mod facade_http;
mod fuzz_properties;
mod layering;
mod soak;
mod webhooks;
