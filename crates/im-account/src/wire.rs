//! How the account APIs spell their items, told to the engine's batch helper.

use std::borrow::Cow;

use im_client::{ApiInfo, ItemResult, ItemResults, PerItemApi};
use im_protocol::{
    AccountCheckRequest, AccountCheckResponse, AccountDeleteRequest, AccountDeleteResponse,
    AccountStatus, Api, MultiAccountImportRequest, MultiAccountImportResponse, encode_json,
};

use crate::input::NewAccount;

/// `multiaccount_import` in its `AccountList` form: the answer lists failures only.
pub(crate) struct MultiImport {
    api: ApiInfo,
}

impl MultiImport {
    pub(crate) fn new() -> Self {
        MultiImport {
            api: ApiInfo::from(Api::MultiAccountImport),
        }
    }
}

impl PerItemApi for MultiImport {
    type Item = NewAccount;
    type Extra = ();
    type Response<'de> = MultiAccountImportResponse;

    fn api(&self) -> &ApiInfo {
        &self.api
    }

    fn key(item: &NewAccount) -> &str {
        &item.user_id
    }

    fn encode(&self, items: &[&NewAccount]) -> Result<Vec<u8>, im_protocol::Error> {
        encode_json(&MultiAccountImportRequest::from_items(
            items.iter().map(|account| account.to_item()),
        ))
    }

    fn results<'de>(response: Self::Response<'de>) -> ItemResults<'de, ()> {
        ItemResults::FailedOnly(response.fail_accounts.into_iter().map(Cow::Owned).collect())
    }
}

/// `account_delete`: one `ResultItem` per account.
pub(crate) struct Delete {
    api: ApiInfo,
}

impl Delete {
    pub(crate) fn new() -> Self {
        Delete {
            api: ApiInfo::from(Api::AccountDelete),
        }
    }
}

impl PerItemApi for Delete {
    type Item = String;
    type Extra = ();
    type Response<'de> = AccountDeleteResponse;

    fn api(&self) -> &ApiInfo {
        &self.api
    }

    fn key(item: &String) -> &str {
        item
    }

    fn encode(&self, items: &[&String]) -> Result<Vec<u8>, im_protocol::Error> {
        encode_json(&AccountDeleteRequest::new(
            items.iter().map(|id| id.as_str()),
        ))
    }

    fn results<'de>(response: Self::Response<'de>) -> ItemResults<'de, ()> {
        ItemResults::Listed(
            response
                .result_item
                .into_iter()
                .map(|item| ItemResult {
                    key: Cow::Owned(item.user_id),
                    code: item.result_code,
                    info: Cow::Owned(item.result_info),
                    extra: (),
                })
                .collect(),
        )
    }
}

/// `account_check`: one `ResultItem` per account, with its `AccountStatus`.
pub(crate) struct Check {
    api: ApiInfo,
}

impl Check {
    pub(crate) fn new() -> Self {
        Check {
            api: ApiInfo::from(Api::AccountCheck),
        }
    }
}

impl PerItemApi for Check {
    type Item = String;
    type Extra = Option<AccountStatus>;
    type Response<'de> = AccountCheckResponse;

    fn api(&self) -> &ApiInfo {
        &self.api
    }

    fn key(item: &String) -> &str {
        item
    }

    fn encode(&self, items: &[&String]) -> Result<Vec<u8>, im_protocol::Error> {
        encode_json(&AccountCheckRequest::new(
            items.iter().map(|id| id.as_str()),
        ))
    }

    fn results<'de>(response: Self::Response<'de>) -> ItemResults<'de, Option<AccountStatus>> {
        ItemResults::Listed(
            response
                .result_item
                .into_iter()
                .map(|item| ItemResult {
                    key: Cow::Owned(item.user_id),
                    code: item.result_code,
                    info: Cow::Owned(item.result_info),
                    extra: item.account_status,
                })
                .collect(),
        )
    }
}
