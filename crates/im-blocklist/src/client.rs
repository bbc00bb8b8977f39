//! The blocklist client and its builder: the engine plus the blocklist's own settings.

use std::sync::Arc;

use im_client::{Client, ClientBuilder, RateLimiter, RetryPolicy};
use im_protocol::{Endpoint, limits};
use im_sig::Signer;
use im_transport::Transport;

/// The most entries one `black_list_get` call may return.
pub(crate) const MAX_PAGE_SIZE: u32 = limits::MAX_BLOCKLIST_PAGE_SIZE;

/// The blocklist client. Cheap to clone; clones share the engine: its pacer, retry budget
/// and cached UserSig.
///
/// ```
/// use std::sync::Arc;
/// use im_blocklist::Blocklist;
/// use im_protocol::{Endpoint, Region};
/// use im_sig::{SecretKey, Signer};
/// use im_transport::test_util::ReplayTransport;
///
/// let signer = Signer::new(1_400_000_000, "administrator", SecretKey::from("app key"));
/// let transport = Arc::new(ReplayTransport::new());
/// let blocklist = Blocklist::builder(signer, transport, Endpoint::region(Region::Singapore))
///     .calls_per_second(100)
///     .build();
/// # let _ = blocklist;
/// ```
#[derive(Clone, Debug)]
pub struct Blocklist {
    pub(crate) client: Client,
    pub(crate) max_in_flight: usize,
    pub(crate) page_size: u32,
}

/// Builds a [`Blocklist`].
#[derive(Debug)]
pub struct BlocklistBuilder {
    client: ClientBuilder,
    max_in_flight: usize,
    page_size: u32,
}

impl Blocklist {
    /// Starts building a client that signs with `signer`, sends through `transport`,
    /// and talks to `endpoint`.
    pub fn builder(
        signer: impl Into<Arc<Signer>>,
        transport: Arc<dyn Transport>,
        endpoint: Endpoint,
    ) -> BlocklistBuilder {
        BlocklistBuilder {
            client: Client::builder(signer, transport, endpoint),
            max_in_flight: 64,
            page_size: MAX_PAGE_SIZE,
        }
    }

    /// The blocklist APIs on an engine that is already configured (and may serve other
    /// API families too), with the default import concurrency and page size.
    pub fn new(client: Client) -> Self {
        Blocklist {
            client,
            max_in_flight: 64,
            page_size: MAX_PAGE_SIZE,
        }
    }

    /// The engine the calls go through.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The retry policy in use.
    pub fn retry_policy(&self) -> &RetryPolicy {
        self.client.retry_policy()
    }

    /// A copy whose calls use `policy`; it shares the pacer, the retry budget and the
    /// UserSig with this one. For one call: `blocklist.with_retry_policy(p).add(..)`.
    #[must_use]
    pub fn with_retry_policy(&self, policy: RetryPolicy) -> Blocklist {
        Blocklist {
            client: self.client.with_retry_policy(policy),
            ..self.clone()
        }
    }

    /// A copy whose requests may take `deadline` each, all attempts included.
    #[must_use]
    pub fn with_deadline(&self, deadline: std::time::Duration) -> Blocklist {
        Blocklist {
            client: self.client.with_deadline(deadline),
            ..self.clone()
        }
    }
}

impl BlocklistBuilder {
    /// Paces calls at `calls_per_second` per API with the in-process
    /// [`AdaptivePacer`](im_client::AdaptivePacer) (default: each API's documented limit,
    /// 200 calls/s).
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

    /// Sets how many calls [`import`](Blocklist::import) keeps in flight (default 64,
    /// enough to reach 200 calls/s at 300 ms per call).
    pub fn max_in_flight(mut self, calls: usize) -> Self {
        self.max_in_flight = calls.max(1);
        self
    }

    /// Sets how many entries [`list`](Blocklist::list) asks for per page (1 to 1000,
    /// default 1000).
    pub fn page_size(mut self, entries: u32) -> Self {
        self.page_size = entries.clamp(limits::MIN_BLOCKLIST_PAGE_SIZE, MAX_PAGE_SIZE);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Blocklist {
        Blocklist {
            client: self.client.build(),
            max_in_flight: self.max_in_flight,
            page_size: self.page_size,
        }
    }
}
