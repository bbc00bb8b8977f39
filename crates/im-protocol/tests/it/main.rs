//! Integration tests of `im-protocol`: fixtures from the docs, decoding edge cases, URLs.

mod account_bodies;
#[cfg(feature = "test-util")]
mod answers;
mod constructors;
mod decode;
mod endpoints;
mod fixtures;
mod friend_bodies;
mod url;
