//! Integration tests of the account client against the emulator's in-process transport.

mod check;
mod delete;
mod import;
mod pacing;
mod support;
