//! Whether a request may be sent again after an attempt that may have been applied.

/// How safe it is to repeat a request whose first attempt may have reached the service.
///
/// Every API in the spec (`docs/spec/endpoints.txt`) has one; see [`Api::retry_safety`].
/// A client uses it to decide what to do after an ambiguous failure (a timeout, a broken
/// connection, an HTTP 5xx): the request may or may not have been applied.
///
/// ```
/// use im_protocol::{Api, RetrySafety};
///
/// assert_eq!(Api::BlackListAdd.retry_safety(), RetrySafety::Convergent);
/// assert_eq!(Api::BlackListGet.retry_safety(), RetrySafety::Read);
/// assert!(RetrySafety::Read.repeat_is_harmless());
/// assert!(!RetrySafety::Unsafe.repeat_is_harmless());
/// ```
///
/// [`Api::retry_safety`]: crate::Api::retry_safety
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RetrySafety {
    /// A set-like write (add to a set, remove from it): repeating it after an ambiguous
    /// attempt is harmless, and an answer saying the state already holds means done.
    Convergent,
    /// A read: it changes nothing, so repeating it is harmless.
    Read,
    /// A write that may act twice when repeated (sending a message, for example). Retried
    /// only when the request certainly never reached the service, or the service answered
    /// with a rate-limit code (it then did nothing).
    Unsafe,
}

impl RetrySafety {
    /// Whether sending the request again after an attempt that may have been applied
    /// leaves the service as one attempt would.
    pub const fn repeat_is_harmless(self) -> bool {
        matches!(self, RetrySafety::Convergent | RetrySafety::Read)
    }

    /// The spelling in the spec: `convergent`, `read` or `unsafe`.
    pub const fn as_str(self) -> &'static str {
        match self {
            RetrySafety::Convergent => "convergent",
            RetrySafety::Read => "read",
            RetrySafety::Unsafe => "unsafe",
        }
    }
}
