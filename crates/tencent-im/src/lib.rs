#![cfg_attr(docsrs, feature(doc_cfg))]
#![doc = include_str!("../README.md")]
//!
//! # Layers
//!
//! Each layer is its own crate and is re-exported here as a module, so code can take one
//! layer at a time:
//!
//! - [`protocol`]: wire types, regions, API paths and the error-code catalog. No I/O.
//! - [`sig`]: UserSig generation and verification, and the caching [`Signer`]. No I/O.
//! - [`transport`]: the [`Transport`] trait, the hyper-based HTTPS transport, test doubles.
//! - [`client`]: the call engine behind every API family ([`Client::engine`]): pacing,
//!   signing, retries by each API's retry safety, failover; `call_json` reaches any endpoint.
//! - [`blocklist`]: the blocklist client behind [`Client::blocklist`].
//! - [`account`]: the account client behind [`Client::accounts`] (import, bulk import,
//!   delete, check).
//! - [`webhook`]: verified, typed blocklist webhooks (callbacks) and a handler for any HTTP
//!   framework. Its `hyper` and `axum` features, enabled on `im-webhook`, add a ready
//!   service and router.
//!
//! # Crate features
//!
//! - `hyper` (default): the HTTPS transport used when none is given (rustls on ring, webpki
//!   roots).
//! - `aws-lc-rs`: the same transport on rustls' aws-lc-rs provider; with default features
//!   off, ring is not built.
//! - `proxy`: `https` through an HTTP proxy (`HyperTransportBuilder::proxy`,
//!   `proxy_from_env` for `HTTPS_PROXY` / `NO_PROXY`).
//! - `rustls-native-certs`: the option to trust the operating system's root certificates
//!   (`HyperTransportBuilder::native_roots`).
//! - `metrics`: counters and a latency histogram of every call, through the `metrics`
//!   facade (see "Operating it" in the repository's README).
//! - `axum`: the webhook handler as a ready `axum::Router` (`webhook::axum`).
//! - `test-util`: the transport test doubles (`transport::test_util`).

use std::fmt;
use std::sync::Arc;

pub use im_account as account;
pub use im_blocklist as blocklist;
pub use im_client as client;
pub use im_protocol as protocol;
pub use im_sig as sig;
pub use im_transport as transport;
pub use im_webhook as webhook;

pub use im_account::Accounts;
pub use im_blocklist::{Blocklist, CheckOutcome, CheckType, Outcome, Relation};
pub use im_client::{AdaptivePacer, ApiInfo, Error, RateLimiter, RetryPolicy};
pub use im_protocol::{Endpoint, ErrorCode, Region};
pub use im_sig::{SecretKey, Signer};
pub use im_transport::Transport;

/// A `Result` with this SDK's call error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The default validity of the admin UserSig the client makes: one day. It is renewed
/// before it expires, so a long-running process never sends an expired one.
pub const DEFAULT_SIG_EXPIRE_SECS: u64 = 86_400;

/// A configured client of the Tencent Cloud Chat server REST API.
///
/// Cheap to clone; clones share the connection pool, the pacer and the cached UserSig.
/// Every API family goes through one engine ([`Client::engine`]).
#[derive(Clone)]
pub struct Client {
    blocklist: Blocklist,
    accounts: Accounts,
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The blocklist APIs.
    pub fn blocklist(&self) -> &Blocklist {
        &self.blocklist
    }

    /// The account APIs: import, bulk import, delete and check.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use tencent_im::{Client, Region};
    /// # use tencent_im::transport::test_util::ReplayTransport;
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let transport = Arc::new(ReplayTransport::new().then_json(200,
    /// #     r#"{"FailAccounts":[],"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}"#));
    /// let client = Client::builder()
    ///     .sdkappid(1_400_000_000)
    ///     .key("app key")
    ///     .region(Region::Singapore)
    /// #   .transport(transport)
    ///     .build()?;
    /// let outcome = client.accounts().import(["alice", "bob"]).await?;
    /// assert_eq!(outcome.succeeded, ["alice", "bob"]);
    /// # Ok(()) }
    /// ```
    pub fn accounts(&self) -> &Accounts {
        &self.accounts
    }

    /// The call engine, for any REST endpoint of the service
    /// ([`call_json`](im_client::Client::call_json)) with the same pacing, signing and retries.
    pub fn engine(&self) -> &im_client::Client {
        self.blocklist.client()
    }

    /// The signer making the admin UserSig; it can also sign for other users.
    pub fn signer(&self) -> &Signer {
        self.engine().signer()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("blocklist", &self.blocklist)
            .field("accounts", &self.accounts)
            .finish_non_exhaustive()
    }
}

/// Configures a [`Client`]. `sdkappid`, `key` and one of `region` or `endpoint` are
/// required; everything else has a default.
#[derive(Default)]
pub struct ClientBuilder {
    sdkappid: Option<u64>,
    key: Option<SecretKey>,
    admin: Option<String>,
    endpoint: Option<Endpoint>,
    transport: Option<Arc<dyn Transport>>,
    calls_per_second: Option<u32>,
    rate_limiter: Option<Arc<dyn RateLimiter>>,
    retry_policy: Option<RetryPolicy>,
    sig_expire: Option<u64>,
}

impl ClientBuilder {
    /// The app's SDKAppID.
    pub fn sdkappid(mut self, sdkappid: u64) -> Self {
        self.sdkappid = Some(sdkappid);
        self
    }

    /// The app's secret key, from the console.
    pub fn key(mut self, key: impl Into<SecretKey>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// The app admin account the requests are made as (default `administrator`).
    pub fn admin(mut self, admin: impl Into<String>) -> Self {
        self.admin = Some(admin.into());
        self
    }

    /// The region the app lives in; requests fail over to the region's backup host.
    pub fn region(mut self, region: Region) -> Self {
        self.endpoint = Some(Endpoint::region(region));
        self
    }

    /// A custom endpoint, e.g. a proxy or a local emulator.
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = Some(endpoint);
        self
    }

    /// The transport to send requests through (default: the hyper-based HTTPS transport,
    /// allowing plain http only for an endpoint created with
    /// [`Endpoint::custom_insecure_http`]).
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Calls per second per API for the in-process pacer (default: each API's documented
    /// limit, 200 for most and 100 for bulk account import and account check).
    pub fn calls_per_second(mut self, calls_per_second: u32) -> Self {
        self.calls_per_second = Some(calls_per_second);
        self
    }

    /// A rate limiter to use instead of the in-process pacer, e.g. one shared by processes.
    pub fn rate_limiter(mut self, limiter: Arc<dyn RateLimiter>) -> Self {
        self.rate_limiter = Some(limiter);
        self
    }

    /// The retry policy (default: [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = Some(policy);
        self
    }

    /// How long each admin UserSig is valid, in seconds (default one day).
    pub fn sig_expire(mut self, secs: u64) -> Self {
        self.sig_expire = Some(secs);
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<Client, BuildError> {
        let sdkappid = self.sdkappid.ok_or(BuildError::Missing("sdkappid"))?;
        let key = self.key.ok_or(BuildError::Missing("key"))?;
        let endpoint = self
            .endpoint
            .ok_or(BuildError::Missing("region or endpoint"))?;
        let admin = self.admin.unwrap_or_else(|| "administrator".to_owned());
        im_protocol::validate_user_id(&admin).map_err(BuildError::InvalidAdmin)?;
        let transport = match self.transport {
            Some(transport) => transport,
            None => default_transport(&endpoint)?,
        };
        let signer = Arc::new(
            Signer::new(sdkappid, admin, key)
                .with_expire(self.sig_expire.unwrap_or(DEFAULT_SIG_EXPIRE_SECS)),
        );
        let mut engine = im_client::Client::builder(signer, transport, endpoint);
        if let Some(rate) = self.calls_per_second {
            engine = engine.calls_per_second(rate);
        }
        if let Some(limiter) = self.rate_limiter {
            engine = engine.rate_limiter(limiter);
        }
        if let Some(policy) = self.retry_policy {
            engine = engine.retry_policy(policy);
        }
        let engine = engine.build();
        Ok(Client {
            blocklist: Blocklist::new(engine.clone()),
            accounts: Accounts::new(engine),
        })
    }
}

#[cfg(any(feature = "hyper", feature = "aws-lc-rs"))]
fn default_transport(endpoint: &Endpoint) -> Result<Arc<dyn Transport>, BuildError> {
    let transport = im_transport::HyperTransport::builder()
        .allow_plain_http(endpoint.is_plain_http())
        .build()
        .map_err(BuildError::Transport)?;
    Ok(Arc::new(transport))
}

#[cfg(not(any(feature = "hyper", feature = "aws-lc-rs")))]
fn default_transport(_endpoint: &Endpoint) -> Result<Arc<dyn Transport>, BuildError> {
    Err(BuildError::Missing(
        "transport (the `hyper` and `aws-lc-rs` features are off)",
    ))
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("sdkappid", &self.sdkappid)
            .field("key", &self.key)
            .field("admin", &self.admin)
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

/// Why a [`Client`] could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A required setting was not given.
    #[error("missing setting: {0}")]
    Missing(&'static str),
    /// The admin account is not a valid UserID.
    #[error("invalid admin account")]
    InvalidAdmin(#[source] im_protocol::UserIdError),
    /// The default transport could not be created.
    #[error("the HTTP transport could not be created")]
    Transport(#[source] im_transport::TransportError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_settings_are_named() {
        let error = Client::builder()
            .key("k")
            .region(Region::China)
            .build()
            .unwrap_err();
        assert_eq!(error.to_string(), "missing setting: sdkappid");
        let error = Client::builder()
            .sdkappid(1)
            .region(Region::China)
            .build()
            .unwrap_err();
        assert_eq!(error.to_string(), "missing setting: key");
        let error = Client::builder().sdkappid(1).key("k").build().unwrap_err();
        assert_eq!(error.to_string(), "missing setting: region or endpoint");
        let error = Client::builder()
            .sdkappid(1)
            .key("k")
            .admin("")
            .region(Region::China)
            .build()
            .unwrap_err();
        assert!(matches!(error, BuildError::InvalidAdmin(_)));
    }

    #[test]
    fn debug_hides_the_key() {
        let builder = Client::builder()
            .sdkappid(1)
            .key("very-secret-key")
            .region(Region::China);
        assert!(!format!("{builder:?}").contains("very-secret-key"));
        let client = builder.build().expect("complete configuration");
        assert!(!format!("{client:?}").contains("very-secret-key"));
    }
}
