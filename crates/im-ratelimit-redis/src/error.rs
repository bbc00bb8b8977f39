//! The error type of the Redis rate limiter.

use std::time::Duration;

/// A boxed cause, so no foreign error type appears in the public API.
type Cause = Box<dyn std::error::Error + Send + Sync>;

/// Why the Redis rate limiter could not be set up, or could not grant a call through Redis.
///
/// With [`Unavailable::FallBackToLocal`](crate::Unavailable::FallBackToLocal) (the default),
/// failures while granting calls are handled inside the limiter and never reach the caller.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RedisLimiterError {
    /// The Redis URL could not be parsed or names an unsupported scheme.
    #[error("the Redis URL is invalid")]
    InvalidUrl(#[source] Cause),
    /// Redis could not be reached, or the connection broke.
    #[error("Redis could not be reached")]
    Unreachable(#[source] Cause),
    /// Redis did not answer within the operation timeout.
    #[error("Redis did not answer within {0:?}")]
    Timeout(Duration),
    /// Redis answered with an error: authentication, permissions, or the script itself.
    #[error("Redis rejected the rate-limit command")]
    Rejected(#[source] Cause),
    /// The rate-limit script answered with something other than the expected numbers.
    #[error("the rate-limit script gave an unexpected answer: {0}")]
    UnexpectedReply(String),
    /// The in-process pacer used during an outage failed.
    #[error("the in-process fallback pacer failed")]
    Fallback(#[source] Cause),
    /// The limiter was created outside a Tokio runtime.
    #[error("the Redis rate limiter needs a running Tokio runtime")]
    NoRuntime,
}

impl RedisLimiterError {
    /// Whether Redis could not be reached or did not answer in time (as opposed to
    /// answering with an error, or a configuration mistake).
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            RedisLimiterError::Unreachable(_) | RedisLimiterError::Timeout(_)
        )
    }

    /// Whether Redis did not answer within the operation timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(self, RedisLimiterError::Timeout(_))
    }

    /// Sorts an error of the `redis` crate into this crate's kinds.
    pub(crate) fn from_redis(error: redis::RedisError) -> Self {
        if error.kind() == redis::ErrorKind::InvalidClientConfig {
            RedisLimiterError::InvalidUrl(Box::new(error))
        } else if error.is_io_error()
            || error.is_connection_refusal()
            || error.is_connection_dropped()
            || error.is_timeout()
        {
            RedisLimiterError::Unreachable(Box::new(error))
        } else {
            RedisLimiterError::Rejected(Box::new(error))
        }
    }

    /// A one-line description with every cause, for logs.
    pub(crate) fn report(&self) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_mean_unreachable() {
        let io = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let error = RedisLimiterError::from_redis(redis::RedisError::from(io));
        assert!(error.is_unavailable());
        assert!(!error.is_timeout());
        assert!(error.report().starts_with("Redis could not be reached: "));
    }

    #[test]
    fn a_bad_url_is_a_configuration_error() {
        let error = RedisLimiterError::from_redis(
            redis::Client::open("http://example.invalid/").expect_err("not a Redis URL"),
        );
        assert!(matches!(error, RedisLimiterError::InvalidUrl(_)));
        assert!(!error.is_unavailable());
    }

    #[test]
    fn timeouts_are_unavailability() {
        let error = RedisLimiterError::Timeout(Duration::from_millis(500));
        assert!(error.is_unavailable());
        assert!(error.is_timeout());
        assert_eq!(error.to_string(), "Redis did not answer within 500ms");
    }
}
