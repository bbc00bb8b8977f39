//! Blocklist webhooks: the signed callbacks the emulator sends after a change, and their log.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Method, Uri, header};
use im_transport::{HyperTransport, Transport};
use im_webhook::{Callback, Event, Pair, Token};

use crate::{Emulator, EmulatorError};

/// How long the emulator waits for the application to answer a callback: 2 seconds, the
/// service's documented webhook timeout.
pub const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(2);

/// How long the emulator waits for a connection to the application.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// The largest answer the emulator reads from the application; it only looks at the status.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// One callback the emulator sent, as listed by [`Emulator::callbacks`].
///
/// Entries are recorded when the write that caused them is applied, so their order is the
/// order of the changes, and their [`outcome`](Self::outcome) is filled in once the
/// application answered or the attempt failed.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct SentCallback {
    /// The event: [`Event::BlocklistAdded`] or [`Event::BlocklistRemoved`] with the pairs
    /// the request actually changed, in request order.
    pub event: Event,
    /// The `RequestTime` it was signed with: the emulator's clock at the change.
    pub request_time: u64,
    /// What became of it.
    pub outcome: CallbackOutcome,
}

impl SentCallback {
    /// The `CallbackCommand`, e.g. `Sns.CallbackBlackListAdd`.
    pub fn command(&self) -> &str {
        self.event.command()
    }

    /// The pairs of the `PairList`.
    pub fn pairs(&self) -> &[Pair] {
        self.event.pairs().unwrap_or_default()
    }

    /// The HTTP status the application answered with, once it answered.
    pub fn status(&self) -> Option<u16> {
        match self.outcome {
            CallbackOutcome::Answered { status } => Some(status),
            CallbackOutcome::Pending | CallbackOutcome::Failed => None,
        }
    }

    /// Whether the attempt is over: answered or failed.
    pub fn is_finished(&self) -> bool {
        self.outcome != CallbackOutcome::Pending
    }
}

/// What became of a [`SentCallback`]. Like the service, the emulator sends each callback
/// once and never retries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallbackOutcome {
    /// The request is still in flight.
    Pending,
    /// The application answered (with any status; the service ignores the answer).
    Answered {
        /// The HTTP status of the answer.
        status: u16,
    },
    /// No answer: the connection failed, the [`WEBHOOK_TIMEOUT`] passed, or the request
    /// could not be sent at all (for example outside a Tokio runtime).
    Failed,
}

/// Where callbacks go and what they are signed with.
#[derive(Clone, Debug)]
pub(crate) struct WebhookTarget {
    url: String,
    token: Token,
}

impl WebhookTarget {
    /// Checks that `url` is an absolute `http` or `https` URL.
    pub(crate) fn new(url: String, token: Token) -> Result<Self, EmulatorError> {
        let uri: Uri = url
            .parse()
            .map_err(|_| EmulatorError::invalid_webhook_url("it is not a valid URL"))?;
        match uri.scheme_str() {
            Some("http" | "https") => {}
            _ => {
                return Err(EmulatorError::invalid_webhook_url(
                    "the scheme must be http or https",
                ));
            }
        }
        if uri.host().is_none_or(str::is_empty) {
            return Err(EmulatorError::invalid_webhook_url("it has no host"));
        }
        Ok(WebhookTarget { url, token })
    }

    pub(crate) fn url(&self) -> &str {
        &self.url
    }
}

/// A callback decided under the state lock, to be sent once the lock is released.
pub(crate) struct Outgoing {
    id: u64,
    command: String,
    request: Option<http::Request<Bytes>>,
}

/// The webhook settings that may change at run time, and the log of sent callbacks.
#[derive(Debug)]
pub(crate) struct Callbacks {
    pub(crate) target: Option<WebhookTarget>,
    next_id: u64,
    sent: Vec<(u64, SentCallback)>,
}

impl Callbacks {
    pub(crate) fn new(target: Option<WebhookTarget>) -> Self {
        Callbacks {
            target,
            next_id: 0,
            sent: Vec::new(),
        }
    }

    /// Logs a callback of `event` signed at `now`, when a webhook is configured, and
    /// returns the request to send.
    pub(crate) fn record(&mut self, sdkappid: u64, event: Event, now: u64) -> Option<Outgoing> {
        let target = self.target.as_ref()?;
        let command = event.command().to_owned();
        let callback = Callback::new(sdkappid, event.clone())
            .with_client_ip("127.0.0.1")
            .with_platform("RESTAPI")
            .signed(&target.token, now);
        let request = http::Request::builder()
            .method(Method::POST)
            .uri(callback.url(&target.url))
            .header(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )
            .body(callback.body())
            .ok();
        let id = self.next_id;
        self.next_id += 1;
        self.sent.push((
            id,
            SentCallback {
                event,
                request_time: now,
                outcome: CallbackOutcome::Pending,
            },
        ));
        Some(Outgoing {
            id,
            command,
            request,
        })
    }

    /// Fills in the outcome of callback `id`.
    fn finish(&mut self, id: u64, outcome: CallbackOutcome) {
        if let Some((_, callback)) = self.sent.iter_mut().find(|(entry, _)| *entry == id) {
            callback.outcome = outcome;
        }
    }

    pub(crate) fn sent(&self) -> Vec<SentCallback> {
        self.sent
            .iter()
            .map(|(_, callback)| callback.clone())
            .collect()
    }
}

/// The HTTP client callbacks are sent with: plain http allowed, the service's timeout.
pub(crate) fn default_client() -> Option<Arc<dyn Transport>> {
    match HyperTransport::builder()
        .allow_plain_http(true)
        .timeout(WEBHOOK_TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        .max_response_bytes(MAX_ANSWER_BYTES)
        .pool_max_idle_per_host(4)
        .build()
    {
        Ok(transport) => Some(Arc::new(transport)),
        Err(error) => {
            tracing::debug!(%error, "cannot build the webhook client; callbacks will fail");
            None
        }
    }
}

impl Emulator {
    /// Sends a callback in the background and records its outcome. Never blocks and never
    /// fails the request that caused it.
    pub(crate) fn dispatch(&self, outgoing: Outgoing) {
        let Outgoing {
            id,
            command,
            request,
        } = outgoing;
        let Some(request) = request else {
            tracing::debug!(%command, "the webhook request could not be built");
            self.finish_callback(id, CallbackOutcome::Failed);
            return;
        };
        let Some(client) = self.webhook_client() else {
            self.finish_callback(id, CallbackOutcome::Failed);
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::debug!(%command, "no Tokio runtime to send the webhook callback on");
            self.finish_callback(id, CallbackOutcome::Failed);
            return;
        };
        let emulator = self.clone();
        runtime.spawn(async move {
            // The URL is never logged: its query carries the Sign.
            let outcome = match client.send(request).await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    if response.status().is_success() {
                        tracing::debug!(%command, status, "webhook callback delivered");
                    } else {
                        tracing::debug!(%command, status, "webhook callback refused");
                    }
                    CallbackOutcome::Answered { status }
                }
                Err(error) => {
                    tracing::debug!(%command, kind = ?error.kind(), "webhook callback failed");
                    CallbackOutcome::Failed
                }
            };
            emulator.finish_callback(id, outcome);
        });
    }

    fn finish_callback(&self, id: u64, outcome: CallbackOutcome) {
        self.lock().callbacks.finish(id, outcome);
        self.notify_callback_finished();
    }
}
