//! Integration tests of `im-protocol`: fixtures from the docs, decoding edge cases, URLs.

mod decode;
mod endpoints;
mod fixtures;
mod url;
