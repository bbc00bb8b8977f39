//! The error of a call, and the input errors found before anything is sent.

use std::fmt;

use im_protocol::{ApiError, ErrorCode, RetryClass, UserIdError};
use im_transport::{TransportError, TransportErrorKind};

/// Why a call to the service failed as a whole.
///
/// Failures of single items (accounts) are not errors: an API family reports them in the
/// outcome of the call, next to the items that succeeded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input was rejected before anything was sent.
    #[error("invalid input: {0}")]
    InvalidInput(#[from] InvalidInput),
    /// The request body could not be encoded; nothing was sent.
    #[error("the request body could not be encoded")]
    Encode(#[source] im_protocol::Error),
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
    RateLimiter(#[source] RateLimitError),
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

/// Why the engine stopped retrying a call.
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
            Error::Transport(error) => !matches!(
                error.kind(),
                TransportErrorKind::InvalidRequest | TransportErrorKind::TooLarge
            ),
            Error::Decode(_) => true,
            Error::HttpStatus { status } => *status == 429 || *status >= 500,
            Error::Api(error) => error.retry_class() != RetryClass::Fatal,
            Error::InvalidInput(_)
            | Error::Encode(_)
            | Error::UnexpectedAnswer { .. }
            | Error::RateLimiter(_)
            | Error::GaveUp { .. } => false,
        }
    }

    /// A one-line description with every cause, for logs and command-line output.
    ///
    /// ```
    /// use im_client::{Error, InvalidInput};
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
    /// An account broke the service's UserID rule.
    #[error(transparent)]
    UserId(#[from] UserIdError),
    /// An API path that cannot be sent: empty, or with characters that would change the URL.
    #[error("API path {path:?} is not a plain path below the host")]
    ApiPath {
        /// The path, as given (at most 64 characters of it).
        path: String,
    },
    /// A page size outside `1..=max` was asked for.
    #[error("page size {size} is outside 1..={max}")]
    PageSize {
        /// The size asked for.
        size: u32,
        /// The largest page the API returns.
        max: u32,
    },
}

/// A rate limiter could not grant a call, e.g. because its shared store is unreachable.
///
/// Limiters outside this crate build one with [`RateLimitError::new`]; the cause stays
/// reachable through [`std::error::Error::source`].
///
/// ```
/// use im_client::RateLimitError;
///
/// let error = RateLimitError::new(std::io::Error::other("connection refused"));
/// assert_eq!(error.to_string(), "connection refused");
/// ```
#[derive(Debug, thiserror::Error)]
#[error("{source}")]
pub struct RateLimitError {
    #[source]
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl RateLimitError {
    /// Wraps the limiter's own error.
    pub fn new(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        RateLimitError {
            source: source.into(),
        }
    }

    /// The limiter's own error.
    pub fn cause(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &*self.source
    }
}
