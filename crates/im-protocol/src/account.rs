//! Request and response bodies of the account APIs: `v4/im_open_login_svc/account_import`,
//! `multiaccount_import`, `account_delete` and `account_check`.
//!
//! Each request type is tied to its API of the table by [`ApiRequest`]. Decoding is tolerant
//! as for the blocklist: unknown fields are ignored and lists the service may leave out
//! default to empty. A successful `account_import` answers with the envelope alone
//! ([`AccountImportResponse`]).

use serde::{Deserialize, Serialize};

use crate::{Api, ApiRequest, ErrorCode};

/// The body of `v4/im_open_login_svc/account_import`: imports one account.
///
/// The account is written as `UserID`; the older `Identifier` is accepted when reading.
///
/// ```
/// use im_protocol::{AccountImportRequest, decode_json, encode_json};
///
/// let request = AccountImportRequest::new("bob");
/// assert_eq!(encode_json(&request)?, br#"{"UserID":"bob"}"#);
/// let old: AccountImportRequest = decode_json(br#"{"Identifier":"bob","Extra":1}"#)?;
/// assert_eq!(old, request);
/// # Ok::<(), im_protocol::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AccountImportRequest {
    /// The account to import, at most [`MAX_USER_ID_LEN`](crate::MAX_USER_ID_LEN) bytes.
    #[serde(rename = "UserID", alias = "Identifier")]
    pub user_id: String,
    /// The nickname (`Nick`).
    #[serde(rename = "Nick", default, skip_serializing_if = "Option::is_none")]
    pub nick: Option<String>,
    /// The avatar URL (`FaceUrl`).
    #[serde(rename = "FaceUrl", default, skip_serializing_if = "Option::is_none")]
    pub face_url: Option<String>,
}

impl ApiRequest for AccountImportRequest {
    const API: Api = Api::AccountImport;
    type Response = AccountImportResponse;
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

    /// The request with the nickname `nick` (`Nick`).
    #[must_use]
    pub fn with_nick(mut self, nick: impl Into<String>) -> Self {
        self.nick = Some(nick.into());
        self
    }

    /// The request with the avatar URL `face_url` (`FaceUrl`).
    #[must_use]
    pub fn with_face_url(mut self, face_url: impl Into<String>) -> Self {
        self.face_url = Some(face_url.into());
        self
    }
}

/// The body of a successful `v4/im_open_login_svc/account_import` response: the envelope
/// alone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AccountImportResponse {}

/// One account of `AccountList` in [`MultiAccountImportRequest`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AccountListItem {
    /// The account to import.
    #[serde(rename = "UserID", alias = "Identifier")]
    pub user_id: String,
    /// The nickname (`Nick`); the service updates it on an account that already exists.
    #[serde(rename = "Nick", default, skip_serializing_if = "Option::is_none")]
    pub nick: Option<String>,
    /// The avatar URL (`FaceUrl`); updated like `Nick`.
    #[serde(rename = "FaceUrl", default, skip_serializing_if = "Option::is_none")]
    pub face_url: Option<String>,
}

impl AccountListItem {
    /// An item that imports `user_id` without profile fields.
    pub fn new(user_id: impl Into<String>) -> Self {
        AccountListItem {
            user_id: user_id.into(),
            nick: None,
            face_url: None,
        }
    }

    /// The item with the nickname `nick` (`Nick`).
    #[must_use]
    pub fn with_nick(mut self, nick: impl Into<String>) -> Self {
        self.nick = Some(nick.into());
        self
    }

    /// The item with the avatar URL `face_url` (`FaceUrl`).
    #[must_use]
    pub fn with_face_url(mut self, face_url: impl Into<String>) -> Self {
        self.face_url = Some(face_url.into());
        self
    }
}

/// The body of `v4/im_open_login_svc/multiaccount_import`: at most
/// [`MAX_MULTIACCOUNT_IMPORT_ACCOUNTS`](crate::limits::MAX_MULTIACCOUNT_IMPORT_ACCOUNTS)
/// accounts.
///
/// The current shape is `{"AccountList":[{"UserID":"a"}]}`; the older
/// `{"Accounts":["a","b"]}` is read too. Either list may be absent.
///
/// ```
/// use im_protocol::{MultiAccountImportRequest, decode_json, encode_json};
///
/// let request = MultiAccountImportRequest::new(["a", "b"]);
/// assert_eq!(encode_json(&request)?, br#"{"AccountList":[{"UserID":"a"},{"UserID":"b"}]}"#);
/// let old: MultiAccountImportRequest = decode_json(br#"{"Accounts":["a"]}"#)?;
/// assert_eq!(old.user_ids(), ["a"]);
/// # Ok::<(), im_protocol::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MultiAccountImportRequest {
    /// The accounts to import, current shape (`AccountList`).
    #[serde(rename = "AccountList", default, skip_serializing_if = "Vec::is_empty")]
    pub account_list: Vec<AccountListItem>,
    /// The accounts to import, older shape (`Accounts`).
    #[serde(rename = "Accounts", default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<String>,
}

impl ApiRequest for MultiAccountImportRequest {
    const API: Api = Api::MultiAccountImport;
    type Response = MultiAccountImportResponse;
}

impl MultiAccountImportRequest {
    /// A request in the current shape that imports `user_ids`.
    pub fn new<I>(user_ids: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        MultiAccountImportRequest {
            account_list: user_ids.into_iter().map(AccountListItem::new).collect(),
            accounts: Vec::new(),
        }
    }

    /// A request in the current shape that imports `items`, with their profile fields.
    pub fn from_items(items: impl IntoIterator<Item = AccountListItem>) -> Self {
        MultiAccountImportRequest {
            account_list: items.into_iter().collect(),
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
#[non_exhaustive]
pub struct MultiAccountImportResponse {
    /// The accounts that could not be imported (`FailAccounts`, spelled unlike the
    /// `Fail_Account` of other APIs); empty when the service leaves it out.
    #[serde(rename = "FailAccounts", default)]
    pub fail_accounts: Vec<String>,
}

impl MultiAccountImportResponse {
    /// The response that lists `fail_accounts` as not imported.
    pub fn new<I>(fail_accounts: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        MultiAccountImportResponse {
            fail_accounts: fail_accounts.into_iter().map(Into::into).collect(),
        }
    }
}

/// One account of `DeleteItem` or `CheckItem`: `{"UserID": ...}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserIdItem {
    /// The account.
    #[serde(rename = "UserID")]
    pub user_id: String,
}

impl UserIdItem {
    /// The item of `user_id`.
    pub fn new(user_id: impl Into<String>) -> Self {
        UserIdItem {
            user_id: user_id.into(),
        }
    }
}

/// Collects account names into `{"UserID": ...}` items.
fn user_id_items<I>(user_ids: I) -> Vec<UserIdItem>
where
    I: IntoIterator,
    I::Item: Into<String>,
{
    user_ids.into_iter().map(UserIdItem::new).collect()
}

/// The body of `v4/im_open_login_svc/account_delete`: at most
/// [`MAX_ACCOUNT_DELETE_ITEMS`](crate::limits::MAX_ACCOUNT_DELETE_ITEMS) accounts.
///
/// ```
/// use im_protocol::{AccountDeleteRequest, encode_json};
///
/// let request = AccountDeleteRequest::new(["a", "b"]);
/// assert_eq!(encode_json(&request)?, br#"{"DeleteItem":[{"UserID":"a"},{"UserID":"b"}]}"#);
/// # Ok::<(), im_protocol::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AccountDeleteRequest {
    /// The accounts to delete (`DeleteItem`).
    #[serde(rename = "DeleteItem", default)]
    pub delete_item: Vec<UserIdItem>,
}

impl ApiRequest for AccountDeleteRequest {
    const API: Api = Api::AccountDelete;
    type Response = AccountDeleteResponse;
}

impl AccountDeleteRequest {
    /// A request that deletes `user_ids`.
    pub fn new<I>(user_ids: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        AccountDeleteRequest {
            delete_item: user_id_items(user_ids),
        }
    }
}

/// The result for one account of `account_delete` (an entry of `ResultItem`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AccountDeleteResult {
    /// The account this result is about.
    #[serde(rename = "UserID")]
    pub user_id: String,
    /// 0 on success; 70107 ([`ErrorCode::REQUESTED_USER_NOT_FOUND`]) for an account that
    /// does not exist; any other value is a failure, documented or not.
    #[serde(rename = "ResultCode")]
    pub result_code: ErrorCode,
    /// The service's description of a failure, such as
    /// [`ACCOUNT_NOT_EXIST`](crate::result_text::ACCOUNT_NOT_EXIST); empty when absent.
    #[serde(rename = "ResultInfo", default)]
    pub result_info: String,
}

impl AccountDeleteResult {
    /// The result `result_code` for `user_id`, described by `result_info` (empty on
    /// success).
    pub fn new(
        user_id: impl Into<String>,
        result_code: impl Into<ErrorCode>,
        result_info: impl Into<String>,
    ) -> Self {
        AccountDeleteResult {
            user_id: user_id.into(),
            result_code: result_code.into(),
            result_info: result_info.into(),
        }
    }

    /// Whether this account was deleted (result code 0).
    pub const fn is_ok(&self) -> bool {
        self.result_code.is_ok()
    }
}

/// The body of a successful `v4/im_open_login_svc/account_delete` response.
///
/// ```
/// use im_protocol::{AccountDeleteResponse, ErrorCode, decode_response};
///
/// let answer = br#"{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","ErrorDisplay":"",
///     "ResultItem":[{"ResultCode":0,"ResultInfo":"","UserID":"a"},
///                   {"ResultCode":70107,"ResultInfo":"Err_TLS_PT_Open_Login_Account_Not_Exist","UserID":"b"}]}"#;
/// let response: AccountDeleteResponse = decode_response(answer)?;
/// assert!(response.result_item[0].is_ok());
/// assert_eq!(response.result_item[1].result_code, ErrorCode::REQUESTED_USER_NOT_FOUND);
/// # Ok::<(), im_protocol::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AccountDeleteResponse {
    /// One result per requested account (`ResultItem`).
    #[serde(rename = "ResultItem", default)]
    pub result_item: Vec<AccountDeleteResult>,
}

impl AccountDeleteResponse {
    /// The response with `result_item`.
    pub fn new(result_item: Vec<AccountDeleteResult>) -> Self {
        AccountDeleteResponse { result_item }
    }
}

/// The body of `v4/im_open_login_svc/account_check`: at most
/// [`MAX_ACCOUNT_CHECK_ITEMS`](crate::limits::MAX_ACCOUNT_CHECK_ITEMS) accounts.
///
/// ```
/// use im_protocol::{AccountCheckRequest, encode_json};
///
/// let request = AccountCheckRequest::new(["a"]);
/// assert_eq!(encode_json(&request)?, br#"{"CheckItem":[{"UserID":"a"}]}"#);
/// # Ok::<(), im_protocol::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AccountCheckRequest {
    /// The accounts to check (`CheckItem`).
    #[serde(rename = "CheckItem", default)]
    pub check_item: Vec<UserIdItem>,
}

impl ApiRequest for AccountCheckRequest {
    const API: Api = Api::AccountCheck;
    type Response = AccountCheckResponse;
}

impl AccountCheckRequest {
    /// A request that checks `user_ids`.
    pub fn new<I>(user_ids: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        AccountCheckRequest {
            check_item: user_id_items(user_ids),
        }
    }
}

/// Whether an account was imported (`AccountStatus`).
///
/// A status this crate does not know is a decode error for the whole response: the
/// documented set is closed, and guessing would misreport an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum AccountStatus {
    /// `"Imported"`: the account exists.
    Imported,
    /// `"NotImported"`: the account was never imported, or was deleted.
    NotImported,
}

impl AccountStatus {
    /// The wire spelling, `"Imported"` or `"NotImported"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Imported => "Imported",
            AccountStatus::NotImported => "NotImported",
        }
    }
}

/// The result for one account of `account_check` (an entry of `ResultItem`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AccountCheckResult {
    /// The account this result is about.
    #[serde(rename = "UserID")]
    pub user_id: String,
    /// 0 when the account was checked; any other value is a failure, documented or not.
    #[serde(rename = "ResultCode")]
    pub result_code: ErrorCode,
    /// The service's description of a failure; empty when absent.
    #[serde(rename = "ResultInfo", default)]
    pub result_info: String,
    /// Whether the account was imported; meaningful when `result_code` is 0, and `None`
    /// when the service leaves it out.
    #[serde(
        rename = "AccountStatus",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub account_status: Option<AccountStatus>,
}

impl AccountCheckResult {
    /// The result `result_code` for `user_id`, described by `result_info` (empty on
    /// success), without an `AccountStatus`.
    pub fn new(
        user_id: impl Into<String>,
        result_code: impl Into<ErrorCode>,
        result_info: impl Into<String>,
    ) -> Self {
        AccountCheckResult {
            user_id: user_id.into(),
            result_code: result_code.into(),
            result_info: result_info.into(),
            account_status: None,
        }
    }

    /// The result with `account_status` (`AccountStatus`).
    #[must_use]
    pub fn with_account_status(mut self, account_status: AccountStatus) -> Self {
        self.account_status = Some(account_status);
        self
    }

    /// Whether this account was checked successfully (result code 0).
    pub const fn is_ok(&self) -> bool {
        self.result_code.is_ok()
    }

    /// Whether the check succeeded and found the account imported.
    pub fn is_imported(&self) -> bool {
        self.is_ok() && self.account_status == Some(AccountStatus::Imported)
    }
}

/// The body of a successful `v4/im_open_login_svc/account_check` response.
///
/// ```
/// use im_protocol::{AccountCheckResponse, AccountStatus, decode_response};
///
/// let answer = br#"{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"",
///     "ResultItem":[{"UserID":"a","ResultCode":0,"ResultInfo":"","AccountStatus":"Imported"},
///                   {"UserID":"b","ResultCode":0,"ResultInfo":"","AccountStatus":"NotImported"}]}"#;
/// let response: AccountCheckResponse = decode_response(answer)?;
/// assert!(response.result_item[0].is_imported());
/// assert_eq!(response.result_item[1].account_status, Some(AccountStatus::NotImported));
/// # Ok::<(), im_protocol::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AccountCheckResponse {
    /// One result per requested account (`ResultItem`).
    #[serde(rename = "ResultItem", default)]
    pub result_item: Vec<AccountCheckResult>,
}

impl AccountCheckResponse {
    /// The response with `result_item`.
    pub fn new(result_item: Vec<AccountCheckResult>) -> Self {
        AccountCheckResponse { result_item }
    }
}
