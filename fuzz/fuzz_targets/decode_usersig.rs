//! Arbitrary input into UserSig decoding and verification (`im-sig`).
//!
//! The first byte chooses how the rest becomes a UserSig string, so that the fuzzer reaches
//! every layer: the raw string (the alphabet and base64), raw bytes in the UserSig alphabet
//! (the zlib stream), a document compressed as the official libraries do (the JSON parser),
//! and a freshly generated UserSig (the round trip). The next eight bytes are the time.

#![no_main]

use std::io::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use flate2::Compression;
use flate2::write::ZlibEncoder;
use im_sig::{Expected, SecretKey, SigParams, decode, generate, verify};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (now, rest) = take_u64(rest);
    match mode % 4 {
        0 => check(&String::from_utf8_lossy(rest), now),
        1 => check(&usersig_base64(rest), now),
        2 => {
            let (level, document) = rest.split_first().map_or((6, rest), |(l, d)| (*l, d));
            check(&usersig_base64(&zlib(document, u32::from(level % 10))), now);
        }
        _ => round_trip(rest, now),
    }
});

/// The key every check verifies with.
fn key() -> SecretKey {
    SecretKey::new("fuzz-key")
}

/// Decodes and verifies `sig`, and checks that the two agree.
fn check(sig: &str, now: u64) {
    match decode(sig) {
        Ok(document) => {
            assert!(document.expires_at() >= document.time);
            let expected = Expected {
                sdkappid: document.sdkappid,
                identifier: &document.identifier,
                userbuf: document.userbuf.as_deref(),
            };
            match verify(sig, &key(), &expected, now) {
                Ok(verified) => assert_eq!(verified, document),
                // What decodes is never malformed to `verify`, and it matches what is
                // expected, so only the time or the signature can fail.
                Err(error) => assert!(error.is_expired() || error.is_bad_signature(), "{error:?}"),
            }
        }
        Err(error) => {
            assert!(error.is_malformed(), "{error:?}");
            let expected = Expected::new(1_400_000_000, "administrator");
            let verified = verify(sig, &key(), &expected, now);
            assert!(verified.is_err_and(|e| e.is_malformed()));
        }
    }
}

/// Generates a UserSig from fuzzed parameters and checks that it verifies and decodes to them.
fn round_trip(rest: &[u8], now: u64) {
    let (sdkappid, rest) = take_u64(rest);
    let (expire, rest) = take_u64(rest);
    let split = rest
        .first()
        .map_or(0, |&at| usize::from(at))
        .min(rest.len());
    let (identifier, userbuf) = rest.split_at(split);
    let identifier = String::from_utf8_lossy(identifier);
    let userbuf = (userbuf.len() % 2 == 1).then_some(userbuf);
    let mut params = SigParams::new(sdkappid, &identifier, expire);
    let mut expected = Expected::new(sdkappid, &identifier);
    if let Some(userbuf) = userbuf {
        params = params.with_userbuf(userbuf);
        expected = expected.with_userbuf(userbuf);
    }
    let sig = generate(&key(), &params, now);
    let document =
        verify(sig.expose_secret(), &key(), &expected, now).expect("a fresh UserSig verifies");
    assert_eq!(document.identifier, identifier);
    assert_eq!(
        (document.sdkappid, document.expire, document.time),
        (sdkappid, expire, now)
    );
    assert_eq!(document.userbuf.as_deref(), userbuf);
}

/// Reads a little-endian `u64` from the front of `bytes` (missing bytes read as 0).
fn take_u64(bytes: &[u8]) -> (u64, &[u8]) {
    let at = bytes.len().min(8);
    let (head, rest) = bytes.split_at(at);
    let mut buffer = [0u8; 8];
    buffer[..at].copy_from_slice(head);
    (u64::from_le_bytes(buffer), rest)
}

/// zlib-compresses `bytes` at `level`.
fn zlib(bytes: &[u8], level: u32) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::new(level));
    encoder
        .write_all(bytes)
        .expect("writing to a Vec never fails");
    encoder.finish().expect("writing to a Vec never fails")
}

/// Encodes bytes the way the official libraries do: standard base64, then `+/=` -> `*-_`.
fn usersig_base64(bytes: &[u8]) -> String {
    STANDARD
        .encode(bytes)
        .replace('+', "*")
        .replace('/', "-")
        .replace('=', "_")
}
