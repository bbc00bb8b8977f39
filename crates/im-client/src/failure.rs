//! What a call did, account by account: the three buckets of a write, and why one
//! account failed (always a code or a typed reason).

use std::fmt;

use im_protocol::ErrorCode;
use im_transport::TransportErrorKind;

use crate::error::kind_name;

/// What a request failed with, as a small copyable value: the summary of an [`Error`]
/// (see [`Error::failure`]) that per-item failures and metrics can carry.
///
/// [`Error`]: crate::Error
/// [`Error::failure`]: crate::Error::failure
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RequestFailure {
    /// The service rejected the request with this code.
    Service(ErrorCode),
    /// The service or a gateway answered with this HTTP status.
    HttpStatus(u16),
    /// The request could not be delivered, or its answer read.
    Transport(TransportErrorKind),
    /// The answer was not a response of the API.
    Decode,
    /// The request body could not be encoded.
    Encode,
    /// The rate limiter could not grant the call.
    RateLimiter,
    /// The input was rejected before sending.
    InvalidInput,
    /// The answer contradicts the API.
    UnexpectedAnswer,
}

impl RequestFailure {
    /// The service's code, when the service answered with one.
    pub fn code(self) -> Option<ErrorCode> {
        match self {
            RequestFailure::Service(code) => Some(code),
            _ => None,
        }
    }

    /// A short label for metrics and logs: `service_error`, `http_status`, `transport`, ...
    pub fn label(self) -> &'static str {
        match self {
            RequestFailure::Service(_) => "service_error",
            RequestFailure::HttpStatus(_) => "http_status",
            RequestFailure::Transport(_) => "transport",
            RequestFailure::Decode => "decode",
            RequestFailure::Encode => "encode",
            RequestFailure::RateLimiter => "rate_limiter",
            RequestFailure::InvalidInput => "invalid_input",
            RequestFailure::UnexpectedAnswer => "unexpected_answer",
        }
    }
}

impl fmt::Display for RequestFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestFailure::Service(code) => write!(f, "service error {code}"),
            RequestFailure::HttpStatus(status) => write!(f, "HTTP status {status}"),
            RequestFailure::Transport(kind) => {
                write!(f, "transport failure ({})", kind_name(*kind))
            }
            RequestFailure::Decode => f.write_str("undecodable answer"),
            RequestFailure::Encode => f.write_str("unencodable request"),
            RequestFailure::RateLimiter => f.write_str("rate limiter failure"),
            RequestFailure::InvalidInput => f.write_str("invalid input"),
            RequestFailure::UnexpectedAnswer => f.write_str("inconsistent answer"),
        }
    }
}

/// Why one item (an account) failed. There is always a code or a typed reason; the
/// words of the failure are beside it, in [`AccountFailure::info`].
///
/// ```
/// use im_client::{ErrorCode, FailureReason, RequestFailure};
///
/// let reason = FailureReason::Request(RequestFailure::HttpStatus(502));
/// assert_eq!(reason.code(), None);
/// assert_eq!(reason.to_string(), "request failed: HTTP status 502");
/// assert_eq!(FailureReason::Code(ErrorCode(30003)).code(), Some(ErrorCode(30003)));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailureReason {
    /// The service answered the item with this per-item code.
    Code(ErrorCode),
    /// The service listed the item as failed, without a code (`FailAccounts`).
    ListedFailed,
    /// The service left the item out of its answer.
    NoResult,
    /// The item's result could not be read: a value the API does not document, or a
    /// field missing from a success.
    UnreadableResult,
    /// The request carrying the item failed as a whole.
    Request(RequestFailure),
    /// The item was not sent: an earlier request of the call failed and ended it.
    NotSent(RequestFailure),
    /// The item was rejected before sending (e.g. a UserID the service would refuse).
    InvalidInput,
}

impl FailureReason {
    /// The service's code for the item, or for the request that carried it.
    pub fn code(self) -> Option<ErrorCode> {
        match self {
            FailureReason::Code(code) => Some(code),
            FailureReason::Request(failure) | FailureReason::NotSent(failure) => failure.code(),
            _ => None,
        }
    }
}

impl fmt::Display for FailureReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailureReason::Code(code) => write!(f, "{code}"),
            FailureReason::ListedFailed => f.write_str("listed as failed, without a code"),
            FailureReason::NoResult => f.write_str("no result in the answer"),
            FailureReason::UnreadableResult => f.write_str("unreadable result"),
            FailureReason::Request(failure) => write!(f, "request failed: {failure}"),
            FailureReason::NotSent(failure) => {
                write!(f, "not sent after an earlier request failed: {failure}")
            }
            FailureReason::InvalidInput => f.write_str("invalid input"),
        }
    }
}

/// One account that could not be brought to the requested state.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccountFailure {
    /// The account.
    pub account: String,
    /// Why it failed: the service's code, or a typed reason.
    pub reason: FailureReason,
    /// What went wrong, in words: the service's `ResultInfo` (cut to
    /// [`MAX_TEXT_BYTES`](im_protocol::result_text::MAX_TEXT_BYTES)) or the request error.
    pub info: String,
}

impl AccountFailure {
    /// A failure of `account` for `reason`, with `info` in words.
    pub fn new(account: impl Into<String>, reason: FailureReason, info: impl Into<String>) -> Self {
        AccountFailure {
            account: account.into(),
            reason,
            info: info.into(),
        }
    }

    /// The service's code for this account, or for the request that carried it.
    pub fn code(&self) -> Option<ErrorCode> {
        self.reason.code()
    }
}

/// The result of a write over many accounts (a blocklist add or remove, an account import
/// or delete): every distinct input account appears in exactly one of the three lists, in
/// input order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Outcome {
    /// Accounts whose state was changed as requested (or converged to it after an
    /// ambiguous attempt, such as a timeout after the service applied the write).
    pub succeeded: Vec<String>,
    /// Accounts that were already in the requested state: already blocked on add, not
    /// blocked on remove, not existing on delete. Empty for an account import (the
    /// service does not tell a new account from one imported again).
    pub unchanged: Vec<String>,
    /// Accounts that failed, with the reason.
    pub failed: Vec<AccountFailure>,
}

impl Outcome {
    /// Whether no account failed.
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty()
    }

    /// How many accounts the outcome covers.
    pub fn len(&self) -> usize {
        self.succeeded.len() + self.unchanged.len() + self.failed.len()
    }

    /// Whether the outcome covers no account.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends another outcome's accounts to this one.
    pub fn merge(&mut self, other: Outcome) {
        self.succeeded.extend(other.succeeded);
        self.unchanged.extend(other.unchanged);
        self.failed.extend(other.failed);
    }
}
