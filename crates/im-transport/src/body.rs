//! Reading a whole response body under the size cap, for the adapters.

use bytes::Bytes;
use http_body::Body;
use http_body_util::{BodyExt as _, LengthLimitError, Limited};

use crate::TransportError;
use crate::error::BoxError;

/// The default cap on a response body: 4 MiB, as for the hyper transport.
pub(crate) const DEFAULT_MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// Reads all of `body`, failing with [`TransportError::too_large`] past `limit` bytes (before
/// reading anything when the body declares a larger length). Any other read error becomes
/// `on_error(error)`.
pub(crate) async fn collect_limited<B>(
    body: B,
    limit: usize,
    on_error: impl FnOnce(BoxError) -> TransportError,
) -> Result<Bytes, TransportError>
where
    B: Body,
    B::Error: Into<BoxError>,
{
    if body.size_hint().lower() > u64::try_from(limit).unwrap_or(u64::MAX) {
        return Err(TransportError::too_large(limit));
    }
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.is::<LengthLimitError>() => Err(TransportError::too_large(limit)),
        Err(error) => Err(on_error(error)),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::convert::Infallible;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use http_body::Frame;
    use http_body_util::Full;

    use super::*;

    /// A body of several chunks that does not declare its length.
    struct Chunks(VecDeque<&'static [u8]>);

    impl Body for Chunks {
        type Data = Bytes;
        type Error = Infallible;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
            Poll::Ready(
                self.0
                    .pop_front()
                    .map(|part| Ok(Frame::data(Bytes::from_static(part)))),
            )
        }
    }

    fn chunks(parts: &[&'static [u8]]) -> Chunks {
        Chunks(parts.iter().copied().collect())
    }

    #[tokio::test]
    async fn a_body_at_the_cap_is_read_and_one_past_it_is_too_large() {
        let at_cap = collect_limited(chunks(&[b"0123", b"4567"]), 8, TransportError::body).await;
        assert_eq!(at_cap.ok().as_deref(), Some(&b"01234567"[..]));

        let past = collect_limited(chunks(&[b"0123", b"45678"]), 8, TransportError::body).await;
        assert!(past.is_err_and(|error| error.is_too_large()));
    }

    #[tokio::test]
    async fn a_declared_length_past_the_cap_fails_before_reading() {
        let declared = Full::new(Bytes::from_static(b"0123456789"));
        let error = collect_limited(declared, 8, TransportError::body).await;
        assert!(error.is_err_and(|error| error.is_too_large()));
    }
}
