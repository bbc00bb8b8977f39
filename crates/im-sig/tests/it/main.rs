//! Integration tests of im-sig: one test binary, one module per concern.

mod private_map_key;
mod properties;
mod redaction;
mod rejection;
#[cfg(feature = "serde")]
mod serde;
mod signer;
mod support;
mod vectors;
