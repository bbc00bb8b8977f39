//! Request and response bodies of the four blocklist APIs.
//!
//! Field names on the wire are the documented ones (`From_Account`, `ResultItem`, ...);
//! the Rust names are their snake-case forms. Decoding is tolerant: unknown fields are
//! ignored, list fields that the service leaves out when empty default to empty, and
//! per-account result codes are opaque [`ErrorCode`]s, so undocumented codes decode too.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::{Api, ErrorCode};

/// A request body of one REST API, tied to its API and its response body.
///
/// Clients use it to pick the URL path and the type to decode:
///
/// ```
/// use im_protocol::{AddBlocklistRequest, Api, ApiRequest};
///
/// fn path_of<R: ApiRequest>(_request: &R) -> &'static str {
///     R::API.path()
/// }
/// let request = AddBlocklistRequest::new("alice", ["bob"]);
/// assert_eq!(path_of(&request), "v4/sns/black_list_add");
/// ```
pub trait ApiRequest: Serialize {
    /// The API this request is sent to.
    const API: Api;
    /// The body of a successful response.
    type Response: Serialize + DeserializeOwned;
}

/// Collects account names into owned strings.
fn accounts<I>(accounts: I) -> Vec<String>
where
    I: IntoIterator,
    I::Item: Into<String>,
{
    accounts.into_iter().map(Into::into).collect()
}

/// The body of `v4/sns/black_list_add`: block `to_account` for `from_account`.
///
/// ```
/// use im_protocol::AddBlocklistRequest;
///
/// let request = AddBlocklistRequest::new("id", ["id1", "id2"]);
/// assert_eq!(
///     serde_json::to_string(&request).unwrap(),
///     r#"{"From_Account":"id","To_Account":["id1","id2"]}"#
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AddBlocklistRequest {
    /// The user whose blocklist grows.
    #[serde(rename = "From_Account")]
    pub from_account: String,
    /// The users to block; at most [`Api::max_accounts`] per request.
    #[serde(rename = "To_Account")]
    pub to_account: Vec<String>,
}

impl AddBlocklistRequest {
    /// A request that adds `to` to the blocklist of `from`.
    pub fn new<I>(from: impl Into<String>, to: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        AddBlocklistRequest {
            from_account: from.into(),
            to_account: accounts(to),
        }
    }
}

impl ApiRequest for AddBlocklistRequest {
    const API: Api = Api::BlackListAdd;
    type Response = UpdateBlocklistResponse;
}

/// The body of `v4/sns/black_list_delete`: unblock `to_account` for `from_account`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DeleteBlocklistRequest {
    /// The user whose blocklist shrinks.
    #[serde(rename = "From_Account")]
    pub from_account: String,
    /// The users to unblock; at most [`Api::max_accounts`] per request.
    #[serde(rename = "To_Account")]
    pub to_account: Vec<String>,
}

impl DeleteBlocklistRequest {
    /// A request that removes `to` from the blocklist of `from`.
    pub fn new<I>(from: impl Into<String>, to: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        DeleteBlocklistRequest {
            from_account: from.into(),
            to_account: accounts(to),
        }
    }
}

impl ApiRequest for DeleteBlocklistRequest {
    const API: Api = Api::BlackListDelete;
    type Response = UpdateBlocklistResponse;
}

/// The body of `v4/sns/black_list_get`: one page of the blocklist of `from_account`.
///
/// Paging starts at index 0 and follows [`GetBlocklistResponse::start_index`] until it is 0:
///
/// ```
/// use im_protocol::{GetBlocklistRequest, GetBlocklistResponse};
///
/// let first = GetBlocklistRequest::first_page("id", 100);
/// let page: GetBlocklistResponse =
///     serde_json::from_str(r#"{"BlackListItem":[],"StartIndex":100,"CurruentSequence":7}"#).unwrap();
/// let second = first.next_page(&page).unwrap();
/// assert_eq!(second.start_index, 100);
///
/// let last: GetBlocklistResponse = serde_json::from_str(r#"{"StartIndex":0}"#).unwrap();
/// assert!(second.next_page(&last).is_none());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GetBlocklistRequest {
    /// The user whose blocklist is pulled.
    #[serde(rename = "From_Account")]
    pub from_account: String,
    /// Where this page starts; 0 for the first page.
    #[serde(rename = "StartIndex")]
    pub start_index: u32,
    /// The most entries in this page; at most [`Api::max_accounts`].
    #[serde(rename = "MaxLimited")]
    pub max_limited: u32,
    /// The sequence of the previous pull; the docs ask REST callers to send 0.
    #[serde(rename = "LastSequence")]
    pub last_sequence: u64,
}

impl GetBlocklistRequest {
    /// The request for the page of `from`'s blocklist that starts at `start_index`, with
    /// `max_limited` entries at most; `LastSequence` is 0, as the docs ask REST callers.
    pub fn new(from: impl Into<String>, start_index: u32, max_limited: u32) -> Self {
        GetBlocklistRequest {
            from_account: from.into(),
            start_index,
            max_limited,
            last_sequence: 0,
        }
    }

    /// The request with `LastSequence` set to `last_sequence`; the docs ask REST callers to
    /// send 0, the default.
    #[must_use]
    pub fn with_last_sequence(mut self, last_sequence: u64) -> Self {
        self.last_sequence = last_sequence;
        self
    }

    /// The request for the first page, with `max_limited` entries at most.
    pub fn first_page(from: impl Into<String>, max_limited: u32) -> Self {
        GetBlocklistRequest::new(from, 0, max_limited)
    }

    /// The request for the page after `response`, or `None` when the list is complete.
    ///
    /// `LastSequence` is kept as it was (0 for REST callers, as the docs ask).
    pub fn next_page(&self, response: &GetBlocklistResponse) -> Option<Self> {
        response
            .next_start_index()
            .map(|start_index| GetBlocklistRequest {
                start_index,
                ..self.clone()
            })
    }
}

impl ApiRequest for GetBlocklistRequest {
    const API: Api = Api::BlackListGet;
    type Response = GetBlocklistResponse;
}

/// The body of `v4/sns/black_list_check`: check `to_account` against `from_account`.
///
/// ```
/// use im_protocol::{CheckBlocklistRequest, CheckType};
///
/// let request = CheckBlocklistRequest::new("id", ["id1"], CheckType::Both);
/// assert_eq!(
///     serde_json::to_string(&request).unwrap(),
///     r#"{"From_Account":"id","To_Account":["id1"],"CheckType":"BlackCheckResult_Type_Both"}"#
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CheckBlocklistRequest {
    /// The user whose blocklist is checked.
    #[serde(rename = "From_Account")]
    pub from_account: String,
    /// The users to check; at most [`Api::max_accounts`] per request.
    #[serde(rename = "To_Account")]
    pub to_account: Vec<String>,
    /// Whether to check one direction or both.
    #[serde(rename = "CheckType")]
    pub check_type: CheckType,
}

impl CheckBlocklistRequest {
    /// A request that checks `to` against the blocklist of `from`.
    pub fn new<I>(from: impl Into<String>, to: I, check_type: CheckType) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        CheckBlocklistRequest {
            from_account: from.into(),
            to_account: accounts(to),
            check_type,
        }
    }
}

impl ApiRequest for CheckBlocklistRequest {
    const API: Api = Api::BlackListCheck;
    type Response = CheckBlocklistResponse;
}

/// Which directions `v4/sns/black_list_check` looks at.
///
/// Exhaustive on purpose: it is a choice the caller sends, with the two documented values,
/// so a `match` on it needs no wildcard arm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CheckType {
    /// Only whether each `To_Account` is in the blocklist of `From_Account`
    /// (`BlackCheckResult_Type_Single`).
    #[serde(rename = "BlackCheckResult_Type_Single")]
    Single,
    /// Both directions (`BlackCheckResult_Type_Both`).
    #[serde(rename = "BlackCheckResult_Type_Both")]
    Both,
}

impl CheckType {
    /// The wire spelling, e.g. `"BlackCheckResult_Type_Both"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            CheckType::Single => "BlackCheckResult_Type_Single",
            CheckType::Both => "BlackCheckResult_Type_Both",
        }
    }
}

/// The blocklist relation between `From_Account` (A) and one `To_Account` (B).
///
/// With [`CheckType::Single`] only A's list is looked at, so only [`Relation::AWithB`]
/// and [`Relation::No`] occur and say nothing about B's list.
///
/// A relation string this crate does not know is a decode error for the whole owned
/// response: the documented set is closed, and guessing would misreport a block. The
/// borrowed view a client reads ([`CheckItemView`](crate::CheckItemView)) keeps such an item
/// as `None` instead, so one odd item fails alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Relation {
    /// Neither list holds the other (`BlackCheckResult_Type_NO`). Failed items carry
    /// it too, so look at the item's result code first.
    #[serde(rename = "BlackCheckResult_Type_NO")]
    No,
    /// B is in A's blocklist and A is not in B's (`BlackCheckResult_Type_AWithB`).
    #[serde(rename = "BlackCheckResult_Type_AWithB")]
    AWithB,
    /// A is in B's blocklist and B is not in A's (`BlackCheckResult_Type_BWithA`).
    #[serde(rename = "BlackCheckResult_Type_BWithA")]
    BWithA,
    /// Each is in the other's blocklist (`BlackCheckResult_Type_BothWay`).
    #[serde(rename = "BlackCheckResult_Type_BothWay")]
    BothWay,
}

impl Relation {
    /// The relation of a wire spelling, or `None` for one this crate does not know.
    ///
    /// ```
    /// use im_protocol::Relation;
    ///
    /// assert_eq!(Relation::from_wire("BlackCheckResult_Type_BothWay"), Some(Relation::BothWay));
    /// assert_eq!(Relation::from_wire("BlackCheckResult_Type_Maybe"), None);
    /// ```
    pub fn from_wire(text: &str) -> Option<Relation> {
        [
            Relation::No,
            Relation::AWithB,
            Relation::BWithA,
            Relation::BothWay,
        ]
        .into_iter()
        .find(|relation| relation.as_str() == text)
    }

    /// The wire spelling, e.g. `"BlackCheckResult_Type_AWithB"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Relation::No => "BlackCheckResult_Type_NO",
            Relation::AWithB => "BlackCheckResult_Type_AWithB",
            Relation::BWithA => "BlackCheckResult_Type_BWithA",
            Relation::BothWay => "BlackCheckResult_Type_BothWay",
        }
    }

    /// Whether B is in A's blocklist (A blocks B).
    pub const fn from_blocks_to(self) -> bool {
        matches!(self, Relation::AWithB | Relation::BothWay)
    }

    /// Whether A is in B's blocklist (B blocks A).
    pub const fn to_blocks_from(self) -> bool {
        matches!(self, Relation::BWithA | Relation::BothWay)
    }
}

/// The result for one account of an add or delete request (an entry of `ResultItem`).
///
/// The service may add fields, so this type is `#[non_exhaustive]`: build it with
/// [`AccountResult::new`].
///
/// ```
/// use im_protocol::{AccountResult, ErrorCode};
///
/// let result = AccountResult::new("bob", ErrorCode::OK, "");
/// assert!(result.is_ok());
/// ```
///
/// ```compile_fail,E0639
/// // A struct literal does not compile outside this crate.
/// let result = im_protocol::AccountResult {
///     to_account: "bob".to_owned(),
///     result_code: im_protocol::ErrorCode::OK,
///     result_info: String::new(),
/// };
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AccountResult {
    /// The account this result is about.
    #[serde(rename = "To_Account")]
    pub to_account: String,
    /// 0 on success; any other value is a failure, documented or not.
    #[serde(rename = "ResultCode")]
    pub result_code: ErrorCode,
    /// The service's description of a failure; empty on success or when absent.
    #[serde(rename = "ResultInfo", default)]
    pub result_info: String,
}

impl AccountResult {
    /// The result `result_code` for `to_account`, described by `result_info` (empty on
    /// success).
    pub fn new(
        to_account: impl Into<String>,
        result_code: impl Into<ErrorCode>,
        result_info: impl Into<String>,
    ) -> Self {
        AccountResult {
            to_account: to_account.into(),
            result_code: result_code.into(),
            result_info: result_info.into(),
        }
    }

    /// Whether this account succeeded (result code 0).
    pub const fn is_ok(&self) -> bool {
        self.result_code.is_ok()
    }
}

/// The body of a successful `v4/sns/black_list_add` or `v4/sns/black_list_delete` response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UpdateBlocklistResponse {
    /// One result per requested account (`ResultItem`).
    #[serde(rename = "ResultItem")]
    pub result_item: Vec<AccountResult>,
    /// The accounts that failed (`Fail_Account`); the service omits it when none failed.
    #[serde(
        rename = "Fail_Account",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub fail_account: Vec<String>,
}

impl UpdateBlocklistResponse {
    /// The response with `result_item`, listing its failed accounts in `Fail_Account` in
    /// the same order, as the service does.
    pub fn new(result_item: Vec<AccountResult>) -> Self {
        UpdateBlocklistResponse {
            fail_account: failed_accounts(
                result_item
                    .iter()
                    .map(|item| (item.is_ok(), item.to_account.as_str())),
            ),
            result_item,
        }
    }
}

/// One entry of a pulled blocklist (an entry of `BlackListItem`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BlocklistEntry {
    /// The blocked account.
    #[serde(rename = "To_Account")]
    pub to_account: String,
    /// When it was blocked, in Unix seconds (`AddBlackTimeStamp`).
    #[serde(rename = "AddBlackTimeStamp")]
    pub add_black_timestamp: u64,
}

impl BlocklistEntry {
    /// The entry of `to_account`, blocked at `add_black_timestamp` (Unix seconds).
    pub fn new(to_account: impl Into<String>, add_black_timestamp: u64) -> Self {
        BlocklistEntry {
            to_account: to_account.into(),
            add_black_timestamp,
        }
    }
}

/// The body of a successful `v4/sns/black_list_get` response: one page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GetBlocklistResponse {
    /// The entries of this page (`BlackListItem`); empty when the service omits it.
    #[serde(rename = "BlackListItem", default)]
    pub black_list_item: Vec<BlocklistEntry>,
    /// Where the next page starts; 0 means the whole list has been pulled.
    #[serde(rename = "StartIndex")]
    pub start_index: u32,
    /// The latest sequence of the blocklist. The service spells the field
    /// `CurruentSequence`, which is what this crate writes; `CurrentSequence` is
    /// accepted when reading.
    #[serde(
        rename = "CurruentSequence",
        alias = "CurrentSequence",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub current_sequence: Option<u64>,
}

impl GetBlocklistResponse {
    /// A page with `black_list_item`, whose next page starts at `start_index` (0: the
    /// last page), without a sequence.
    pub fn new(black_list_item: Vec<BlocklistEntry>, start_index: u32) -> Self {
        GetBlocklistResponse {
            black_list_item,
            start_index,
            current_sequence: None,
        }
    }

    /// The page with the blocklist's latest sequence (`CurruentSequence`).
    #[must_use]
    pub fn with_current_sequence(mut self, current_sequence: u64) -> Self {
        self.current_sequence = Some(current_sequence);
        self
    }

    /// The start index of the next page, or `None` when this was the last page.
    pub const fn next_start_index(&self) -> Option<u32> {
        match self.start_index {
            0 => None,
            next => Some(next),
        }
    }
}

/// The result for one account of a check request (an entry of `BlackListCheckItem`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CheckItem {
    /// The account this result is about.
    #[serde(rename = "To_Account")]
    pub to_account: String,
    /// The relation; meaningful only when `result_code` is 0.
    #[serde(rename = "Relation")]
    pub relation: Relation,
    /// 0 on success; any other value is a failure, documented or not.
    #[serde(rename = "ResultCode")]
    pub result_code: ErrorCode,
    /// The service's description of a failure; empty on success or when absent.
    #[serde(rename = "ResultInfo", default)]
    pub result_info: String,
}

impl CheckItem {
    /// The result `result_code` for `to_account` with `relation`, described by
    /// `result_info` (empty on success).
    pub fn new(
        to_account: impl Into<String>,
        relation: Relation,
        result_code: impl Into<ErrorCode>,
        result_info: impl Into<String>,
    ) -> Self {
        CheckItem {
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

/// The body of a successful `v4/sns/black_list_check` response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CheckBlocklistResponse {
    /// One result per requested account (`BlackListCheckItem`).
    #[serde(rename = "BlackListCheckItem")]
    pub black_list_check_item: Vec<CheckItem>,
    /// The accounts that could not be checked (`Fail_Account`); omitted when none failed.
    #[serde(
        rename = "Fail_Account",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub fail_account: Vec<String>,
    /// Invalid accounts in the request (`Invalid_Account`), shown only by older docs.
    #[serde(
        rename = "Invalid_Account",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub invalid_account: Vec<String>,
}

impl CheckBlocklistResponse {
    /// The response with `black_list_check_item`, listing its failed accounts in
    /// `Fail_Account` in the same order, as the service does; `Invalid_Account` is empty.
    pub fn new(black_list_check_item: Vec<CheckItem>) -> Self {
        CheckBlocklistResponse {
            fail_account: failed_accounts(
                black_list_check_item
                    .iter()
                    .map(|item| (item.is_ok(), item.to_account.as_str())),
            ),
            black_list_check_item,
            invalid_account: Vec::new(),
        }
    }
}

/// The accounts of the `(succeeded, account)` results that failed, in order: the
/// `Fail_Account` the service writes beside a list of per-item results.
pub(crate) fn failed_accounts<'a>(
    results: impl IntoIterator<Item = (bool, &'a str)>,
) -> Vec<String> {
    results
        .into_iter()
        .filter(|(succeeded, _)| !succeeded)
        .map(|(_, account)| account.to_owned())
        .collect()
}
