//! A fake blocklist service on top of `FnTransport`, and helpers to build clients against it.
//!
//! The service decodes every request with `im_protocol::decode_json`, records it with the
//! virtual time it arrived at, and answers with whatever the test's handler returns, encoded
//! as the service would encode it (`im_protocol::Envelope`).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use im_blocklist::{Blocklist, BlocklistBuilder};
use im_protocol::{
    AccountResult, Api, BlocklistEntry, CheckBlocklistResponse, CheckItem, Endpoint, Envelope,
    ErrorCode, GetBlocklistResponse, Region, Relation, UpdateBlocklistResponse, encode_json,
};
use im_sig::{SecretKey, Signer};
use im_transport::TransportError;
use im_transport::test_util::{FnTransport, RecordedRequest};
use serde::de::DeserializeOwned;
use tokio::time::Instant;

/// The app key every test signs with; it must never show up in output.
pub(crate) const KEY: &str = "k3y-5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";
/// The SDKAppID of the tests.
pub(crate) const APP: u64 = 1_400_000_000;
/// The administrator identifier of the tests.
pub(crate) const ADMIN: &str = "administrator";
/// The region the tests talk to.
pub(crate) const REGION: Region = Region::Singapore;

/// A signer for the test app, on the system clock.
pub(crate) fn signer() -> Signer {
    Signer::new(APP, ADMIN, SecretKey::from(KEY))
}

/// A client builder with the test signer, talking to `service` in [`REGION`], paced at the
/// documented rates by a pacer of its own: the process-wide pacer would be shared with the
/// tests running beside it, each on its own paused clock.
pub(crate) fn builder(service: &FakeService) -> BlocklistBuilder {
    Blocklist::builder(signer(), service.transport(), Endpoint::region(REGION)).rate_limiter(
        std::sync::Arc::new(im_blocklist::AdaptivePacer::documented()),
    )
}

/// A client with default settings talking to `service`.
pub(crate) fn client(service: &FakeService) -> Blocklist {
    builder(service).build()
}

/// `n` distinct, valid account names with a prefix.
pub(crate) fn accounts(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i:05}")).collect()
}

/// The handler that computes an answer for each request.
type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

/// A fake service: records every request and answers through a handler.
///
/// Clones share the record, so keep one to inspect after giving the transport away.
#[derive(Clone)]
pub(crate) struct FakeService {
    log: Arc<Mutex<Vec<Request>>>,
    handler: Arc<Handler>,
    latency: Duration,
}

/// One request as the fake service received it.
#[derive(Clone, Debug)]
pub(crate) struct Request {
    /// Its position in arrival order, from 0.
    pub(crate) index: usize,
    /// The virtual time it arrived at.
    pub(crate) at: Instant,
    /// The API its path names.
    pub(crate) api: Option<Api>,
    /// The request itself.
    pub(crate) recorded: RecordedRequest,
}

/// What the fake service does with one request.
#[derive(Debug)]
pub(crate) enum Reply {
    /// Answers with a status and a body.
    Http(u16, Bytes),
    /// Fails at the transport level.
    Fail(TransportError),
}

impl FakeService {
    /// A service answering every request with `handler`.
    pub(crate) fn new(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Self {
        FakeService {
            log: Arc::default(),
            handler: Arc::new(handler),
            latency: Duration::ZERO,
        }
    }

    /// A service that accepts every account of every add or delete, and answers nothing else.
    pub(crate) fn accepting() -> Self {
        FakeService::new(|request| Reply::update(request.to_accounts().iter().map(|a| (a, 0))))
    }

    /// The same service, taking `latency` (virtual time) to answer each request.
    pub(crate) fn with_latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// A transport that sends requests to this service.
    pub(crate) fn transport(&self) -> Arc<FnTransport> {
        let service = self.clone();
        Arc::new(FnTransport::new(move |request| {
            let service = service.clone();
            async move { service.answer(request).await }
        }))
    }

    async fn answer(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        let request = {
            let mut log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
            let recorded = RecordedRequest::from_request(request);
            let request = Request {
                index: log.len(),
                at: Instant::now(),
                api: Api::from_path(recorded.uri.path()),
                recorded,
            };
            log.push(request.clone());
            request
        };
        let reply = (self.handler)(&request);
        if !self.latency.is_zero() {
            tokio::time::sleep(self.latency).await;
        }
        match reply {
            Reply::Http(status, body) => {
                let status = http::StatusCode::from_u16(status)
                    .map_err(|error| TransportError::other(error.to_string()))?;
                Ok(im_transport::test_util::json_response(status, body))
            }
            Reply::Fail(error) => Err(error),
        }
    }

    /// Every request received so far, in arrival order.
    pub(crate) fn requests(&self) -> Vec<Request> {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How many requests were received.
    pub(crate) fn count(&self) -> usize {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

impl Request {
    /// Decodes the body as `T`.
    pub(crate) fn body<T: DeserializeOwned>(&self) -> T {
        im_protocol::decode_json(&self.recorded.body).expect("the client sends valid JSON")
    }

    /// The `From_Account` of the body.
    pub(crate) fn owner(&self) -> String {
        let body: serde_json::Value = self.body();
        body["From_Account"]
            .as_str()
            .expect("every request names a From_Account")
            .to_owned()
    }

    /// The `To_Account` list of the body (empty for `black_list_get`).
    pub(crate) fn to_accounts(&self) -> Vec<String> {
        let body: serde_json::Value = self.body();
        body["To_Account"]
            .as_array()
            .map(|accounts| {
                accounts
                    .iter()
                    .map(|account| account.as_str().expect("accounts are strings").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The host the request was sent to.
    pub(crate) fn host(&self) -> &str {
        self.recorded.uri.host().expect("requests carry a host")
    }

    /// The `usersig` query value.
    pub(crate) fn usersig(&self) -> &str {
        self.recorded
            .query_param("usersig")
            .expect("requests carry a usersig")
    }
}

impl Reply {
    /// An `ActionStatus: OK` answer with `body`.
    pub(crate) fn ok<T: serde::Serialize>(body: T) -> Reply {
        Reply::json(&Envelope::ok(body))
    }

    /// An `ActionStatus: FAIL` answer with `code`.
    pub(crate) fn fail(code: i64, info: &str) -> Reply {
        Reply::json(&Envelope::<UpdateBlocklistResponse>::fail(
            ErrorCode(code),
            info,
        ))
    }

    /// An add or delete answer: one result per `(account, code)`, with the service's
    /// usual `ResultInfo` for the code.
    pub(crate) fn update<A: AsRef<str>>(items: impl IntoIterator<Item = (A, i64)>) -> Reply {
        Reply::ok(UpdateBlocklistResponse::new(
            items
                .into_iter()
                .map(|(account, code)| {
                    AccountResult::new(account.as_ref(), code, result_info(code))
                })
                .collect(),
        ))
    }

    /// A check answer: one result per `(account, relation, code)`.
    pub(crate) fn check<A: AsRef<str>>(
        items: impl IntoIterator<Item = (A, Relation, i64)>,
    ) -> Reply {
        Reply::ok(CheckBlocklistResponse::new(
            items
                .into_iter()
                .map(|(account, relation, code)| {
                    CheckItem::new(account.as_ref(), relation, code, result_info(code))
                })
                .collect(),
        ))
    }

    /// A `black_list_get` page with `accounts` and the next `start_index` (0: the end).
    pub(crate) fn page<A: AsRef<str>>(accounts: &[A], start_index: u32) -> Reply {
        Reply::ok(
            GetBlocklistResponse::new(
                accounts
                    .iter()
                    .map(|account| BlocklistEntry::new(account.as_ref(), 1_700_000_000))
                    .collect(),
                start_index,
            )
            .with_current_sequence(7),
        )
    }

    /// An answer with `status` and a raw `body`.
    pub(crate) fn raw(status: u16, body: &'static str) -> Reply {
        Reply::Http(status, Bytes::from_static(body.as_bytes()))
    }

    fn json<T: serde::Serialize>(envelope: &T) -> Reply {
        Reply::Http(
            200,
            Bytes::from(encode_json(envelope).expect("envelopes encode")),
        )
    }
}

/// The `ResultInfo` the service sends with a per-account code.
fn result_info(code: i64) -> &'static str {
    match code {
        0 => "",
        30001 | 31307 => "Err_SNS_BlackListAdd_Already_Exist",
        30003 => "Err_SNS_Account_Not_Exist",
        30006 => "Err_SNS_Internal",
        30007 => "Err_SNS_Timeout",
        30008 => "Err_SNS_Write_Conflict",
        _ => "Err_SNS_Unknown",
    }
}
