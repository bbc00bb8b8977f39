//! Serving a checked request of the blocklist or account APIs with the injected faults:
//! a 502 or a request-level error instead of the request, per-account errors within it,
//! and a lost or truncated answer after it was applied.

use im_protocol::{Api, ErrorCode};
use im_webhook::Event;
use serde_json::{Map, Value};

use super::{Processed, Record};
use crate::FaultKind;
use crate::emulator::{Config, State};
use crate::faults::{AccountFault, FaultPlan};
use crate::handlers::{account, blocklist};
use crate::replies::{self, Answer, Failure};
use crate::state::World;

/// The answer of an applied request, and the webhook event of the change it made.
type Applied = (Answer, Option<Event>);

/// Serves an account API, with the injected faults.
pub(super) fn accounts(
    config: &Config,
    state: &mut State,
    api: Api,
    object: Map<String, Value>,
    record: &mut Record,
) -> Processed {
    let call = match account::call(api, object) {
        Ok(call) => call,
        Err(failure) => return Processed::fail(failure),
    };
    faulted(
        config,
        state,
        record,
        replies::account::transient_failure,
        |world, _now, fault| {
            let result = account::apply(world, call, fault);
            (replies::account::answer(result), None)
        },
    )
}

/// Serves a blocklist API, with the injected faults.
pub(super) fn blocklist(
    config: &Config,
    state: &mut State,
    api: Api,
    object: Map<String, Value>,
    record: &mut Record,
) -> Processed {
    let call = match blocklist::call(&state.world, api, object) {
        Ok(call) => call,
        Err(failure) => return Processed::fail(failure),
    };
    let rules = config.rules;
    faulted(
        config,
        state,
        record,
        |code| replies::blocklist::transient_failure(api, code),
        |world, now, fault| {
            let result = blocklist::apply(world, call, now, rules.remain_friends, fault);
            let event = result.event();
            (replies::blocklist::answer(result, &rules), event)
        },
    )
}

/// Serves a request that passed its request-level checks, with the injected faults:
/// `failure` builds the answer of an injected request-level error from its drawn code,
/// and `apply` applies the request to the world at the clock's time, asking `fault`
/// whether an account fails first.
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
        answer = answer.truncated();
    }
    // The change is applied whatever happens to the answer, so the callback goes out.
    let callback = event.and_then(|event| callbacks.record(config.sdkappid, event, now));
    Processed {
        callback,
        ..delayed(answer, plan.lost_answer)
    }
}
