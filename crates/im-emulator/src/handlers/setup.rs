//! The setup APIs the emulator serves besides the APIs of the table, for tests to set
//! state up: friend import and add, and friend check. Their bodies come from
//! `im_protocol`.

use im_protocol::limits::MAX_FRIEND_CHECK_ACCOUNTS;
use im_protocol::{
    AddType, FriendAddRequest, FriendCheckRequest, FriendCheckType, FriendImportRequest,
    FriendRelation,
};
use serde_json::{Map, Value};

use super::{
    check_count, check_from, check_from_and_targets, check_type_among, decode, decode_value,
};
use crate::outcome::{AccountOutcome, FriendAddOutcome};
use crate::replies::Failure;
use crate::state::World;

/// The most friends in one friend add or import. The service documents no limit; this is
/// the emulator's choice, the limit of the batch account APIs.
const MAX_FRIEND_ITEMS: usize = 100;

/// A setup API served by the emulator, next to the blocklist and account APIs of
/// [`im_protocol::Api`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SetupApi {
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

/// What a setup request did.
#[derive(Debug)]
pub(crate) enum SetupResult {
    /// A friend add or import: the outcome of each account.
    FriendsAdded(Vec<AccountOutcome<FriendAddOutcome>>),
    /// A friend check: the friendship with each account.
    FriendsChecked(Vec<AccountOutcome<FriendRelation>>),
}

/// Serves a setup API: checks the request and applies it. These never see faults or the
/// frequency limit.
pub(crate) fn serve(
    world: &mut World,
    api: SetupApi,
    object: Map<String, Value>,
) -> Result<SetupResult, Failure> {
    match api {
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
            Ok(SetupResult::FriendsChecked(world.check_friends(
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
) -> Result<SetupResult, Failure> {
    check_from(world, from)?;
    check_count(to.len(), MAX_FRIEND_ITEMS, "AddFriendItem")?;
    Ok(SetupResult::FriendsAdded(
        world.add_friends(from, to, add_type),
    ))
}
