//! Integration tests of im-sig: one test binary, one module per concern.

mod properties;
mod redaction;
mod rejection;
mod signer;
mod support;
mod vectors;
