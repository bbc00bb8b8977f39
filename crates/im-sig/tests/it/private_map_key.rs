//! TRTC privilege map keys against the official Python library's `genPrivateMapKey`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use im_sig::{Expected, PrivateMapKey, Room, SecretKey, SigError, decode, verify};
use serde::Deserialize;

use crate::support::hex;

#[derive(Deserialize)]
struct VectorFile {
    vectors: Vec<Vector>,
}

#[derive(Deserialize)]
struct Vector {
    name: String,
    sdkappid: u64,
    key: String,
    identifier: String,
    expire: u64,
    time: u64,
    privileges: u32,
    room_id: Option<u32>,
    room_str: Option<String>,
    userbuf_hex: String,
    sig: String,
    usersig: String,
}

impl Vector {
    fn map_key(&self) -> PrivateMapKey<'_> {
        let room = match (&self.room_str, self.room_id) {
            (Some(room), _) => Room::Str(room),
            (None, Some(id)) => Room::Id(id),
            (None, None) => panic!("{}: no room", self.name),
        };
        PrivateMapKey::new(&self.identifier, room)
            .expire(self.expire)
            .privileges(self.privileges)
    }
}

fn vectors() -> Vec<Vector> {
    let file: VectorFile =
        serde_json::from_str(include_str!("../data/private-map-key.json")).unwrap();
    assert!(file.vectors.len() >= 5);
    file.vectors
}

#[test]
fn the_userbuf_matches_the_official_library_byte_for_byte() {
    for vector in vectors() {
        let userbuf = vector
            .map_key()
            .userbuf(vector.sdkappid, vector.time)
            .unwrap();
        assert_eq!(userbuf, hex(&vector.userbuf_hex), "{}", vector.name);
    }
}

#[test]
fn the_key_has_the_official_signature_and_verifies_with_its_userbuf() {
    for vector in vectors() {
        let key = SecretKey::new(vector.key.as_str());
        let sig = vector
            .map_key()
            .generate(&key, vector.sdkappid, vector.time)
            .unwrap();

        let doc = decode(sig.expose_secret()).unwrap();
        assert_eq!(
            STANDARD.encode(doc.signature),
            vector.sig,
            "{}",
            vector.name
        );
        assert_eq!(doc.time, vector.time);
        assert_eq!(sig.expires_at(), Some(vector.time + vector.expire));

        let userbuf = hex(&vector.userbuf_hex);
        let expected = Expected::new(vector.sdkappid, &vector.identifier).with_userbuf(&userbuf);
        verify(sig.expose_secret(), &key, &expected, vector.time).unwrap();
        // The official library's own key verifies here too.
        verify(&vector.usersig, &key, &expected, vector.time).unwrap();
    }
}

#[test]
fn a_key_for_another_room_does_not_verify_as_this_one() {
    let key = SecretKey::new("key");
    let now = 1_700_000_000;
    let room_7 = PrivateMapKey::for_room("alice", 7);
    let room_8 = PrivateMapKey::for_room("alice", 8);
    let sig = room_7.generate(&key, 1_400_000_000, now).unwrap();

    let userbuf_8 = room_8.userbuf(1_400_000_000, now).unwrap();
    let expected = Expected::new(1_400_000_000, "alice").with_userbuf(&userbuf_8);
    let error = verify(sig.expose_secret(), &key, &expected, now).unwrap_err();

    assert!(error.is_userbuf_mismatch());
}

#[test]
fn defaults_are_every_privilege_for_five_minutes() {
    let map_key = PrivateMapKey::for_room_str("alice", "hall");

    assert_eq!(map_key.privilege_bits(), 255);
    assert_eq!(map_key.expire_secs(), 300);
    assert_eq!(map_key.room(), Room::Str("hall"));
    assert_eq!(map_key.user_id(), "alice");
}

#[test]
fn fields_that_do_not_fit_are_errors_not_truncations() {
    let long = "x".repeat(70_000);
    let cases = [
        (PrivateMapKey::for_room(&long, 1), 1_400_000_000, 0),
        (
            PrivateMapKey::for_room_str("alice", &long),
            1_400_000_000,
            0,
        ),
        (PrivateMapKey::for_room("alice", 1), 1 << 32, 0),
        (
            PrivateMapKey::for_room("alice", 1),
            1_400_000_000,
            u64::from(u32::MAX),
        ),
    ];
    for (map_key, sdkappid, now) in cases {
        let error = map_key.userbuf(sdkappid, now).unwrap_err();
        assert!(
            matches!(error, SigError::InvalidPrivateMapKey { .. }),
            "{error:?}"
        );
        assert!(
            map_key
                .generate(&SecretKey::new("key"), sdkappid, now)
                .is_err()
        );
    }
}
