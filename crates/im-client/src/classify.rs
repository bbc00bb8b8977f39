//! The pure decisions after a failure: what a failed attempt means, and whether a failed
//! item is worth sending again. Data in, decision out; the call loop only follows them.

use im_protocol::{ErrorCode, RetryClass, RetrySafety};
use im_transport::TransportErrorKind;

use crate::error::Error;
use crate::retry::Wait;

/// What to do after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Try again.
    Retry(Retry),
    /// Make a new UserSig, then try again at once (once per call). The service refused the
    /// request at the door, so it did nothing.
    Resign,
    /// Retrying cannot help, or could make the service act twice.
    Fatal,
}

/// Why and how to try again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Retry {
    /// The failed attempt may have been applied by the service.
    pub(crate) ambiguous: bool,
    /// How long to wait first.
    pub(crate) wait: Wait,
    /// The request never reached the service (a backup host may be tried at once).
    pub(crate) unreached: bool,
    /// The attempt timed out (retries after timeouts cost more budget).
    pub(crate) timeout: bool,
}

impl Retry {
    const fn ambiguous(wait: Wait) -> Retry {
        Retry {
            ambiguous: true,
            wait,
            unreached: false,
            timeout: false,
        }
    }

    const fn throttled() -> Retry {
        Retry {
            ambiguous: false,
            wait: Wait::Throttled,
            unreached: false,
            timeout: false,
        }
    }
}

/// Classifies a failed attempt of a request with the given retry safety.
///
/// A request that certainly did nothing (never reached the service, refused for the rate
/// or the UserSig) is retried whatever its safety. One that may have been applied is retried
/// only when repeating it is harmless ([`RetrySafety::repeat_is_harmless`]).
pub(crate) fn classify(error: &Error, safety: RetrySafety) -> Verdict {
    let verdict = match error {
        Error::Transport(transport) => match transport.kind() {
            TransportErrorKind::Connect => Verdict::Retry(Retry {
                ambiguous: false,
                wait: Wait::Backoff,
                unreached: true,
                timeout: false,
            }),
            // Refused before sending: the same request would be refused again.
            TransportErrorKind::InvalidRequest => Verdict::Fatal,
            // The whole answer arrived and was too big: asking again gets the same answer.
            TransportErrorKind::TooLarge => Verdict::Fatal,
            kind => Verdict::Retry(Retry {
                timeout: kind == TransportErrorKind::Timeout,
                ..Retry::ambiguous(Wait::Backoff)
            }),
        },
        Error::HttpStatus { status: 429, .. } => Verdict::Retry(Retry::throttled()),
        Error::HttpStatus { status, .. } if *status >= 500 => {
            Verdict::Retry(Retry::ambiguous(Wait::Backoff))
        }
        Error::Decode(_) => Verdict::Retry(Retry::ambiguous(Wait::Backoff)),
        Error::Api(api) => classify_code(api.code()),
        _ => Verdict::Fatal,
    };
    match verdict {
        Verdict::Retry(retry) if retry.ambiguous && !safety.repeat_is_harmless() => Verdict::Fatal,
        other => other,
    }
}

/// Classifies a request-level service code by its catalog retry class.
fn classify_code(code: ErrorCode) -> Verdict {
    match code.retry_class() {
        RetryClass::Retry => Verdict::Retry(Retry::ambiguous(Wait::Backoff)),
        RetryClass::RetryLater => Verdict::Retry(Retry::ambiguous(Wait::Later)),
        RetryClass::RateLimited => Verdict::Retry(Retry::throttled()),
        RetryClass::Resign => Verdict::Resign,
        _ => Verdict::Fatal,
    }
}

/// How to retry an item that failed with `code` in an answer of an API with `safety`, or
/// `None` when the item's result is final. A rate-limit code means the service did nothing
/// for the item; other retryable codes may hide an applied write.
pub(crate) fn retry_item(code: ErrorCode, safety: RetrySafety) -> Option<Wait> {
    if code.is_ok() {
        return None;
    }
    match code.retry_class() {
        RetryClass::RateLimited => Some(Wait::Throttled),
        RetryClass::Retry if safety.repeat_is_harmless() => Some(Wait::Backoff),
        RetryClass::RetryLater if safety.repeat_is_harmless() => Some(Wait::Later),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use im_protocol::ApiError;
    use im_transport::TransportError;

    const SAFE: RetrySafety = RetrySafety::Convergent;

    fn api(code: i64) -> Error {
        Error::Api(ApiError::new(ErrorCode(code), "test"))
    }

    fn retry(verdict: Verdict) -> Retry {
        match verdict {
            Verdict::Retry(retry) => retry,
            other => panic!("expected a retry, got {other:?}"),
        }
    }

    #[test]
    fn connect_failures_are_retried_and_not_ambiguous() {
        let refused = Error::Transport(TransportError::connect("refused"));
        for safety in [
            RetrySafety::Convergent,
            RetrySafety::Read,
            RetrySafety::Unsafe,
        ] {
            let verdict = retry(classify(&refused, safety));
            assert!(!verdict.ambiguous && verdict.unreached);
        }
        let timeout = retry(classify(&Error::Transport(TransportError::timeout()), SAFE));
        assert!(timeout.ambiguous && timeout.timeout);
    }

    #[test]
    fn a_request_refused_before_sending_is_not_retried() {
        let refused = Error::Transport(TransportError::invalid_request("plain http"));
        assert_eq!(classify(&refused, SAFE), Verdict::Fatal);
        assert!(!refused.is_retryable());
        // An answer over the size cap would be as big the next time.
        let too_large = Error::Transport(TransportError::too_large(1024));
        assert_eq!(classify(&too_large, SAFE), Verdict::Fatal);
        assert!(!too_large.is_retryable());
    }

    #[test]
    fn an_encode_failure_is_not_a_decode_error_and_is_not_retried() {
        // A map with non-string keys has no JSON form.
        let unencodable = std::collections::BTreeMap::from([((1, 2), 3)]);
        let cause = im_protocol::encode_json(&unencodable).expect_err("no JSON form");
        let encode = Error::Encode(cause);
        assert_eq!(classify(&encode, SAFE), Verdict::Fatal);
        assert!(!encode.is_retryable());
        assert!(encode.to_string().contains("encoded"));
    }

    #[test]
    fn http_statuses() {
        assert!(
            retry(classify(
                &Error::HttpStatus {
                    status: 502,
                    retry_after: None
                },
                SAFE
            ))
            .ambiguous
        );
        assert_eq!(
            retry(classify(
                &Error::HttpStatus {
                    status: 429,
                    retry_after: None
                },
                SAFE
            ))
            .wait,
            Wait::Throttled
        );
        assert_eq!(
            classify(
                &Error::HttpStatus {
                    status: 404,
                    retry_after: None
                },
                SAFE
            ),
            Verdict::Fatal
        );
    }

    #[test]
    fn service_codes_follow_the_catalog() {
        assert_eq!(retry(classify(&api(60007), SAFE)).wait, Wait::Throttled);
        assert!(retry(classify(&api(30006), SAFE)).ambiguous);
        assert_eq!(classify(&api(70001), SAFE), Verdict::Resign);
        assert_eq!(classify(&api(70052), SAFE), Verdict::Resign);
        assert_eq!(classify(&api(70009), SAFE), Verdict::Fatal);
        assert_eq!(classify(&api(123_456), SAFE), Verdict::Fatal);
    }

    #[test]
    fn retry_later_codes_wait_longer() {
        let later = ErrorCode::catalog()
            .iter()
            .find(|info| info.retry == RetryClass::RetryLater)
            .expect("the catalog has a retry-later code");
        assert_eq!(retry(classify(&api(later.code.0), SAFE)).wait, Wait::Later);
        assert_eq!(retry_item(later.code, SAFE), Some(Wait::Later));
    }

    #[test]
    fn unsafe_requests_are_retried_only_when_nothing_was_done() {
        let unsafe_ = RetrySafety::Unsafe;
        assert_eq!(
            classify(
                &Error::HttpStatus {
                    status: 502,
                    retry_after: None
                },
                unsafe_
            ),
            Verdict::Fatal
        );
        assert_eq!(
            classify(&Error::Transport(TransportError::timeout()), unsafe_),
            Verdict::Fatal
        );
        assert_eq!(classify(&api(30006), unsafe_), Verdict::Fatal);
        assert_eq!(retry(classify(&api(60007), unsafe_)).wait, Wait::Throttled);
        assert_eq!(classify(&api(70001), unsafe_), Verdict::Resign);
        assert!(
            retry(classify(
                &Error::HttpStatus {
                    status: 429,
                    retry_after: None
                },
                unsafe_
            ))
            .wait
                == Wait::Throttled
        );
    }

    #[test]
    fn retryable_items() {
        for code in [30006, 30007, 30008] {
            assert!(retry_item(ErrorCode(code), SAFE).is_some());
            assert_eq!(retry_item(ErrorCode(code), RetrySafety::Unsafe), None);
        }
        for code in [0, 30001, 30003, 30013, 31307] {
            assert_eq!(retry_item(ErrorCode(code), SAFE), None);
        }
        assert_eq!(
            retry_item(ErrorCode(60007), RetrySafety::Unsafe),
            Some(Wait::Throttled)
        );
    }
}
