//! The core both faces share: one request in, one reply out.
//!
//! [`Emulator::handle`] runs the request checks in the service's order, applies the
//! business rules and the injected faults under the state lock, logs the request, and then
//! (with the lock released) sleeps the injected latency.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Method, StatusCode, Uri, header};
use im_protocol::limits::{MAX_BLOCKLIST_PAGE_SIZE, MIN_BLOCKLIST_PAGE_SIZE};
use im_protocol::query::DecodedQuery;
use im_protocol::{
    AddBlocklistRequest, Api, CheckBlocklistRequest, CheckType, DeleteBlocklistRequest, Envelope,
    ErrorCode, GetBlocklistRequest, encode_json,
};
use im_sig::{Expected, SigError};
use im_webhook::{Event, Pair};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use tokio::time::Instant;

use crate::accounts::{self, AccountCall, account_call, is_account_api};
use crate::emulator::{Config, State};
use crate::faults::{AccountFault, FaultPlan};
use crate::setup::{self, SetupApi};
use crate::state::{Failure, Operation, Update, World, transient_info};
use crate::webhook::Outgoing;
use crate::{Emulator, FaultKind, LoggedRequest};

/// The body of an injected HTTP 502, as a gateway would send it.
const BAD_GATEWAY_BODY: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n";

/// What the emulator does with one request.
#[derive(Debug)]
pub(crate) enum Reply {
    /// Send this response.
    Answer(http::Response<Bytes>),
    /// The request was applied but its answer is lost: close the connection without one.
    Lost,
}

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

/// A response before the lost and truncated faults are applied.
pub(crate) struct Answer {
    status: StatusCode,
    body: Bytes,
    json: bool,
    code: Option<ErrorCode>,
    /// The `Retry-After` header, in seconds, when the answer has one.
    retry_after: Option<u64>,
}

impl Answer {
    pub(crate) fn ok<T: Serialize>(body: T) -> Answer {
        Answer {
            status: StatusCode::OK,
            body: envelope_bytes(&Envelope::ok(body)),
            json: true,
            code: Some(ErrorCode::OK),
            retry_after: None,
        }
    }

    fn fail(failure: Failure) -> Answer {
        Answer {
            status: StatusCode::OK,
            body: envelope_bytes(&Envelope::<()>::fail(failure.code, failure.info)),
            json: true,
            code: Some(failure.code),
            retry_after: None,
        }
    }

    fn bad_gateway() -> Answer {
        Answer {
            status: StatusCode::BAD_GATEWAY,
            body: Bytes::from_static(BAD_GATEWAY_BODY.as_bytes()),
            json: false,
            code: None,
            retry_after: None,
        }
    }

    fn unavailable(retry_after_secs: u64) -> Answer {
        Answer {
            status: StatusCode::SERVICE_UNAVAILABLE,
            body: Bytes::from_static(b"<html><body>503 Service Unavailable</body></html>"),
            json: false,
            code: None,
            retry_after: Some(retry_after_secs),
        }
    }
}

/// Encodes an envelope. The types encoded here always encode; should one ever fail, the
/// answer is a request-level internal error rather than a panic.
pub(crate) fn envelope_bytes<T: Serialize>(envelope: &Envelope<T>) -> Bytes {
    encode_json(envelope).map_or_else(
        |_| {
            Bytes::from_static(
                br#"{"ActionStatus":"FAIL","ErrorCode":70500,"ErrorInfo":"internal error"}"#,
            )
        },
        Bytes::from,
    )
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
    allow_post: bool,
    latency: Duration,
    callback: Option<Outgoing>,
}

impl Processed {
    fn answer(answer: Answer) -> Processed {
        Processed {
            answer,
            lost: false,
            allow_post: false,
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
            allow_post,
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
            status = answer.status.as_u16(),
            code = answer.code.map_or(-1, |code| code.0),
            faults = ?record.faults,
            "emulator request"
        );
        state.log.push(LoggedRequest {
            at,
            path: record.path,
            api: record.api,
            from: record.from,
            accounts: record.accounts,
            http_status: answer.status.as_u16(),
            code: answer.code,
            faults: record.faults,
            rejected_by_rate_limit: record.rejected_by_rate_limit,
        });
        drop(state);
        let reply = if lost {
            Reply::Lost
        } else {
            Reply::Answer(response(answer, allow_post))
        };
        (reply, latency, callback)
    }
}

fn response(answer: Answer, allow_post: bool) -> http::Response<Bytes> {
    let content_type = if answer.json {
        "application/json"
    } else {
        "text/html"
    };
    let mut response = http::Response::new(answer.body);
    *response.status_mut() = answer.status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if allow_post {
        headers.insert(header::ALLOW, HeaderValue::from_static("POST"));
    }
    if let Some(seconds) = answer.retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
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
        let mut answer = Answer::fail(Failure::new(
            ErrorCode::HTTP_PARSE_ERROR,
            "the HTTP method must be POST",
        ));
        answer.status = StatusCode::METHOD_NOT_ALLOWED;
        return Processed {
            allow_post: true,
            ..Processed::answer(answer)
        };
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
    if let Err(failure) = check_query(config, incoming.uri.query()) {
        return Processed::fail(failure);
    }
    let object = match read_object(incoming.body) {
        Ok(object) => object,
        Err(failure) => return Processed::fail(failure),
    };
    record.from = object
        .get("From_Account")
        .and_then(Value::as_str)
        .map(str::to_owned);
    record.accounts = count_accounts(&object);
    if let Err(failure) = check_account_types(&object) {
        return Processed::fail(failure);
    }
    match route {
        Route::Api(api) if is_account_api(api) => accounts(config, state, api, object, record),
        Route::Api(api) => blocklist(config, state, api, object, record),
        Route::Setup(api) => match setup::serve(&mut state.world, api, object) {
            Ok(answer) => Processed::answer(answer),
            Err(failure) => Processed::fail(failure),
        },
    }
}

/// Checks the query parameters, the UserSig and the admin, in the service's order.
fn check_query(config: &Config, raw: Option<&str>) -> Result<(), Failure> {
    let query = DecodedQuery::parse(raw.unwrap_or_default()).map_err(|error| {
        Failure::new(
            ErrorCode::HTTP_PARSE_ERROR,
            format!("the query string does not decode: {error}"),
        )
    })?;
    let sdkappid = query
        .get("sdkappid")
        .ok_or_else(|| Failure::new(ErrorCode::SDKAPPID_MISSING, "sdkappid is missing"))?;
    if sdkappid.parse::<u64>().ok() != Some(config.sdkappid) {
        return Err(Failure::new(
            ErrorCode::INVALID_SDKAPPID,
            "invalid sdkappid",
        ));
    }
    let identifier = query
        .get("identifier")
        .filter(|identifier| !identifier.is_empty())
        .ok_or_else(|| Failure::new(ErrorCode::ACCOUNT_OR_SIG_INVALID, "identifier is missing"))?;
    let usersig = query
        .get("usersig")
        .filter(|usersig| !usersig.is_empty())
        .ok_or_else(|| Failure::new(ErrorCode::SIG_EMPTY, "usersig is empty"))?;
    if query
        .get("random")
        .and_then(|random| random.parse::<u32>().ok())
        .is_none()
    {
        return Err(Failure::new(
            ErrorCode::HTTP_PARSE_ERROR,
            "random must be an unsigned 32-bit integer",
        ));
    }
    if query.get("contenttype") != Some("json") {
        return Err(Failure::new(
            ErrorCode::HTTP_PARSE_ERROR,
            "contenttype must be json",
        ));
    }
    let expected = Expected::new(config.sdkappid, identifier);
    im_sig::verify(usersig, &config.key, &expected, config.clock.now())
        .map_err(|error| sig_failure(&error))?;
    if !config.admins.iter().any(|admin| admin == identifier) {
        return Err(Failure::new(
            ErrorCode::ADMIN_PERMISSION_REQUIRED,
            "the identifier is not an app admin",
        ));
    }
    Ok(())
}

/// The code the service answers a rejected UserSig with.
fn sig_failure(error: &SigError) -> Failure {
    let code = match error {
        SigError::Malformed { .. } => ErrorCode::SIG_INVALID,
        SigError::Expired { .. } => ErrorCode::SIG_EXPIRED,
        SigError::WrongApp { .. } => ErrorCode::SIG_SDKAPPID_MISMATCH,
        SigError::WrongIdentifier { .. } => ErrorCode::SIG_IDENTIFIER_MISMATCH,
        _ => ErrorCode::SIG_VERIFICATION_FAILED,
    };
    // The error's text names the fields that differ, never the UserSig or the key.
    Failure::new(code, error.to_string())
}

/// Parses the body as a JSON object (60003 otherwise).
fn read_object(body: &[u8]) -> Result<Map<String, Value>, Failure> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(Failure::new(
            ErrorCode::REQUEST_JSON_PARSE_ERROR,
            "the request body must be a JSON object",
        )),
        Err(_) => Err(Failure::new(
            ErrorCode::REQUEST_JSON_PARSE_ERROR,
            "the request body is not valid JSON",
        )),
    }
}

/// The fields that hold accounts, as a string or a list of strings.
const ACCOUNT_FIELDS: [&str; 4] = ["From_Account", "To_Account", "UserID", "Identifier"];

/// Rejects accounts that are not JSON strings (60015), anywhere in the body.
fn check_account_types(object: &Map<String, Value>) -> Result<(), Failure> {
    fn valid(value: &Value) -> bool {
        match value {
            Value::String(_) => true,
            Value::Array(items) => items.iter().all(Value::is_string),
            _ => false,
        }
    }
    fn walk(object: &Map<String, Value>) -> bool {
        object.iter().all(|(name, value)| {
            let here = !ACCOUNT_FIELDS.contains(&name.as_str()) || valid(value);
            let nested = match value {
                Value::Object(inner) => walk(inner),
                Value::Array(items) => items.iter().all(|item| match item {
                    Value::Object(inner) => walk(inner),
                    _ => true,
                }),
                _ => true,
            };
            let accounts = name != "Accounts"
                || value
                    .as_array()
                    .is_none_or(|items| items.iter().all(Value::is_string));
            here && nested && accounts
        })
    }
    if walk(object) {
        Ok(())
    } else {
        Err(Failure::new(
            ErrorCode::WRONG_ACCOUNT_TYPE,
            "accounts must be JSON strings",
        ))
    }
}

/// How many accounts the body carries, for the log.
fn count_accounts(object: &Map<String, Value>) -> usize {
    let length = |name: &str| {
        object
            .get(name)
            .and_then(Value::as_array)
            .map_or(0, Vec::len)
    };
    match object.get("To_Account") {
        Some(Value::Array(items)) => items.len(),
        Some(_) => 1,
        None => {
            length("AddFriendItem")
                + length("AccountList")
                + length("Accounts")
                + length("CheckItem")
                + length("DeleteItem")
                + usize::from(object.contains_key("UserID") || object.contains_key("Identifier"))
        }
    }
}

/// Decodes the body into its request type (60003 when the shape is wrong).
pub(crate) fn decode<T: DeserializeOwned>(object: Map<String, Value>) -> Result<T, Failure> {
    decode_value(Value::Object(object))
}

/// Decodes a JSON value into its type (60003 when the shape is wrong).
pub(crate) fn decode_value<T: DeserializeOwned>(value: Value) -> Result<T, Failure> {
    serde_json::from_value(value).map_err(|error| {
        Failure::new(
            ErrorCode::REQUEST_JSON_PARSE_ERROR,
            format!("the request body has the wrong shape: {error}"),
        )
    })
}

/// Checks a request's `From_Account` and the number of its `To_Account` entries: 1 to
/// `max`.
pub(crate) fn check_from_and_targets(
    world: &World,
    from: &str,
    targets: usize,
    max: usize,
) -> Result<(), Failure> {
    world.check_from(from)?;
    check_count(targets, max, "To_Account")
}

/// Rejects a `CheckType` that is none of `known` with 30001 and a message naming them,
/// rather than the generic decode error a typed field would give.
pub(crate) fn check_type_among(
    object: &Map<String, Value>,
    known: [&str; 2],
    message: &'static str,
) -> Result<(), Failure> {
    match object.get("CheckType") {
        Some(Value::String(check_type)) if !known.contains(&check_type.as_str()) => {
            Err(Failure::new(ErrorCode::INVALID_PARAMETER, message))
        }
        _ => Ok(()),
    }
}

/// Checks the number of accounts of a request: 1 to `max` (30001 otherwise).
pub(crate) fn check_count(count: usize, max: usize, field: &str) -> Result<(), Failure> {
    if count == 0 {
        return Err(Failure::new(
            ErrorCode::INVALID_PARAMETER,
            format!("{field} is empty"),
        ));
    }
    if count > max {
        return Err(Failure::new(
            ErrorCode::INVALID_PARAMETER,
            format!("{field} holds {count} entries; at most {max} are allowed"),
        ));
    }
    Ok(())
}

/// A blocklist request that passed every request-level check.
enum BlocklistCall {
    Add(AddBlocklistRequest),
    Delete(DeleteBlocklistRequest),
    Get(GetBlocklistRequest),
    Check(CheckBlocklistRequest),
}

/// Decodes a blocklist request and runs its request-level checks.
fn blocklist_call(
    world: &World,
    api: Api,
    mut object: Map<String, Value>,
) -> Result<BlocklistCall, Failure> {
    let call = match api {
        Api::BlackListAdd => {
            let request: AddBlocklistRequest = decode(object)?;
            let targets = request.to_account.len();
            check_from_and_targets(world, &request.from_account, targets, api.max_accounts())?;
            BlocklistCall::Add(request)
        }
        Api::BlackListDelete => {
            let request: DeleteBlocklistRequest = decode(object)?;
            let targets = request.to_account.len();
            check_from_and_targets(world, &request.from_account, targets, api.max_accounts())?;
            BlocklistCall::Delete(request)
        }
        Api::BlackListGet => {
            // REST callers are told to send 0; a missing LastSequence reads as 0.
            object
                .entry("LastSequence")
                .or_insert_with(|| Value::from(0));
            let request: GetBlocklistRequest = decode(object)?;
            world.check_from(&request.from_account)?;
            if !(MIN_BLOCKLIST_PAGE_SIZE..=MAX_BLOCKLIST_PAGE_SIZE).contains(&request.max_limited) {
                return Err(Failure::new(
                    ErrorCode::INVALID_PARAMETER,
                    format!(
                        "MaxLimited is {}; it must be {MIN_BLOCKLIST_PAGE_SIZE} to {MAX_BLOCKLIST_PAGE_SIZE}",
                        request.max_limited
                    ),
                ));
            }
            BlocklistCall::Get(request)
        }
        Api::BlackListCheck => {
            check_type_among(
                &object,
                [CheckType::Single.as_str(), CheckType::Both.as_str()],
                "CheckType must be BlackCheckResult_Type_Single or BlackCheckResult_Type_Both",
            )?;
            let request: CheckBlocklistRequest = decode(object)?;
            let targets = request.to_account.len();
            check_from_and_targets(world, &request.from_account, targets, api.max_accounts())?;
            BlocklistCall::Check(request)
        }
        _ => {
            return Err(Failure::new(
                ErrorCode::RESOURCE_ERROR,
                "no such API; check the URL path",
            ));
        }
    };
    Ok(call)
}

/// A change a request applied that a webhook reports.
type Applied = (Answer, Option<Event>);

/// Serves a request that passed its request-level checks, with the injected faults:
/// `failure` builds the answer of an injected request-level error from its code, and
/// `apply` applies the request to the world at the clock's time, asking `fault` whether
/// an account fails first.
fn faulted(
    config: &Config,
    state: &mut State,
    record: &mut Record,
    failure: impl FnOnce(ErrorCode) -> Failure,
    apply: impl FnOnce(&mut World, u64, &mut dyn FnMut(&str) -> Option<AccountFault>) -> Applied,
) -> Processed {
    let plan: FaultPlan = state.faults.plan();
    let delayed = |answer: Answer, lost: bool| Processed {
        answer,
        lost,
        allow_post: false,
        latency: plan.latency,
        callback: None,
    };
    if plan.http_502 {
        record.faults.push(FaultKind::Http502);
        return delayed(Answer::bad_gateway(), false);
    }
    if let Some(code) = plan.request_error {
        record.faults.push(FaultKind::RequestError);
        return delayed(Answer::fail(failure(code)), false);
    }
    let now = config.clock.now();
    let State {
        world,
        faults,
        callbacks,
        ..
    } = state;
    let mut injected = 0usize;
    let mut fault = |account: &str| {
        let fault = faults.account_fault(account);
        injected += usize::from(fault.is_some());
        fault
    };
    let (mut answer, event) = apply(world, now, &mut fault);
    if injected > 0 {
        record.faults.push(FaultKind::AccountError);
    }
    if plan.lost_answer {
        record.faults.push(FaultKind::LostAnswer);
    } else if plan.truncated_json {
        record.faults.push(FaultKind::TruncatedJson);
        answer.body = answer.body.slice(..answer.body.len() / 2);
    }
    // The change is applied whatever happens to the answer, so the callback goes out.
    let callback = event.and_then(|event| callbacks.record(config.sdkappid, event, now));
    Processed {
        callback,
        ..delayed(answer, plan.lost_answer)
    }
}

/// Serves an account API, with the injected faults.
fn accounts(
    config: &Config,
    state: &mut State,
    api: Api,
    object: Map<String, Value>,
    record: &mut Record,
) -> Processed {
    let call: AccountCall = match account_call(api, object) {
        Ok(call) => call,
        Err(failure) => return Processed::fail(failure),
    };
    faulted(
        config,
        state,
        record,
        |drawn| {
            let code = accounts::transient_code(drawn);
            Failure::new(code, accounts::transient_info(code))
        },
        |world, _now, fault| (accounts::apply(world, call, fault), None),
    )
}

/// Serves a blocklist API, with the injected faults.
fn blocklist(
    config: &Config,
    state: &mut State,
    api: Api,
    object: Map<String, Value>,
    record: &mut Record,
) -> Processed {
    let call = match blocklist_call(&state.world, api, object) {
        Ok(call) => call,
        Err(failure) => return Processed::fail(failure),
    };
    let operation = match api {
        Api::BlackListDelete => Operation::Delete,
        Api::BlackListGet => Operation::Get,
        Api::BlackListCheck => Operation::Check,
        _ => Operation::Add,
    };
    let rules = config.rules;
    faulted(
        config,
        state,
        record,
        |code| Failure::new(code, transient_info(operation, code)),
        |world, now, fault| match call {
            BlocklistCall::Add(request) => {
                let update = world.add_to_blocklist(
                    &request.from_account,
                    &request.to_account,
                    now,
                    rules,
                    fault,
                );
                changed(&request.from_account, update, true)
            }
            BlocklistCall::Delete(request) => {
                let update = world.delete_from_blocklist(
                    &request.from_account,
                    &request.to_account,
                    rules,
                    fault,
                );
                changed(&request.from_account, update, false)
            }
            BlocklistCall::Get(request) => (
                Answer::ok(world.blocklist_page(
                    &request.from_account,
                    request.start_index,
                    request.max_limited,
                )),
                None,
            ),
            BlocklistCall::Check(request) => (
                Answer::ok(world.check_blocklist(
                    &request.from_account,
                    &request.to_account,
                    request.check_type,
                    fault,
                )),
                None,
            ),
        },
    )
}

/// The answer of a blocklist add or delete, and the webhook event of the pairs it changed.
fn changed(from: &str, update: Update, added: bool) -> Applied {
    let event = (!update.changed.is_empty()).then(|| {
        let pairs = update
            .changed
            .into_iter()
            .map(|to| Pair::new(from, to))
            .collect();
        if added {
            Event::BlocklistAdded { pairs }
        } else {
            Event::BlocklistRemoved { pairs }
        }
    });
    (Answer::ok(update.response), event)
}
