//! The wire answers of the account APIs: `FailAccounts`, and `ResultItem`s with the
//! account service's own codes for injected faults.

use im_protocol::{
    AccountCheckResponse, AccountCheckResult, AccountDeleteResponse, AccountDeleteResult,
    AccountImportResponse, AccountStatus, ErrorCode, MultiAccountImportResponse, result_text,
};

use super::{Answer, Failure};
use crate::handlers::account::{AccountResult, DeleteOutcome, ExistsOutcome, ImportOutcome};

/// The code an injected transient failure has in the account APIs: the fault injector
/// draws the relationship chain's 30006, 30007 or 30008, and the account service answers
/// the same situations with its own codes.
fn transient_code(drawn: ErrorCode) -> ErrorCode {
    match drawn {
        ErrorCode::NETWORK_TIMEOUT => ErrorCode::SERVER_TIMEOUT,
        ErrorCode::WRITE_CONFLICT => ErrorCode::SERVER_INTERNAL_TIMEOUT,
        _ => ErrorCode::SERVER_INTERNAL_ERROR,
    }
}

/// The `ResultInfo` of an injected transient failure of an account API.
fn transient_info(code: ErrorCode) -> String {
    let what = match code {
        ErrorCode::SERVER_TIMEOUT | ErrorCode::SERVER_INTERNAL_TIMEOUT => "Timeout",
        _ => "Internal_Error",
    };
    format!("Err_TLS_PT_Open_Login_{what}")
}

/// The code and info of a drawn transient failure in the account APIs.
fn drawn_answer(drawn: ErrorCode) -> (ErrorCode, String) {
    let code = transient_code(drawn);
    (code, transient_info(code))
}

/// The request-level answer of an injected transient failure, drawn as `drawn`.
pub(crate) fn transient_failure(drawn: ErrorCode) -> Failure {
    let (code, info) = drawn_answer(drawn);
    Failure::new(code, info)
}

/// The answer of an account request.
pub(crate) fn answer(result: AccountResult) -> Answer {
    match result {
        AccountResult::Imported => Answer::ok(AccountImportResponse::default()),
        AccountResult::ImportedMany(outcomes) => Answer::ok(MultiAccountImportResponse::new(
            outcomes
                .into_iter()
                .filter(|item| item.outcome != ImportOutcome::Imported)
                .map(|item| item.account),
        )),
        AccountResult::Deleted(outcomes) => Answer::ok(AccountDeleteResponse::new(
            outcomes
                .into_iter()
                .map(|item| {
                    let (result_code, result_info) = deleted(item.outcome);
                    AccountDeleteResult::new(item.account, result_code, result_info)
                })
                .collect(),
        )),
        AccountResult::Checked(outcomes) => Answer::ok(AccountCheckResponse::new(
            outcomes
                .into_iter()
                .map(|item| checked(item.account, item.outcome))
                .collect(),
        )),
    }
}

/// The per-item code and `ResultInfo` of one account of a delete: 70107 for an account
/// that does not exist.
fn deleted(outcome: DeleteOutcome) -> (ErrorCode, String) {
    match outcome {
        DeleteOutcome::Deleted => (ErrorCode::OK, String::new()),
        DeleteOutcome::NotFound => (
            ErrorCode::REQUESTED_USER_NOT_FOUND,
            result_text::ACCOUNT_NOT_EXIST.to_owned(),
        ),
        DeleteOutcome::Faulted(fault) => fault.answer(drawn_answer),
    }
}

/// One account of a check: code 0 with its `AccountStatus`, or a failure without one.
fn checked(user_id: String, outcome: ExistsOutcome) -> AccountCheckResult {
    let status = match outcome {
        ExistsOutcome::Imported => AccountStatus::Imported,
        ExistsOutcome::NotImported => AccountStatus::NotImported,
        ExistsOutcome::Faulted(fault) => {
            let (result_code, result_info) = fault.answer(drawn_answer);
            return AccountCheckResult::new(user_id, result_code, result_info);
        }
    };
    AccountCheckResult::new(user_id, ErrorCode::OK, "").with_account_status(status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::AccountFault;

    #[test]
    fn drawn_faults_become_the_account_service_codes() {
        let cases = [
            (
                ErrorCode::NETWORK_TIMEOUT,
                70169,
                "Err_TLS_PT_Open_Login_Timeout",
            ),
            (
                ErrorCode::WRITE_CONFLICT,
                70202,
                "Err_TLS_PT_Open_Login_Timeout",
            ),
            (
                ErrorCode::INTERNAL_ERROR,
                70500,
                "Err_TLS_PT_Open_Login_Internal_Error",
            ),
        ];
        for (drawn, code, info) in cases {
            let failure = transient_failure(drawn);
            assert_eq!((failure.code.0, failure.info.as_str()), (code, info));
            let fault = DeleteOutcome::Faulted(AccountFault::Drawn(drawn));
            assert_eq!(deleted(fault), (ErrorCode(code), info.to_owned()));
        }
    }

    #[test]
    fn an_unknown_account_is_70107_with_the_documented_text() {
        assert_eq!(
            deleted(DeleteOutcome::NotFound),
            (
                ErrorCode::REQUESTED_USER_NOT_FOUND,
                result_text::ACCOUNT_NOT_EXIST.to_owned()
            )
        );
    }

    #[test]
    fn a_failed_check_has_no_status() {
        let fault = ExistsOutcome::Faulted(AccountFault::Chosen(ErrorCode::SERVER_TIMEOUT));
        let result = checked("a".to_owned(), fault);
        assert_eq!(result.result_code, ErrorCode::SERVER_TIMEOUT);
        assert_eq!(result.account_status, None);
        let result = checked("b".to_owned(), ExistsOutcome::NotImported);
        assert!(result.is_ok());
        assert_eq!(result.account_status, Some(AccountStatus::NotImported));
    }
}
