//! The setup APIs the emulator serves besides the blocklist: account import and check,
//! friend import and add, and friend check. Their bodies come from `im_protocol`.

use im_protocol::limits::{
    MAX_ACCOUNT_CHECK_ITEMS, MAX_FRIEND_CHECK_ACCOUNTS, MAX_MULTIACCOUNT_IMPORT_ACCOUNTS,
};
use im_protocol::{
    AccountCheckRequest, AccountCheckResponse, AccountImportRequest, AccountImportResponse,
    AddType, ErrorCode, FriendAddRequest, FriendCheckRequest, FriendCheckType, FriendImportRequest,
    MultiAccountImportRequest, MultiAccountImportResponse,
};
use serde_json::{Map, Value};

use crate::service::{
    Answer, check_count, check_from_and_targets, check_type_among, decode, decode_value,
};
use crate::state::{Failure, World};

/// The most friends in one friend add or import. The service documents no limit; this is
/// the emulator's choice, the limit of the other setup APIs.
const MAX_FRIEND_ITEMS: usize = 100;

/// A setup API served by the emulator, next to the four blocklist APIs of
/// [`im_protocol::Api`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SetupApi {
    /// `v4/im_open_login_svc/account_import`: imports one account
    /// ([`AccountImportRequest`]).
    AccountImport,
    /// `v4/im_open_login_svc/multiaccount_import`: imports up to 100 accounts
    /// ([`MultiAccountImportRequest`]).
    MultiAccountImport,
    /// `v4/im_open_login_svc/account_check`: tells, for up to 100 accounts, whether each
    /// was imported ([`AccountCheckRequest`]).
    AccountCheck,
    /// `v4/sns/friend_import`: imports friends one way ([`FriendImportRequest`]; an
    /// `AddType` of `Add_Type_Both`, which the service does not document here, makes the
    /// friendships mutual).
    FriendImport,
    /// `v4/sns/friend_add`: adds friends ([`FriendAddRequest`], both ways unless `AddType`
    /// says single).
    FriendAdd,
    /// `v4/sns/friend_check`: checks friendships ([`FriendCheckRequest`]).
    FriendCheck,
}

impl SetupApi {
    /// Every setup API.
    pub const ALL: &[SetupApi] = &[
        SetupApi::AccountImport,
        SetupApi::MultiAccountImport,
        SetupApi::AccountCheck,
        SetupApi::FriendImport,
        SetupApi::FriendAdd,
        SetupApi::FriendCheck,
    ];

    /// The path below the host, without a leading slash.
    ///
    /// ```
    /// use im_emulator::SetupApi;
    ///
    /// assert_eq!(SetupApi::FriendAdd.path(), "v4/sns/friend_add");
    /// assert_eq!(SetupApi::from_path("/v4/sns/friend_add"), Some(SetupApi::FriendAdd));
    /// ```
    pub const fn path(self) -> &'static str {
        match self {
            SetupApi::AccountImport => AccountImportRequest::PATH,
            SetupApi::MultiAccountImport => MultiAccountImportRequest::PATH,
            SetupApi::AccountCheck => AccountCheckRequest::PATH,
            SetupApi::FriendImport => FriendImportRequest::PATH,
            SetupApi::FriendAdd => FriendAddRequest::PATH,
            SetupApi::FriendCheck => FriendCheckRequest::PATH,
        }
    }

    /// The setup API served at `path`, with or without a leading slash.
    pub fn from_path(path: &str) -> Option<SetupApi> {
        let path = path.strip_prefix('/').unwrap_or(path);
        SetupApi::ALL.iter().copied().find(|api| api.path() == path)
    }
}

/// Serves a setup API. These never see faults or the frequency limit.
pub(crate) fn serve(
    world: &mut World,
    api: SetupApi,
    object: Map<String, Value>,
) -> Result<Answer, Failure> {
    match api {
        SetupApi::AccountImport => {
            let request: AccountImportRequest = decode(object)?;
            world
                .import(&request.user_id)
                .map_err(|error| Failure::new(ErrorCode::INVALID_ARGUMENT, error.to_string()))?;
            Ok(Answer::ok(AccountImportResponse {}))
        }
        SetupApi::MultiAccountImport => {
            let request: MultiAccountImportRequest = decode(object)?;
            let accounts = request.user_ids();
            if accounts.is_empty() || accounts.len() > MAX_MULTIACCOUNT_IMPORT_ACCOUNTS {
                return Err(Failure::new(
                    ErrorCode::INVALID_ARGUMENT,
                    format!("import 1 to {MAX_MULTIACCOUNT_IMPORT_ACCOUNTS} accounts per request"),
                ));
            }
            let fail_accounts = accounts
                .into_iter()
                .filter(|account| world.import(account).is_err())
                .map(str::to_owned)
                .collect();
            Ok(Answer::ok(MultiAccountImportResponse { fail_accounts }))
        }
        SetupApi::AccountCheck => {
            let request: AccountCheckRequest = decode(object)?;
            check_count(
                request.check_item.len(),
                MAX_ACCOUNT_CHECK_ITEMS,
                "CheckItem",
            )?;
            let user_ids = request.check_item.iter().map(|item| item.user_id.as_str());
            Ok(Answer::ok(AccountCheckResponse {
                result_item: world.check_accounts(user_ids),
            }))
        }
        SetupApi::FriendAdd => {
            let request: FriendAddRequest = decode(object)?;
            let to: Vec<&str> = request
                .add_friend_item
                .iter()
                .map(|item| item.to_account.as_str())
                .collect();
            let add_type = request.add_type.unwrap_or(AddType::Both);
            add_friends(world, &request.from_account, &to, add_type)
        }
        SetupApi::FriendImport => {
            // `AddType` is not part of friend_import; the emulator reads it to make
            // mutual friendships in one call.
            let add_type = match object.get("AddType") {
                Some(value) => decode_value::<AddType>(value.clone())?,
                None => AddType::Single,
            };
            let request: FriendImportRequest = decode(object)?;
            let to: Vec<&str> = request
                .add_friend_item
                .iter()
                .map(|item| item.to_account.as_str())
                .collect();
            add_friends(world, &request.from_account, &to, add_type)
        }
        SetupApi::FriendCheck => {
            check_type_among(
                &object,
                [
                    FriendCheckType::Single.as_str(),
                    FriendCheckType::Both.as_str(),
                ],
                "CheckType must be CheckResult_Type_Single or CheckResult_Type_Both",
            )?;
            let request: FriendCheckRequest = decode(object)?;
            check_from_and_targets(
                world,
                &request.from_account,
                request.to_account.len(),
                MAX_FRIEND_CHECK_ACCOUNTS,
            )?;
            Ok(Answer::ok(world.check_friends(
                &request.from_account,
                &request.to_account,
                request.check_type,
            )))
        }
    }
}

/// `friend_add` and `friend_import`: checks `From_Account` and the number of friends,
/// then befriends each.
fn add_friends(
    world: &mut World,
    from: &str,
    to: &[&str],
    add_type: AddType,
) -> Result<Answer, Failure> {
    world.check_from(from)?;
    check_count(to.len(), MAX_FRIEND_ITEMS, "AddFriendItem")?;
    Ok(Answer::ok(world.add_friends(from, to, add_type)))
}
