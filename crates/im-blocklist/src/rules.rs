//! The blocklist's business rules: where an answered account of an add or remove goes.

use im_client::{Answered, FailureReason};
use im_protocol::result_text::{says_already_exists, says_not_in_list};
use im_protocol::{ErrorCode, Relation};

/// Which way an add or remove changes the blocklist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Change {
    Add,
    Remove,
}

/// Where one answered account of an add or remove goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Bucket {
    Succeeded,
    Unchanged,
    Failed {
        reason: FailureReason,
        info: String,
    },
    /// The generic 30001 with a text that does not say what happened: the FAQ answers
    /// both "already in that state" and a bad parameter with it. A check settles it
    /// ([`settle`]).
    Unsettled {
        ambiguous: bool,
        info: String,
    },
}

/// Sorts an answered add or remove result into its bucket. A pure function.
///
/// "Already blocked" on add and "not blocked" on remove mean the requested state holds:
/// `unchanged` on a first attempt, `succeeded` when an earlier attempt may have been the
/// one that changed it.
pub(crate) fn bucket<T>(change: Change, answered: Answered<'_, T, ()>) -> Bucket {
    let Some(code) = answered.code else {
        return Bucket::Failed {
            reason: FailureReason::ListedFailed,
            info: answered.info,
        };
    };
    if code.is_ok() {
        return Bucket::Succeeded;
    }
    if already_in_state(change, code, &answered.info) {
        return if answered.ambiguous {
            Bucket::Succeeded
        } else {
            Bucket::Unchanged
        };
    }
    if code == ErrorCode::INVALID_PARAMETER {
        return Bucket::Unsettled {
            ambiguous: answered.ambiguous,
            info: answered.info,
        };
    }
    Bucket::Failed {
        reason: FailureReason::Code(code),
        info: answered.info,
    }
}

/// Settles an [`Bucket::Unsettled`] account by its relation as a `Single` check saw it
/// (`None` when the check gave none): in the requested state it is `unchanged`
/// (`succeeded` after an ambiguous attempt), otherwise the 30001 stands. Other buckets are
/// returned as they are. A pure function.
pub(crate) fn settle(change: Change, bucket: Bucket, relation: Option<Relation>) -> Bucket {
    let Bucket::Unsettled { ambiguous, info } = bucket else {
        return bucket;
    };
    let blocked = matches!(relation, Some(Relation::AWithB | Relation::BothWay));
    let in_state = match change {
        Change::Add => blocked,
        Change::Remove => relation.is_some() && !blocked,
    };
    match (in_state, ambiguous) {
        (true, true) => Bucket::Succeeded,
        (true, false) => Bucket::Unchanged,
        (false, _) => Bucket::Failed {
            reason: FailureReason::Code(ErrorCode::INVALID_PARAMETER),
            info,
        },
    }
}

/// Whether a per-account failure says the requested state already holds.
///
/// The documentation answers "already blocked" with the generic code 30001 and
/// `ResultInfo` `Err_SNS_BlackListAdd_Already_Exist`; the live service has been seen
/// sending 31307 with the same text. So 31307 on add is "already blocked", and 30001 is when
/// its text says so (the texts are recognised by `im_protocol::result_text`, which the
/// emulator writes from too). The text is never read under any other code: a 30013 (list
/// full) whose text happened to say "already exist" is a failure.
fn already_in_state(change: Change, code: ErrorCode, info: &str) -> bool {
    match change {
        Change::Add => {
            code == ErrorCode::BLOCKLIST_ALREADY_EXISTS
                || (code == ErrorCode::INVALID_PARAMETER && says_already_exists(info))
        }
        Change::Remove => code == ErrorCode::INVALID_PARAMETER && says_not_in_list(info),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOB: &str = "bob";

    fn answered(code: i64, info: &str, ambiguous: bool) -> Answered<'static, &'static str, ()> {
        Answered {
            index: 0,
            item: &BOB,
            code: Some(ErrorCode(code)),
            info: info.to_owned(),
            extra: Some(()),
            ambiguous,
        }
    }

    #[test]
    fn already_exists_is_unchanged_first_and_success_after_an_ambiguous_attempt() {
        let documented = answered(30001, "Err_SNS_BlackListAdd_Already_Exist", false);
        assert_eq!(bucket(Change::Add, documented), Bucket::Unchanged);
        let observed = answered(31307, "Err_SNS_BlackListAdd_Already_Exist", true);
        assert_eq!(bucket(Change::Add, observed), Bucket::Succeeded);
        let code_only = answered(31307, "", false);
        assert_eq!(bucket(Change::Add, code_only), Bucket::Unchanged);
    }

    #[test]
    fn an_unexplained_30001_is_settled_by_the_relation() {
        let bad = answered(30001, "Err_SNS_BlackListAdd_Param_Invalid", true);
        let unsettled = bucket(Change::Add, bad);
        assert_eq!(
            unsettled,
            Bucket::Unsettled {
                ambiguous: true,
                info: "Err_SNS_BlackListAdd_Param_Invalid".to_owned(),
            }
        );
        assert_eq!(
            settle(Change::Add, unsettled.clone(), Some(Relation::AWithB)),
            Bucket::Succeeded
        );
        assert_eq!(
            settle(Change::Add, unsettled, Some(Relation::No)),
            Bucket::Failed {
                reason: FailureReason::Code(ErrorCode(30001)),
                info: "Err_SNS_BlackListAdd_Param_Invalid".to_owned(),
            }
        );
        let remove = bucket(Change::Remove, answered(30001, "", false));
        assert_eq!(
            settle(Change::Remove, remove.clone(), Some(Relation::No)),
            Bucket::Unchanged
        );
        assert!(matches!(
            settle(Change::Remove, remove, None),
            Bucket::Failed { .. }
        ));
    }

    #[test]
    fn other_codes_fail_with_code_and_info() {
        assert!(matches!(
            bucket(Change::Add, answered(30013, "full", false)),
            Bucket::Failed { .. }
        ));
    }

    #[test]
    fn already_texts_under_other_codes_are_failures() {
        let full = answered(30013, "Err_SNS_BlackListAdd_Already_Exist", false);
        assert!(matches!(bucket(Change::Add, full), Bucket::Failed { .. }));
        let odd = answered(30006, "Err_SNS_BlackListDelete_Not_Exist", true);
        assert!(matches!(bucket(Change::Remove, odd), Bucket::Failed { .. }));
    }

    #[test]
    fn not_blocked_on_remove_is_unchanged_but_a_missing_account_is_not() {
        let not_blocked = answered(30001, "Err_SNS_BlackListDelete_Not_Exist", false);
        assert_eq!(bucket(Change::Remove, not_blocked), Bucket::Unchanged);
        let missing = answered(30003, "Err_SNS_Account_Not_Exist", false);
        assert!(matches!(
            bucket(Change::Remove, missing),
            Bucket::Failed { .. }
        ));
        assert_eq!(
            bucket(Change::Remove, answered(0, "", true)),
            Bucket::Succeeded
        );
    }
}
