//! The error of a call, and the input errors found before anything is sent.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use im_protocol::{ApiError, ErrorCode, RetryClass, UserIdError};
use im_transport::{TransportError, TransportErrorKind};

use crate::failure::RequestFailure;

/// Why a call to the service failed as a whole.
///
/// A call that was sent fails with [`Error::Call`]: which API, how many attempts, the
/// request id of the last attempt, why retrying stopped, and the last attempt's error.
/// Ask it what happened with the accessors ([`code`](Self::code),
/// [`http_status`](Self::http_status), [`is_retryable`](Self::is_retryable),
/// [`is_rate_limited`](Self::is_rate_limited), [`is_timeout`](Self::is_timeout),
/// [`attempts`](Self::attempts), [`request_id`](Self::request_id)), which look through
/// the call to its last attempt. `Display` names the service code (with its catalog name),
/// the HTTP status or the transport failure; it never holds the URL, the key or a UserSig.
///
/// Failures of single items (accounts) are not errors: an API family reports them in the
/// outcome of the call, next to the items that succeeded.
///
/// ```
/// use im_client::{Error, ErrorCode};
/// use im_protocol::ApiError;
///
/// let error = Error::call(
///     "BlackListAdd",
///     Error::Api(ApiError::new(ErrorCode::API_RATE_LIMITED, "too fast")),
/// );
/// assert_eq!(error.code(), Some(ErrorCode::API_RATE_LIMITED));
/// assert!(error.is_rate_limited() && error.is_retryable());
/// assert!(error.to_string().contains("60007 API_RATE_LIMITED"));
/// ```
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
    #[error("transport failure ({})", kind_name(.0.kind()))]
    Transport(#[source] TransportError),
    /// The service (or a gateway before it) answered with an HTTP status other than 200.
    #[error("HTTP status {status}{}", retry_after_note(*.retry_after))]
    HttpStatus {
        /// The HTTP status code.
        status: u16,
        /// How long the answer's `Retry-After` header asked to wait, if it had one.
        retry_after: Option<Duration>,
    },
    /// The answer was not a valid response of the API.
    #[error("the response could not be decoded")]
    Decode(#[source] im_protocol::Error),
    /// The service rejected the whole request (`ActionStatus` `FAIL`): its code, with the
    /// catalog name, and its `ErrorInfo` (cut when long).
    #[error("service error {}{}", .0.code(), info_note(.0.info()))]
    Api(ApiError),
    /// The answer decoded but contradicts the API, e.g. paging that does not advance.
    #[error("the service's answer is inconsistent: {reason}")]
    UnexpectedAnswer {
        /// What was inconsistent.
        reason: String,
    },
    /// The rate limiter could not grant a call.
    #[error("the rate limiter failed")]
    RateLimiter(#[source] RateLimitError),
    /// A call that was attempted failed: the last attempt's error, with the call's story.
    #[error(transparent)]
    Call(Box<CallError>),
}

/// A failed call: which API, how many attempts, why retrying stopped, and the last
/// attempt's error. Reached through [`Error::Call`]; most users ask the [`Error`]'s
/// accessors instead.
#[derive(Debug)]
#[non_exhaustive]
pub struct CallError {
    api: Cow<'static, str>,
    attempts: u32,
    gave_up: Option<GiveUpReason>,
    request_id: Option<u32>,
    last: Error,
}

impl CallError {
    /// The API called, by its short name (the spec's name, or the path).
    pub fn api(&self) -> &str {
        &self.api
    }

    /// How many attempts were made.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Why no further attempt was made, when the last failure was worth retrying;
    /// `None` when retrying could not help.
    pub fn gave_up(&self) -> Option<GiveUpReason> {
        self.gave_up
    }

    /// The `random` query parameter of the last attempt sent: the request's id.
    pub fn request_id(&self) -> Option<u32> {
        self.request_id
    }

    /// The error of the last attempt.
    pub fn last(&self) -> &Error {
        &self.last
    }
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = if self.attempts == 1 { "" } else { "s" };
        write!(
            f,
            "{} failed: {} ({} attempt{plural}",
            self.api, self.last, self.attempts
        )?;
        if let Some(reason) = self.gave_up {
            write!(f, ", gave up: {reason}")?;
        }
        if let Some(id) = self.request_id {
            write!(f, ", request id {id}")?;
        }
        f.write_str(")")
    }
}

impl std::error::Error for CallError {
    /// The cause of the last attempt's error (whose own words are in this `Display`).
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.last)
    }
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

/// A short name of a transport failure, for messages.
pub(crate) fn kind_name(kind: TransportErrorKind) -> &'static str {
    match kind {
        TransportErrorKind::Connect => "connect",
        TransportErrorKind::Timeout => "timeout",
        TransportErrorKind::Body => "broken answer",
        TransportErrorKind::TooLarge => "answer too large",
        TransportErrorKind::InvalidRequest => "invalid request",
        _ => "other",
    }
}

fn info_note(info: &str) -> String {
    if info.is_empty() {
        String::new()
    } else {
        format!(": {info}")
    }
}

fn retry_after_note(retry_after: Option<Duration>) -> String {
    match retry_after {
        Some(wait) => format!(", Retry-After {} s", wait.as_secs_f64()),
        None => String::new(),
    }
}

impl Error {
    /// Wraps the error of a call's only attempt, for an API named `api`: what a call that
    /// made one attempt and did not retry returns. Mostly for tests and other limiters.
    pub fn call(api: impl Into<Cow<'static, str>>, last: Error) -> Error {
        Error::called(api.into(), 1, None, None, last)
    }

    pub(crate) fn called(
        api: Cow<'static, str>,
        attempts: u32,
        gave_up: Option<GiveUpReason>,
        request_id: Option<u32>,
        last: Error,
    ) -> Error {
        Error::Call(Box::new(CallError {
            api,
            attempts,
            gave_up,
            request_id,
            last,
        }))
    }

    /// The error of the last attempt: `self` unless this is an [`Error::Call`].
    pub fn last(&self) -> &Error {
        match self {
            Error::Call(call) => call.last.last(),
            other => other,
        }
    }

    /// The call's story, when the error ended a call that was attempted.
    pub fn as_call(&self) -> Option<&CallError> {
        match self {
            Error::Call(call) => Some(call),
            _ => None,
        }
    }

    /// What the last attempt failed with, as a small copyable value.
    pub fn failure(&self) -> RequestFailure {
        match self.last() {
            Error::InvalidInput(_) => RequestFailure::InvalidInput,
            Error::Encode(_) => RequestFailure::Encode,
            Error::Transport(error) => RequestFailure::Transport(error.kind()),
            Error::HttpStatus { status, .. } => RequestFailure::HttpStatus(*status),
            Error::Decode(_) => RequestFailure::Decode,
            Error::Api(error) => RequestFailure::Service(error.code()),
            Error::UnexpectedAnswer { .. } => RequestFailure::UnexpectedAnswer,
            Error::RateLimiter(_) => RequestFailure::RateLimiter,
            Error::Call(_) => RequestFailure::UnexpectedAnswer,
        }
    }

    /// The service's error code, when the service answered with one (in the last attempt).
    pub fn code(&self) -> Option<ErrorCode> {
        self.api_error().map(ApiError::code)
    }

    /// The service's error, when the service rejected the request (in the last attempt).
    pub fn api_error(&self) -> Option<&ApiError> {
        match self.last() {
            Error::Api(error) => Some(error),
            _ => None,
        }
    }

    /// The HTTP status of the last attempt's answer, when it was not 200.
    pub fn http_status(&self) -> Option<u16> {
        match self.last() {
            Error::HttpStatus { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// How many attempts the call made; 0 when nothing was attempted.
    pub fn attempts(&self) -> u32 {
        self.as_call().map_or(0, CallError::attempts)
    }

    /// The id (`random` query parameter) of the last request sent, to quote to support.
    pub fn request_id(&self) -> Option<u32> {
        self.as_call().and_then(CallError::request_id)
    }

    /// Why retrying stopped, when the last failure was worth retrying.
    pub fn gave_up(&self) -> Option<GiveUpReason> {
        self.as_call().and_then(CallError::gave_up)
    }

    /// Whether the input was rejected before anything was sent.
    pub fn is_invalid_input(&self) -> bool {
        matches!(self.last(), Error::InvalidInput(_))
    }

    /// Whether the service (or a gateway) said the app is calling too fast: a rate-limit
    /// code or HTTP 429.
    pub fn is_rate_limited(&self) -> bool {
        match self.last() {
            Error::Api(error) => error.retry_class() == RetryClass::RateLimited,
            Error::HttpStatus { status, .. } => *status == 429,
            _ => false,
        }
    }

    /// Whether the last attempt timed out, or the call ran out of time.
    pub fn is_timeout(&self) -> bool {
        self.gave_up() == Some(GiveUpReason::DeadlineExceeded)
            || matches!(self.last(), Error::Transport(error) if error.is_timeout())
    }

    /// Whether sending the same request again later could succeed: the last failure was
    /// transient (also when the engine already gave up retrying it).
    pub fn is_retryable(&self) -> bool {
        match self.last() {
            Error::Transport(error) => !matches!(
                error.kind(),
                TransportErrorKind::InvalidRequest | TransportErrorKind::TooLarge
            ),
            Error::Decode(_) => true,
            Error::HttpStatus { status, .. } => *status == 429 || *status >= 500,
            Error::Api(error) => error.retry_class() != RetryClass::Fatal,
            _ => false,
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
