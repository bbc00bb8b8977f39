//! The accounts' business rules: where each answered account goes. Pure functions.

use im_client::{AccountFailure, FailureReason, Unanswered};
use im_protocol::{AccountStatus, ErrorCode};

use crate::settle::Reply;

/// Where one account of an import or a delete goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Bucket {
    Succeeded,
    Unchanged,
    Failed(AccountFailure),
}

/// An imported account: code 0 is success, any other code a failure. (The bulk import
/// answer lists failures only; the engine turns an unlisted account into code 0.)
pub(crate) fn import(account: &str, reply: Reply<()>) -> Bucket {
    if reply.code.is_ok() {
        Bucket::Succeeded
    } else {
        Bucket::Failed(coded(account, reply.code, reply.info))
    }
}

/// A deleted account: 70107 (the account does not exist) means the requested state
/// holds: `unchanged` on a first attempt, `succeeded` when an earlier attempt may have
/// been the one that deleted it.
pub(crate) fn delete(account: &str, reply: Reply<()>) -> Bucket {
    if reply.code.is_ok() {
        return Bucket::Succeeded;
    }
    if reply.code == ErrorCode::REQUESTED_USER_NOT_FOUND {
        return if reply.ambiguous {
            Bucket::Succeeded
        } else {
            Bucket::Unchanged
        };
    }
    Bucket::Failed(coded(account, reply.code, reply.info))
}

/// A checked account: its status, or the failure. A success without a status is a
/// failure: guessing would misreport the account.
pub(crate) fn check(
    account: &str,
    reply: Reply<Option<AccountStatus>>,
) -> Result<AccountStatus, AccountFailure> {
    match reply.extra.flatten() {
        Some(status) if reply.code.is_ok() => Ok(status),
        None if reply.code.is_ok() => Err(failure(
            account,
            FailureReason::UnreadableResult,
            "the service answered without an AccountStatus".to_owned(),
        )),
        _ => Err(coded(account, reply.code, reply.info)),
    }
}

/// A failure of `account` for `reason`.
fn failure(account: &str, reason: FailureReason, info: String) -> AccountFailure {
    AccountFailure::new(account, reason, info)
}

/// A failure with the service's per-item code.
fn coded(account: &str, code: ErrorCode, info: String) -> AccountFailure {
    failure(account, FailureReason::Code(code), info)
}

/// An account the answer listed as failed without a code (`FailAccounts`).
pub(crate) fn listed_failed(account: &str, info: String) -> AccountFailure {
    failure(account, FailureReason::ListedFailed, info)
}

/// An account without a final answer: retries ran out, its request failed or was not
/// sent.
pub(crate) fn unanswered<T>(account: &str, unanswered: Unanswered<'_, T>) -> AccountFailure {
    failure(account, unanswered.reason, unanswered.info)
}

/// An account the batch helper reported nothing for (it reports every one; this keeps a
/// gap visible instead of dropping the account).
pub(crate) fn unrecorded(account: &str) -> AccountFailure {
    failure(
        account,
        FailureReason::NoResult,
        "no result was recorded for this account".to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply<X>(code: i64, extra: Option<X>, ambiguous: bool) -> Reply<X> {
        Reply {
            code: ErrorCode(code),
            info: format!("info {code}"),
            extra,
            ambiguous,
        }
    }

    #[test]
    fn an_unknown_account_on_delete_is_unchanged_or_converged() {
        assert_eq!(delete("a", reply(0, None, false)), Bucket::Succeeded);
        assert_eq!(delete("a", reply(70107, None, false)), Bucket::Unchanged);
        assert_eq!(delete("a", reply(70107, None, true)), Bucket::Succeeded);
        match delete("a", reply(70500, None, true)) {
            Bucket::Failed(failure) => {
                assert_eq!(failure.code(), Some(ErrorCode(70500)));
                assert_eq!(failure.info, "info 70500");
            }
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn import_succeeds_only_on_code_zero() {
        assert_eq!(import("a", reply(0, None, false)), Bucket::Succeeded);
        assert!(matches!(
            import("a", reply(70402, None, false)),
            Bucket::Failed(_)
        ));
    }

    #[test]
    fn check_needs_code_zero_and_a_status() {
        let ok = reply(0, Some(Some(AccountStatus::NotImported)), false);
        assert_eq!(check("a", ok), Ok(AccountStatus::NotImported));
        assert!(check("a", reply(0, Some(None), false)).is_err());
        let failed = check("a", reply(70169, Some(None), false)).expect_err("a failure");
        assert_eq!(failed.code(), Some(ErrorCode(70169)));
    }
}
