//! The error type of the blocklist client.

use std::fmt;

use im_protocol::{ApiError, ErrorCode, RetryClass};
use im_transport::TransportError;

/// Why a call to the service failed as a whole.
///
/// Failures of single accounts are not errors: they are reported in the
/// [`Outcome`](crate::Outcome) of the call, next to the accounts that succeeded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input was rejected before anything was sent.
    #[error("invalid input: {0}")]
    InvalidInput(#[from] InvalidInput),
    /// The request could not be delivered, or its answer could not be read.
    #[error("the request could not be delivered")]
    Transport(#[source] TransportError),
    /// The service answered with an HTTP status other than 200.
    #[error("the service answered with HTTP status {status}")]
    HttpStatus {
        /// The HTTP status code.
        status: u16,
    },
    /// The answer was not a valid response of the API.
    #[error("the response could not be decoded")]
    Decode(#[source] im_protocol::Error),
    /// The service rejected the whole request (`ActionStatus` `FAIL`).
    #[error("the service rejected the request")]
    Api(#[source] ApiError),
    /// The answer decoded but contradicts the API, e.g. paging that does not advance.
    #[error("the service's answer is inconsistent: {reason}")]
    UnexpectedAnswer {
        /// What was inconsistent.
        reason: String,
    },
    /// The rate limiter could not grant a call.
    #[error("the rate limiter failed")]
    RateLimiter(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The call was retried and still failed; `last` is the final attempt's error.
    #[error("gave up after {attempts} attempt(s): {reason}")]
    GaveUp {
        /// How many attempts were made.
        attempts: u32,
        /// Why no further attempt was made.
        reason: GiveUpReason,
        /// The error of the last attempt.
        #[source]
        last: Box<Error>,
    },
}

/// Why the client stopped retrying a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum GiveUpReason {
    /// The retry policy's attempt limit was reached.
    AttemptsExhausted,
    /// The call's deadline would have passed before the next attempt.
    DeadlineExceeded,
    /// The client-wide retry budget is spent: the service is failing most calls.
    RetryBudgetExhausted,
}

impl fmt::Display for GiveUpReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GiveUpReason::AttemptsExhausted => "attempt limit reached",
            GiveUpReason::DeadlineExceeded => "deadline exceeded",
            GiveUpReason::RetryBudgetExhausted => "retry budget exhausted",
        })
    }
}

impl Error {
    /// The service's error code, when the service answered with one
    /// (directly, or in the last attempt of a call that was given up).
    pub fn code(&self) -> Option<ErrorCode> {
        self.api_error().map(ApiError::code)
    }

    /// The service's error, when the service rejected the request.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(error) => Some(error),
            Error::GaveUp { last, .. } => last.api_error(),
            _ => None,
        }
    }

    /// Whether the input was rejected before anything was sent.
    pub fn is_invalid_input(&self) -> bool {
        matches!(self, Error::InvalidInput(_))
    }

    /// Whether sending the same request again could succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport(_) | Error::Decode(_) => true,
            Error::HttpStatus { status } => *status == 429 || *status >= 500,
            Error::Api(error) => error.retry_class() != RetryClass::Fatal,
            Error::InvalidInput(_)
            | Error::UnexpectedAnswer { .. }
            | Error::RateLimiter(_)
            | Error::GaveUp { .. } => false,
        }
    }

    /// A one-line description with every cause, for logs and command-line output.
    ///
    /// ```
    /// use im_blocklist::{Error, InvalidInput};
    ///
    /// let error = Error::from(InvalidInput::NoAccounts);
    /// assert_eq!(error.report(), "invalid input: no accounts were given");
    /// ```
    pub fn report(&self) -> String {
        let mut text = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            let cause_text = cause.to_string();
            if !text.contains(&cause_text) {
                text.push_str(": ");
                text.push_str(&cause_text);
            }
            source = cause.source();
        }
        text
    }
}

/// Input rejected before anything was sent.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidInput {
    /// The list of accounts was empty.
    #[error("no accounts were given")]
    NoAccounts,
    /// The `From_Account` was empty.
    #[error("the From account is empty")]
    EmptyFrom,
    /// An account was empty.
    #[error("an account is empty")]
    EmptyAccount,
    /// An account was longer than the service allows.
    #[error("account {account:?} is {len} bytes long; the limit is {max}")]
    AccountTooLong {
        /// The account, as given.
        account: String,
        /// Its length in bytes.
        len: usize,
        /// The limit in bytes.
        max: usize,
    },
    /// An account held a character outside printable ASCII.
    #[error("account {account:?} has a character outside printable ASCII")]
    NonPrintable {
        /// The account, as given.
        account: String,
    },
    /// A page size outside `1..=1000` was asked for.
    #[error("page size {0} is outside 1..=1000")]
    PageSize(u32),
}
