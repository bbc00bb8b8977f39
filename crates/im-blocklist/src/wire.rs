//! How the blocklist APIs spell their items, told to the engine's batch helper.

use im_client::{ApiInfo, ItemResult, ItemResults, PerItemApi};
use im_protocol::{
    Api, BlocklistRequestView, CheckBlocklistView, CheckType, Relation, UpdateBlocklistView,
    encode_json,
};

/// `black_list_add` or `black_list_delete` for one `From_Account`.
pub(crate) struct Update<'a> {
    api: ApiInfo,
    from: &'a str,
}

impl<'a> Update<'a> {
    pub(crate) fn new(api: Api, from: &'a str) -> Self {
        Update {
            api: ApiInfo::from(api),
            from,
        }
    }
}

impl PerItemApi for Update<'_> {
    type Item = String;
    type Extra = ();
    type Response<'de> = UpdateBlocklistView<'de>;

    fn api(&self) -> &ApiInfo {
        &self.api
    }

    fn key(item: &String) -> &str {
        item
    }

    fn encode(&self, items: &[&String]) -> Result<Vec<u8>, im_protocol::Error> {
        encode_json(&BlocklistRequestView::new(self.from, items))
    }

    fn results<'de>(response: Self::Response<'de>) -> ItemResults<'de, ()> {
        ItemResults::Listed(
            response
                .result_item
                .into_iter()
                .map(|item| ItemResult {
                    key: item.to_account,
                    code: item.result_code,
                    info: item.result_info,
                    extra: (),
                })
                .collect(),
        )
    }
}

/// `black_list_check` for one `From_Account`.
pub(crate) struct Check<'a> {
    api: ApiInfo,
    from: &'a str,
    check_type: CheckType,
}

impl<'a> Check<'a> {
    pub(crate) fn new(from: &'a str, check_type: CheckType) -> Self {
        Check {
            api: ApiInfo::from(Api::BlackListCheck),
            from,
            check_type,
        }
    }
}

impl PerItemApi for Check<'_> {
    type Item = String;
    /// The relation, `None` when the answer's could not be read.
    type Extra = Option<Relation>;
    type Response<'de> = CheckBlocklistView<'de>;

    fn api(&self) -> &ApiInfo {
        &self.api
    }

    fn key(item: &String) -> &str {
        item
    }

    fn encode(&self, items: &[&String]) -> Result<Vec<u8>, im_protocol::Error> {
        encode_json(&BlocklistRequestView::new(self.from, items).with_check_type(self.check_type))
    }

    fn results<'de>(response: Self::Response<'de>) -> ItemResults<'de, Option<Relation>> {
        ItemResults::Listed(
            response
                .black_list_check_item
                .into_iter()
                .map(|item| ItemResult {
                    key: item.to_account,
                    code: item.result_code,
                    info: item.result_info,
                    extra: item.relation,
                })
                .collect(),
        )
    }
}
