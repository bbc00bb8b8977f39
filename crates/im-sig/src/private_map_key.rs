//! TRTC's privilege map key (`PrivateMapKey`): a UserSig whose userbuf says which room a user
//! may enter and what it may do there.

use crate::error::SigError;
use crate::generate::{SigParams, generate};
use crate::key::{SecretKey, UserSig};

/// The room a privilege map key is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Room<'a> {
    /// A numeric room ID (`genPrivateMapKey` in the official libraries).
    Id(u32),
    /// A string room ID (`genPrivateMapKeyWithStringRoomID`).
    Str(&'a str),
}

/// A TRTC privilege map key (`PrivateMapKey`), built as the official libraries'
/// `genPrivateMapKey` and `genPrivateMapKeyWithStringRoomID` build it.
///
/// The key is a UserSig for the user whose userbuf binds, in this order and big-endian: a
/// version byte (1 for a string room ID, else 0), the user ID's length (2 bytes) and bytes,
/// the SDKAppID, the numeric room ID (0 for a string room), the key's expiry time
/// (`now + expire`, 4 bytes each), the privilege bits, the account type (0), and for a
/// string room its length (2 bytes) and bytes.
///
/// The privilege bits are TRTC's (255, [`ALL_PRIVILEGES`](Self::ALL_PRIVILEGES), grants
/// everything, the default); see TRTC's documentation of advanced permission control.
///
/// ```
/// use im_sig::{Expected, PrivateMapKey, SecretKey, verify};
///
/// let key = SecretKey::new("5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e");
/// let now = 1_700_000_000;
/// let map_key = PrivateMapKey::for_room("xiaojun", 10_000).expire(86_400).privileges(255);
/// let sig = map_key.generate(&key, 1_400_000_000, now)?;
///
/// let userbuf = map_key.userbuf(1_400_000_000, now)?;
/// let expected = Expected::new(1_400_000_000, "xiaojun").with_userbuf(&userbuf);
/// verify(sig.expose_secret(), &key, &expected, now)?;
/// assert_eq!(sig.expires_at(), Some(now + 86_400));
/// # Ok::<(), im_sig::SigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PrivateMapKey<'a> {
    user_id: &'a str,
    room: Room<'a>,
    expire: u64,
    privileges: u32,
}

impl<'a> PrivateMapKey<'a> {
    /// Every privilege: 255.
    pub const ALL_PRIVILEGES: u32 = 255;

    /// The validity a key gets unless [`expire`](Self::expire) sets another: 300 seconds,
    /// the example value of TRTC's documentation.
    pub const DEFAULT_EXPIRE_SECS: u64 = 300;

    /// A key for `user_id` in the numeric room `room_id`.
    pub const fn for_room(user_id: &'a str, room_id: u32) -> Self {
        Self::new(user_id, Room::Id(room_id))
    }

    /// A key for `user_id` in the room with the string ID `room`.
    pub const fn for_room_str(user_id: &'a str, room: &'a str) -> Self {
        Self::new(user_id, Room::Str(room))
    }

    /// A key for `user_id` in `room`, with every privilege and the default validity.
    pub const fn new(user_id: &'a str, room: Room<'a>) -> Self {
        PrivateMapKey {
            user_id,
            room,
            expire: Self::DEFAULT_EXPIRE_SECS,
            privileges: Self::ALL_PRIVILEGES,
        }
    }

    /// Sets how long the key stays valid, in seconds from its issue time.
    #[must_use]
    pub const fn expire(mut self, secs: u64) -> Self {
        self.expire = secs;
        self
    }

    /// Sets the privilege bits.
    #[must_use]
    pub const fn privileges(mut self, bits: u32) -> Self {
        self.privileges = bits;
        self
    }

    /// The user the key is for.
    pub const fn user_id(&self) -> &'a str {
        self.user_id
    }

    /// The room the key is for.
    pub const fn room(&self) -> Room<'a> {
        self.room
    }

    /// The validity in seconds.
    pub const fn expire_secs(&self) -> u64 {
        self.expire
    }

    /// The privilege bits.
    pub const fn privilege_bits(&self) -> u32 {
        self.privileges
    }

    /// The userbuf of the key for application `sdkappid`, issued at `now`.
    ///
    /// Fails with [`SigError::InvalidPrivateMapKey`] when a field does not fit its slot: a
    /// user ID or string room ID over 65535 bytes, an SDKAppID or expiry time
    /// (`now + expire`) over `u32::MAX`.
    pub fn userbuf(&self, sdkappid: u64, now: u64) -> Result<Vec<u8>, SigError> {
        let sdkappid = u32::try_from(sdkappid)
            .map_err(|_| SigError::invalid_private_map_key("SDKAppID over 32 bits"))?;
        let expires_at = u32::try_from(now.saturating_add(self.expire))
            .map_err(|_| SigError::invalid_private_map_key("expiry time over 32 bits"))?;
        let (version, room_id, room_str) = match self.room {
            Room::Id(id) => (0u8, id, None),
            Room::Str(room) => (1u8, 0, Some(room)),
        };
        let mut buf =
            Vec::with_capacity(25 + self.user_id.len() + room_str.map_or(0, |room| 2 + room.len()));
        buf.push(version);
        push_with_length(&mut buf, self.user_id, "user ID over 65535 bytes")?;
        for word in [sdkappid, room_id, expires_at, self.privileges, 0] {
            buf.extend_from_slice(&word.to_be_bytes());
        }
        if let Some(room) = room_str {
            push_with_length(&mut buf, room, "string room ID over 65535 bytes")?;
        }
        Ok(buf)
    }

    /// Generates the key: a UserSig for the user in application `sdkappid` issued at `now`,
    /// valid for [`expire`](Self::expire) seconds, with the [`userbuf`](Self::userbuf).
    pub fn generate(&self, key: &SecretKey, sdkappid: u64, now: u64) -> Result<UserSig, SigError> {
        let userbuf = self.userbuf(sdkappid, now)?;
        let params = SigParams::new(sdkappid, self.user_id, self.expire).with_userbuf(&userbuf);
        Ok(generate(key, &params, now))
    }
}

/// Appends the length of `text` (2 bytes, big-endian), then its bytes.
fn push_with_length(buf: &mut Vec<u8>, text: &str, too_long: &'static str) -> Result<(), SigError> {
    let length =
        u16::try_from(text.len()).map_err(|_| SigError::invalid_private_map_key(too_long))?;
    buf.extend_from_slice(&length.to_be_bytes());
    buf.extend_from_slice(text.as_bytes());
    Ok(())
}
