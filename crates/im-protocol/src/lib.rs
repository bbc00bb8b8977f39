#![cfg_attr(docsrs, feature(doc_cfg))]
//! Wire types of the Tencent Cloud Chat server REST API, starting with the blocklist.
//!
//! This crate describes what goes over the wire and nothing else: no I/O, no async, no
//! clock. It holds
//!
//! - the request and response bodies of `v4/sns/black_list_add`, `_delete`, `_get` and
//!   `_check` ([`AddBlocklistRequest`], [`UpdateBlocklistResponse`], ...), tied to their
//!   API by [`ApiRequest`];
//! - the response envelope (`ActionStatus`, `ErrorCode`, `ErrorInfo`, `ErrorDisplay`) and
//!   [`decode_response`], which turns a failed response into [`Error::Api`];
//! - the error-code catalog ([`ErrorCode`], generated from the spec by
//!   `cargo xtask codegen`) and the API table ([`Api`]);
//! - the bodies of the account APIs (`account_import`, `multiaccount_import`,
//!   `account_delete`, `account_check`: [`AccountImportRequest`], ..., tied to their API
//!   by [`ApiRequest`] too) and of the friend APIs a test sets state up with (`friend_add`,
//!   `friend_import`, `friend_check`: [`FriendAddRequest`], ...);
//! - the rules and facts a client and an emulator must agree on: the UserID rule
//!   ([`validate_user_id`]), the [`limits`] outside the API table, the known per-item
//!   texts ([`result_text`]) and the query-string codec ([`query`]);
//! - [`Region`] hosts, custom [`Endpoint`]s and [`request_url`], which builds the
//!   query string and keeps the UserSig out of logs.
//!
//! ```
//! use im_protocol::{
//!     decode_response, encode_json, request_url, AddBlocklistRequest, ApiRequest, Endpoint,
//!     Error, ErrorCode, QueryParams, Region, UpdateBlocklistResponse,
//! };
//!
//! // Build the URL and the body of a request.
//! let request = AddBlocklistRequest::new("alice", ["bob", "carol"]);
//! let (primary, _backup) = Endpoint::from(Region::Singapore).base_urls();
//! let params = QueryParams { sdkappid: 1400000000, identifier: "admin", usersig: "eJw-sig", random: 7 };
//! let url = request_url(&primary, AddBlocklistRequest::API, &params);
//! assert_eq!(
//!     url.redacted(),
//!     "https://adminapisgp.im.qcloud.com/v4/sns/black_list_add\
//!      ?sdkappid=1400000000&identifier=admin&usersig=<redacted>&random=7&contenttype=json"
//! );
//! let body = encode_json(&request)?;
//! assert_eq!(body, br#"{"From_Account":"alice","To_Account":["bob","carol"]}"#);
//!
//! // Decode the answer: per-account results on success...
//! let answer = br#"{
//!     "ResultItem": [
//!         {"To_Account": "bob", "ResultCode": 0, "ResultInfo": ""},
//!         {"To_Account": "carol", "ResultCode": 30003, "ResultInfo": "account not found"}
//!     ],
//!     "Fail_Account": ["carol"],
//!     "ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": "", "ErrorDisplay": ""
//! }"#;
//! let response: UpdateBlocklistResponse = decode_response(answer)?;
//! assert_eq!(response.result_item[1].result_code, ErrorCode::ACCOUNT_NOT_FOUND);
//! assert_eq!(response.fail_account, ["carol"]);
//!
//! // ...and an error when the whole request failed.
//! let failed = br#"{"ActionStatus":"FAIL","ErrorCode":60007,"ErrorInfo":"limit"}"#;
//! match decode_response::<UpdateBlocklistResponse>(failed) {
//!     Err(Error::Api(error)) => assert_eq!(error.name(), Some("API_RATE_LIMITED")),
//!     other => panic!("unexpected {other:?}"),
//! }
//! # Ok::<(), Error>(())
//! ```

mod account;
mod blocklist;
mod blocklist_view;
mod envelope;
mod error;
mod friend;
mod region;
mod retry_safety;
mod url;
mod user_id;

pub mod error_code;
pub mod generated;
pub mod limits;
pub mod query;
pub mod result_text;
#[cfg(feature = "test-util")]
pub mod test_util;

pub use account::{
    AccountCheckRequest, AccountCheckResponse, AccountCheckResult, AccountDeleteRequest,
    AccountDeleteResponse, AccountDeleteResult, AccountImportRequest, AccountImportResponse,
    AccountListItem, AccountStatus, MultiAccountImportRequest, MultiAccountImportResponse,
    UserIdItem,
};
pub use blocklist::{
    AccountResult, AddBlocklistRequest, ApiRequest, BlocklistEntry, CheckBlocklistRequest,
    CheckBlocklistResponse, CheckItem, CheckType, DeleteBlocklistRequest, GetBlocklistRequest,
    GetBlocklistResponse, Relation, UpdateBlocklistResponse,
};
pub use blocklist_view::{
    AccountResultView, BlocklistRequestView, CheckBlocklistView, CheckItemView, UpdateBlocklistView,
};
pub use envelope::{
    ActionStatus, Envelope, Status, decode_envelope, decode_json, decode_response, encode_json,
};
pub use error::{ApiError, Error, JsonError};
pub use error_code::{CodeInfo, ErrorCode, RetryClass};
pub use friend::{
    AddFriendItem, AddType, FriendAddRequest, FriendAddResponse, FriendCheckItem,
    FriendCheckRequest, FriendCheckResponse, FriendCheckType, FriendImportItem,
    FriendImportRequest, FriendRelation,
};
pub use generated::endpoints::Api;
pub use region::{Endpoint, Region};
pub use retry_safety::RetrySafety;
pub use url::{QueryParams, RequestUrl, redact_usersig, request_url};
pub use user_id::{MAX_USER_ID_LEN, UserIdError, validate_user_id};
