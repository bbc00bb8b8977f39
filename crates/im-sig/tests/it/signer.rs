//! The caching signer, driven by a manual clock.

use std::sync::Arc;
use std::thread;

use im_sig::{DEFAULT_EXPIRE_SECS, ManualClock, SecretKey, Signer, decode};

const APP: u64 = 1_400_000_000;
const T0: u64 = 1_700_000_000;

fn signer(clock: &Arc<ManualClock>) -> Signer {
    Signer::new(APP, "administrator", SecretKey::new("my-app-key")).with_clock(clock.clone())
}

fn issued_at(sig: &im_sig::UserSig) -> u64 {
    decode(sig.expose_secret()).unwrap().time
}

#[test]
fn defaults_are_one_day_with_a_tenth_as_margin() {
    let signer = Signer::new(APP, "administrator", SecretKey::new("k"));
    assert_eq!(signer.expire(), DEFAULT_EXPIRE_SECS);
    assert_eq!(signer.expire(), 86_400);
    assert_eq!(signer.refresh_margin(), 8_640);
    assert_eq!(signer.sdkappid(), APP);
    assert_eq!(signer.identifier(), "administrator");
    let doc = decode(signer.sig().expose_secret()).unwrap();
    assert_eq!(doc.expire, 86_400);
}

#[test]
fn the_cached_sig_is_reused_until_the_margin_then_regenerated() {
    let clock = Arc::new(ManualClock::new(T0));
    let signer = signer(&clock).with_expire(1_000).with_refresh_margin(100);
    let first = signer.sig();
    assert_eq!(issued_at(&first), T0);

    clock.set(T0 + 899);
    let reused = signer.sig();
    assert_eq!(reused.expose_secret(), first.expose_secret());

    clock.set(T0 + 900);
    let renewed = signer.sig();
    assert_ne!(renewed.expose_secret(), first.expose_secret());
    assert_eq!(issued_at(&renewed), T0 + 900);

    clock.set(T0 + 1_000);
    assert_eq!(signer.sig().expose_secret(), renewed.expose_secret());
}

#[test]
fn a_clock_that_goes_back_gets_a_new_sig() {
    let clock = Arc::new(ManualClock::new(T0));
    let signer = signer(&clock);
    let first = signer.sig();
    clock.set(T0 - 10);
    let second = signer.sig();
    assert_eq!(issued_at(&second), T0 - 10);
    assert_ne!(second.expose_secret(), first.expose_secret());
}

#[test]
fn a_margin_as_long_as_the_validity_regenerates_every_time() {
    let clock = Arc::new(ManualClock::new(T0));
    let signer = signer(&clock).with_expire(60).with_refresh_margin(600);
    assert_eq!(signer.refresh_margin(), 60);
    signer.sig();
    clock.advance(1);
    assert_eq!(issued_at(&signer.sig()), T0 + 1);
}

#[test]
fn refresh_replaces_the_cached_sig() {
    let clock = Arc::new(ManualClock::new(T0));
    let signer = signer(&clock);
    let first = signer.sig();
    clock.advance(5);
    let refreshed = signer.refresh();
    assert_ne!(refreshed.expose_secret(), first.expose_secret());
    assert_eq!(issued_at(&refreshed), T0 + 5);
    assert_eq!(signer.sig().expose_secret(), refreshed.expose_secret());
}

#[test]
fn sig_for_signs_other_users_and_verify_uses_the_signer_clock() {
    let clock = Arc::new(ManualClock::new(T0));
    let signer = signer(&clock);
    let alice = signer.sig_for("alice", 60);
    let doc = signer.verify(alice.expose_secret(), "alice").unwrap();
    assert_eq!((doc.sdkappid, doc.time, doc.expire), (APP, T0, 60));
    assert!(
        signer
            .verify(alice.expose_secret(), "bob")
            .unwrap_err()
            .is_wrong_identifier()
    );
    clock.advance(61);
    assert!(
        signer
            .verify(alice.expose_secret(), "alice")
            .unwrap_err()
            .is_expired()
    );
    let other =
        Signer::new(APP, "administrator", SecretKey::new("another-key")).with_clock(clock.clone());
    assert!(
        other
            .verify(signer.sig().expose_secret(), "administrator")
            .unwrap_err()
            .is_bad_signature()
    );
}

#[test]
fn changing_settings_drops_the_cached_sig() {
    let clock = Arc::new(ManualClock::new(T0));
    let signer = signer(&clock).with_expire(100);
    assert_eq!(decode(signer.sig().expose_secret()).unwrap().expire, 100);
    let signer = signer.with_expire(200);
    assert_eq!(decode(signer.sig().expose_secret()).unwrap().expire, 200);
}

#[test]
fn threads_share_one_cached_sig() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Signer>();

    let clock = Arc::new(ManualClock::new(T0));
    let signer = Arc::new(signer(&clock));
    let expected = signer.sig();
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let signer = Arc::clone(&signer);
            thread::spawn(move || {
                (0..200)
                    .map(|_| signer.sig().expose_secret().to_owned())
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for handle in handles {
        for sig in handle.join().unwrap() {
            assert_eq!(sig, expected.expose_secret());
        }
    }
}

#[test]
fn threads_renewing_at_once_end_with_one_valid_sig() {
    let clock = Arc::new(ManualClock::new(T0));
    let signer = Arc::new(signer(&clock).with_expire(100).with_refresh_margin(10));
    signer.sig();
    clock.set(T0 + 95);
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let signer = Arc::clone(&signer);
            thread::spawn(move || {
                if i % 2 == 0 {
                    signer.refresh()
                } else {
                    signer.sig()
                }
            })
        })
        .collect();
    for handle in handles {
        let sig = handle.join().unwrap();
        assert_eq!(issued_at(&sig), T0 + 95);
    }
    assert!(
        signer
            .verify(signer.sig().expose_secret(), "administrator")
            .is_ok()
    );
}

#[test]
fn the_admin_sig_tells_when_it_expires() {
    let clock = Arc::new(ManualClock::new(T0));
    let signer = Signer::new(APP, "administrator", SecretKey::new("k"))
        .with_expire(3_600)
        .with_clock(clock.clone());

    let sig = signer.sig();

    assert_eq!(sig.expires_at(), Some(T0 + 3_600));
    assert_eq!(
        sig.expires_at(),
        Some(decode(sig.expose_secret()).unwrap().expires_at())
    );
    assert_eq!(signer.sig_for("bob", 60).expires_at(), Some(T0 + 60));
}

#[test]
fn userbuf_sigs_carry_and_check_their_userbuf() {
    let clock = Arc::new(ManualClock::new(T0));
    let signer = Signer::new(APP, "administrator", SecretKey::new("k")).with_clock(clock.clone());

    let sig = signer.sig_with_userbuf("alice", 600, b"\x00\x01room");

    let doc = signer
        .verify_with_userbuf(sig.expose_secret(), "alice", b"\x00\x01room")
        .unwrap();
    assert_eq!(doc.userbuf.as_deref(), Some(&b"\x00\x01room"[..]));
    assert_eq!(doc.expire, 600);
    let other = signer
        .verify_with_userbuf(sig.expose_secret(), "alice", b"other")
        .unwrap_err();
    assert!(other.is_userbuf_mismatch());
    // Without a userbuf expected, a sig that carries one is refused too.
    assert!(signer.verify(sig.expose_secret(), "alice").is_err());
    clock.advance(601);
    assert!(
        signer
            .verify_with_userbuf(sig.expose_secret(), "alice", b"\x00\x01room")
            .unwrap_err()
            .is_expired()
    );
}

#[test]
fn the_signer_makes_privilege_map_keys_at_its_clocks_time() {
    let clock = Arc::new(ManualClock::new(T0));
    let key = SecretKey::new("k");
    let signer = Signer::new(APP, "administrator", key.clone()).with_clock(clock.clone());
    let map_key = im_sig::PrivateMapKey::for_room("alice", 42).expire(120);

    let sig = signer.private_map_key(&map_key).unwrap();

    let userbuf = map_key.userbuf(APP, T0).unwrap();
    assert_eq!(
        sig.expose_secret(),
        map_key.generate(&key, APP, T0).unwrap().expose_secret()
    );
    signer
        .verify_with_userbuf(sig.expose_secret(), "alice", &userbuf)
        .unwrap();
    assert_eq!(sig.expires_at(), Some(T0 + 120));
}
