//! The account client and its builder: the engine plus the accounts' own settings.

use std::sync::Arc;

use im_client::{Client, ClientBuilder, RateLimiter, RetryPolicy};
use im_protocol::Endpoint;
use im_sig::Signer;
use im_transport::Transport;

/// How many requests a call keeps in flight by default: enough to reach 100 calls/s at
/// 300 ms per call.
pub(crate) const DEFAULT_MAX_IN_FLIGHT: usize = 32;

/// The account client: import, bulk import, delete and check. Cheap to clone; clones
/// share the engine: its pacer, retry budget and cached UserSig.
///
/// ```
/// use std::sync::Arc;
/// use im_account::Accounts;
/// use im_protocol::{Endpoint, Region};
/// use im_sig::{SecretKey, Signer};
/// use im_transport::test_util::ReplayTransport;
///
/// let signer = Signer::new(1_400_000_000, "administrator", SecretKey::from("app key"));
/// let transport = Arc::new(ReplayTransport::new());
/// let accounts = Accounts::builder(signer, transport, Endpoint::region(Region::Singapore))
///     .max_in_flight(8)
///     .build();
/// # let _ = accounts;
/// ```
#[derive(Clone, Debug)]
pub struct Accounts {
    pub(crate) client: Client,
    pub(crate) max_in_flight: usize,
}

/// Builds an [`Accounts`] client.
#[derive(Debug)]
pub struct AccountsBuilder {
    client: ClientBuilder,
    max_in_flight: usize,
}

impl Accounts {
    /// Starts building a client that signs with `signer`, sends through `transport`, and
    /// talks to `endpoint`.
    pub fn builder(
        signer: impl Into<Arc<Signer>>,
        transport: Arc<dyn Transport>,
        endpoint: Endpoint,
    ) -> AccountsBuilder {
        AccountsBuilder {
            client: Client::builder(signer, transport, endpoint),
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
        }
    }

    /// The account APIs on an engine that is already configured (and may serve other API
    /// families too), with the default concurrency.
    pub fn new(client: Client) -> Self {
        Accounts {
            client,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
        }
    }

    /// The same client keeping at most `requests` requests of one call in flight (at
    /// least 1).
    #[must_use]
    pub fn with_max_in_flight(mut self, requests: usize) -> Self {
        self.max_in_flight = requests.max(1);
        self
    }

    /// The engine the calls go through.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// A copy whose calls use `policy`; it shares the pacer, the retry budget and the
    /// UserSig with this one. For one call: `accounts.with_retry_policy(p).check(..)`.
    #[must_use]
    pub fn with_retry_policy(&self, policy: RetryPolicy) -> Accounts {
        Accounts {
            client: self.client.with_retry_policy(policy),
            ..self.clone()
        }
    }

    /// A copy whose requests may take `deadline` each, all attempts included.
    #[must_use]
    pub fn with_deadline(&self, deadline: std::time::Duration) -> Accounts {
        Accounts {
            client: self.client.with_deadline(deadline),
            ..self.clone()
        }
    }
}

impl AccountsBuilder {
    /// Paces calls at `calls_per_second` per API with the in-process
    /// [`AdaptivePacer`](im_client::AdaptivePacer) (default: each API's documented limit,
    /// 100 calls/s for bulk import and check, 200 for import and delete).
    pub fn calls_per_second(mut self, calls_per_second: u32) -> Self {
        self.client = self.client.calls_per_second(calls_per_second);
        self
    }

    /// Uses another rate limiter, e.g. one shared by several processes.
    pub fn rate_limiter(mut self, limiter: Arc<dyn RateLimiter>) -> Self {
        self.client = self.client.rate_limiter(limiter);
        self
    }

    /// Sets the retry policy.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.client = self.client.retry_policy(policy);
        self
    }

    /// Sets how many requests one call keeps in flight (default 32). Requests of one call
    /// carry different accounts, so they never conflict.
    pub fn max_in_flight(mut self, requests: usize) -> Self {
        self.max_in_flight = requests.max(1);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Accounts {
        Accounts {
            client: self.client.build(),
            max_in_flight: self.max_in_flight,
        }
    }
}
