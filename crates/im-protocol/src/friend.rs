//! Request and response bodies of the friend APIs `v4/sns/friend_add`, `friend_import`
//! and `friend_check`.
//!
//! These APIs are not in the API table yet, so the request types carry their path as
//! `PATH` instead of implementing [`ApiRequest`](crate::ApiRequest). Decoding is tolerant
//! as for the blocklist: unknown fields are ignored, `Fail_Account` defaults to empty, and
//! per-item result codes are opaque [`ErrorCode`]s.

use serde::{Deserialize, Serialize};

use crate::blocklist::failed_accounts;
use crate::{AccountResult, ErrorCode};

/// Whether `friend_add` makes a friendship one way or both (`AddType`).
///
/// Exhaustive on purpose: it is a choice the caller sends, with the two documented values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AddType {
    /// `Add_Type_Single`: only `To_Account` becomes a friend of `From_Account`.
    #[serde(rename = "Add_Type_Single")]
    Single,
    /// `Add_Type_Both`: each becomes a friend of the other (the service's default).
    #[serde(rename = "Add_Type_Both")]
    Both,
}

impl AddType {
    /// The wire spelling, e.g. `"Add_Type_Both"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            AddType::Single => "Add_Type_Single",
            AddType::Both => "Add_Type_Both",
        }
    }
}

/// One friend of `AddFriendItem` in [`FriendAddRequest`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AddFriendItem {
    /// The account to befriend.
    #[serde(rename = "To_Account")]
    pub to_account: String,
    /// The remark (`Remark`).
    #[serde(rename = "Remark", default, skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
    /// The friend group (`GroupName`): one group, as a string.
    #[serde(rename = "GroupName", default, skip_serializing_if = "Option::is_none")]
    pub group_name: Option<String>,
    /// Where the request came from (`AddSource`), `AddSource_Type_` and a name.
    #[serde(rename = "AddSource", default, skip_serializing_if = "Option::is_none")]
    pub add_source: Option<String>,
    /// The message sent with the request (`AddWording`).
    #[serde(
        rename = "AddWording",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub add_wording: Option<String>,
}

impl AddFriendItem {
    /// An item that befriends `to_account`, without the optional fields.
    pub fn new(to_account: impl Into<String>) -> Self {
        AddFriendItem {
            to_account: to_account.into(),
            remark: None,
            group_name: None,
            add_source: None,
            add_wording: None,
        }
    }

    /// The item with the remark `remark` (`Remark`).
    #[must_use]
    pub fn with_remark(mut self, remark: impl Into<String>) -> Self {
        self.remark = Some(remark.into());
        self
    }

    /// The item with the friend group `group_name` (`GroupName`).
    #[must_use]
    pub fn with_group_name(mut self, group_name: impl Into<String>) -> Self {
        self.group_name = Some(group_name.into());
        self
    }

    /// The item with the source `add_source`, `AddSource_Type_` and a name (`AddSource`).
    #[must_use]
    pub fn with_add_source(mut self, add_source: impl Into<String>) -> Self {
        self.add_source = Some(add_source.into());
        self
    }

    /// The item with the message `add_wording` (`AddWording`).
    #[must_use]
    pub fn with_add_wording(mut self, add_wording: impl Into<String>) -> Self {
        self.add_wording = Some(add_wording.into());
        self
    }
}

/// The body of `v4/sns/friend_add`.
///
/// Without `AddType` the service adds both ways.
///
/// ```
/// use im_protocol::{AddType, FriendAddRequest, encode_json};
///
/// let request = FriendAddRequest::new("alice", ["bob"], Some(AddType::Both));
/// assert_eq!(
///     encode_json(&request)?,
///     br#"{"From_Account":"alice","AddFriendItem":[{"To_Account":"bob"}],"AddType":"Add_Type_Both"}"#
/// );
/// # Ok::<(), im_protocol::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FriendAddRequest {
    /// The user whose friend list grows.
    #[serde(rename = "From_Account")]
    pub from_account: String,
    /// The friends to add.
    #[serde(rename = "AddFriendItem")]
    pub add_friend_item: Vec<AddFriendItem>,
    /// One way or both; both when absent.
    #[serde(rename = "AddType", default, skip_serializing_if = "Option::is_none")]
    pub add_type: Option<AddType>,
    /// 1 to add without the peer's approval whatever the peer's settings (`ForceAddFlags`).
    #[serde(
        rename = "ForceAddFlags",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub force_add_flags: Option<u8>,
}

impl FriendAddRequest {
    /// The path of the API, below the host.
    pub const PATH: &'static str = "v4/sns/friend_add";

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
            force_add_flags: None,
        }
    }

    /// The request with `ForceAddFlags` set to `force_add_flags` (1: add whatever the
    /// peer's settings).
    #[must_use]
    pub fn with_force_add_flags(mut self, force_add_flags: u8) -> Self {
        self.force_add_flags = Some(force_add_flags);
        self
    }
}

/// One friend of `AddFriendItem` in [`FriendImportRequest`].
///
/// `CustomItem` (custom friend fields) is not modelled: it is ignored when read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FriendImportItem {
    /// The account to import as a friend.
    #[serde(rename = "To_Account")]
    pub to_account: String,
    /// The remark (`Remark`).
    #[serde(rename = "Remark", default, skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
    /// When the remark was set, in Unix seconds (`RemarkTime`).
    #[serde(
        rename = "RemarkTime",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub remark_time: Option<u64>,
    /// The friend groups (`GroupName`): a list, unlike `friend_add`'s single group.
    #[serde(rename = "GroupName", default, skip_serializing_if = "Vec::is_empty")]
    pub group_name: Vec<String>,
    /// Where the friendship came from (`AddSource`), `AddSource_Type_` and a name.
    #[serde(rename = "AddSource", default, skip_serializing_if = "Option::is_none")]
    pub add_source: Option<String>,
    /// The message sent with the request (`AddWording`).
    #[serde(
        rename = "AddWording",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub add_wording: Option<String>,
    /// When the friendship was made, in Unix seconds (`AddTime`).
    #[serde(rename = "AddTime", default, skip_serializing_if = "Option::is_none")]
    pub add_time: Option<u64>,
}

impl FriendImportItem {
    /// An item that imports `to_account` as a friend, without the optional fields.
    pub fn new(to_account: impl Into<String>) -> Self {
        FriendImportItem {
            to_account: to_account.into(),
            remark: None,
            remark_time: None,
            group_name: Vec::new(),
            add_source: None,
            add_wording: None,
            add_time: None,
        }
    }

    /// The item with the remark `remark` (`Remark`).
    #[must_use]
    pub fn with_remark(mut self, remark: impl Into<String>) -> Self {
        self.remark = Some(remark.into());
        self
    }

    /// The item with the remark set at `remark_time`, in Unix seconds (`RemarkTime`).
    #[must_use]
    pub fn with_remark_time(mut self, remark_time: u64) -> Self {
        self.remark_time = Some(remark_time);
        self
    }

    /// The item in the friend groups `group_name` (`GroupName`).
    #[must_use]
    pub fn with_group_name<I>(mut self, group_name: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.group_name = group_name.into_iter().map(Into::into).collect();
        self
    }

    /// The item with the source `add_source`, `AddSource_Type_` and a name (`AddSource`).
    #[must_use]
    pub fn with_add_source(mut self, add_source: impl Into<String>) -> Self {
        self.add_source = Some(add_source.into());
        self
    }

    /// The item with the message `add_wording` (`AddWording`).
    #[must_use]
    pub fn with_add_wording(mut self, add_wording: impl Into<String>) -> Self {
        self.add_wording = Some(add_wording.into());
        self
    }

    /// The item with the friendship made at `add_time`, in Unix seconds (`AddTime`).
    #[must_use]
    pub fn with_add_time(mut self, add_time: u64) -> Self {
        self.add_time = Some(add_time);
        self
    }
}

/// The body of `v4/sns/friend_import`: imports one-way friendships, without asking the
/// peers. The answer is a [`FriendAddResponse`].
///
/// ```
/// use im_protocol::{FriendImportRequest, encode_json};
///
/// let request = FriendImportRequest::new("alice", ["bob"]);
/// assert_eq!(
///     encode_json(&request)?,
///     br#"{"From_Account":"alice","AddFriendItem":[{"To_Account":"bob"}]}"#
/// );
/// # Ok::<(), im_protocol::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FriendImportRequest {
    /// The user whose friend list grows.
    #[serde(rename = "From_Account")]
    pub from_account: String,
    /// The friends to import.
    #[serde(rename = "AddFriendItem")]
    pub add_friend_item: Vec<FriendImportItem>,
}

impl FriendImportRequest {
    /// The path of the API, below the host.
    pub const PATH: &'static str = "v4/sns/friend_import";

    /// A request that imports `to` as friends of `from`.
    pub fn new<I>(from: impl Into<String>, to: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        FriendImportRequest {
            from_account: from.into(),
            add_friend_item: to.into_iter().map(FriendImportItem::new).collect(),
        }
    }
}

/// The body of a successful `v4/sns/friend_add` or `v4/sns/friend_import` response.
///
/// Per-item codes include 0 (added), 30001 (befriending oneself, or already friends),
/// 30003 (account not imported), 30515 (`To_Account` is in `From_Account`'s blocklist)
/// and 30525 (`From_Account` is in `To_Account`'s blocklist).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FriendAddResponse {
    /// One result per requested friend (`ResultItem`).
    #[serde(rename = "ResultItem", default)]
    pub result_item: Vec<AccountResult>,
    /// The friends that failed (`Fail_Account`); the service omits it when none failed.
    #[serde(
        rename = "Fail_Account",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub fail_account: Vec<String>,
}

impl FriendAddResponse {
    /// The response with `result_item`, listing its failed friends in `Fail_Account` in
    /// the same order, as the service does.
    pub fn new(result_item: Vec<AccountResult>) -> Self {
        FriendAddResponse {
            fail_account: failed_accounts(
                result_item
                    .iter()
                    .map(|item| (item.is_ok(), item.to_account.as_str())),
            ),
            result_item,
        }
    }
}

/// Which directions `v4/sns/friend_check` looks at (`CheckType`).
///
/// Exhaustive on purpose: it is a choice the caller sends, with the two documented values.
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
///
/// A relation string this crate does not know is a decode error for the whole response:
/// the documented set is closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
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
///
/// ```
/// use im_protocol::{FriendCheckRequest, FriendCheckType, encode_json};
///
/// let request = FriendCheckRequest::new("alice", ["bob"], FriendCheckType::Both);
/// assert_eq!(
///     encode_json(&request)?,
///     br#"{"From_Account":"alice","To_Account":["bob"],"CheckType":"CheckResult_Type_Both"}"#
/// );
/// # Ok::<(), im_protocol::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FriendCheckRequest {
    /// The user whose friend list is checked.
    #[serde(rename = "From_Account")]
    pub from_account: String,
    /// The accounts to check; at most
    /// [`MAX_FRIEND_CHECK_ACCOUNTS`](crate::limits::MAX_FRIEND_CHECK_ACCOUNTS).
    #[serde(rename = "To_Account")]
    pub to_account: Vec<String>,
    /// One direction or both.
    #[serde(rename = "CheckType")]
    pub check_type: FriendCheckType,
}

impl FriendCheckRequest {
    /// The path of the API, below the host.
    pub const PATH: &'static str = "v4/sns/friend_check";

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
#[non_exhaustive]
pub struct FriendCheckItem {
    /// The account this result is about.
    #[serde(rename = "To_Account")]
    pub to_account: String,
    /// The friendship; meaningful only when `result_code` is 0.
    #[serde(rename = "Relation")]
    pub relation: FriendRelation,
    /// 0 on success; any other value is a failure, documented or not.
    #[serde(rename = "ResultCode")]
    pub result_code: ErrorCode,
    /// The service's description of a failure; empty on success or when absent.
    #[serde(rename = "ResultInfo", default)]
    pub result_info: String,
}

impl FriendCheckItem {
    /// The result `result_code` for `to_account` with `relation`, described by
    /// `result_info` (empty on success).
    pub fn new(
        to_account: impl Into<String>,
        relation: FriendRelation,
        result_code: impl Into<ErrorCode>,
        result_info: impl Into<String>,
    ) -> Self {
        FriendCheckItem {
            to_account: to_account.into(),
            relation,
            result_code: result_code.into(),
            result_info: result_info.into(),
        }
    }

    /// Whether this account was checked successfully (result code 0).
    pub const fn is_ok(&self) -> bool {
        self.result_code.is_ok()
    }
}

/// The body of a successful `v4/sns/friend_check` response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
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

impl FriendCheckResponse {
    /// The response with `info_item`, listing its failed accounts in `Fail_Account` in
    /// the same order, as the service does.
    pub fn new(info_item: Vec<FriendCheckItem>) -> Self {
        FriendCheckResponse {
            fail_account: failed_accounts(
                info_item
                    .iter()
                    .map(|item| (item.is_ok(), item.to_account.as_str())),
            ),
            info_item,
        }
    }
}
