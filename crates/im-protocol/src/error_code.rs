//! Error codes of the REST API and the catalog that names them.
//!
//! The constants and the catalog itself are generated from `docs/spec/error-codes.txt`
//! (see [`crate::generated`]); this module holds the hand-written types around them.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::generated::error_catalog::CATALOG;

/// A numeric error code as the service sends it in `ErrorCode` or a per-item `ResultCode`.
///
/// Any integer is representable, so codes the catalog does not know stay usable;
/// the documented ones have associated constants such as [`ErrorCode::BLOCKLIST_FULL`].
///
/// ```
/// use im_protocol::{ErrorCode, RetryClass};
///
/// let code = ErrorCode(30006);
/// assert_eq!(code, ErrorCode::INTERNAL_ERROR);
/// assert_eq!(code.name(), Some("INTERNAL_ERROR"));
/// assert_eq!(code.retry_class(), RetryClass::Retry);
/// assert_eq!(ErrorCode(12345).name(), None);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ErrorCode(pub i64);

/// How a client should react to an error code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RetryClass {
    /// A transient failure: retry soon with backoff.
    Retry,
    /// A transient failure that needs a longer pause before retrying.
    RetryLater,
    /// The UserSig expired or was invalidated: sign again, then retry.
    Resign,
    /// A frequency limit was hit: slow down, then retry.
    RateLimited,
    /// Retrying will not help.
    Fatal,
}

impl RetryClass {
    /// Whether a request that failed with this class may be sent again.
    pub const fn is_retryable(self) -> bool {
        !matches!(self, RetryClass::Fatal)
    }

    /// The spelling used in the spec file and in `docs/errors.md`.
    pub const fn as_str(self) -> &'static str {
        match self {
            RetryClass::Retry => "retry",
            RetryClass::RetryLater => "retry-later",
            RetryClass::Resign => "re-sign",
            RetryClass::RateLimited => "rate-limited",
            RetryClass::Fatal => "fatal",
        }
    }
}

/// One entry of the error catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeInfo {
    /// The numeric code.
    pub code: ErrorCode,
    /// The constant name, e.g. `"BLOCKLIST_FULL"`.
    pub name: &'static str,
    /// What the code means, in one sentence.
    pub meaning: &'static str,
    /// How a client should react to it.
    pub retry: RetryClass,
}

impl ErrorCode {
    /// Code 0: success.
    pub const OK: ErrorCode = ErrorCode(0);

    /// The catalog entry of this code, if it is documented.
    pub fn info(self) -> Option<&'static CodeInfo> {
        CATALOG
            .binary_search_by_key(&self, |entry| entry.code)
            .ok()
            .and_then(|index| CATALOG.get(index))
    }

    /// The catalog name of this code, if it is documented.
    pub fn name(self) -> Option<&'static str> {
        self.info().map(|entry| entry.name)
    }

    /// The documented meaning of this code, if any.
    pub fn meaning(self) -> Option<&'static str> {
        self.info().map(|entry| entry.meaning)
    }

    /// How to react to this code. Unknown non-zero codes are [`RetryClass::Fatal`].
    pub fn retry_class(self) -> RetryClass {
        self.info().map_or(RetryClass::Fatal, |entry| entry.retry)
    }

    /// Whether this is the success code 0.
    pub const fn is_ok(self) -> bool {
        self.0 == 0
    }

    /// Every documented code, in ascending order.
    pub fn catalog() -> &'static [CodeInfo] {
        CATALOG
    }
}

impl fmt::Debug for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "ErrorCode({} {name})", self.0),
            None => write!(f, "ErrorCode({})", self.0),
        }
    }
}

impl fmt::Display for ErrorCode {
    /// Shows the number and, when documented, the catalog name: `30013 BLOCKLIST_FULL`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{} {name}", self.0),
            None => write!(f, "{}", self.0),
        }
    }
}

impl From<i64> for ErrorCode {
    fn from(code: i64) -> Self {
        ErrorCode(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_is_sorted_and_unique() {
        let codes: Vec<i64> = CATALOG.iter().map(|entry| entry.code.0).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted);
    }

    #[test]
    fn every_entry_is_found_by_lookup() {
        for entry in CATALOG {
            assert_eq!(entry.code.info(), Some(entry));
        }
    }

    #[test]
    fn rate_limit_and_resign_classes() {
        for code in [60007, 60011, 60018, 60019] {
            assert_eq!(ErrorCode(code).retry_class(), RetryClass::RateLimited);
        }
        for code in [70001, 70052] {
            assert_eq!(ErrorCode(code).retry_class(), RetryClass::Resign);
        }
        assert_eq!(ErrorCode(99_999).retry_class(), RetryClass::Fatal);
        assert_eq!(
            ErrorCode::BLOCKLIST_FULL.to_string(),
            "30013 BLOCKLIST_FULL"
        );
    }
}
