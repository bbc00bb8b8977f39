//! Typed answers for tests (feature `test-util`): the service's responses built from this
//! crate's wire types, so a test never writes the JSON of an answer by hand.
//!
//! Every builder ends in an [`Answer`], an HTTP 200 JSON response as the service sends it
//! (per-item failures and request-level failures alike travel in a 200). An [`Answer`] and
//! every builder convert into an `http::Response<Bytes>`, which is what a test transport
//! returns: with `im-transport`'s `test-util` feature,
//! `ReplayTransport::new().then_answer(Answer::blocklist_add().ok("bob"))`.
//!
//! These live here, not in `im-transport`, because the transport is a leaf that knows
//! nothing of Tencent and must not depend on this crate (nor this crate on it).
//!
//! ```
//! use im_protocol::test_util::Answer;
//! use im_protocol::{decode_response, ErrorCode, UpdateBlocklistResponse};
//!
//! let answer = Answer::blocklist_add().ok("bob").failed("carol", 30006);
//! let response: UpdateBlocklistResponse = decode_response(Answer::from(answer).body())?;
//! assert!(response.result_item[0].is_ok());
//! assert_eq!(response.result_item[1].result_code, ErrorCode::INTERNAL_ERROR);
//! assert_eq!(response.fail_account, ["carol"]);
//!
//! let limited = Answer::rate_limited();
//! let error = decode_response::<UpdateBlocklistResponse>(limited.body()).unwrap_err();
//! assert!(error.to_string().contains("60007"));
//! # Ok::<(), im_protocol::Error>(())
//! ```

use bytes::Bytes;
use serde::Serialize;

use crate::{
    AccountCheckResponse, AccountCheckResult, AccountDeleteResponse, AccountDeleteResult,
    AccountResult, AccountStatus, BlocklistEntry, CheckBlocklistResponse, CheckItem, Envelope,
    ErrorCode, GetBlocklistResponse, MultiAccountImportResponse, Relation, UpdateBlocklistResponse,
};

/// A complete answer of the service: HTTP 200 with a JSON body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    body: Vec<u8>,
}

impl Answer {
    /// A successful answer with no fields of its own (`account_import`, `friend_add`...).
    pub fn ok() -> Answer {
        Answer::envelope(&Envelope::ok(serde_json::Map::new()))
    }

    /// A failed request: `ActionStatus` `FAIL` with `code` and the catalog's meaning of it
    /// as `ErrorInfo`.
    pub fn fail(code: impl Into<ErrorCode>) -> Answer {
        let code = code.into();
        Answer::envelope(&Envelope::<()>::fail(code, info(code)))
    }

    /// A request refused by the per-API rate limit (60007).
    pub fn rate_limited() -> Answer {
        Answer::fail(ErrorCode::API_RATE_LIMITED)
    }

    /// The answer of `v4/sns/black_list_add`: one result per account.
    pub fn blocklist_add() -> BlocklistUpdateAnswer {
        BlocklistUpdateAnswer::default()
    }

    /// The answer of `v4/sns/black_list_delete`: one result per account.
    pub fn blocklist_delete() -> BlocklistUpdateAnswer {
        BlocklistUpdateAnswer::default()
    }

    /// The answer of `v4/sns/black_list_check`: one relation or failure per account.
    pub fn blocklist_check() -> BlocklistCheckAnswer {
        BlocklistCheckAnswer::default()
    }

    /// One page of `v4/sns/black_list_get`; the last page unless
    /// [`next_page`](BlocklistPageAnswer::next_page) says otherwise.
    pub fn blocklist_get() -> BlocklistPageAnswer {
        BlocklistPageAnswer::default()
    }

    /// The answer of `v4/im_open_login_svc/account_check`.
    pub fn account_check() -> AccountCheckAnswer {
        AccountCheckAnswer::default()
    }

    /// The answer of `v4/im_open_login_svc/account_delete`.
    pub fn account_delete() -> AccountDeleteAnswer {
        AccountDeleteAnswer::default()
    }

    /// The answer of `v4/im_open_login_svc/multiaccount_import`.
    pub fn multiaccount_import() -> MultiAccountImportAnswer {
        MultiAccountImportAnswer::default()
    }

    /// The JSON body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The answer as the HTTP response a transport returns.
    pub fn into_response(self) -> http::Response<Bytes> {
        let mut response = http::Response::new(Bytes::from(self.body));
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        response
    }

    fn envelope<T: Serialize>(envelope: &Envelope<T>) -> Answer {
        // ok: test-only builder; the wire types have string keys and always serialize.
        let body = serde_json::to_vec(envelope).expect("wire types always serialize to JSON");
        Answer { body }
    }
}

impl From<Answer> for http::Response<Bytes> {
    fn from(answer: Answer) -> Self {
        answer.into_response()
    }
}

/// The catalog's meaning of `code`, or an empty text for an undocumented code.
fn info(code: ErrorCode) -> String {
    code.meaning().unwrap_or_default().to_owned()
}

/// Builds the answer of `black_list_add` or `black_list_delete`.
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct BlocklistUpdateAnswer {
    items: Vec<AccountResult>,
}

impl BlocklistUpdateAnswer {
    /// `account` succeeded.
    pub fn ok(self, account: &str) -> Self {
        self.result(account, ErrorCode::OK)
    }

    /// `account` failed with `code`; it is listed in `Fail_Account` too.
    pub fn failed(self, account: &str, code: impl Into<ErrorCode>) -> Self {
        self.result(account, code.into())
    }

    fn result(mut self, account: &str, code: ErrorCode) -> Self {
        self.items
            .push(AccountResult::new(account, code, info(code)));
        self
    }
}

/// Builds the answer of `black_list_check`.
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct BlocklistCheckAnswer {
    items: Vec<CheckItem>,
    fail_account: Vec<String>,
}

impl BlocklistCheckAnswer {
    /// `account` was checked and has `relation` with the requester.
    pub fn relation(mut self, account: &str, relation: Relation) -> Self {
        self.items
            .push(CheckItem::new(account, relation, ErrorCode::OK, ""));
        self
    }

    /// `account` could not be checked: `code`; it is listed in `Fail_Account` too.
    pub fn failed(mut self, account: &str, code: impl Into<ErrorCode>) -> Self {
        let code = code.into();
        self.fail_account.push(account.to_owned());
        self.items
            .push(CheckItem::new(account, Relation::No, code, info(code)));
        self
    }
}

/// Builds one page of `black_list_get`.
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct BlocklistPageAnswer {
    entries: Vec<BlocklistEntry>,
    start_index: u32,
    sequence: Option<u64>,
}

impl BlocklistPageAnswer {
    /// The page holds `account`, blocked at `added` (Unix seconds).
    pub fn entry(mut self, account: &str, added: u64) -> Self {
        self.entries.push(BlocklistEntry::new(account, added));
        self
    }

    /// Another page follows, starting at `start_index` (0 keeps this the last page).
    pub fn next_page(mut self, start_index: u32) -> Self {
        self.start_index = start_index;
        self
    }

    /// The blocklist's current sequence (`CurruentSequence`).
    pub fn sequence(mut self, sequence: u64) -> Self {
        self.sequence = Some(sequence);
        self
    }
}

/// Builds the answer of `account_check`.
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct AccountCheckAnswer {
    body: AccountCheckResponse,
}

impl AccountCheckAnswer {
    /// `account` is imported.
    pub fn imported(self, account: &str) -> Self {
        self.status(account, AccountStatus::Imported)
    }

    /// `account` is not imported.
    pub fn not_imported(self, account: &str) -> Self {
        self.status(account, AccountStatus::NotImported)
    }

    /// `account` could not be checked: `code`.
    pub fn failed(mut self, account: &str, code: impl Into<ErrorCode>) -> Self {
        let code = code.into();
        self.body
            .result_item
            .push(AccountCheckResult::new(account, code, info(code)));
        self
    }

    fn status(mut self, account: &str, status: AccountStatus) -> Self {
        self.body
            .result_item
            .push(AccountCheckResult::new(account, ErrorCode::OK, "").with_account_status(status));
        self
    }
}

/// Builds the answer of `account_delete`.
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct AccountDeleteAnswer {
    body: AccountDeleteResponse,
}

impl AccountDeleteAnswer {
    /// `account` was deleted.
    pub fn ok(self, account: &str) -> Self {
        self.result(account, ErrorCode::OK)
    }

    /// `account` was not deleted: `code` (70107 for an account that does not exist).
    pub fn failed(self, account: &str, code: impl Into<ErrorCode>) -> Self {
        self.result(account, code.into())
    }

    fn result(mut self, account: &str, code: ErrorCode) -> Self {
        self.body
            .result_item
            .push(AccountDeleteResult::new(account, code, info(code)));
        self
    }
}

/// Builds the answer of `multiaccount_import`.
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct MultiAccountImportAnswer {
    body: MultiAccountImportResponse,
}

impl MultiAccountImportAnswer {
    /// `account` could not be imported (listed in `FailAccounts`); the others were.
    pub fn failed(mut self, account: &str) -> Self {
        self.body.fail_accounts.push(account.to_owned());
        self
    }
}

impl From<BlocklistUpdateAnswer> for Answer {
    fn from(builder: BlocklistUpdateAnswer) -> Answer {
        Answer::envelope(&Envelope::ok(UpdateBlocklistResponse::new(builder.items)))
    }
}

impl From<BlocklistCheckAnswer> for Answer {
    fn from(builder: BlocklistCheckAnswer) -> Answer {
        Answer::envelope(&Envelope::ok(CheckBlocklistResponse {
            black_list_check_item: builder.items,
            fail_account: builder.fail_account,
            invalid_account: Vec::new(),
        }))
    }
}

impl From<BlocklistPageAnswer> for Answer {
    fn from(builder: BlocklistPageAnswer) -> Answer {
        Answer::envelope(&Envelope::ok(GetBlocklistResponse {
            black_list_item: builder.entries,
            start_index: builder.start_index,
            current_sequence: builder.sequence,
        }))
    }
}

impl From<AccountCheckAnswer> for Answer {
    fn from(builder: AccountCheckAnswer) -> Answer {
        Answer::envelope(&Envelope::ok(builder.body))
    }
}

impl From<AccountDeleteAnswer> for Answer {
    fn from(builder: AccountDeleteAnswer) -> Answer {
        Answer::envelope(&Envelope::ok(builder.body))
    }
}

impl From<MultiAccountImportAnswer> for Answer {
    fn from(builder: MultiAccountImportAnswer) -> Answer {
        Answer::envelope(&Envelope::ok(builder.body))
    }
}

/// Every builder converts into a response too, so it can be handed to a transport as is.
macro_rules! into_response {
    ($($builder:ty),*) => {$(
        impl From<$builder> for http::Response<Bytes> {
            fn from(builder: $builder) -> Self {
                Answer::from(builder).into_response()
            }
        }
    )*};
}

into_response!(
    BlocklistUpdateAnswer,
    BlocklistCheckAnswer,
    BlocklistPageAnswer,
    AccountCheckAnswer,
    AccountDeleteAnswer,
    MultiAccountImportAnswer
);
