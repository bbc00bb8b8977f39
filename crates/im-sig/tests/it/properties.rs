//! Properties over arbitrary inputs: round trips, and decoding that never panics.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use im_sig::{Expected, SecretKey, SigParams, decode, generate, verify};
use proptest::prelude::*;

use crate::support::{usersig_base64, zlib};

proptest! {
    #[test]
    fn generate_then_verify_round_trips(
        identifier in any::<String>(),
        key in any::<String>(),
        userbuf in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..64)),
        sdkappid in any::<u64>(),
        expire in any::<u64>(),
        now in any::<u64>(),
    ) {
        let key = SecretKey::new(key);
        let mut params = SigParams::new(sdkappid, &identifier, expire);
        let mut expected = Expected::new(sdkappid, &identifier);
        if let Some(userbuf) = &userbuf {
            params = params.with_userbuf(userbuf);
            expected = expected.with_userbuf(userbuf);
        }
        let sig = generate(&key, &params, now);
        let doc = verify(sig.expose_secret(), &key, &expected, now).unwrap();
        prop_assert_eq!(&doc.version, "2.0");
        prop_assert_eq!(&doc.identifier, &identifier);
        prop_assert_eq!((doc.sdkappid, doc.expire, doc.time), (sdkappid, expire, now));
        prop_assert_eq!(&doc.userbuf, &userbuf);
        prop_assert_eq!(doc.expires_at(), now.saturating_add(expire));
        let late = doc.expires_at().checked_add(1);
        if let Some(late) = late {
            prop_assert!(verify(sig.expose_secret(), &key, &expected, late).unwrap_err().is_expired());
        }
    }

    #[test]
    fn generation_is_deterministic(identifier in "[a-zA-Z0-9_-]{0,32}", now in any::<u64>()) {
        let key = SecretKey::new("key");
        let params = SigParams::new(1, &identifier, 3_600);
        let first = generate(&key, &params, now);
        let second = generate(&key, &params, now);
        prop_assert_eq!(first.expose_secret(), second.expose_secret());
    }

    #[test]
    fn decode_never_panics_on_arbitrary_strings(text in any::<String>()) {
        if let Ok(doc) = decode(&text) {
            prop_assert!(doc.expires_at() >= doc.time);
        }
    }

    #[test]
    fn decode_never_panics_on_arbitrary_bytes_in_the_alphabet(
        bytes in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        prop_assert!(decode(&usersig_base64(&bytes)).is_err());
    }

    #[test]
    fn decode_never_panics_on_arbitrary_compressed_text(text in any::<String>(), level in 0u32..10) {
        let _ = decode(&usersig_base64(&zlib(text.as_bytes(), level)));
    }

    #[test]
    fn decode_never_panics_on_mutated_documents(
        position in any::<prop::sample::Index>(),
        replacement in any::<char>(),
    ) {
        let sig = generate(&SecretKey::new("key"), &SigParams::new(7, "user", 60), 1_000);
        let doc = decode(sig.expose_secret()).unwrap();
        let mut json = format!(
            r#"{{"TLS.ver":"2.0","TLS.identifier":"user","TLS.sdkappid":7,"TLS.expire":60,"TLS.time":1000,"TLS.sig":"{}"}}"#,
            STANDARD.encode(doc.signature)
        );
        let at = position.index(json.len());
        if json.is_char_boundary(at) {
            json.insert(at, replacement);
        }
        let _ = decode(&usersig_base64(&zlib(json.as_bytes(), 6)));
    }
}
