//! The wire answers: how a domain result, a refused request or an injected fault is
//! spelled as an HTTP response, one module per API family.

pub(crate) mod account;
pub(crate) mod blocklist;
pub(crate) mod setup;

use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};
use im_protocol::{Envelope, ErrorCode, encode_json};
use serde::Serialize;

/// The body of an injected HTTP 502, as a gateway would send it.
const BAD_GATEWAY_BODY: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n";

/// The body of an injected HTTP 503.
const UNAVAILABLE_BODY: &str = "<html><body>503 Service Unavailable</body></html>";

/// What the emulator does with one request.
#[derive(Debug)]
pub(crate) enum Reply {
    /// Send this response.
    Answer(http::Response<Bytes>),
    /// The request was applied but its answer is lost: close the connection without one.
    Lost,
}

/// A failure of a whole request: the envelope's code and info.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) code: ErrorCode,
    pub(crate) info: String,
}

impl Failure {
    pub(crate) fn new(code: ErrorCode, info: impl Into<String>) -> Self {
        Failure {
            code,
            info: info.into(),
        }
    }
}

/// A response before the lost-answer fault decides whether it is sent.
#[derive(Debug)]
pub(crate) struct Answer {
    status: StatusCode,
    body: Bytes,
    json: bool,
    code: Option<ErrorCode>,
    /// Whether the answer names the allowed method (`Allow: POST`).
    allow_post: bool,
    /// The `Retry-After` header, in seconds, when the answer has one.
    retry_after: Option<u64>,
}

impl Answer {
    /// A successful envelope around `body`.
    pub(crate) fn ok<T: Serialize>(body: T) -> Answer {
        Answer::json(envelope_bytes(&Envelope::ok(body)), ErrorCode::OK)
    }

    /// A failed envelope.
    pub(crate) fn fail(failure: Failure) -> Answer {
        let body = envelope_bytes(&Envelope::<()>::fail(failure.code, failure.info));
        Answer::json(body, failure.code)
    }

    /// HTTP 405 for a method other than `POST`, with `Allow: POST` and 60002.
    pub(crate) fn method_not_allowed() -> Answer {
        Answer {
            status: StatusCode::METHOD_NOT_ALLOWED,
            allow_post: true,
            ..Answer::fail(Failure::new(
                ErrorCode::HTTP_PARSE_ERROR,
                "the HTTP method must be POST",
            ))
        }
    }

    /// The injected HTTP 502, with a gateway's HTML body.
    pub(crate) fn bad_gateway() -> Answer {
        Answer::html(StatusCode::BAD_GATEWAY, BAD_GATEWAY_BODY)
    }

    /// The injected HTTP 503, with `Retry-After`.
    pub(crate) fn unavailable(retry_after_secs: u64) -> Answer {
        Answer {
            retry_after: Some(retry_after_secs),
            ..Answer::html(StatusCode::SERVICE_UNAVAILABLE, UNAVAILABLE_BODY)
        }
    }

    /// The answer cut to the first half of its body, for the truncated-JSON fault.
    pub(crate) fn truncated(mut self) -> Answer {
        self.body = self.body.slice(..self.body.len() / 2);
        self
    }

    /// The HTTP status.
    pub(crate) fn status(&self) -> StatusCode {
        self.status
    }

    /// The envelope's `ErrorCode`; `None` for an answer without an envelope.
    pub(crate) fn code(&self) -> Option<ErrorCode> {
        self.code
    }

    /// The HTTP response.
    pub(crate) fn into_response(self) -> http::Response<Bytes> {
        let content_type = if self.json {
            "application/json"
        } else {
            "text/html"
        };
        let mut response = http::Response::new(self.body);
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        if self.allow_post {
            headers.insert(header::ALLOW, HeaderValue::from_static("POST"));
        }
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }

    fn json(body: Bytes, code: ErrorCode) -> Answer {
        Answer {
            status: StatusCode::OK,
            body,
            json: true,
            code: Some(code),
            allow_post: false,
            retry_after: None,
        }
    }

    fn html(status: StatusCode, body: &'static str) -> Answer {
        Answer {
            status,
            body: Bytes::from_static(body.as_bytes()),
            json: false,
            code: None,
            allow_post: false,
            retry_after: None,
        }
    }
}

/// Encodes an envelope. The types encoded here always encode; should one ever fail, the
/// answer is a request-level internal error rather than a panic.
pub(crate) fn envelope_bytes<T: Serialize>(envelope: &Envelope<T>) -> Bytes {
    encode_json(envelope).map_or_else(
        |_| {
            Bytes::from_static(
                br#"{"ActionStatus":"FAIL","ErrorCode":70500,"ErrorInfo":"internal error"}"#,
            )
        },
        Bytes::from,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_method_names_post() {
        let response = Answer::method_not_allowed().into_response();
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(response.headers()[header::ALLOW], "POST");
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        let envelope: serde_json::Value =
            serde_json::from_slice(response.body()).expect("an envelope");
        assert_eq!(envelope["ErrorCode"], 60002);
        assert_eq!(envelope["ActionStatus"], "FAIL");
    }

    #[test]
    fn injected_gateway_answers_are_html_without_a_code() {
        let unavailable = Answer::unavailable(3);
        assert_eq!(unavailable.code(), None);
        let response = unavailable.into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "3");
        assert_eq!(response.headers()[header::CONTENT_TYPE], "text/html");
        let bad_gateway = Answer::bad_gateway().into_response();
        assert_eq!(bad_gateway.status(), StatusCode::BAD_GATEWAY);
        assert!(bad_gateway.headers().get(header::RETRY_AFTER).is_none());
    }

    #[test]
    fn a_truncated_answer_keeps_half_its_body_and_its_code() {
        let answer = Answer::ok(serde_json::json!({"ResultItem": []}));
        let full = answer.body.len();
        let truncated = answer.truncated();
        assert_eq!(truncated.code(), Some(ErrorCode::OK));
        assert_eq!(truncated.body.len(), full / 2);
        assert!(serde_json::from_slice::<serde_json::Value>(&truncated.body).is_err());
    }
}
