//! Support code for the workspace-level tests.
//!
//! [`soak`] drives the SDK against the emulator with seeded faults and checks the emulator's
//! final state against a model. The `it` test binary runs a bounded soak on a paused clock;
//! the `soak` binary (behind `cargo xtask soak`) runs the long one over HTTP.

mod error;
pub mod soak;

pub use error::SoakError;
