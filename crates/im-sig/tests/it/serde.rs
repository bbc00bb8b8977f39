//! The `serde` feature: a UserSig serializes as its text; `Debug` stays redacted.

use im_sig::{SecretKey, SigParams, UserSig, generate};

#[test]
fn a_usersig_serializes_as_its_text_and_reads_back() {
    let sig = generate(
        &SecretKey::new("key"),
        &SigParams::new(1_400_000_000, "administrator", 600),
        1_700_000_000,
    );

    let json = serde_json::to_string(&sig).unwrap();
    let back: UserSig = serde_json::from_str(&json).unwrap();

    assert_eq!(json, format!("\"{}\"", sig.expose_secret()));
    assert_eq!(back.expose_secret(), sig.expose_secret());
    assert_eq!(
        back.expires_at(),
        None,
        "the expiry is not part of the text"
    );
    assert_eq!(format!("{back:?}"), "UserSig([REDACTED])");
}

#[test]
fn a_struct_holding_a_usersig_serializes_it_but_debug_hides_it() {
    #[derive(Debug, serde::Serialize)]
    struct Login {
        user: &'static str,
        sig: UserSig,
    }
    let login = Login {
        user: "alice",
        sig: UserSig::from("eJyrVgrxCdYrSy1S"),
    };

    assert_eq!(
        serde_json::to_string(&login).unwrap(),
        r#"{"user":"alice","sig":"eJyrVgrxCdYrSy1S"}"#
    );
    assert!(!format!("{login:?}").contains("eJyrVgrxCdYrSy1S"));
}
