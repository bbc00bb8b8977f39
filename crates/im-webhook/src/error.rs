//! The error type of this crate.

use std::fmt;

use http::StatusCode;

/// Why a callback request was rejected.
///
/// Each variant names the check that failed. No variant carries the token, the expected
/// `Sign` or the received `Sign`, so `Display` and `Debug` are safe to log and to send back
/// to the caller. [`http_status`](WebhookError::http_status) maps each variant to the
/// status the handler answers with:
///
/// | Variants | Status |
/// |---|---|
/// | [`MissingParameter`](WebhookError::MissingParameter), [`InvalidParameter`](WebhookError::InvalidParameter), [`BadBody`](WebhookError::BadBody), [`CommandMismatch`](WebhookError::CommandMismatch) | 400 Bad Request |
/// | [`WrongApp`](WebhookError::WrongApp), [`BadSignature`](WebhookError::BadSignature), [`Stale`](WebhookError::Stale), [`FromTheFuture`](WebhookError::FromTheFuture) | 403 Forbidden |
/// | [`MethodNotAllowed`](WebhookError::MethodNotAllowed) | 405 Method Not Allowed |
/// | [`BodyTooLarge`](WebhookError::BodyTooLarge) | 413 Content Too Large |
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// A required query parameter is absent (the name is given with its documented casing).
    #[error("query parameter {0} is missing")]
    MissingParameter(&'static str),
    /// A query parameter is present but unusable: not a number, given twice, badly
    /// percent-encoded, or of the wrong shape.
    #[error("query parameter {name} is invalid: {reason}")]
    InvalidParameter {
        /// The parameter's name, with its documented casing.
        name: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The callback is addressed to another application.
    #[error("SdkAppid is {found}, expected {expected}")]
    WrongApp {
        /// The SDKAppID the verifier was configured with.
        expected: u64,
        /// The `SdkAppid` of the request.
        found: u64,
    },
    /// `Sign` is not the SHA-256 of the configured token and `RequestTime`.
    #[error("Sign does not match the token and RequestTime")]
    BadSignature,
    /// `RequestTime` is older than the freshness window allows.
    #[error("RequestTime {request_time} is too old (now {now})")]
    Stale {
        /// The `RequestTime` of the request, in Unix seconds.
        request_time: u64,
        /// The time the check was made at, in Unix seconds.
        now: u64,
    },
    /// `RequestTime` lies further in the future than the freshness window allows.
    #[error("RequestTime {request_time} is in the future (now {now})")]
    FromTheFuture {
        /// The `RequestTime` of the request, in Unix seconds.
        request_time: u64,
        /// The time the check was made at, in Unix seconds.
        now: u64,
    },
    /// The request body is not a valid callback body for its command.
    #[error("request body is not a valid callback")]
    BadBody {
        /// What the decoder found wrong.
        #[source]
        source: BodyError,
    },
    /// The `CallbackCommand` of the body differs from the one in the query.
    #[error("CallbackCommand of the body ({body:?}) differs from the query ({query:?})")]
    CommandMismatch {
        /// The `CallbackCommand` query parameter (at most 128 bytes of it).
        query: String,
        /// The `CallbackCommand` field of the body (at most 128 bytes of it).
        body: String,
    },
    /// The request does not use `POST`.
    #[error("method {method} is not allowed, callbacks use POST")]
    MethodNotAllowed {
        /// The method of the request.
        method: http::Method,
    },
    /// The request body is larger than the handler accepts.
    #[error("request body exceeds {limit} bytes")]
    BodyTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
}

impl WebhookError {
    /// The HTTP status the handler answers this rejection with (see the table on the type).
    pub fn http_status(&self) -> StatusCode {
        match self {
            WebhookError::MissingParameter(_)
            | WebhookError::InvalidParameter { .. }
            | WebhookError::BadBody { .. }
            | WebhookError::CommandMismatch { .. } => StatusCode::BAD_REQUEST,
            WebhookError::WrongApp { .. }
            | WebhookError::BadSignature
            | WebhookError::Stale { .. }
            | WebhookError::FromTheFuture { .. } => StatusCode::FORBIDDEN,
            WebhookError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            WebhookError::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        }
    }

    /// Whether the request failed authentication: wrong application, bad signature, or a
    /// `RequestTime` outside the freshness window.
    pub fn is_unauthenticated(&self) -> bool {
        matches!(
            self,
            WebhookError::WrongApp { .. }
                | WebhookError::BadSignature
                | WebhookError::Stale { .. }
                | WebhookError::FromTheFuture { .. }
        )
    }

    pub(crate) fn bad_body(source: BodyError) -> Self {
        WebhookError::BadBody { source }
    }

    pub(crate) fn command_mismatch(query: &str, body: &str) -> Self {
        WebhookError::CommandMismatch {
            query: truncated(query),
            body: truncated(body),
        }
    }
}

/// The longest excerpt of request input an error keeps, in bytes.
const EXCERPT_LIMIT: usize = 128;

/// Cuts `text` to at most [`EXCERPT_LIMIT`] bytes at a character boundary, so errors stay
/// small whatever a caller sends.
fn truncated(text: &str) -> String {
    if text.len() <= EXCERPT_LIMIT {
        return text.to_owned();
    }
    let mut end = EXCERPT_LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// What is wrong with a callback body: the decoder's message (JSON syntax, a missing or
/// mistyped field), or an empty or unreadable body.
#[derive(Debug)]
pub struct BodyError(BodyErrorKind);

#[derive(Debug)]
enum BodyErrorKind {
    Json(serde_json::Error),
    Message(&'static str),
}

impl BodyError {
    pub(crate) fn json(error: serde_json::Error) -> Self {
        BodyError(BodyErrorKind::Json(error))
    }

    pub(crate) fn message(message: &'static str) -> Self {
        BodyError(BodyErrorKind::Message(message))
    }
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            BodyErrorKind::Json(error) => write!(f, "{error}"),
            BodyErrorKind::Message(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for BodyError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_cut_at_a_character_boundary() {
        // Three-byte characters: 128 bytes fall inside the 43rd one.
        let long = "€".repeat(100);
        let cut = truncated(&long);
        assert_eq!(cut.len(), 126);
        assert!(long.starts_with(&cut));
        assert_eq!(truncated("short"), "short");
    }
}
