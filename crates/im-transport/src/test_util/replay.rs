//! The scripted double: answers from a script, records every request.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;

use super::{Outcome, RecordedRequest, json_response, status_code};
use crate::{Transport, TransportError};

/// What a [`ReplayTransport`] does with a request that arrives after its script ran out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReplayMode {
    /// Panic, naming the request's method and path and the length of the script, so the
    /// test fails at the request nobody expected (the default).
    ///
    /// An error would be quietly retried by a client with a retry policy, and the test would
    /// fail later, far from the cause, or not at all.
    #[default]
    Strict,
    /// Answer with an [`Other`](crate::TransportErrorKind::Other) error whose cause reads
    /// "replay script exhausted": for tests that want to see how the code above copes with
    /// a transport that keeps failing.
    Lenient,
}

/// A transport that answers from a script and records every request.
///
/// Each request takes the next step of the script, in arrival order; a step may wait before
/// answering. Clones share the script and the record, so keep one clone to inspect after
/// handing another to the code under test.
///
/// The script is strict by default ([`ReplayMode::Strict`]): a request after the script ran
/// out panics with a message naming the request and how many steps the script had, which
/// fails the test at the unexpected request. [`lenient`](Self::lenient) answers such
/// requests with an error instead. [`assert_done`](Self::assert_done) checks at the end of a
/// test that every step was used.
///
/// A step is taken when the request arrives: if the caller gives up during the step's delay,
/// the step is spent, as when a server processes a request whose answer is lost.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use bytes::Bytes;
/// use im_transport::Transport;
/// use im_transport::test_util::ReplayTransport;
///
/// let replay = ReplayTransport::new()
///     .then_status(502)
///     .then_json(200, r#"{"ok":true}"#);
///
/// let request = || {
///     http::Request::post("https://example.com/v4/echo?usersig=abc")
///         .body(Bytes::from_static(br#"{"n":1}"#))
/// };
/// assert_eq!(replay.send(request()?).await?.status(), 502);
/// assert_eq!(replay.send(request()?).await?.status(), 200);
/// replay.assert_done();
/// // A third request would panic: "... POST /v4/echo arrived after the script's 2 steps ...".
///
/// let recorded = replay.requests();
/// assert_eq!(recorded.len(), 2);
/// assert_eq!(recorded[0].query_param("usersig"), Some("abc"));
/// assert_eq!(recorded[0].body_json()?["n"], 1);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, Default)]
pub struct ReplayTransport {
    state: Arc<Mutex<ReplayState>>,
}

#[derive(Debug, Default)]
struct ReplayState {
    mode: ReplayMode,
    steps: VecDeque<ReplayStep>,
    /// How many steps were ever scripted.
    scripted: usize,
    requests: Vec<RecordedRequest>,
    /// The requests that arrived after the script ran out, as `METHOD /path`.
    overruns: Vec<String>,
}

#[derive(Debug)]
struct ReplayStep {
    delay: Duration,
    outcome: Outcome,
}

impl ReplayTransport {
    /// An empty strict script; add steps with the `then_*` methods.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes the script lenient: requests after it ran out get an
    /// [`Other`](crate::TransportErrorKind::Other) error ("replay script exhausted")
    /// instead of failing the test.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use bytes::Bytes;
    /// use im_transport::Transport;
    /// use im_transport::test_util::ReplayTransport;
    ///
    /// let replay = ReplayTransport::new().lenient();
    /// let request = http::Request::get("https://example.com/").body(Bytes::new())?;
    /// assert!(replay.send(request).await.is_err());
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn lenient(self) -> Self {
        self.mode(ReplayMode::Lenient)
    }

    /// Sets what happens to a request after the script ran out.
    #[must_use]
    pub fn mode(self, mode: ReplayMode) -> Self {
        self.lock().mode = mode;
        self
    }

    /// Adds a step that returns `outcome` at once.
    #[must_use]
    pub fn then(self, outcome: Result<http::Response<Bytes>, TransportError>) -> Self {
        self.then_after(Duration::ZERO, outcome)
    }

    /// Adds a step that waits `delay` (on Tokio's clock), then returns `outcome`.
    #[must_use]
    pub fn then_after(
        self,
        delay: Duration,
        outcome: Result<http::Response<Bytes>, TransportError>,
    ) -> Self {
        {
            let mut state = self.lock();
            state.steps.push_back(ReplayStep { delay, outcome });
            state.scripted += 1;
        }
        self
    }

    /// Adds a step that returns `response`.
    #[must_use]
    pub fn then_response(self, response: http::Response<Bytes>) -> Self {
        self.then(Ok(response))
    }

    /// Adds a step that returns `answer`: anything that converts into a response, such as
    /// the typed answers of `im_protocol::test_util` (`Answer::blocklist_add().ok("bob")`).
    #[must_use]
    pub fn then_answer(self, answer: impl Into<http::Response<Bytes>>) -> Self {
        self.then(Ok(answer.into()))
    }

    /// Adds a step that returns `status` with the JSON text `body` and
    /// `content-type: application/json`.
    ///
    /// The body is sent as given, so a truncated or malformed document can be scripted too.
    /// A status outside 100..=999 makes the step fail with an `Other` error.
    #[must_use]
    pub fn then_json(self, status: u16, body: impl Into<Bytes>) -> Self {
        let outcome = status_code(status).map(|status| json_response(status, body));
        self.then(outcome)
    }

    /// Adds a step that returns `status` with an empty body.
    ///
    /// A status outside 100..=999 makes the step fail with an `Other` error.
    #[must_use]
    pub fn then_status(self, status: u16) -> Self {
        let outcome = status_code(status).map(|status| {
            let mut response = http::Response::new(Bytes::new());
            *response.status_mut() = status;
            response
        });
        self.then(outcome)
    }

    /// Adds a step that fails with `error`.
    #[must_use]
    pub fn then_error(self, error: TransportError) -> Self {
        self.then(Err(error))
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().requests.clone()
    }

    /// How many scripted steps have not been used yet.
    pub fn remaining(&self) -> usize {
        self.lock().steps.len()
    }

    /// Panics unless every scripted step was used and, in strict mode, no request arrived
    /// after the script ran out.
    ///
    /// The second check catches an unexpected request even when the code under test caught
    /// the panic of the request itself (a spawned task that died, for example).
    ///
    /// ```should_panic
    /// use im_transport::test_util::ReplayTransport;
    ///
    /// let replay = ReplayTransport::new().then_status(200);
    /// replay.assert_done(); // panics: 1 of 1 steps unused
    /// ```
    #[track_caller]
    pub fn assert_done(&self) {
        let state = self.lock();
        let unused = state.steps.len();
        let scripted = state.scripted;
        let received = state.requests.len();
        let overruns = (state.mode == ReplayMode::Strict).then(|| state.overruns.join(", "));
        drop(state);
        assert!(
            unused == 0,
            "ReplayTransport: {unused} of {scripted} scripted steps unused \
             ({received} requests received)"
        );
        if let Some(overruns) = overruns.filter(|list| !list.is_empty()) {
            // ok: a test double failing the test that scripted it, as assert_done promises.
            panic!(
                "ReplayTransport: requests arrived after the script's {scripted} steps \
                 ran out: {overruns}"
            );
        }
    }

    fn lock(&self) -> MutexGuard<'_, ReplayState> {
        // The state stays consistent even if a holder panicked, so poisoning is ignored.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl Transport for ReplayTransport {
    async fn send(&self, request: http::Request<Bytes>) -> Outcome {
        let target = format!("{} {}", request.method(), request.uri().path());
        let (step, mode, scripted, number) = {
            let mut state = self.lock();
            state.requests.push(RecordedRequest::from_request(request));
            let step = state.steps.pop_front();
            if step.is_none() {
                state.overruns.push(target.clone());
            }
            (step, state.mode, state.scripted, state.requests.len())
        };
        let Some(step) = step else {
            return match mode {
                // ok: a test double failing the test whose script ran out (strict mode).
                ReplayMode::Strict => panic!(
                    "ReplayTransport: request #{number} ({target}) arrived after the script's \
                     {scripted} steps ran out; script another step, or use \
                     ReplayTransport::lenient() if running out is what the test is about"
                ),
                ReplayMode::Lenient => Err(TransportError::other("replay script exhausted")),
            };
        };
        if !step.delay.is_zero() {
            tokio::time::sleep(step.delay).await;
        }
        step.outcome
    }
}
