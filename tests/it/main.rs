//! Integration tests across the workspace crates, in one test binary.

mod facade_http;
mod layering;
