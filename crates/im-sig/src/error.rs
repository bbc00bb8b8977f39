//! The error type of this crate.

use std::fmt;

/// Why [`decode`](crate::decode) or [`verify`](crate::verify) rejected a UserSig, or why a
/// [`PrivateMapKey`](crate::PrivateMapKey) could not be built.
///
/// No variant carries the UserSig itself or any part of the key; `Display` and `Debug`
/// are safe to log.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SigError {
    /// The string is not a well-formed UserSig: see [`MalformedReason`] for the step that failed.
    #[error("malformed UserSig: {reason}")]
    Malformed {
        /// The decoding step that failed.
        reason: MalformedReason,
    },
    /// The HMAC in the UserSig does not match its content under the given key.
    #[error("UserSig signature does not match")]
    BadSignature,
    /// The UserSig was valid until `expired_at` (inclusive), which is before `now`.
    #[error("UserSig expired at {expired_at} (now {now})")]
    Expired {
        /// The last second (Unix time) at which the UserSig was valid: `TLS.time + TLS.expire`.
        expired_at: u64,
        /// The time (Unix seconds) the check was made at.
        now: u64,
    },
    /// The UserSig was issued for another application.
    #[error("UserSig is for SDKAppID {found}, expected {expected}")]
    WrongApp {
        /// The SDKAppID the caller expected.
        expected: u64,
        /// The SDKAppID in the UserSig.
        found: u64,
    },
    /// The UserSig was issued for another user.
    #[error("UserSig is for identifier {found:?}, expected {expected:?}")]
    WrongIdentifier {
        /// The identifier the caller expected.
        expected: String,
        /// The identifier in the UserSig.
        found: String,
    },
    /// The UserSig's userbuf is absent where one was expected, present where none was
    /// expected, or holds other bytes.
    #[error("UserSig userbuf does not match")]
    UserbufMismatch,
    /// A field of a [`PrivateMapKey`](crate::PrivateMapKey) does not fit its slot in the
    /// userbuf.
    #[error("invalid privilege map key: {reason}")]
    InvalidPrivateMapKey {
        /// Which field is too large.
        reason: &'static str,
    },
}

impl SigError {
    pub(crate) const fn malformed(reason: MalformedReason) -> Self {
        SigError::Malformed { reason }
    }

    pub(crate) const fn invalid_private_map_key(reason: &'static str) -> Self {
        SigError::InvalidPrivateMapKey { reason }
    }

    /// Whether the string could not be decoded at all.
    pub const fn is_malformed(&self) -> bool {
        matches!(self, SigError::Malformed { .. })
    }

    /// Whether the signature did not match (a forged or tampered UserSig, or the wrong key).
    pub const fn is_bad_signature(&self) -> bool {
        matches!(self, SigError::BadSignature)
    }

    /// Whether the UserSig has expired.
    pub const fn is_expired(&self) -> bool {
        matches!(self, SigError::Expired { .. })
    }

    /// Whether the UserSig belongs to another application.
    pub const fn is_wrong_app(&self) -> bool {
        matches!(self, SigError::WrongApp { .. })
    }

    /// Whether the UserSig belongs to another user.
    pub const fn is_wrong_identifier(&self) -> bool {
        matches!(self, SigError::WrongIdentifier { .. })
    }

    /// Whether the userbuf did not match the expectation.
    pub const fn is_userbuf_mismatch(&self) -> bool {
        matches!(self, SigError::UserbufMismatch)
    }

    /// The decoding step that failed, for [`SigError::Malformed`].
    pub const fn malformed_reason(&self) -> Option<MalformedReason> {
        match self {
            SigError::Malformed { reason } => Some(*reason),
            _ => None,
        }
    }
}

/// The decoding step at which a malformed UserSig was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MalformedReason {
    /// The string is empty.
    Empty,
    /// The string is longer than any UserSig this crate decodes.
    TooLong,
    /// The string is not base64 in the UserSig alphabet (`A-Z a-z 0-9 * -`, padding `_`).
    Base64,
    /// The bytes are not a complete zlib stream (bad header, corrupt data, checksum
    /// mismatch, truncated, or followed by extra bytes).
    Zlib,
    /// The decompressed document exceeds the size limit.
    TooLarge,
    /// The decompressed document is not a JSON object.
    Json,
    /// A required field is missing from the document.
    MissingField(&'static str),
    /// A field has the wrong type or an invalid value (for example `TLS.sig` is not the
    /// base64 of 32 bytes, or a number is negative).
    InvalidField,
}

impl fmt::Display for MalformedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MalformedReason::Empty => f.write_str("empty string"),
            MalformedReason::TooLong => f.write_str("input too long"),
            MalformedReason::Base64 => f.write_str("not base64 in the UserSig alphabet"),
            MalformedReason::Zlib => f.write_str("not a valid zlib stream"),
            MalformedReason::TooLarge => f.write_str("decompressed document too large"),
            MalformedReason::Json => f.write_str("document is not valid JSON"),
            MalformedReason::MissingField(field) => write!(f, "missing field {field}"),
            MalformedReason::InvalidField => f.write_str("a field has the wrong type or value"),
        }
    }
}
