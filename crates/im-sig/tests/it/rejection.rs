//! What decode and verify reject, with which error, and what they tolerate.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use im_sig::{
    Expected, MalformedReason, SecretKey, SigDocument, SigError, SigParams, UserSig, decode,
    generate, verify,
};

use crate::support::{pack, usersig_base64, zlib};

const APP: u64 = 1_400_000_000;
const ADMIN: &str = "administrator";
const NOW: u64 = 1_700_000_000;
const EXPIRE: u64 = 86_400;

fn key() -> SecretKey {
    SecretKey::new("5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e")
}

fn admin_sig() -> UserSig {
    generate(&key(), &SigParams::new(APP, ADMIN, EXPIRE), NOW)
}

fn expected() -> Expected<'static> {
    Expected::new(APP, ADMIN)
}

fn reason(result: Result<SigDocument, SigError>) -> MalformedReason {
    match result {
        Err(SigError::Malformed { reason }) => reason,
        other => panic!("expected a malformed error, got {other:?}"),
    }
}

/// The signature of the administrator UserSig, as the `TLS.sig` text.
fn admin_signature() -> String {
    STANDARD.encode(decode(admin_sig().expose_secret()).unwrap().signature)
}

/// A document in the official libraries' shape with the given field values.
fn document(identifier: &str, app: u64, expire: u64, time: u64, sig: &str) -> String {
    format!(
        r#"{{"TLS.ver":"2.0","TLS.identifier":"{identifier}","TLS.sdkappid":{app},"TLS.expire":{expire},"TLS.time":{time},"TLS.sig":"{sig}"}}"#
    )
}

#[test]
fn flipping_any_character_never_yields_another_accepted_document() {
    for sig in [
        admin_sig().expose_secret().to_owned(),
        // A deflate-compressed UserSig of the official Python library, same key.
        "eJyrVgrxCdYrSy1SslJQMtIzUNJRAItkpqTmlWSmZUIkElNyM-Myi0uKEkvyi2BKilOyEwsKMlOACgxNDKAAKpdaUZBZlAqSMTU1NUKIl2TmgkXN0dQXZ6aD7PFyrqpIzHOz8AsJiUgsNcnVNsqwLC8zT4-0yqv0yy7ONajINfRzjQg1MjexVaoFANTGNgc_".to_owned(),
    ] {
        let doc = decode(&sig).unwrap();
        let expected = Expected::new(doc.sdkappid, &doc.identifier);
        assert!(verify(&sig, &key(), &expected, doc.time).is_ok());
        for position in 0..sig.len() {
            let mut bytes = sig.clone().into_bytes();
            bytes[position] = if bytes[position] == b'A' { b'B' } else { b'A' };
            let tampered = String::from_utf8(bytes).unwrap();
            match verify(&tampered, &key(), &expected, doc.time) {
                Err(err) => assert!(
                    err.is_malformed() || err.is_bad_signature(),
                    "position {position}: {err}"
                ),
                // Deflate ignores the padding bits of its last byte, so a few changes leave
                // the document as it was; none may produce a different accepted document.
                Ok(same) => assert_eq!(same, doc, "position {position}"),
            }
        }
    }
}

#[test]
fn flipping_a_character_in_the_middle_of_a_stored_usersig_changes_the_checksum() {
    let sig = admin_sig();
    let text = sig.expose_secret();
    let middle = text.len() / 2;
    let mut bytes = text.as_bytes().to_vec();
    bytes[middle] = if bytes[middle] == b'x' { b'y' } else { b'x' };
    let tampered = String::from_utf8(bytes).unwrap();
    assert_eq!(reason(decode(&tampered)), MalformedReason::Zlib);
}

#[test]
fn changed_fields_with_the_old_signature_are_bad_signatures() {
    let sig = admin_signature();
    let cases = [
        (
            "longer validity",
            document(ADMIN, APP, EXPIRE * 365, NOW, &sig),
            ADMIN,
            APP,
        ),
        (
            "later time",
            document(ADMIN, APP, EXPIRE, NOW + 1, &sig),
            ADMIN,
            APP,
        ),
        (
            "other user",
            document("mallory", APP, EXPIRE, NOW, &sig),
            "mallory",
            APP,
        ),
        (
            "other app",
            document(ADMIN, APP + 1, EXPIRE, NOW, &sig),
            ADMIN,
            APP + 1,
        ),
    ];
    for (case, json, identifier, app) in cases {
        for level in [0, 6] {
            let forged = pack(&json, level);
            assert_eq!(
                verify(&forged, &key(), &Expected::new(app, identifier), NOW + 10),
                Err(SigError::BadSignature),
                "{case}, level {level}"
            );
        }
    }
}

#[test]
fn an_added_userbuf_is_a_bad_signature() {
    let sig = admin_signature();
    let json = format!(
        r#"{{"TLS.ver":"2.0","TLS.identifier":"{ADMIN}","TLS.sdkappid":{APP},"TLS.expire":{EXPIRE},"TLS.time":{NOW},"TLS.userbuf":"YWJj","TLS.sig":"{sig}"}}"#
    );
    let expected = Expected::new(APP, ADMIN).with_userbuf(b"abc");
    assert_eq!(
        verify(&pack(&json, 6), &key(), &expected, NOW),
        Err(SigError::BadSignature)
    );
}

#[test]
fn every_proper_prefix_is_rejected_without_panicking() {
    let sig = admin_sig();
    let text = sig.expose_secret();
    for len in 0..text.len() {
        let err = verify(&text[..len], &key(), &expected(), NOW).unwrap_err();
        assert!(err.is_malformed() || err.is_bad_signature(), "{len}: {err}");
    }
}

#[test]
fn a_wrong_key_is_a_bad_signature() {
    let other = SecretKey::new("not-the-key");
    assert_eq!(
        verify(admin_sig().expose_secret(), &other, &expected(), NOW),
        Err(SigError::BadSignature)
    );
}

#[test]
fn a_wrong_app_is_reported_with_both_ids() {
    let err = verify(
        admin_sig().expose_secret(),
        &key(),
        &Expected::new(APP + 1, ADMIN),
        NOW,
    )
    .unwrap_err();
    assert_eq!(
        err,
        SigError::WrongApp {
            expected: APP + 1,
            found: APP
        }
    );
    assert!(err.is_wrong_app());
}

#[test]
fn a_wrong_identifier_is_reported_with_both_identifiers() {
    let err = verify(
        admin_sig().expose_secret(),
        &key(),
        &Expected::new(APP, "alice"),
        NOW,
    )
    .unwrap_err();
    assert_eq!(
        err,
        SigError::WrongIdentifier {
            expected: "alice".to_owned(),
            found: ADMIN.to_owned()
        }
    );
    assert!(err.is_wrong_identifier());
}

#[test]
fn expiry_is_checked_after_app_and_identifier_and_before_the_signature() {
    let sig = admin_sig();
    let late = NOW + EXPIRE + 1;
    let other_key = SecretKey::new("other");
    let expired = verify(sig.expose_secret(), &other_key, &expected(), late).unwrap_err();
    assert_eq!(
        expired,
        SigError::Expired {
            expired_at: NOW + EXPIRE,
            now: late
        }
    );
    let wrong_app = verify(
        sig.expose_secret(),
        &other_key,
        &Expected::new(1, ADMIN),
        late,
    );
    assert!(wrong_app.unwrap_err().is_wrong_app());
    let wrong_user = verify(
        sig.expose_secret(),
        &other_key,
        &Expected::new(APP, "bob"),
        late,
    );
    assert!(wrong_user.unwrap_err().is_wrong_identifier());
}

#[test]
fn userbuf_presence_and_content_must_match() {
    let plain = admin_sig();
    let with_buf = generate(
        &key(),
        &SigParams::new(APP, ADMIN, EXPIRE).with_userbuf(b"abc"),
        NOW,
    );
    let cases = [
        (&plain, Expected::new(APP, ADMIN).with_userbuf(b"abc")),
        (&plain, Expected::new(APP, ADMIN).with_userbuf(b"")),
        (&with_buf, Expected::new(APP, ADMIN)),
        (&with_buf, Expected::new(APP, ADMIN).with_userbuf(b"abd")),
    ];
    for (sig, expected) in cases {
        let err = verify(sig.expose_secret(), &key(), &expected, NOW).unwrap_err();
        assert!(err.is_userbuf_mismatch(), "{expected:?}: {err}");
    }
    let expected = Expected::new(APP, ADMIN).with_userbuf(b"abc");
    let doc = verify(with_buf.expose_secret(), &key(), &expected, NOW).unwrap();
    assert_eq!(doc.userbuf.as_deref(), Some(&b"abc"[..]));
}

#[test]
fn garbage_gets_the_malformed_reason_of_the_failing_step() {
    let sig = admin_signature();
    let cases: Vec<(&str, String, MalformedReason)> = vec![
        ("empty", String::new(), MalformedReason::Empty),
        (
            "standard alphabet",
            "eJy+/w==".to_owned(),
            MalformedReason::Base64,
        ),
        ("punctuation", "abc!".to_owned(), MalformedReason::Base64),
        ("non-ASCII", "é".repeat(8), MalformedReason::Base64),
        (
            "whitespace",
            "eJyr Vgrx".to_owned(),
            MalformedReason::Base64,
        ),
        (
            "missing padding",
            "eJyrVg".to_owned(),
            MalformedReason::Base64,
        ),
        ("one character", "e".to_owned(), MalformedReason::Base64),
        ("too long", "A".repeat(200_000), MalformedReason::TooLong),
        (
            "not zlib",
            usersig_base64(b"hello, world"),
            MalformedReason::Zlib,
        ),
        (
            "gzip",
            usersig_base64(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0]),
            MalformedReason::Zlib,
        ),
        (
            "zlib of text",
            pack("hello, world", 6),
            MalformedReason::Json,
        ),
        ("zlib of nothing", pack("", 6), MalformedReason::Json),
        (
            "truncated JSON",
            pack(r#"{"TLS.ver":"2.0""#, 6),
            MalformedReason::Json,
        ),
        (
            "JSON array",
            pack("[1, 2]", 6),
            MalformedReason::InvalidField,
        ),
        ("JSON number", pack("42", 6), MalformedReason::InvalidField),
        (
            "zip bomb",
            usersig_base64(&zlib(&vec![b' '; 1 << 20], 9)),
            MalformedReason::TooLarge,
        ),
        (
            "negative time",
            pack(
                &document(ADMIN, APP, EXPIRE, 0, &sig).replace(":0,", ":-1,"),
                6,
            ),
            MalformedReason::InvalidField,
        ),
        (
            "fractional app",
            pack(
                &document(ADMIN, APP, EXPIRE, NOW, &sig).replace("1400000000", "1.5"),
                6,
            ),
            MalformedReason::InvalidField,
        ),
        (
            "identifier not a string",
            pack(
                &document(ADMIN, APP, EXPIRE, NOW, &sig).replace(r#""administrator""#, "7"),
                6,
            ),
            MalformedReason::InvalidField,
        ),
        (
            "short signature",
            pack(
                &document(ADMIN, APP, EXPIRE, NOW, &STANDARD.encode([0u8; 31])),
                6,
            ),
            MalformedReason::InvalidField,
        ),
        (
            "signature not base64",
            pack(&document(ADMIN, APP, EXPIRE, NOW, "%%%"), 6),
            MalformedReason::InvalidField,
        ),
        (
            "duplicate field",
            pack(
                &document(ADMIN, APP, EXPIRE, NOW, &sig)
                    .replace("{", r#"{"TLS.identifier":"mallory","#),
                6,
            ),
            MalformedReason::InvalidField,
        ),
    ];
    for (case, input, want) in cases {
        assert_eq!(reason(decode(&input)), want, "{case}");
        assert_eq!(
            reason(verify(&input, &key(), &expected(), NOW)),
            want,
            "{case} (verify)"
        );
    }
}

#[test]
fn each_missing_required_field_is_named() {
    let sig = admin_signature();
    let full = document(ADMIN, APP, EXPIRE, NOW, &sig);
    let value: serde_json::Value = serde_json::from_str(&full).unwrap();
    for field in [
        "TLS.ver",
        "TLS.identifier",
        "TLS.sdkappid",
        "TLS.time",
        "TLS.sig",
    ] {
        let mut without = value.clone();
        without.as_object_mut().unwrap().remove(field);
        let input = pack(&without.to_string(), 6);
        assert_eq!(
            reason(decode(&input)),
            MalformedReason::MissingField(field),
            "{field}"
        );
    }
}

#[test]
fn a_missing_expire_reads_as_zero_like_the_go_library_writes_it() {
    let sig = generate(&key(), &SigParams::new(APP, ADMIN, 0), NOW);
    let signature = STANDARD.encode(decode(sig.expose_secret()).unwrap().signature);
    let json = format!(
        r#"{{"TLS.ver":"2.0","TLS.identifier":"{ADMIN}","TLS.sdkappid":{APP},"TLS.time":{NOW},"TLS.sig":"{signature}"}}"#
    );
    let doc = verify(&pack(&json, 0), &key(), &expected(), NOW).unwrap();
    assert_eq!(doc.expire, 0);
    assert!(
        verify(&pack(&json, 0), &key(), &expected(), NOW + 1)
            .unwrap_err()
            .is_expired()
    );
}

#[test]
fn other_libraries_formatting_is_accepted() {
    let identifier = "José/😀";
    let sig = generate(&key(), &SigParams::new(APP, identifier, EXPIRE), NOW);
    let signature = STANDARD.encode(decode(sig.expose_secret()).unwrap().signature);
    let escaped_sig = signature.replace('/', "\\/");
    let documents = [
        // Python: spaces after separators, ASCII escapes.
        format!(
            r#"{{"TLS.ver": "2.0", "TLS.identifier": "Jos\u00e9\/\ud83d\ude00", "TLS.sdkappid": {APP}, "TLS.expire": {EXPIRE}, "TLS.time": {NOW}, "TLS.sig": "{signature}"}}"#
        ),
        // Node: another key order, raw UTF-8.
        format!(
            r#"{{"TLS.ver":"2.0","TLS.identifier":"{identifier}","TLS.sdkappid":{APP},"TLS.time":{NOW},"TLS.expire":{EXPIRE},"TLS.sig":"{signature}"}}"#
        ),
        // Go: trailing newline.
        format!(
            "{{\"TLS.ver\":\"2.0\",\"TLS.identifier\":\"{identifier}\",\"TLS.sdkappid\":{APP},\"TLS.expire\":{EXPIRE},\"TLS.time\":{NOW},\"TLS.sig\":\"{signature}\"}}\n"
        ),
        // PHP: escaped slashes; numbers as strings; an unknown field; shuffled keys.
        format!(
            r#"{{"TLS.sig":"{escaped_sig}","TLS.time":"{NOW}","extra":[1,{{"a":null}}],"TLS.expire":"{EXPIRE}","TLS.identifier":"Jos\u00e9\/😀","TLS.sdkappid":"{APP}","TLS.ver":"2.0"}}"#
        ),
        // Pretty-printed with tabs and CRLF line ends.
        format!(
            "{{\r\n\t\"TLS.ver\" : \"2.0\",\r\n\t\"TLS.identifier\" : \"{identifier}\",\r\n\t\"TLS.sdkappid\" : {APP},\r\n\t\"TLS.expire\" : {EXPIRE},\r\n\t\"TLS.time\" : {NOW},\r\n\t\"TLS.sig\" : \"{signature}\"\r\n}}\r\n"
        ),
    ];
    let expected = Expected::new(APP, identifier);
    for json in &documents {
        for level in [0, 1, 6, 9] {
            let packed = pack(json, level);
            let doc = verify(&packed, &key(), &expected, NOW)
                .unwrap_or_else(|err| panic!("level {level}, {json}: {err}"));
            assert_eq!(doc.identifier, identifier);
            assert_eq!((doc.sdkappid, doc.expire, doc.time), (APP, EXPIRE, NOW));
        }
    }
}

#[test]
fn errors_never_echo_the_usersig() {
    let sig = admin_sig();
    let text = sig.expose_secret();
    let mut tampered = text.to_owned();
    tampered.replace_range(10..11, "!");
    let errors = [
        decode(&tampered).unwrap_err(),
        decode(&text[..text.len() - 8]).unwrap_err(),
        verify(text, &SecretKey::new("x"), &expected(), NOW).unwrap_err(),
        verify(text, &key(), &expected(), NOW + EXPIRE + 1).unwrap_err(),
    ];
    for err in errors {
        for rendered in [err.to_string(), format!("{err:?}")] {
            assert!(!rendered.contains(&text[..16]), "{rendered}");
            assert!(!rendered.contains(&admin_signature()), "{rendered}");
        }
    }
}
