//! Secrets stay out of Debug output.

use std::sync::Arc;

use im_sig::{ManualClock, SecretKey, Signer, UserSig};

const KEY: &str = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";

#[test]
fn secret_key_debug_is_redacted() {
    for key in [
        SecretKey::new(KEY),
        SecretKey::from(KEY),
        SecretKey::from(KEY.to_owned()),
    ] {
        let debug = format!("{key:?} {key:#?}");
        assert!(!debug.contains(KEY));
        assert!(!debug.contains(&KEY[..8]));
        assert!(debug.contains("SecretKey([REDACTED])"));
    }
}

#[test]
fn usersig_debug_is_redacted() {
    let text = "eAEBsgBN-3siVExTLnZlciI6IjIuMCIs";
    let sigs = [
        UserSig::from(text.to_owned()),
        UserSig::from(text),
        text.parse::<UserSig>().unwrap(),
    ];
    for sig in sigs {
        assert_eq!(sig.expose_secret(), text);
        let debug = format!("{sig:?} {sig:#?}");
        assert!(!debug.contains(&text[..8]));
        assert!(debug.contains("UserSig([REDACTED])"));
    }
}

#[test]
fn signer_debug_shows_the_app_but_not_the_key_or_the_sig() {
    let signer = Signer::new(1_400_000_000, "administrator", SecretKey::new(KEY))
        .with_clock(Arc::new(ManualClock::new(1_700_000_000)));
    let sig = signer.sig();
    let other = signer.sig_for("alice", 60);
    let debug = format!("{signer:?} {signer:#?}");
    assert!(debug.contains("1400000000"));
    assert!(debug.contains("administrator"));
    assert!(!debug.contains(&KEY[..8]));
    assert!(!debug.contains(&sig.expose_secret()[..16]));
    assert!(!debug.contains(&other.expose_secret()[..16]));
}
