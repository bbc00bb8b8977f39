//! The application's secret key and the UserSig string: both are secrets.

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};

use crate::codec::{HmacSha256, keyed_mac};

/// The secret key of a Tencent Cloud Chat application (from the console).
///
/// It signs every UserSig of the application, so it is never printed: `Debug` shows
/// `SecretKey([REDACTED])`, there is no `Display`, and the memory is zeroed on drop.
///
/// ```
/// use im_sig::SecretKey;
///
/// let key = SecretKey::new("5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e");
/// assert_eq!(format!("{key:?}"), "SecretKey([REDACTED])");
/// ```
#[derive(Clone)]
pub struct SecretKey(Arc<KeyState>);

/// The HMAC-SHA256 state keyed with the key: computing it hashes two blocks, about a
/// third of the work of signing, so it is done once per key. The key string itself is not
/// kept; the state is wiped on drop (hmac's `zeroize` feature).
struct KeyState {
    mac: HmacSha256,
}

impl SecretKey {
    /// Wraps the key string as given by the console.
    pub fn new(key: impl Into<String>) -> Self {
        // The string is wiped when `secret` drops at the end of this function.
        let secret = SecretString::from(key.into());
        let mac = keyed_mac(secret.expose_secret().as_bytes());
        SecretKey(Arc::new(KeyState { mac }))
    }

    /// A fresh HMAC-SHA256 keyed with this key.
    pub(crate) fn mac(&self) -> HmacSha256 {
        self.0.mac.clone()
    }
}

impl From<&str> for SecretKey {
    fn from(key: &str) -> Self {
        SecretKey::new(key)
    }
}

impl From<String> for SecretKey {
    fn from(key: String) -> Self {
        SecretKey::new(key)
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey([REDACTED])")
    }
}

/// An encoded UserSig: the credential sent with every REST call.
///
/// Anyone holding it can act as its identifier until it expires, so it is treated as a
/// secret: `Debug` shows `UserSig([REDACTED])`, there is no `Display`, and the text is only
/// reachable through [`UserSig::expose_secret`], whose name makes each use visible in review.
/// Cloning is cheap (a reference count).
///
/// A UserSig made by [`generate`](crate::generate) (or a [`Signer`](crate::Signer)) knows
/// when it expires ([`expires_at`](Self::expires_at)); one made from text does not, since
/// reading it back would mean decoding it ([`decode`](crate::decode) does that).
///
/// With the `serde` feature it serializes as its text, for storing it in a cache or handing
/// it to a client in a response: serializing is an explicit act, as
/// [`expose_secret`](Self::expose_secret) is, and `Debug` stays redacted. Deserializing reads
/// the text (without the expiry).
///
/// ```
/// use im_sig::UserSig;
///
/// let sig: UserSig = "eJyrVgrxCdYrSy1S".parse().unwrap();
/// assert_eq!(format!("{sig:?}"), "UserSig([REDACTED])");
/// assert_eq!(sig.expose_secret(), "eJyrVgrxCdYrSy1S");
/// assert_eq!(sig.expires_at(), None);
/// ```
#[derive(Clone)]
pub struct UserSig {
    text: Arc<str>,
    expires_at: Option<u64>,
}

impl UserSig {
    /// The UserSig text, for putting into a request.
    pub fn expose_secret(&self) -> &str {
        &self.text
    }

    /// The last second (Unix time) at which the UserSig is valid (issue time plus validity),
    /// when it was generated here; `None` for a UserSig made from text.
    ///
    /// ```
    /// use im_sig::{SecretKey, SigParams, generate};
    ///
    /// let sig = generate(&SecretKey::new("key"), &SigParams::new(1_400_000_000, "admin", 600), 1_700_000_000);
    /// assert_eq!(sig.expires_at(), Some(1_700_000_600));
    /// ```
    pub fn expires_at(&self) -> Option<u64> {
        self.expires_at
    }

    pub(crate) fn generated(text: Arc<str>, expires_at: u64) -> Self {
        UserSig {
            text,
            expires_at: Some(expires_at),
        }
    }
}

impl From<String> for UserSig {
    fn from(text: String) -> Self {
        UserSig {
            text: Arc::from(text),
            expires_at: None,
        }
    }
}

impl From<&str> for UserSig {
    fn from(text: &str) -> Self {
        UserSig {
            text: Arc::from(text),
            expires_at: None,
        }
    }
}

impl FromStr for UserSig {
    type Err = Infallible;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(UserSig::from(text))
    }
}

impl fmt::Debug for UserSig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UserSig([REDACTED])")
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for UserSig {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for UserSig {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(UserSig::from)
    }
}
