//! The error type of this crate.

use std::fmt;

use crate::{ErrorCode, RetryClass};

/// Everything that can fail in this crate.
///
/// Decoding a response yields [`Error::Api`] when the service reported a failure and
/// [`Error::Decode`] when the body is not a response of the expected shape.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A body was not valid JSON of the expected shape.
    #[error("could not decode the JSON body")]
    Decode(#[source] JsonError),
    /// A value could not be encoded as JSON.
    #[error("could not encode the JSON body")]
    Encode(#[source] JsonError),
    /// The service answered with `ActionStatus` `FAIL` or a non-zero `ErrorCode`.
    #[error(transparent)]
    Api(ApiError),
    /// A custom base URL was rejected; the URL itself is not repeated.
    #[error("invalid endpoint URL: {reason}")]
    InvalidEndpoint {
        /// Why the URL was rejected, e.g. `"plain http is not allowed"`.
        reason: &'static str,
    },
    /// A region name was not recognised.
    #[error(
        "unknown region {name:?}; expected one of china, singapore, seoul, tokyo, frankfurt, silicon-valley, jakarta"
    )]
    UnknownRegion {
        /// The rejected name, shortened to at most 32 characters.
        name: String,
    },
}

impl Error {
    /// The API error, when the service reported a failure.
    pub fn as_api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(error) => Some(error),
            _ => None,
        }
    }

    /// The service's `ErrorCode`, when the service reported a failure.
    pub fn code(&self) -> Option<ErrorCode> {
        self.as_api_error().map(ApiError::code)
    }

    /// Whether a body could not be decoded.
    pub fn is_decode(&self) -> bool {
        matches!(self, Error::Decode(_))
    }

    pub(crate) fn decode(error: &serde_json::Error) -> Self {
        Error::Decode(JsonError::new(error))
    }

    pub(crate) fn encode(error: &serde_json::Error) -> Self {
        Error::Encode(JsonError::new(error))
    }

    pub(crate) fn invalid_endpoint(reason: &'static str) -> Self {
        Error::InvalidEndpoint { reason }
    }

    pub(crate) fn unknown_region(name: &str) -> Self {
        Error::UnknownRegion {
            name: shorten(name, 32),
        }
    }
}

/// A failure reported by the service in the response envelope.
///
/// ```
/// use im_protocol::{ApiError, ErrorCode, RetryClass};
///
/// let error = ApiError::new(ErrorCode::BLOCKLIST_FULL, "blocklist is full");
/// assert_eq!(error.name(), Some("BLOCKLIST_FULL"));
/// assert_eq!(error.retry_class(), RetryClass::Fatal);
/// assert_eq!(
///     error.to_string(),
///     "API call failed with 30013 BLOCKLIST_FULL: blocklist is full"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    code: ErrorCode,
    info: String,
    display: String,
}

impl ApiError {
    /// An API error with the given `ErrorCode` and `ErrorInfo`, and an empty `ErrorDisplay`.
    /// Texts longer than [`MAX_TEXT_BYTES`](crate::result_text::MAX_TEXT_BYTES) are cut.
    pub fn new(code: ErrorCode, info: impl Into<String>) -> Self {
        ApiError {
            code,
            info: bound(info.into()),
            display: String::new(),
        }
    }

    /// The same error with the given `ErrorDisplay` text.
    #[must_use]
    pub fn with_display(mut self, display: impl Into<String>) -> Self {
        self.display = bound(display.into());
        self
    }

    /// The `ErrorCode` of the response.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The `ErrorInfo` of the response (may be empty).
    pub fn info(&self) -> &str {
        &self.info
    }

    /// The `ErrorDisplay` of the response, or an empty string when it was absent.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// The catalog name of the code, e.g. `Some("BLOCKLIST_FULL")`, if it is documented.
    pub fn name(&self) -> Option<&'static str> {
        self.code.name()
    }

    /// How a client should react to this error; unknown codes are [`RetryClass::Fatal`].
    pub fn retry_class(&self) -> RetryClass {
        self.code.retry_class()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "API call failed with {}", self.code)?;
        if !self.info.is_empty() {
            write!(f, ": {}", self.info)?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// Why a JSON body could not be decoded or encoded.
///
/// It keeps the parser's message, shortened to a few dozen words, and the position.
/// It never holds the body itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    message: String,
    line: usize,
    column: usize,
    truncated: bool,
}

/// The longest parser message kept, in characters.
const MAX_MESSAGE_CHARS: usize = 160;

impl JsonError {
    fn new(error: &serde_json::Error) -> Self {
        JsonError {
            message: shorten(&error.to_string(), MAX_MESSAGE_CHARS),
            line: error.line(),
            column: error.column(),
            truncated: error.is_eof(),
        }
    }

    /// The parser's message, at most 160 characters.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The 1-based line where the problem was found (0 when not applicable).
    pub fn line(&self) -> usize {
        self.line
    }

    /// The 1-based column where the problem was found (0 when not applicable).
    pub fn column(&self) -> usize {
        self.column
    }

    /// Whether the body ended too early, as a truncated response does.
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for JsonError {}

/// The first `max` characters of `text`, with an ellipsis when something was cut.
/// A service text, cut to the bound every kept text has.
fn bound(text: String) -> String {
    match crate::result_text::bounded(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(cut) => cut,
    }
}

fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorten_cuts_on_char_boundaries() {
        assert_eq!(shorten("abc", 3), "abc");
        assert_eq!(shorten("abcd", 3), "abc…");
        assert_eq!(shorten("ééé", 2), "éé…");
    }

    #[test]
    fn a_huge_error_info_is_cut_with_a_note() {
        let error = ApiError::new(ErrorCode(70009), "x".repeat(3 << 20));
        assert!(error.info().len() < 600, "{}", error.info().len());
        assert!(error.to_string().ends_with("more bytes)"));
    }

    #[test]
    fn api_error_without_info_has_no_colon() {
        assert_eq!(
            ApiError::new(ErrorCode(12345), "").to_string(),
            "API call failed with 12345"
        );
    }

    #[test]
    fn long_parser_messages_are_shortened() {
        let long = "x".repeat(10_000);
        let body = format!("\"{long}\"");
        let error = serde_json::from_str::<crate::ActionStatus>(&body).unwrap_err();
        assert!(error.to_string().len() > 10_000);
        let json = JsonError::new(&error);
        assert!(json.message().chars().count() <= MAX_MESSAGE_CHARS + 1);
    }
}
