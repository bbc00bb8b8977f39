//! The cross-implementation vectors: the signature of every generated UserSig matches the
//! official libraries', and their UserSigs decode and verify here.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use im_sig::{Expected, SecretKey, SigError, SigParams, decode, generate, verify};

use crate::support::{hex, vectors};

#[test]
fn generate_reproduces_the_signature_of_every_vector() {
    for vector in vectors() {
        let userbuf = vector.userbuf();
        let mut params = SigParams::new(vector.sdkappid, &vector.identifier, vector.expire);
        if let Some(userbuf) = &userbuf {
            params = params.with_userbuf(userbuf);
        }
        assert_eq!(
            params.content_to_sign(vector.time),
            vector.content_to_sign,
            "{}",
            vector.name
        );

        let key = SecretKey::new(vector.key.as_str());
        let sig = generate(&key, &params, vector.time);
        let doc = decode(sig.expose_secret()).unwrap();
        assert_eq!(
            doc.signature.to_vec(),
            hex(&vector.hmac_sha256_hex),
            "{}",
            vector.name
        );
        assert_eq!(
            STANDARD.encode(doc.signature),
            vector.sig,
            "{}",
            vector.name
        );
        assert_eq!(doc, vector.expected_document(), "{}", vector.name);
    }
}

#[test]
fn generated_usersigs_verify_until_the_boundary_and_expire_after() {
    for vector in vectors() {
        let userbuf = vector.userbuf();
        let mut params = SigParams::new(vector.sdkappid, &vector.identifier, vector.expire);
        let mut expected = Expected::new(vector.sdkappid, &vector.identifier);
        if let Some(userbuf) = &userbuf {
            params = params.with_userbuf(userbuf);
            expected = expected.with_userbuf(userbuf);
        }
        let key = SecretKey::new(vector.key.as_str());
        let sig = generate(&key, &params, vector.time);
        let at = &vector.verify_at;
        assert!(verify(sig.expose_secret(), &key, &expected, vector.time).is_ok());
        assert!(
            verify(
                sig.expose_secret(),
                &key,
                &expected,
                at.valid_until_inclusive
            )
            .is_ok()
        );
        assert_eq!(
            verify(sig.expose_secret(), &key, &expected, at.expired_from),
            Err(SigError::Expired {
                expired_at: at.valid_until_inclusive,
                now: at.expired_from,
            }),
            "{}",
            vector.name
        );
    }
}

#[test]
fn generated_usersigs_use_the_usersig_alphabet_and_stored_zlib() {
    for vector in vectors() {
        let key = SecretKey::new(vector.key.as_str());
        let params = SigParams::new(vector.sdkappid, &vector.identifier, vector.expire);
        let sig = generate(&key, &params, vector.time);
        let text = sig.expose_secret();
        assert!(
            text.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"*-_".contains(&b)),
            "{}",
            vector.name
        );
        assert_eq!(text.len() % 4, 0, "{}", vector.name);
        // `78 01` then a final stored block, as the official Go library writes it.
        assert!(text.starts_with("eAEB"), "{}", vector.name);
    }
}

#[test]
fn foreign_usersigs_decode_to_the_vector_fields() {
    for vector in vectors() {
        for (origin, sig) in vector.foreign_usersigs() {
            let doc = decode(sig).unwrap_or_else(|err| panic!("{} {origin}: {err}", vector.name));
            assert_eq!(doc, vector.expected_document(), "{} {origin}", vector.name);
        }
    }
}

#[test]
fn foreign_usersigs_verify_with_the_vector_key_until_the_boundary() {
    for vector in vectors() {
        let key = SecretKey::new(vector.key.as_str());
        let userbuf = vector.userbuf();
        let mut expected = Expected::new(vector.sdkappid, &vector.identifier);
        if let Some(userbuf) = &userbuf {
            expected = expected.with_userbuf(userbuf);
        }
        let at = &vector.verify_at;
        for (origin, sig) in vector.foreign_usersigs() {
            let context = format!("{} {origin}", vector.name);
            assert!(
                verify(sig, &key, &expected, vector.time).is_ok(),
                "{context}"
            );
            assert!(
                verify(sig, &key, &expected, at.valid_until_inclusive).is_ok(),
                "{context}"
            );
            let err = verify(sig, &key, &expected, at.expired_from).unwrap_err();
            assert!(err.is_expired(), "{context}: {err}");
        }
    }
}
