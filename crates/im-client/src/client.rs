//! The client: its configuration, and the typed and JSON calls on top of the call pipeline.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use im_protocol::{ApiRequest, Endpoint};
use im_sig::Signer;
use im_transport::Transport;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument as _;

use crate::api::ApiInfo;
use crate::call::encode;
use crate::error::Error;
use crate::failover::Failover;
use crate::pace::{AdaptivePacer, RateLimiter};
use crate::retry::{RetryBudget, RetryPolicy};
use crate::telemetry::call_span;

/// A client of the Tencent Cloud Chat server REST API: one engine for every endpoint.
///
/// Every call goes the same way: the body is encoded once, then each attempt is paced,
/// signed, sent, and its answer decoded and classified; a failed attempt is retried as the
/// [`RetryPolicy`] and the API's retry safety allow. Cheap to clone; clones share the pacer,
/// the retry budget, the failover state and the cached UserSig.
///
/// Clients built without a rate limiter of their own share one budget per app and API in
/// the process ([`AdaptivePacer::shared`]). For one call with another deadline or retry
/// policy, take a copy with [`with_deadline`](Self::with_deadline) or
/// [`with_retry_policy`](Self::with_retry_policy).
///
/// ```
/// use std::sync::Arc;
/// use im_client::Client;
/// use im_protocol::{Endpoint, Region};
/// use im_sig::{SecretKey, Signer};
/// use im_transport::test_util::ReplayTransport;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), im_client::Error> {
/// let transport = Arc::new(ReplayTransport::new().then_json(
///     200,
///     r#"{"ResultItem":[{"UserID":"bob","ResultCode":0,"ResultInfo":"","AccountStatus":"Imported"}],
///         "ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}"#,
/// ));
/// let signer = Signer::new(1_400_000_000, "administrator", SecretKey::from("app key"));
/// let client = Client::builder(signer, transport, Endpoint::region(Region::Singapore)).build();
///
/// // Any endpoint, with the same signing, pacing and retries.
/// let answer = client
///     .call_json(
///         "v4/im_open_login_svc/account_check",
///         &serde_json::json!({"CheckItem": [{"UserID": "bob"}]}),
///     )
///     .await?;
/// assert_eq!(answer["ResultItem"][0]["AccountStatus"], "Imported");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
    pub(crate) policy: RetryPolicy,
}

/// What every call of a client shares.
pub(crate) struct Inner {
    pub(crate) transport: Arc<dyn Transport>,
    pub(crate) signer: Arc<Signer>,
    pub(crate) limiter: Arc<dyn RateLimiter>,
    pub(crate) budget: RetryBudget,
    pub(crate) failover: Failover,
}

/// Builds a [`Client`].
pub struct ClientBuilder {
    signer: Arc<Signer>,
    transport: Arc<dyn Transport>,
    endpoint: Endpoint,
    limiter: Option<Arc<dyn RateLimiter>>,
    calls_per_second: Option<u32>,
    policy: RetryPolicy,
}

impl Client {
    /// Starts building a client that signs with `signer`, sends through `transport`,
    /// and talks to `endpoint`.
    pub fn builder(
        signer: impl Into<Arc<Signer>>,
        transport: Arc<dyn Transport>,
        endpoint: Endpoint,
    ) -> ClientBuilder {
        ClientBuilder {
            signer: signer.into(),
            transport,
            endpoint,
            limiter: None,
            calls_per_second: None,
            policy: RetryPolicy::default(),
        }
    }

    /// The app this client calls for.
    pub fn sdkappid(&self) -> u64 {
        self.inner.signer.sdkappid()
    }

    /// The signer making the admin UserSig.
    pub fn signer(&self) -> &Signer {
        &self.inner.signer
    }

    /// The retry policy in use.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// A copy of this client whose calls use `policy`; it shares everything else (pacer,
    /// retry budget, failover state, UserSig) with this one.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use im_client::{Client, RetryPolicy};
    /// # use im_protocol::{Endpoint, Region};
    /// # use im_sig::{SecretKey, Signer};
    /// # use im_transport::test_util::ReplayTransport;
    /// # let signer = Signer::new(1_400_000_000, "administrator", SecretKey::from("app key"));
    /// # let client = Client::builder(signer, Arc::new(ReplayTransport::new()), Endpoint::region(Region::Singapore)).build();
    /// let patient = client.with_retry_policy(RetryPolicy::default().with_max_attempts(10));
    /// assert_eq!(patient.retry_policy().max_attempts(), 10);
    /// assert_eq!(client.retry_policy().max_attempts(), 5);
    /// ```
    #[must_use]
    pub fn with_retry_policy(&self, policy: RetryPolicy) -> Client {
        Client {
            inner: Arc::clone(&self.inner),
            policy,
        }
    }

    /// A copy of this client whose requests may take `deadline` each, all attempts
    /// included; everything else is shared with this one.
    #[must_use]
    pub fn with_deadline(&self, deadline: std::time::Duration) -> Client {
        self.with_retry_policy(self.policy.clone().with_deadline(deadline))
    }

    /// The `im.call` span of a call of `api` with `accounts` items, for an API family that
    /// wraps [`batch`](Self::batch) and records its account buckets
    /// ([`telemetry::record_buckets`](crate::telemetry::record_buckets)).
    pub fn call_span(&self, api: &ApiInfo, accounts: usize) -> tracing::Span {
        call_span(self.sdkappid(), api.name(), accounts)
    }

    /// Calls the API of `request` (an API of the spec) and decodes its typed answer.
    ///
    /// The request is retried as the API's retry safety allows; a failed response
    /// (`ActionStatus` `FAIL`) that is not retried ends as [`Error::Api`].
    pub async fn call<R: ApiRequest>(&self, request: &R) -> Result<R::Response, Error> {
        self.call_api(&ApiInfo::from(R::API), request).await
    }

    /// Calls any API with a serializable body and decodes the answer into `Resp`.
    ///
    /// Describe an API outside the spec with [`ApiInfo::custom`] (and its retry safety,
    /// when a repeated request cannot act twice).
    pub async fn call_api<Req, Resp>(&self, api: &ApiInfo, body: &Req) -> Result<Resp, Error>
    where
        Req: Serialize + ?Sized,
        Resp: DeserializeOwned,
    {
        let body = Bytes::from(encode(body)?);
        self.run(api, body, |bytes| {
            im_protocol::decode_response::<Resp>(bytes).map_err(decode_error)
        })
        .instrument(self.call_span(api, 0))
        .await
    }

    /// Calls the endpoint at `path` (e.g. `v4/openim/sendmsg`) with a JSON body, and
    /// returns the answer's own fields (the status fields are checked and left out).
    ///
    /// A path of the spec keeps its described limits and retry safety; any other path is
    /// treated as `unsafe`: retried only when the request certainly never reached the
    /// service, or was answered with a rate-limit code. Use [`call_api`](Self::call_api)
    /// with [`ApiInfo::custom`] to say otherwise.
    pub async fn call_json(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<serde_json::Value, Error> {
        let api = ApiInfo::custom(path)?;
        self.call_api(&api, body).await
    }
}

/// Sorts a decoding failure: the service's own error, or a body that is not a response.
pub(crate) fn decode_error(error: im_protocol::Error) -> Error {
    match error {
        im_protocol::Error::Api(api_error) => Error::Api(api_error),
        other => Error::Decode(other),
    }
}

impl ClientBuilder {
    /// Paces calls at `calls_per_second` per API with an in-process [`AdaptivePacer`] of
    /// this client's own (default: each API's documented limit, in the process-wide
    /// [`AdaptivePacer::shared`]).
    pub fn calls_per_second(mut self, calls_per_second: u32) -> Self {
        self.calls_per_second = Some(calls_per_second);
        self
    }

    /// Uses another rate limiter, e.g. one shared by several processes.
    pub fn rate_limiter(mut self, limiter: Arc<dyn RateLimiter>) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// Sets the retry policy.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Builds the client.
    pub fn build(self) -> Client {
        let limiter = self.limiter.unwrap_or_else(|| match self.calls_per_second {
            Some(rate) => Arc::new(AdaptivePacer::new(rate)),
            None => AdaptivePacer::shared(),
        });
        let (primary, backup) = self.endpoint.base_urls();
        Client {
            inner: Arc::new(Inner {
                transport: self.transport,
                signer: self.signer,
                limiter,
                budget: RetryBudget::new(self.policy.budget()),
                failover: Failover::new(primary, backup),
            }),
            policy: self.policy,
        }
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("signer", &self.inner.signer)
            .field("transport", &self.inner.transport)
            .field("limiter", &self.inner.limiter)
            .field("policy", &self.policy)
            .field("primary", &self.inner.failover.primary)
            .field("backup", &self.inner.failover.backup)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("signer", &self.signer)
            .field("endpoint", &self.endpoint)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}
