//! Request and response bodies of the four blocklist APIs.
//!
//! Field names on the wire are the documented ones (`From_Account`, `ResultItem`, ...);
//! the Rust names are their snake-case forms. Decoding is tolerant: unknown fields are
//! ignored, list fields that the service leaves out when empty default to empty, and
//! per-account result codes are opaque [`ErrorCode`]s, so undocumented codes decode too.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::Api;

mod response;

pub(crate) use response::failed_accounts;
pub use response::{
    AccountResult, BlocklistEntry, CheckBlocklistResponse, CheckItem, GetBlocklistResponse,
    UpdateBlocklistResponse,
};

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
