//! Clients against transport doubles.

use std::sync::Arc;
use std::time::Duration;

use im_client::{Client, ClientBuilder, Endpoint, RetryPolicy, SecretKey, Signer, Unlimited};
use im_transport::Transport;

/// The SDKAppID of the tests.
pub(crate) const APP: u64 = 1_400_000_000;

/// A client builder talking to `transport` with no pacing and short backoffs.
pub(crate) fn builder(transport: Arc<dyn Transport>) -> ClientBuilder {
    let signer = Signer::new(APP, "administrator", SecretKey::from("app key"));
    Client::builder(signer, transport, endpoint())
        .rate_limiter(Arc::new(Unlimited))
        .retry_policy(
            RetryPolicy::default()
                .with_backoff(Duration::from_millis(10), Duration::from_millis(100)),
        )
}

/// The body of a successful answer with the given fields.
pub(crate) fn ok(fields: &str) -> String {
    let separator = if fields.is_empty() { "" } else { "," };
    format!(r#"{{{fields}{separator}"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}}"#)
}

/// The body of a failed answer.
pub(crate) fn fail(code: i64) -> String {
    format!(r#"{{"ActionStatus":"FAIL","ErrorCode":{code},"ErrorInfo":"test"}}"#)
}

/// A custom endpoint with no backup host.
pub(crate) fn endpoint() -> Endpoint {
    Endpoint::custom("https://im.example.com").expect("a valid https URL")
}
