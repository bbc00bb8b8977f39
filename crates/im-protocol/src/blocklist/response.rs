//! Response bodies of the four blocklist APIs: per-account results, pages and checks.

use serde::{Deserialize, Serialize};

use super::Relation;
use crate::ErrorCode;

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
