//! The account APIs: `account_import`, `multiaccount_import`, `account_delete` and
//! `account_check`, with their documented limits. The bodies come from `im_protocol`; the
//! accounts themselves live in the [`World`].

use im_protocol::{
    AccountCheckRequest, AccountDeleteRequest, AccountImportRequest, Api, ErrorCode,
    MultiAccountImportRequest,
};
use serde_json::{Map, Value};

use super::decode;
use crate::faults::AccountFault;
use crate::outcome::AccountOutcome;
use crate::replies::Failure;
use crate::state::World;

/// An account request that passed its request-level checks.
#[derive(Debug)]
pub(crate) enum AccountCall {
    Import(AccountImportRequest),
    MultiImport(MultiAccountImportRequest),
    Delete(AccountDeleteRequest),
    Check(AccountCheckRequest),
}

/// What an account request did.
#[derive(Debug)]
pub(crate) enum AccountResult {
    /// `account_import`: the account exists, with the profile given.
    Imported,
    /// `multiaccount_import`: the outcome of each account.
    ImportedMany(Vec<AccountOutcome<ImportOutcome>>),
    /// `account_delete`: the outcome of each account.
    Deleted(Vec<AccountOutcome<DeleteOutcome>>),
    /// `account_check`: whether each account exists.
    Checked(Vec<AccountOutcome<ExistsOutcome>>),
}

/// What a bulk import did with one account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ImportOutcome {
    /// The account exists, with the profile given.
    Imported,
    /// The UserID breaks the service's rule; nothing was imported.
    Refused,
    /// An injected fault failed the account before anything was applied.
    Faulted,
}

/// What a delete did with one account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DeleteOutcome {
    /// The account and its lists are gone.
    Deleted,
    /// The account did not exist (also a repeat within the request).
    NotFound,
    /// An injected fault failed the account before anything was applied.
    Faulted(AccountFault),
}

/// What a check found for one account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ExistsOutcome {
    /// The account exists.
    Imported,
    /// The account does not exist (also a UserID the service would not accept).
    NotImported,
    /// An injected fault failed the account.
    Faulted(AccountFault),
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
pub(crate) fn call(api: Api, object: Map<String, Value>) -> Result<AccountCall, Failure> {
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

/// Applies an account request; `fault` may fail an account first (it is then not
/// applied). Per-account faults apply to the APIs that answer account by account.
pub(crate) fn apply(
    world: &mut World,
    call: AccountCall,
    fault: &mut dyn FnMut(&str) -> Option<AccountFault>,
) -> AccountResult {
    match call {
        AccountCall::Import(request) => {
            // The UserID was checked with the request, so the import cannot fail here.
            let _ = world.import_profile(
                &request.user_id,
                request.nick.as_deref(),
                request.face_url.as_deref(),
            );
            AccountResult::Imported
        }
        AccountCall::MultiImport(request) => {
            AccountResult::ImportedMany(import_many(world, &request, fault))
        }
        AccountCall::Delete(request) => AccountResult::Deleted(delete(world, &request, fault)),
        AccountCall::Check(request) => AccountResult::Checked(check(world, &request, fault)),
    }
}

/// `multiaccount_import`: imports each account (`AccountList` with its profile, then the
/// older `Accounts`).
fn import_many(
    world: &mut World,
    request: &MultiAccountImportRequest,
    fault: &mut dyn FnMut(&str) -> Option<AccountFault>,
) -> Vec<AccountOutcome<ImportOutcome>> {
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
    profiled
        .chain(plain)
        .map(|(user_id, nick, face_url)| {
            let outcome = if fault(user_id).is_some() {
                ImportOutcome::Faulted
            } else if world.import_profile(user_id, nick, face_url).is_ok() {
                ImportOutcome::Imported
            } else {
                ImportOutcome::Refused
            };
            AccountOutcome::new(user_id, outcome)
        })
        .collect()
}

/// `account_delete`: deletes each account in turn.
fn delete(
    world: &mut World,
    request: &AccountDeleteRequest,
    fault: &mut dyn FnMut(&str) -> Option<AccountFault>,
) -> Vec<AccountOutcome<DeleteOutcome>> {
    request
        .delete_item
        .iter()
        .map(|item| {
            let user_id = item.user_id.as_str();
            let outcome = if let Some(fault) = fault(user_id) {
                DeleteOutcome::Faulted(fault)
            } else if world.delete_account(user_id) {
                DeleteOutcome::Deleted
            } else {
                DeleteOutcome::NotFound
            };
            AccountOutcome::new(user_id, outcome)
        })
        .collect()
}

/// `account_check`: whether each account exists, in request order.
fn check(
    world: &World,
    request: &AccountCheckRequest,
    fault: &mut dyn FnMut(&str) -> Option<AccountFault>,
) -> Vec<AccountOutcome<ExistsOutcome>> {
    request
        .check_item
        .iter()
        .map(|item| {
            let user_id = item.user_id.as_str();
            let outcome = if let Some(fault) = fault(user_id) {
                ExistsOutcome::Faulted(fault)
            } else if world.exists(user_id) {
                ExistsOutcome::Imported
            } else {
                ExistsOutcome::NotImported
            };
            AccountOutcome::new(user_id, outcome)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handlers::object_of;
    use crate::state::world_of;
    use im_protocol::AccountListItem;

    fn outcomes<O: Copy>(items: &[AccountOutcome<O>]) -> Vec<(&str, O)> {
        items
            .iter()
            .map(|item| (item.account.as_str(), item.outcome))
            .collect()
    }

    #[test]
    fn delete_answers_each_account_and_a_repeat_is_unknown() {
        let mut world = world_of(&["a", "b"]);
        let request = AccountDeleteRequest::new(["a", "ghost", "a"]);
        let deleted = delete(&mut world, &request, &mut |_: &str| None);
        use DeleteOutcome::*;
        assert_eq!(
            outcomes(&deleted),
            [("a", Deleted), ("ghost", NotFound), ("a", NotFound)]
        );
        assert!(!world.exists("a"));
        assert!(world.exists("b"));
    }

    #[test]
    fn check_reports_each_account_in_order() {
        let world = world_of(&["a"]);
        let request = AccountCheckRequest::new(["ghost", "a", "not\tvalid"]);
        let checked = check(&world, &request, &mut |_: &str| None);
        use ExistsOutcome::*;
        assert_eq!(
            outcomes(&checked),
            [
                ("ghost", NotImported),
                ("a", Imported),
                ("not\tvalid", NotImported)
            ]
        );
    }

    #[test]
    fn multi_import_sets_profiles_and_reports_refusals() {
        let mut world = world_of(&["a"]);
        let mut request = MultiAccountImportRequest::new(["a", ""]);
        request.account_list[0].nick = Some("Alice".to_owned());
        request
            .account_list
            .push(AccountListItem::new("b").with_face_url("https://example.com/b.png"));
        request.accounts.push("c".to_owned());
        let imported = import_many(&mut world, &request, &mut |_: &str| None);
        use ImportOutcome::*;
        assert_eq!(
            outcomes(&imported),
            [
                ("a", Imported),
                ("", Refused),
                ("b", Imported),
                ("c", Imported)
            ]
        );
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
        let mut world = world_of(&["a", "b"]);
        let mut calls = 0;
        let timeout = AccountFault::Drawn(ErrorCode::NETWORK_TIMEOUT);
        let mut fault = |_: &str| {
            calls += 1;
            (calls == 1).then_some(timeout)
        };
        let request = AccountDeleteRequest::new(["a", "b"]);
        let deleted = delete(&mut world, &request, &mut fault);
        assert_eq!(
            outcomes(&deleted),
            [
                ("a", DeleteOutcome::Faulted(timeout)),
                ("b", DeleteOutcome::Deleted)
            ]
        );
        assert!(world.exists("a"));
        assert!(!world.exists("b"));
    }

    #[test]
    fn batch_sizes_outside_the_limit_are_refused() {
        let none = AccountCheckRequest::new(Vec::<String>::new());
        let failure = call(Api::AccountCheck, object_of(&none)).err();
        assert_eq!(failure.map(|f| f.code), Some(ErrorCode::INVALID_BATCH_SIZE));
        assert!(batch_size(Api::AccountDelete, 100, "DeleteItem").is_ok());
        assert!(batch_size(Api::AccountDelete, 101, "DeleteItem").is_err());
    }

    #[test]
    fn a_single_import_with_a_bad_user_id_is_refused_whole() {
        let request = AccountImportRequest::new("tab\there");
        let failure = call(Api::AccountImport, object_of(&request)).err();
        assert_eq!(failure.map(|f| f.code), Some(ErrorCode::INVALID_ARGUMENT));
    }
}
