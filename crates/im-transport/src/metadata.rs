//! What a caller tells a transport about a request, as an `http::Request` extension.

use std::borrow::Cow;
use std::time::Duration;

/// Facts about one request that a transport may read: which API it calls, which attempt it
/// is, whether it may be repeated, and how much time is left.
///
/// The engine (`im-client`) puts one in the extensions of every request it sends, so a
/// transport that counts, logs or times requests needs no path parsing:
///
/// ```
/// use bytes::Bytes;
/// use im_transport::{RequestMetadata, RetrySafety};
///
/// fn label(request: &http::Request<Bytes>) -> String {
///     match RequestMetadata::of(request) {
///         Some(meta) => format!("{} attempt {} ({})", meta.api(), meta.attempt(), meta.retry_safety()),
///         None => "unlabelled".to_owned(),
///     }
/// }
///
/// let mut request = http::Request::new(Bytes::new());
/// request
///     .extensions_mut()
///     .insert(RequestMetadata::new("BlackListAdd", 2, RetrySafety::Convergent));
/// assert_eq!(label(&request), "BlackListAdd attempt 2 (convergent)");
/// ```
///
/// It holds no secret: the UserSig stays in the URI (see [`redact_uri`](crate::redact_uri)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestMetadata {
    api: Cow<'static, str>,
    attempt: u32,
    retry_safety: RetrySafety,
    remaining_deadline: Option<Duration>,
    attempt_timeout: Option<Duration>,
    request_id: Option<u32>,
}

impl RequestMetadata {
    /// Metadata of attempt `attempt` (counted from 1) of a request to `api`, a short name
    /// for logs and metrics (the engine uses the API's name, or its path for an endpoint it
    /// does not describe).
    pub fn new(api: impl Into<Cow<'static, str>>, attempt: u32, retry_safety: RetrySafety) -> Self {
        Self {
            api: api.into(),
            attempt,
            retry_safety,
            remaining_deadline: None,
            attempt_timeout: None,
            request_id: None,
        }
    }

    /// The same metadata with the time left before the whole call's deadline.
    #[must_use]
    pub fn with_remaining_deadline(mut self, remaining: Duration) -> Self {
        self.remaining_deadline = Some(remaining);
        self
    }

    /// The same metadata with the time this attempt may take before the caller gives up on it.
    #[must_use]
    pub fn with_attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// The same metadata with the id of the request (the engine's `random` query parameter,
    /// which the service's support can look up).
    #[must_use]
    pub fn with_request_id(mut self, request_id: u32) -> Self {
        self.request_id = Some(request_id);
        self
    }

    /// The metadata carried by `request`, if its sender attached any.
    pub fn of<B>(request: &http::Request<B>) -> Option<&RequestMetadata> {
        request.extensions().get()
    }

    /// The API's short name.
    pub fn api(&self) -> &str {
        &self.api
    }

    /// Which attempt of the call this request is, from 1.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// Whether the request may be sent again after an attempt that may have been applied.
    pub fn retry_safety(&self) -> RetrySafety {
        self.retry_safety
    }

    /// The time that was left before the call's deadline when the request was handed to the
    /// transport. The caller abandons the request after it, whatever the transport does.
    pub fn remaining_deadline(&self) -> Option<Duration> {
        self.remaining_deadline
    }

    /// How long this attempt may take (never more than the remaining deadline); the caller
    /// abandons it after that.
    pub fn attempt_timeout(&self) -> Option<Duration> {
        self.attempt_timeout
    }

    /// The request's id, when the sender gave one.
    pub fn request_id(&self) -> Option<u32> {
        self.request_id
    }
}

/// How safe it is to repeat a request whose first attempt may have reached the server.
///
/// The transport-side spelling of the engine's retry safety (`im_protocol::RetrySafety`):
/// this crate depends on no other crate of the SDK, and the engine converts one to the other.
/// A transport that retries on its own must repeat only requests where
/// [`repeat_is_harmless`](Self::repeat_is_harmless) holds, and should not retry at all
/// under the engine, which already does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RetrySafety {
    /// A set-like write (add to a set, remove from it): repeating it is harmless.
    Convergent,
    /// A read: it changes nothing.
    Read,
    /// A write that may act twice when repeated (sending a message, for example).
    Unsafe,
}

impl RetrySafety {
    /// Whether sending the request again after an attempt that may have been applied leaves
    /// the server as one attempt would.
    pub const fn repeat_is_harmless(self) -> bool {
        matches!(self, RetrySafety::Convergent | RetrySafety::Read)
    }

    /// A label for logs and metrics: `convergent`, `read` or `unsafe`.
    pub const fn as_str(self) -> &'static str {
        match self {
            RetrySafety::Convergent => "convergent",
            RetrySafety::Read => "read",
            RetrySafety::Unsafe => "unsafe",
        }
    }
}

impl std::fmt::Display for RetrySafety {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_without_metadata_has_none() {
        let request = http::Request::new(());
        assert_eq!(RequestMetadata::of(&request), None);
    }

    #[test]
    fn metadata_survives_a_change_of_body_type() {
        let meta = RequestMetadata::new("v4/openim/sendmsg", 1, RetrySafety::Unsafe)
            .with_remaining_deadline(Duration::from_secs(30))
            .with_attempt_timeout(Duration::from_secs(10))
            .with_request_id(7);
        let mut request = http::Request::new(bytes::Bytes::new());
        request.extensions_mut().insert(meta.clone());
        // Adapters convert the body; the extension goes with the request.
        let request = request.map(|body| body.to_vec());
        assert_eq!(RequestMetadata::of(&request), Some(&meta));
        assert_eq!(meta.attempt_timeout(), Some(Duration::from_secs(10)));
        assert_eq!(meta.request_id(), Some(7));
        assert!(!meta.retry_safety().repeat_is_harmless());
    }
}
