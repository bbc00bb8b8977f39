//! The wire answers of the blocklist APIs: per-item codes and texts, `Fail_Account`, and
//! the page of `black_list_get`.

use im_protocol::{
    AccountResult, Api, BlocklistEntry, CheckBlocklistResponse, CheckItem, ErrorCode,
    GetBlocklistResponse, Relation, UpdateBlocklistResponse, result_text,
};

use super::{Answer, Failure};
use crate::emulator::Rules;
use crate::handlers::blocklist::BlocklistResult;
use crate::outcome::{AccountOutcome, BlockOutcome, CheckOutcome, Page, UnblockOutcome};

/// Which operation a failure belongs to, for its `ResultInfo`.
#[derive(Clone, Copy, Debug)]
enum Operation {
    Add,
    Delete,
    Get,
    Check,
}

impl Operation {
    fn of(api: Api) -> Operation {
        match api {
            Api::BlackListDelete => Operation::Delete,
            Api::BlackListGet => Operation::Get,
            Api::BlackListCheck => Operation::Check,
            _ => Operation::Add,
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Operation::Add => "Err_SNS_BlackListAdd",
            Operation::Delete => "Err_SNS_BlackListDelete",
            Operation::Get => "Err_SNS_BlackListGet",
            Operation::Check => "Err_SNS_BlackListCheck",
        }
    }

    /// The `ResultInfo` of an injected transient failure.
    fn transient_info(self, code: ErrorCode) -> String {
        let what = match code {
            ErrorCode::NETWORK_TIMEOUT => "Timeout",
            ErrorCode::WRITE_CONFLICT => "Write_Conflict",
            _ => "Internal_Error",
        };
        format!("{}_{what}", self.prefix())
    }

    /// The drawn code of a transient failure and its `ResultInfo`.
    fn drawn(self) -> impl FnOnce(ErrorCode) -> (ErrorCode, String) {
        move |code| (code, self.transient_info(code))
    }
}

/// The request-level answer of an injected transient failure of `api`.
pub(crate) fn transient_failure(api: Api, code: ErrorCode) -> Failure {
    Failure::new(code, Operation::of(api).transient_info(code))
}

/// The answer of a blocklist request.
pub(crate) fn answer(result: BlocklistResult, rules: &Rules) -> Answer {
    match result {
        BlocklistResult::Added { outcomes, .. } => {
            Answer::ok(update(outcomes, |outcome| added(outcome, rules)))
        }
        BlocklistResult::Removed { outcomes, .. } => {
            Answer::ok(update(outcomes, |outcome| removed(outcome, rules)))
        }
        BlocklistResult::Page(page) => Answer::ok(page_response(page)),
        BlocklistResult::Checked(outcomes) => Answer::ok(checked(outcomes)),
    }
}

/// The per-item code and `ResultInfo` of one account of an add.
pub(crate) fn added(outcome: BlockOutcome, rules: &Rules) -> (ErrorCode, String) {
    let (code, info) = match outcome {
        BlockOutcome::Blocked => (ErrorCode::OK, ""),
        BlockOutcome::Yourself => (
            ErrorCode::INVALID_PARAMETER,
            result_text::BLACKLIST_ADD_CANNOT_ADD_SELF,
        ),
        BlockOutcome::NoSuchAccount => (
            ErrorCode::ACCOUNT_NOT_FOUND,
            result_text::BLACKLIST_ADD_ACCOUNT_NOT_EXIST,
        ),
        BlockOutcome::AlreadyBlocked => (
            rules.already_exists_code,
            result_text::BLACKLIST_ADD_ALREADY_EXIST,
        ),
        BlockOutcome::ListFull => (
            ErrorCode::BLOCKLIST_FULL,
            result_text::BLACKLIST_ADD_COUNT_EXCEED_LIMIT,
        ),
        BlockOutcome::Faulted(fault) => return fault.answer(Operation::Add.drawn()),
    };
    (code, info.to_owned())
}

/// The per-item code and `ResultInfo` of one account of a delete: one that is not in the
/// list is answered with `rules.not_blocked_code` (30001 and
/// `Err_SNS_BlackListDelete_Not_Exist`, as the FAQ describes, unless configured otherwise).
fn removed(outcome: UnblockOutcome, rules: &Rules) -> (ErrorCode, String) {
    match outcome {
        UnblockOutcome::Unblocked => (ErrorCode::OK, String::new()),
        UnblockOutcome::NotBlocked if rules.not_blocked_code.is_ok() => {
            (ErrorCode::OK, String::new())
        }
        UnblockOutcome::NotBlocked => (
            rules.not_blocked_code,
            result_text::BLACKLIST_DELETE_NOT_EXIST.to_owned(),
        ),
        UnblockOutcome::Faulted(fault) => fault.answer(Operation::Delete.drawn()),
    }
}

/// The body of an add or delete: every account in `ResultItem`, the failed ones in
/// `Fail_Account`.
fn update<O>(
    outcomes: Vec<AccountOutcome<O>>,
    mut spell: impl FnMut(O) -> (ErrorCode, String),
) -> UpdateBlocklistResponse {
    UpdateBlocklistResponse::new(
        outcomes
            .into_iter()
            .map(|item| {
                let (result_code, result_info) = spell(item.outcome);
                AccountResult::new(item.account, result_code, result_info)
            })
            .collect(),
    )
}

/// The body of a get: the page, where the next one starts, and the list's sequence.
fn page_response(page: Page) -> GetBlocklistResponse {
    GetBlocklistResponse::new(
        page.entries
            .into_iter()
            .map(|entry| BlocklistEntry::new(entry.account, entry.added_at))
            .collect(),
        page.next_start,
    )
    .with_current_sequence(page.sequence)
}

/// The body of a check: every account's relation, the failed ones in `Fail_Account`
/// (with relation NO).
fn checked(outcomes: Vec<AccountOutcome<CheckOutcome>>) -> CheckBlocklistResponse {
    let mut fail_account = Vec::new();
    let black_list_check_item = outcomes
        .into_iter()
        .map(|item| {
            let (relation, result_code, result_info) = match item.outcome {
                CheckOutcome::Related(relation) => (relation, ErrorCode::OK, String::new()),
                CheckOutcome::Faulted(fault) => {
                    fail_account.push(item.account.clone());
                    let (code, info) = fault.answer(Operation::Check.drawn());
                    (Relation::No, code, info)
                }
            };
            CheckItem::new(item.account, relation, result_code, result_info)
        })
        .collect();
    // Fail_Account lists the faulted accounts, whatever code their fault chose.
    let mut response = CheckBlocklistResponse::new(black_list_check_item);
    response.fail_account = fail_account;
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::AccountFault;
    use crate::outcome::Entry;

    const RULES: Rules = Rules {
        remain_friends: false,
        already_exists_code: ErrorCode::INVALID_PARAMETER,
        not_blocked_code: ErrorCode::INVALID_PARAMETER,
    };

    fn items<O: Copy>(outcomes: &[(&str, O)]) -> Vec<AccountOutcome<O>> {
        outcomes
            .iter()
            .map(|(account, outcome)| AccountOutcome::new(account, *outcome))
            .collect()
    }

    fn codes(response: &UpdateBlocklistResponse) -> Vec<i64> {
        response
            .result_item
            .iter()
            .map(|item| item.result_code.0)
            .collect()
    }

    #[test]
    fn add_outcomes_get_their_documented_codes_and_texts() {
        use BlockOutcome::*;
        let outcomes = items(&[
            ("b", Blocked),
            ("b", AlreadyBlocked),
            ("a", Yourself),
            ("ghost", NoSuchAccount),
            ("z", ListFull),
        ]);
        let response = update(outcomes, |outcome| added(outcome, &RULES));
        assert_eq!(codes(&response), [0, 30001, 30001, 30003, 30013]);
        assert_eq!(response.fail_account, ["b", "a", "ghost", "z"]);
        assert_eq!(
            response.result_item[1].result_info,
            result_text::BLACKLIST_ADD_ALREADY_EXIST
        );
        assert_eq!(response.result_item[0].result_info, "");
        let live = Rules {
            already_exists_code: ErrorCode::BLOCKLIST_ALREADY_EXISTS,
            ..RULES
        };
        assert_eq!(
            added(AlreadyBlocked, &live).0,
            ErrorCode::BLOCKLIST_ALREADY_EXISTS
        );
    }

    #[test]
    fn a_drawn_fault_is_named_after_its_operation() {
        let conflict = AccountFault::Drawn(ErrorCode::WRITE_CONFLICT);
        assert_eq!(
            added(BlockOutcome::Faulted(conflict), &RULES),
            (
                ErrorCode::WRITE_CONFLICT,
                "Err_SNS_BlackListAdd_Write_Conflict".to_owned()
            )
        );
        let timeout = AccountFault::Drawn(ErrorCode::NETWORK_TIMEOUT);
        assert_eq!(
            removed(UnblockOutcome::Faulted(timeout), &RULES).1,
            "Err_SNS_BlackListDelete_Timeout"
        );
        let failure = transient_failure(Api::BlackListGet, ErrorCode::INTERNAL_ERROR);
        assert_eq!(failure.info, "Err_SNS_BlackListGet_Internal_Error");
        let chosen = AccountFault::Chosen(ErrorCode::NETWORK_TIMEOUT);
        let (code, info) = removed(UnblockOutcome::Faulted(chosen), &RULES);
        assert_eq!(code, ErrorCode::NETWORK_TIMEOUT);
        assert_eq!(Some(info.as_str()), code.meaning());
    }

    #[test]
    fn not_blocked_follows_the_rule() {
        let response = update(items(&[("b", UnblockOutcome::NotBlocked)]), |outcome| {
            removed(outcome, &RULES)
        });
        assert_eq!(codes(&response), [30001]);
        assert_eq!(
            response.result_item[0].result_info,
            result_text::BLACKLIST_DELETE_NOT_EXIST
        );
        let lenient = Rules {
            not_blocked_code: ErrorCode::OK,
            ..RULES
        };
        let response = update(items(&[("b", UnblockOutcome::NotBlocked)]), |outcome| {
            removed(outcome, &lenient)
        });
        assert_eq!(codes(&response), [0]);
        assert!(response.fail_account.is_empty());
    }

    #[test]
    fn a_failed_check_is_listed_with_relation_no() {
        let fault = AccountFault::Drawn(ErrorCode::INTERNAL_ERROR);
        let response = checked(items(&[
            ("b", CheckOutcome::Related(Relation::BothWay)),
            ("c", CheckOutcome::Faulted(fault)),
        ]));
        let relations: Vec<_> = response
            .black_list_check_item
            .iter()
            .map(|item| (item.relation, item.result_code.0))
            .collect();
        assert_eq!(relations, [(Relation::BothWay, 0), (Relation::No, 30006)]);
        assert_eq!(response.fail_account, ["c"]);
        assert_eq!(
            response.black_list_check_item[1].result_info,
            "Err_SNS_BlackListCheck_Internal_Error"
        );
    }

    #[test]
    fn a_page_keeps_its_order_and_sequence() {
        let page = Page {
            entries: vec![Entry {
                account: "b".to_owned(),
                added_at: 7,
            }],
            next_start: 0,
            sequence: 3,
        };
        let response = page_response(page);
        assert_eq!(response.black_list_item, [BlocklistEntry::new("b", 7)]);
        assert_eq!(response.start_index, 0);
        assert_eq!(response.current_sequence, Some(3));
    }
}
