//! The gateway both faces share: one request in, one reply out.
//!
//! [`Emulator::handle`] runs the request checks in the service's order (method, path,
//! availability, frequency limit, query and UserSig, body), hands the request to its
//! family's [handler](crate::handlers) with the injected faults, has the
//! [replies](crate::replies) spell the result, logs the request, all under the state
//! lock, and then (with the lock released) sends the webhook callback and sleeps the
//! injected latency.

mod checks;
mod injection;

use std::time::Duration;

use http::{Method, Uri};
use im_protocol::{Api, ErrorCode};
use serde_json::Value;
use tokio::time::Instant;

use crate::emulator::{Config, State};
use crate::handlers::account::is_account_api;
use crate::handlers::setup::{self, SetupApi};
use crate::replies::{Answer, Failure, Reply, setup as setup_replies};
use crate::webhook::Outgoing;
use crate::{Emulator, FaultKind, LoggedRequest};

/// The API a path names: one of the table (blocklist or account), or a setup API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    Api(Api),
    Setup(SetupApi),
}

impl Route {
    fn of(path: &str) -> Option<Route> {
        Api::from_path(path)
            .map(Route::Api)
            .or_else(|| SetupApi::from_path(path).map(Route::Setup))
    }
}

/// The parts of a request the emulator reads.
struct Incoming<'a> {
    method: &'a Method,
    uri: &'a Uri,
    body: &'a [u8],
}

/// What is known about a request, for the log.
struct Record {
    at: Instant,
    path: String,
    api: Option<Api>,
    from: Option<String>,
    accounts: usize,
    faults: Vec<FaultKind>,
    rejected_by_rate_limit: bool,
}

/// The outcome of processing, before the reply is built.
struct Processed {
    answer: Answer,
    lost: bool,
    latency: Duration,
    callback: Option<Outgoing>,
}

impl Processed {
    fn answer(answer: Answer) -> Processed {
        Processed {
            answer,
            lost: false,
            latency: Duration::ZERO,
            callback: None,
        }
    }

    fn fail(failure: Failure) -> Processed {
        Processed::answer(Answer::fail(failure))
    }
}

impl Emulator {
    /// Serves one request: checks, rules, faults, log, the webhook callback (sent in the
    /// background), then the injected latency.
    pub(crate) async fn handle(&self, method: &Method, uri: &Uri, body: &[u8]) -> Reply {
        let (reply, latency, callback) = self.handle_locked(method, uri, body);
        if let Some(callback) = callback {
            self.dispatch(callback);
        }
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        reply
    }

    fn handle_locked(
        &self,
        method: &Method,
        uri: &Uri,
        body: &[u8],
    ) -> (Reply, Duration, Option<Outgoing>) {
        let config = self.config();
        let mut state = self.lock();
        // Read under the lock, so the log is in arrival order.
        let at = Instant::now();
        let path = uri.path().strip_prefix('/').unwrap_or(uri.path());
        let route = Route::of(path);
        let mut record = Record {
            at,
            path: path.to_owned(),
            api: match route {
                Some(Route::Api(api)) => Some(api),
                _ => None,
            },
            from: None,
            accounts: 0,
            faults: Vec::new(),
            rejected_by_rate_limit: false,
        };
        let incoming = Incoming { method, uri, body };
        let processed = process(config, &mut state, route, &incoming, &mut record);
        let Processed {
            answer,
            lost,
            latency,
            callback,
        } = processed;
        if !latency.is_zero() {
            record.faults.push(FaultKind::Latency);
        }
        tracing::debug!(
            path = %record.path,
            from = record.from.as_deref().unwrap_or(""),
            accounts = record.accounts,
            status = answer.status().as_u16(),
            code = answer.code().map_or(-1, |code| code.0),
            faults = ?record.faults,
            "emulator request"
        );
        state.log.push(LoggedRequest {
            at,
            path: record.path,
            api: record.api,
            from: record.from,
            accounts: record.accounts,
            http_status: answer.status().as_u16(),
            code: answer.code(),
            faults: record.faults,
            rejected_by_rate_limit: record.rejected_by_rate_limit,
        });
        drop(state);
        let reply = if lost {
            Reply::Lost
        } else {
            Reply::Answer(answer.into_response())
        };
        (reply, latency, callback)
    }
}

/// Runs the checks in order and then the API.
fn process(
    config: &Config,
    state: &mut State,
    route: Option<Route>,
    incoming: &Incoming<'_>,
    record: &mut Record,
) -> Processed {
    if incoming.method != Method::POST {
        return Processed::answer(Answer::method_not_allowed());
    }
    let Some(route) = route else {
        return Processed::fail(Failure::new(
            ErrorCode::RESOURCE_ERROR,
            "no such API; check the URL path",
        ));
    };
    if let Route::Api(_) = route
        && let Some(retry_after) = state.faults.unavailable(record.at)
    {
        record.faults.push(FaultKind::Unavailable);
        return Processed::answer(Answer::unavailable(retry_after));
    }
    if let Route::Api(api) = route
        && !state
            .windows
            .admit(api, record.at, config.rate_limit_of(api))
    {
        record.rejected_by_rate_limit = true;
        return Processed::fail(Failure::new(
            ErrorCode::API_RATE_LIMITED,
            "REST API call frequency exceeded",
        ));
    }
    if let Err(failure) = checks::check_query(config, incoming.uri.query()) {
        return Processed::fail(failure);
    }
    let object = match checks::read_object(incoming.body) {
        Ok(object) => object,
        Err(failure) => return Processed::fail(failure),
    };
    record.from = object
        .get("From_Account")
        .and_then(Value::as_str)
        .map(str::to_owned);
    record.accounts = checks::count_accounts(&object);
    if let Err(failure) = checks::check_account_types(&object) {
        return Processed::fail(failure);
    }
    match route {
        Route::Api(api) if is_account_api(api) => {
            injection::accounts(config, state, api, object, record)
        }
        Route::Api(api) => injection::blocklist(config, state, api, object, record),
        Route::Setup(api) => match setup::serve(&mut state.world, api, object) {
            Ok(result) => Processed::answer(setup_replies::answer(result)),
            Err(failure) => Processed::fail(failure),
        },
    }
}
