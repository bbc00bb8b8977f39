//! The setup APIs the emulator serves besides the blocklist: account import, friend
//! import and add, and friend check. Their bodies are defined here; the blocklist bodies
//! come from `im_protocol`.

use im_protocol::{AccountResult, ErrorCode};
use serde::{Deserialize, Serialize};

/// A setup API served by the emulator, next to the four blocklist APIs of
/// [`im_protocol::Api`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SetupApi {
    /// `v4/im_open_login_svc/account_import`: imports one account ([`AccountImportRequest`]).
    AccountImport,
    /// `v4/im_open_login_svc/multiaccount_import`: imports up to 100 accounts
    /// ([`MultiAccountImportRequest`]).
    MultiAccountImport,
    /// `v4/sns/friend_import`: imports friends ([`FriendAddRequest`], one-way unless
    /// `AddType` says both).
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
            SetupApi::AccountImport => "v4/im_open_login_svc/account_import",
            SetupApi::MultiAccountImport => "v4/im_open_login_svc/multiaccount_import",
            SetupApi::FriendImport => "v4/sns/friend_import",
            SetupApi::FriendAdd => "v4/sns/friend_add",
            SetupApi::FriendCheck => "v4/sns/friend_check",
        }
    }

    /// The setup API served at `path`, with or without a leading slash.
    pub fn from_path(path: &str) -> Option<SetupApi> {
        let path = path.strip_prefix('/').unwrap_or(path);
        SetupApi::ALL.iter().copied().find(|api| api.path() == path)
    }
}

/// The body of `v4/im_open_login_svc/account_import`.
///
/// The account is read from `UserID`, or from the older `Identifier`. Profile fields are
/// accepted and ignored.
///
/// ```
/// use im_emulator::AccountImportRequest;
///
/// let old: AccountImportRequest = serde_json::from_str(r#"{"Identifier":"bob"}"#).unwrap();
/// assert_eq!(old, AccountImportRequest::new("bob"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountImportRequest {
    /// The account to import.
    #[serde(rename = "UserID", alias = "Identifier")]
    pub user_id: String,
    /// The nickname (`Nick`), ignored by the emulator.
    #[serde(rename = "Nick", default, skip_serializing_if = "Option::is_none")]
    pub nick: Option<String>,
    /// The avatar URL (`FaceUrl`), ignored by the emulator.
    #[serde(rename = "FaceUrl", default, skip_serializing_if = "Option::is_none")]
    pub face_url: Option<String>,
}

impl AccountImportRequest {
    /// A request that imports `user_id` without profile fields.
    pub fn new(user_id: impl Into<String>) -> Self {
        AccountImportRequest {
            user_id: user_id.into(),
            nick: None,
            face_url: None,
        }
    }
}

/// The body of a successful `v4/im_open_login_svc/account_import` response: the envelope
/// alone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountImportResponse {}

/// One account of `AccountList` in [`MultiAccountImportRequest`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountListItem {
    /// The account to import.
    #[serde(rename = "UserID", alias = "Identifier")]
    pub user_id: String,
    /// The nickname (`Nick`), ignored by the emulator.
    #[serde(rename = "Nick", default, skip_serializing_if = "Option::is_none")]
    pub nick: Option<String>,
    /// The avatar URL (`FaceUrl`), ignored by the emulator.
    #[serde(rename = "FaceUrl", default, skip_serializing_if = "Option::is_none")]
    pub face_url: Option<String>,
}

/// The body of `v4/im_open_login_svc/multiaccount_import`: at most 100 accounts.
///
/// The current shape is `{"AccountList":[{"UserID":"a"}]}`; the older
/// `{"Accounts":["a","b"]}` is accepted too, and both lists are imported when both are sent.
///
/// ```
/// use im_emulator::MultiAccountImportRequest;
///
/// let request = MultiAccountImportRequest::new(["a", "b"]);
/// assert_eq!(
///     serde_json::to_string(&request).unwrap(),
///     r#"{"AccountList":[{"UserID":"a"},{"UserID":"b"}]}"#
/// );
/// let old: MultiAccountImportRequest = serde_json::from_str(r#"{"Accounts":["a"]}"#).unwrap();
/// assert_eq!(old.user_ids(), ["a"]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MultiAccountImportRequest {
    /// The accounts to import, current shape (`AccountList`).
    #[serde(rename = "AccountList", default, skip_serializing_if = "Vec::is_empty")]
    pub account_list: Vec<AccountListItem>,
    /// The accounts to import, older shape (`Accounts`).
    #[serde(rename = "Accounts", default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<String>,
}

impl MultiAccountImportRequest {
    /// A request in the current shape that imports `user_ids`.
    pub fn new<I>(user_ids: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        MultiAccountImportRequest {
            account_list: user_ids
                .into_iter()
                .map(|user_id| AccountListItem {
                    user_id: user_id.into(),
                    nick: None,
                    face_url: None,
                })
                .collect(),
            accounts: Vec::new(),
        }
    }

    /// Every account of both lists, `AccountList` first.
    pub fn user_ids(&self) -> Vec<&str> {
        self.account_list
            .iter()
            .map(|item| item.user_id.as_str())
            .chain(self.accounts.iter().map(String::as_str))
            .collect()
    }
}

/// The body of a successful `v4/im_open_login_svc/multiaccount_import` response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MultiAccountImportResponse {
    /// The accounts that could not be imported (`FailAccounts`): empty, or longer than
    /// 32 bytes.
    #[serde(rename = "FailAccounts", default)]
    pub fail_accounts: Vec<String>,
}

/// Whether a friendship is added in one direction or both (`AddType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AddType {
    /// `Add_Type_Single`: only `To_Account` becomes a friend of `From_Account`.
    #[serde(rename = "Add_Type_Single")]
    Single,
    /// `Add_Type_Both`: each becomes a friend of the other.
    #[serde(rename = "Add_Type_Both")]
    Both,
}

/// One friend of `AddFriendItem` in [`FriendAddRequest`]. Fields other than `To_Account`
/// are accepted and ignored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddFriendItem {
    /// The account to befriend.
    #[serde(rename = "To_Account")]
    pub to_account: String,
    /// The remark (`Remark`), ignored by the emulator.
    #[serde(rename = "Remark", default, skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
    /// The friend group (`GroupName`), ignored by the emulator.
    #[serde(rename = "GroupName", default, skip_serializing_if = "Option::is_none")]
    pub group_name: Option<String>,
    /// Where the request came from (`AddSource`), ignored by the emulator.
    #[serde(rename = "AddSource", default, skip_serializing_if = "Option::is_none")]
    pub add_source: Option<String>,
}

impl AddFriendItem {
    /// An item that befriends `to_account`, without the optional fields.
    pub fn new(to_account: impl Into<String>) -> Self {
        AddFriendItem {
            to_account: to_account.into(),
            remark: None,
            group_name: None,
            add_source: None,
        }
    }
}

/// The body of `v4/sns/friend_add` and `v4/sns/friend_import`: at most 100 friends.
///
/// Without `AddType`, `friend_add` adds both ways (the service's default) and
/// `friend_import` one way (it imports one-way friendships).
///
/// ```
/// use im_emulator::{AddType, FriendAddRequest};
///
/// let request = FriendAddRequest::new("alice", ["bob"], Some(AddType::Both));
/// assert_eq!(
///     serde_json::to_string(&request).unwrap(),
///     r#"{"From_Account":"alice","AddFriendItem":[{"To_Account":"bob"}],"AddType":"Add_Type_Both"}"#
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FriendAddRequest {
    /// The user whose friend list grows.
    #[serde(rename = "From_Account")]
    pub from_account: String,
    /// The friends to add.
    #[serde(rename = "AddFriendItem")]
    pub add_friend_item: Vec<AddFriendItem>,
    /// One way or both; see the type's docs for the default.
    #[serde(rename = "AddType", default, skip_serializing_if = "Option::is_none")]
    pub add_type: Option<AddType>,
}

impl FriendAddRequest {
    /// A request that befriends `to` for `from`.
    pub fn new<I>(from: impl Into<String>, to: I, add_type: Option<AddType>) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        FriendAddRequest {
            from_account: from.into(),
            add_friend_item: to.into_iter().map(AddFriendItem::new).collect(),
            add_type,
        }
    }
}

/// The body of a successful `v4/sns/friend_add` or `v4/sns/friend_import` response.
///
/// Per-item codes: 0 (added, or already friends), 30001 (befriending oneself), 30003
/// (account not imported), 30515 (`To_Account` is in `From_Account`'s blocklist), 30525
/// (`From_Account` is in `To_Account`'s blocklist).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FriendAddResponse {
    /// One result per requested friend (`ResultItem`).
    #[serde(rename = "ResultItem", default)]
    pub result_item: Vec<AccountResult>,
    /// The friends that failed (`Fail_Account`); omitted when none failed.
    #[serde(
        rename = "Fail_Account",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub fail_account: Vec<String>,
}

/// Which directions `v4/sns/friend_check` looks at (`CheckType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FriendCheckType {
    /// `CheckResult_Type_Single`: only whether `To_Account` is in `From_Account`'s list.
    #[serde(rename = "CheckResult_Type_Single")]
    Single,
    /// `CheckResult_Type_Both`: both directions.
    #[serde(rename = "CheckResult_Type_Both")]
    Both,
}

impl FriendCheckType {
    /// The wire spelling, e.g. `"CheckResult_Type_Both"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            FriendCheckType::Single => "CheckResult_Type_Single",
            FriendCheckType::Both => "CheckResult_Type_Both",
        }
    }
}

/// The friendship between `From_Account` (A) and one `To_Account` (B).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FriendRelation {
    /// Neither has the other as a friend (`CheckResult_Type_NoRelation`); in single mode,
    /// B is not in A's list.
    #[serde(rename = "CheckResult_Type_NoRelation")]
    NoRelation,
    /// B is in A's list (and, in both mode, A is not in B's) (`CheckResult_Type_AWithB`).
    #[serde(rename = "CheckResult_Type_AWithB")]
    AWithB,
    /// A is in B's list and B is not in A's (`CheckResult_Type_BWithA`).
    #[serde(rename = "CheckResult_Type_BWithA")]
    BWithA,
    /// Each is in the other's list (`CheckResult_Type_BothWay`).
    #[serde(rename = "CheckResult_Type_BothWay")]
    BothWay,
}

/// The body of `v4/sns/friend_check`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FriendCheckRequest {
    /// The user whose friend list is checked.
    #[serde(rename = "From_Account")]
    pub from_account: String,
    /// The accounts to check; at most 1000.
    #[serde(rename = "To_Account")]
    pub to_account: Vec<String>,
    /// One direction or both.
    #[serde(rename = "CheckType")]
    pub check_type: FriendCheckType,
}

impl FriendCheckRequest {
    /// A request that checks `to` against the friend list of `from`.
    pub fn new<I>(from: impl Into<String>, to: I, check_type: FriendCheckType) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        FriendCheckRequest {
            from_account: from.into(),
            to_account: to.into_iter().map(Into::into).collect(),
            check_type,
        }
    }
}

/// The result for one account of a friend check (an entry of `InfoItem`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FriendCheckItem {
    /// The account this result is about.
    #[serde(rename = "To_Account")]
    pub to_account: String,
    /// The friendship.
    #[serde(rename = "Relation")]
    pub relation: FriendRelation,
    /// 0 on success.
    #[serde(rename = "ResultCode")]
    pub result_code: ErrorCode,
    /// A description of a failure; empty on success.
    #[serde(rename = "ResultInfo", default)]
    pub result_info: String,
}

/// The body of a successful `v4/sns/friend_check` response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FriendCheckResponse {
    /// One result per requested account (`InfoItem`).
    #[serde(rename = "InfoItem", default)]
    pub info_item: Vec<FriendCheckItem>,
    /// The accounts that could not be checked (`Fail_Account`); omitted when none failed.
    #[serde(
        rename = "Fail_Account",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub fail_account: Vec<String>,
}
