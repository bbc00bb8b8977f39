//! The account APIs: `account_import`, `multiaccount_import`, `account_delete` and
//! `account_check`, with their documented limits and per-item shapes. The bodies come from
//! `im_protocol`; the accounts themselves live in the [`World`].

use im_protocol::{
    AccountCheckRequest, AccountCheckResponse, AccountCheckResult, AccountDeleteRequest,
    AccountDeleteResponse, AccountDeleteResult, AccountImportRequest, AccountImportResponse,
    AccountStatus, Api, ErrorCode, MultiAccountImportRequest, MultiAccountImportResponse,
    result_text,
};
use serde_json::{Map, Value};

use crate::faults::AccountFault;
use crate::service::{Answer, decode};
use crate::state::{Failure, World};

/// The profile an import may give an account.
///
/// ```
/// use im_emulator::Emulator;
/// use im_sig::SecretKey;
///
/// let emulator = Emulator::new(1_400_000_000, SecretKey::new("key"));
/// emulator.import_accounts(["alice"]);
/// let profile = emulator.account_profile("alice").expect("imported");
/// assert_eq!(profile.nick, None);
/// assert!(emulator.account_profile("ghost").is_none());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccountProfile {
    /// The nickname (`Nick`), as the last import that gave one set it.
    pub nick: Option<String>,
    /// The avatar URL (`FaceUrl`), as the last import that gave one set it.
    pub face_url: Option<String>,
}

/// An account request that passed its request-level checks.
pub(crate) enum AccountCall {
    Import(AccountImportRequest),
    MultiImport(MultiAccountImportRequest),
    Delete(AccountDeleteRequest),
    Check(AccountCheckRequest),
}

/// Whether `api` is one of the account APIs.
pub(crate) fn is_account_api(api: Api) -> bool {
    matches!(
        api,
        Api::AccountImport | Api::MultiAccountImport | Api::AccountDelete | Api::AccountCheck
    )
}

/// Decodes an account request and runs its request-level checks: the number of accounts
/// (70206 outside 1 to the API's limit) and, for a single import, the UserID (70402).
pub(crate) fn account_call(api: Api, object: Map<String, Value>) -> Result<AccountCall, Failure> {
    let call = match api {
        Api::AccountImport => {
            let request: AccountImportRequest = decode(object)?;
            im_protocol::validate_user_id(&request.user_id)
                .map_err(|error| Failure::new(ErrorCode::INVALID_ARGUMENT, error.to_string()))?;
            AccountCall::Import(request)
        }
        Api::MultiAccountImport => {
            let request: MultiAccountImportRequest = decode(object)?;
            batch_size(api, request.user_ids().len(), "AccountList")?;
            AccountCall::MultiImport(request)
        }
        Api::AccountDelete => {
            let request: AccountDeleteRequest = decode(object)?;
            batch_size(api, request.delete_item.len(), "DeleteItem")?;
            AccountCall::Delete(request)
        }
        _ => {
            let request: AccountCheckRequest = decode(object)?;
            batch_size(api, request.check_item.len(), "CheckItem")?;
            AccountCall::Check(request)
        }
    };
    Ok(call)
}

/// Checks the number of accounts of a batch account request: 1 to the API's limit.
fn batch_size(api: Api, count: usize, field: &str) -> Result<(), Failure> {
    let max = api.max_accounts();
    if (1..=max).contains(&count) {
        return Ok(());
    }
    Err(Failure::new(
        ErrorCode::INVALID_BATCH_SIZE,
        format!("{field} holds {count} accounts; it must hold 1 to {max}"),
    ))
}

/// The code an injected transient failure has in the account APIs: the fault injector
/// draws the relationship chain's 30006, 30007 or 30008, and the account service answers
/// the same situations with its own codes.
pub(crate) fn transient_code(drawn: ErrorCode) -> ErrorCode {
    match drawn {
        ErrorCode::NETWORK_TIMEOUT => ErrorCode::SERVER_TIMEOUT,
        ErrorCode::WRITE_CONFLICT => ErrorCode::SERVER_INTERNAL_TIMEOUT,
        _ => ErrorCode::SERVER_INTERNAL_ERROR,
    }
}

/// The `ResultInfo` of an injected transient per-item failure of an account API.
pub(crate) fn transient_info(code: ErrorCode) -> String {
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

/// Applies an account request; `fault` may fail an account first (it is then not
/// applied). Per-account faults apply to the APIs that answer account by account.
pub(crate) fn apply(
    world: &mut World,
    call: AccountCall,
    fault: &mut dyn FnMut(&str) -> Option<AccountFault>,
) -> Answer {
    match call {
        AccountCall::Import(request) => {
            // The UserID was checked with the request, so the import cannot fail here.
            let _ = world.import_profile(
                &request.user_id,
                request.nick.as_deref(),
                request.face_url.as_deref(),
            );
            Answer::ok(AccountImportResponse {})
        }
        AccountCall::MultiImport(request) => Answer::ok(import_many(world, &request, fault)),
        AccountCall::Delete(request) => Answer::ok(delete(world, &request, fault)),
        AccountCall::Check(request) => Answer::ok(check(world, &request, fault)),
    }
}

/// `multiaccount_import`: imports each account (`AccountList` with its profile, then the
/// older `Accounts`); an invalid or faulted account is listed in `FailAccounts`.
fn import_many(
    world: &mut World,
    request: &MultiAccountImportRequest,
    fault: &mut dyn FnMut(&str) -> Option<AccountFault>,
) -> MultiAccountImportResponse {
    let profiled = request.account_list.iter().map(|item| {
        (
            item.user_id.as_str(),
            item.nick.as_deref(),
            item.face_url.as_deref(),
        )
    });
    let plain = request
        .accounts
        .iter()
        .map(|user_id| (user_id.as_str(), None, None));
    let mut fail_accounts = Vec::new();
    for (user_id, nick, face_url) in profiled.chain(plain) {
        let imported =
            fault(user_id).is_none() && world.import_profile(user_id, nick, face_url).is_ok();
        if !imported {
            fail_accounts.push(user_id.to_owned());
        }
    }
    MultiAccountImportResponse { fail_accounts }
}

/// `account_delete`: deletes each account in turn; one that does not exist (also a repeat
/// within the request) is answered 70107.
fn delete(
    world: &mut World,
    request: &AccountDeleteRequest,
    fault: &mut dyn FnMut(&str) -> Option<AccountFault>,
) -> AccountDeleteResponse {
    let result_item = request
        .delete_item
        .iter()
        .map(|item| {
            let user_id = item.user_id.clone();
            let (result_code, result_info) = if let Some(fault) = fault(&user_id) {
                fault.answer(drawn_answer)
            } else if world.delete_account(&user_id) {
                (ErrorCode::OK, String::new())
            } else {
                (
                    ErrorCode::REQUESTED_USER_NOT_FOUND,
                    result_text::ACCOUNT_NOT_EXIST.to_owned(),
                )
            };
            AccountDeleteResult {
                user_id,
                result_code,
                result_info,
            }
        })
        .collect();
    AccountDeleteResponse { result_item }
}

/// `account_check`: whether each account exists, in request order. A UserID the service
/// would not accept was never imported: `NotImported`.
fn check(
    world: &World,
    request: &AccountCheckRequest,
    fault: &mut dyn FnMut(&str) -> Option<AccountFault>,
) -> AccountCheckResponse {
    let result_item = request
        .check_item
        .iter()
        .map(|item| {
            let user_id = item.user_id.clone();
            if let Some(fault) = fault(&user_id) {
                let (code, info) = fault.answer(drawn_answer);
                return AccountCheckResult {
                    user_id,
                    result_code: code,
                    result_info: info,
                    account_status: None,
                };
            }
            let status = if world.exists(&user_id) {
                AccountStatus::Imported
            } else {
                AccountStatus::NotImported
            };
            AccountCheckResult {
                user_id,
                result_code: ErrorCode::OK,
                result_info: String::new(),
                account_status: Some(status),
            }
        })
        .collect();
    AccountCheckResponse { result_item }
}

#[cfg(test)]
mod tests {
    use super::*;
    use im_protocol::{AccountListItem, UserIdItem};

    fn world(accounts: &[&str]) -> World {
        let mut world = World::default();
        for account in accounts {
            world.import(account).expect("a valid UserID");
        }
        world
    }

    #[test]
    fn delete_answers_each_account_and_a_repeat_is_unknown() {
        let mut world = world(&["a", "b"]);
        let request = AccountDeleteRequest::new(["a", "ghost", "a"]);
        let response = delete(&mut world, &request, &mut |_: &str| None);
        let codes: Vec<i64> = response
            .result_item
            .iter()
            .map(|r| r.result_code.0)
            .collect();
        assert_eq!(codes, [0, 70107, 70107]);
        assert_eq!(
            response.result_item[1].result_info,
            result_text::ACCOUNT_NOT_EXIST
        );
        assert!(!world.exists("a"));
        assert!(world.exists("b"));
    }

    #[test]
    fn check_reports_each_account_in_order() {
        let world = world(&["a"]);
        let request = AccountCheckRequest::new(["ghost", "a", "not\tvalid"]);
        let response = check(&world, &request, &mut |_: &str| None);
        let statuses: Vec<_> = response
            .result_item
            .iter()
            .map(|result| (result.user_id.as_str(), result.account_status))
            .collect();
        assert_eq!(
            statuses,
            [
                ("ghost", Some(AccountStatus::NotImported)),
                ("a", Some(AccountStatus::Imported)),
                ("not\tvalid", Some(AccountStatus::NotImported)),
            ]
        );
        assert!(response.result_item.iter().all(AccountCheckResult::is_ok));
    }

    #[test]
    fn multi_import_sets_profiles_and_lists_failures() {
        let mut world = world(&["a"]);
        let mut request = MultiAccountImportRequest::new(["a", ""]);
        request.account_list[0].nick = Some("Alice".to_owned());
        request.account_list.push(AccountListItem {
            user_id: "b".to_owned(),
            nick: None,
            face_url: Some("https://example.com/b.png".to_owned()),
        });
        request.accounts.push("c".to_owned());
        let response = import_many(&mut world, &request, &mut |_: &str| None);
        assert_eq!(response.fail_accounts, [""]);
        let profile = |id| world.profile(id).cloned().unwrap_or_default();
        assert_eq!(profile("a").nick.as_deref(), Some("Alice"));
        assert_eq!(
            profile("b").face_url.as_deref(),
            Some("https://example.com/b.png")
        );
        assert!(world.exists("c"));
    }

    #[test]
    fn faulted_accounts_are_not_applied() {
        let mut world = world(&["a", "b"]);
        let mut calls = 0;
        let mut fault = |_: &str| {
            calls += 1;
            (calls == 1).then_some(AccountFault::Drawn(ErrorCode::NETWORK_TIMEOUT))
        };
        let request = AccountDeleteRequest {
            delete_item: vec![UserIdItem::new("a"), UserIdItem::new("b")],
        };
        let response = delete(&mut world, &request, &mut fault);
        assert_eq!(
            response.result_item[0].result_code,
            ErrorCode::SERVER_TIMEOUT
        );
        assert!(world.exists("a"));
        assert!(!world.exists("b"));
    }

    #[test]
    fn batch_sizes_outside_the_limit_are_refused() {
        let none = AccountCheckRequest::new(Vec::<String>::new());
        let object = match serde_json::to_value(&none) {
            Ok(Value::Object(object)) => object,
            other => panic!("not an object: {other:?}"),
        };
        let failure = account_call(Api::AccountCheck, object).err();
        assert_eq!(failure.map(|f| f.code), Some(ErrorCode::INVALID_BATCH_SIZE));
        assert!(batch_size(Api::AccountDelete, 100, "DeleteItem").is_ok());
        assert!(batch_size(Api::AccountDelete, 101, "DeleteItem").is_err());
    }
}
