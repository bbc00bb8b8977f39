//! Integration tests across the workspace crates, in one test binary.

mod layering;
