//! Decoding and verifying a UserSig.

use std::borrow::Cow;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::Mac as _;
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use crate::codec::{self, MAX_USERSIG_LEN, SignedFields, USERSIG_BASE64};
use crate::error::{MalformedReason, SigError};
use crate::key::SecretKey;

/// The content of a UserSig, as [`decode`] reads it.
///
/// Holds no key material: the signature is an HMAC of the other fields, which does not
/// reveal the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigDocument {
    /// `TLS.ver`, `"2.0"` for every current library.
    pub version: String,
    /// `TLS.identifier`: the user the UserSig authenticates.
    pub identifier: String,
    /// `TLS.sdkappid`: the application.
    pub sdkappid: u64,
    /// `TLS.expire`: the validity in seconds, counted from `time`.
    pub expire: u64,
    /// `TLS.time`: the issue time, in Unix seconds.
    pub time: u64,
    /// `TLS.userbuf`, decoded from base64, when present.
    pub userbuf: Option<Vec<u8>>,
    /// `TLS.sig`, decoded from base64: the HMAC-SHA256 over the signed fields.
    pub signature: [u8; 32],
}

impl SigDocument {
    /// The last second (Unix time) at which the UserSig is valid: `time + expire`.
    pub const fn expires_at(&self) -> u64 {
        self.time.saturating_add(self.expire)
    }

    /// Whether the UserSig is expired at `now`, that is `now > time + expire`.
    pub const fn is_expired_at(&self, now: u64) -> bool {
        now > self.expires_at()
    }
}

/// What [`verify`] checks a UserSig against.
///
/// ```
/// use im_sig::Expected;
///
/// let expected = Expected::new(1_400_000_000, "administrator");
/// assert_eq!(expected.userbuf, None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expected<'a> {
    /// The application the UserSig must be for.
    pub sdkappid: u64,
    /// The user the UserSig must be for.
    pub identifier: &'a str,
    /// The userbuf the UserSig must carry; `None` requires a UserSig without one.
    pub userbuf: Option<&'a [u8]>,
}

impl<'a> Expected<'a> {
    /// Expects a UserSig for `identifier` in application `sdkappid`, without a userbuf.
    pub const fn new(sdkappid: u64, identifier: &'a str) -> Self {
        Expected {
            sdkappid,
            identifier,
            userbuf: None,
        }
    }

    /// Also expects exactly this userbuf.
    #[must_use]
    pub const fn with_userbuf(self, userbuf: &'a [u8]) -> Self {
        Expected {
            userbuf: Some(userbuf),
            ..self
        }
    }
}

/// Decodes a UserSig without checking its signature or expiry.
///
/// Undoes the alphabet and base64, inflates the zlib stream (at most 64 KiB of output) and
/// parses the JSON document. Accepts the output of every official library: any key order,
/// whitespace and string escaping, any compression level including stored blocks, a
/// trailing newline, and numbers written as JSON numbers or as decimal strings. A missing
/// `TLS.expire` reads as 0 (the Go library omits zero values). Never panics.
///
/// ```
/// use im_sig::{MalformedReason, decode};
///
/// let err = decode("not a usersig!").unwrap_err();
/// assert_eq!(err.malformed_reason(), Some(MalformedReason::Base64));
/// ```
pub fn decode(sig: &str) -> Result<SigDocument, SigError> {
    if sig.is_empty() {
        return Err(SigError::malformed(MalformedReason::Empty));
    }
    if sig.len() > MAX_USERSIG_LEN {
        return Err(SigError::malformed(MalformedReason::TooLong));
    }
    codec::with_decode_scratch(|scratch| {
        scratch.compressed.clear();
        USERSIG_BASE64
            .decode_vec(sig.as_bytes(), &mut scratch.compressed)
            .map_err(|_| SigError::malformed(MalformedReason::Base64))?;
        codec::inflate(
            &mut scratch.inflater,
            &scratch.compressed,
            &mut scratch.document,
        )
        .map_err(SigError::malformed)?;
        parse_document(&scratch.document).map_err(SigError::malformed)
    })
}

/// Decodes a UserSig and checks it against `expected` and `key` at time `now` (Unix seconds).
///
/// The checks run in the order of the official Go library, and the first failure is
/// returned: the application ([`SigError::WrongApp`]), the identifier
/// ([`SigError::WrongIdentifier`]), the expiry ([`SigError::Expired`], when
/// `now > time + expire`; a UserSig is still valid at exactly `time + expire`), the userbuf
/// ([`SigError::UserbufMismatch`]), and last the HMAC, recomputed from the document's own
/// time, expiry and userbuf and compared in constant time ([`SigError::BadSignature`]).
/// The earlier checks only compare the document with what the caller already knows, so a
/// forged document learns nothing from them.
///
/// ```
/// use im_sig::{Expected, SecretKey, SigParams, generate, verify};
///
/// let key = SecretKey::new("my-app-key");
/// let sig = generate(&key, &SigParams::new(1_400_000_000, "alice", 60), 1_700_000_000);
/// let expected = Expected::new(1_400_000_000, "alice");
///
/// assert!(verify(sig.expose_secret(), &key, &expected, 1_700_000_060).is_ok());
/// let err = verify(sig.expose_secret(), &key, &expected, 1_700_000_061).unwrap_err();
/// assert!(err.is_expired());
/// let err = verify(sig.expose_secret(), &SecretKey::new("other"), &expected, 1_700_000_000)
///     .unwrap_err();
/// assert!(err.is_bad_signature());
/// ```
pub fn verify(
    sig: &str,
    key: &SecretKey,
    expected: &Expected<'_>,
    now: u64,
) -> Result<SigDocument, SigError> {
    let document = decode(sig)?;
    if document.sdkappid != expected.sdkappid {
        return Err(SigError::WrongApp {
            expected: expected.sdkappid,
            found: document.sdkappid,
        });
    }
    if document.identifier != expected.identifier {
        return Err(SigError::WrongIdentifier {
            expected: expected.identifier.to_owned(),
            found: document.identifier,
        });
    }
    if document.is_expired_at(now) {
        return Err(SigError::Expired {
            expired_at: document.expires_at(),
            now,
        });
    }
    if document.userbuf.as_deref() != expected.userbuf {
        return Err(SigError::UserbufMismatch);
    }
    let userbuf_base64 = document
        .userbuf
        .as_deref()
        .map(|userbuf| STANDARD.encode(userbuf));
    let fields = SignedFields {
        identifier: &document.identifier,
        sdkappid: document.sdkappid,
        time: document.time,
        expire: document.expire,
        userbuf_base64: userbuf_base64.as_deref(),
    };
    fields
        .mac(key)
        .verify_slice(&document.signature)
        .map_err(|_| SigError::BadSignature)?;
    Ok(document)
}

/// The JSON document as written by any of the official libraries. Every field is optional
/// here so that a missing one is reported by name.
#[derive(Deserialize)]
struct RawDocument<'a> {
    #[serde(rename = "TLS.ver", borrow, default)]
    version: Option<Cow<'a, str>>,
    #[serde(rename = "TLS.identifier", borrow, default)]
    identifier: Option<Cow<'a, str>>,
    #[serde(rename = "TLS.sdkappid", default)]
    sdkappid: Option<Number>,
    #[serde(rename = "TLS.expire", default)]
    expire: Option<Number>,
    #[serde(rename = "TLS.time", default)]
    time: Option<Number>,
    #[serde(rename = "TLS.userbuf", borrow, default)]
    userbuf: Option<Cow<'a, str>>,
    #[serde(rename = "TLS.sig", borrow, default)]
    signature: Option<Cow<'a, str>>,
}

fn parse_document(json: &[u8]) -> Result<SigDocument, MalformedReason> {
    let raw: RawDocument<'_> =
        serde_json::from_slice(json).map_err(|err| match err.classify() {
            serde_json::error::Category::Data => MalformedReason::InvalidField,
            _ => MalformedReason::Json,
        })?;
    let version = raw
        .version
        .ok_or(MalformedReason::MissingField("TLS.ver"))?;
    let identifier = raw
        .identifier
        .ok_or(MalformedReason::MissingField("TLS.identifier"))?;
    let sdkappid = raw
        .sdkappid
        .ok_or(MalformedReason::MissingField("TLS.sdkappid"))?;
    let time = raw.time.ok_or(MalformedReason::MissingField("TLS.time"))?;
    let signature = raw
        .signature
        .ok_or(MalformedReason::MissingField("TLS.sig"))?;
    let signature = decode_signature(&signature)?;
    let userbuf = raw
        .userbuf
        .map(|userbuf| STANDARD.decode(userbuf.as_bytes()))
        .transpose()
        .map_err(|_| MalformedReason::InvalidField)?;
    Ok(SigDocument {
        version: version.into_owned(),
        identifier: identifier.into_owned(),
        sdkappid: sdkappid.0,
        expire: raw.expire.map_or(0, |expire| expire.0),
        time: time.0,
        userbuf,
        signature,
    })
}

/// Decodes `TLS.sig`: the standard base64 of exactly 32 bytes.
fn decode_signature(text: &str) -> Result<[u8; 32], MalformedReason> {
    // Room for more than 32 bytes, so that a longer value is detected rather than cut.
    let mut buf = [0u8; 48];
    let len = STANDARD
        .decode_slice(text.as_bytes(), &mut buf)
        .map_err(|_| MalformedReason::InvalidField)?;
    buf.get(..len)
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .ok_or(MalformedReason::InvalidField)
}

/// A non-negative integer written as a JSON number or as a decimal string.
struct Number(u64);

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NumberVisitor)
    }
}

struct NumberVisitor;

impl Visitor<'_> for NumberVisitor {
    type Value = Number;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a non-negative integer or a decimal string")
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Number, E> {
        Ok(Number(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Number, E> {
        u64::try_from(value)
            .map(Number)
            .map_err(|_| E::invalid_value(de::Unexpected::Signed(value), &self))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Number, E> {
        value
            .parse()
            .map(Number)
            .map_err(|_| E::invalid_value(de::Unexpected::Str(value), &self))
    }
}
