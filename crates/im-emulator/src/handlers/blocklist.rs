//! The blocklist APIs: `black_list_add`, `_delete`, `_get` and `_check`.

use im_protocol::limits::{MAX_BLOCKLIST_PAGE_SIZE, MIN_BLOCKLIST_PAGE_SIZE};
use im_protocol::{
    AddBlocklistRequest, Api, CheckBlocklistRequest, CheckType, DeleteBlocklistRequest, ErrorCode,
    GetBlocklistRequest,
};
use im_webhook::{Event, Pair};
use serde_json::{Map, Value};

use super::{check_from, check_from_and_targets, check_type_among, decode};
use crate::faults::AccountFault;
use crate::outcome::{AccountOutcome, BlockOutcome, CheckOutcome, Page, UnblockOutcome};
use crate::replies::Failure;
use crate::state::World;

/// A blocklist request that passed every request-level check.
#[derive(Debug)]
pub(crate) enum BlocklistCall {
    Add(AddBlocklistRequest),
    Delete(DeleteBlocklistRequest),
    Get(GetBlocklistRequest),
    Check(CheckBlocklistRequest),
}

/// What a blocklist request did.
#[derive(Debug)]
pub(crate) enum BlocklistResult {
    /// An add, with `From_Account` and the outcome of each account.
    Added {
        from: String,
        outcomes: Vec<AccountOutcome<BlockOutcome>>,
    },
    /// A delete, with `From_Account` and the outcome of each account.
    Removed {
        from: String,
        outcomes: Vec<AccountOutcome<UnblockOutcome>>,
    },
    /// One page of a get.
    Page(Page),
    /// A check's relation with each account.
    Checked(Vec<AccountOutcome<CheckOutcome>>),
}

impl BlocklistResult {
    /// The webhook event of the pairs this request changed, when it changed any.
    pub(crate) fn event(&self) -> Option<Event> {
        let (from, changed, added): (&str, Vec<&str>, bool) = match self {
            BlocklistResult::Added { from, outcomes } => (
                from,
                accounts_where(outcomes, |outcome| *outcome == BlockOutcome::Blocked),
                true,
            ),
            BlocklistResult::Removed { from, outcomes } => (
                from,
                accounts_where(outcomes, |outcome| *outcome == UnblockOutcome::Unblocked),
                false,
            ),
            BlocklistResult::Page(_) | BlocklistResult::Checked(_) => return None,
        };
        if changed.is_empty() {
            return None;
        }
        let pairs = changed.into_iter().map(|to| Pair::new(from, to)).collect();
        Some(if added {
            Event::BlocklistAdded { pairs }
        } else {
            Event::BlocklistRemoved { pairs }
        })
    }
}

/// The accounts whose outcome passes `keep`, in request order.
fn accounts_where<O>(outcomes: &[AccountOutcome<O>], keep: impl Fn(&O) -> bool) -> Vec<&str> {
    outcomes
        .iter()
        .filter(|item| keep(&item.outcome))
        .map(|item| item.account.as_str())
        .collect()
}

/// Decodes a blocklist request and runs its request-level checks.
pub(crate) fn call(
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
            check_from(world, &request.from_account)?;
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

/// Applies a checked blocklist request at time `now`; `fault` may fail an account first.
/// Unless `remain_friends`, blocking ends the friendship both ways.
pub(crate) fn apply(
    world: &mut World,
    call: BlocklistCall,
    now: u64,
    remain_friends: bool,
    fault: &mut dyn FnMut(&str) -> Option<AccountFault>,
) -> BlocklistResult {
    match call {
        BlocklistCall::Add(request) => {
            let outcomes = world.add_to_blocklist(
                &request.from_account,
                &request.to_account,
                now,
                remain_friends,
                fault,
            );
            BlocklistResult::Added {
                from: request.from_account,
                outcomes,
            }
        }
        BlocklistCall::Delete(request) => {
            let outcomes =
                world.delete_from_blocklist(&request.from_account, &request.to_account, fault);
            BlocklistResult::Removed {
                from: request.from_account,
                outcomes,
            }
        }
        BlocklistCall::Get(request) => BlocklistResult::Page(world.blocklist_page(
            &request.from_account,
            request.start_index,
            request.max_limited,
        )),
        BlocklistCall::Check(request) => BlocklistResult::Checked(world.check_blocklist(
            &request.from_account,
            &request.to_account,
            request.check_type,
            fault,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handlers::object_of;
    use crate::state::world_of;
    use serde_json::json;

    fn add(world: &mut World, from: &str, to: &[&str]) -> BlocklistResult {
        let object = object_of(AddBlocklistRequest::new(from, to.iter().copied()));
        let call = call(world, Api::BlackListAdd, object).expect("a valid add");
        apply(world, call, 1, false, &mut |_: &str| None)
    }

    #[test]
    fn the_event_lists_only_the_pairs_changed() {
        let mut world = world_of(&["a", "b", "c"]);
        let first = add(&mut world, "a", &["b"]);
        assert_eq!(
            first.event(),
            Some(Event::BlocklistAdded {
                pairs: vec![Pair::new("a", "b")]
            })
        );
        let again = add(&mut world, "a", &["b", "ghost", "c"]);
        assert_eq!(
            again.event(),
            Some(Event::BlocklistAdded {
                pairs: vec![Pair::new("a", "c")]
            })
        );
        let nothing = add(&mut world, "a", &["b"]);
        assert_eq!(nothing.event(), None);
        let object = object_of(DeleteBlocklistRequest::new("a", ["c", "ghost"]));
        let delete = call(&world, Api::BlackListDelete, object).expect("a valid delete");
        let removed = apply(&mut world, delete, 2, false, &mut |_: &str| None);
        assert_eq!(
            removed.event(),
            Some(Event::BlocklistRemoved {
                pairs: vec![Pair::new("a", "c")]
            })
        );
    }

    #[test]
    fn request_level_checks_come_before_anything_is_applied() {
        let world = world_of(&["a"]);
        let code = |api, value: serde_json::Value| {
            call(&world, api, object_of(value))
                .err()
                .map(|failure| failure.code)
        };
        let none: [&str; 0] = [];
        assert_eq!(
            code(
                Api::BlackListAdd,
                json!({"From_Account": "a", "To_Account": none})
            ),
            Some(ErrorCode::INVALID_PARAMETER)
        );
        assert_eq!(
            code(
                Api::BlackListAdd,
                json!({"From_Account": "ghost", "To_Account": ["a"]})
            ),
            Some(ErrorCode::ACCOUNT_NOT_FOUND)
        );
        assert_eq!(
            code(
                Api::BlackListGet,
                json!({"From_Account": "a", "StartIndex": 0, "MaxLimited": 1001})
            ),
            Some(ErrorCode::INVALID_PARAMETER)
        );
        assert_eq!(
            code(
                Api::BlackListGet,
                json!({"From_Account": "a", "StartIndex": 0, "MaxLimited": 1000})
            ),
            None,
            "LastSequence may be left out"
        );
        assert_eq!(
            code(
                Api::BlackListCheck,
                json!({"From_Account": "a", "To_Account": ["a"], "CheckType": "Sideways"})
            ),
            Some(ErrorCode::INVALID_PARAMETER)
        );
        assert_eq!(
            code(Api::AccountCheck, json!({})),
            Some(ErrorCode::RESOURCE_ERROR)
        );
    }
}
