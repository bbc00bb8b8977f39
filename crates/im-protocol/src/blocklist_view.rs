//! Borrowed forms of the blocklist bodies, for clients that send and read thousands of
//! accounts per call: a request body that borrows the accounts, and answers whose account
//! names and texts borrow from the response bytes when they hold no escapes.
//!
//! They read and write exactly what the owned types of [`crate::blocklist`] do (the tests
//! check both against the same bodies).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::{CheckType, ErrorCode, Relation};

/// The body of `black_list_add`, `black_list_delete` or (with a check type)
/// `black_list_check`, borrowing its accounts.
///
/// ```
/// use im_protocol::{BlocklistRequestView, CheckType, encode_json};
///
/// let to = ["bob", "carol"];
/// let add = BlocklistRequestView::new("alice", &to);
/// assert_eq!(encode_json(&add)?, br#"{"From_Account":"alice","To_Account":["bob","carol"]}"#);
/// let check = add.with_check_type(CheckType::Single);
/// assert!(String::from_utf8(encode_json(&check)?).unwrap().ends_with(r#""CheckType":"BlackCheckResult_Type_Single"}"#));
/// # Ok::<(), im_protocol::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Serialize)]
#[non_exhaustive]
pub struct BlocklistRequestView<'a, A: Serialize> {
    /// The user whose blocklist is changed or checked.
    #[serde(rename = "From_Account")]
    pub from_account: &'a str,
    /// The accounts.
    #[serde(rename = "To_Account")]
    pub to_account: &'a [A],
    /// The check type, for `black_list_check` only.
    #[serde(rename = "CheckType", skip_serializing_if = "Option::is_none")]
    pub check_type: Option<CheckType>,
}

impl<'a, A: Serialize> BlocklistRequestView<'a, A> {
    /// The body of an add or delete of `to_account` for `from_account`.
    pub const fn new(from_account: &'a str, to_account: &'a [A]) -> Self {
        BlocklistRequestView {
            from_account,
            to_account,
            check_type: None,
        }
    }

    /// The body of a check, looking in the directions `check_type`.
    #[must_use]
    pub const fn with_check_type(mut self, check_type: CheckType) -> Self {
        self.check_type = Some(check_type);
        self
    }
}

/// The body of a successful `black_list_add` or `black_list_delete` response, borrowed.
#[derive(Debug, Deserialize)]
#[non_exhaustive]
pub struct UpdateBlocklistView<'a> {
    /// One result per requested account (`ResultItem`).
    #[serde(rename = "ResultItem", borrow)]
    pub result_item: Vec<AccountResultView<'a>>,
}

/// The result for one account of an add or delete request, borrowed.
#[derive(Debug, Deserialize)]
#[non_exhaustive]
pub struct AccountResultView<'a> {
    /// The account this result is about.
    #[serde(rename = "To_Account", borrow)]
    pub to_account: Cow<'a, str>,
    /// 0 on success.
    #[serde(rename = "ResultCode")]
    pub result_code: ErrorCode,
    /// The service's description of a failure; empty on success or when absent.
    #[serde(rename = "ResultInfo", borrow, default)]
    pub result_info: Cow<'a, str>,
}

/// The body of a successful `black_list_check` response, borrowed.
#[derive(Debug, Deserialize)]
#[non_exhaustive]
pub struct CheckBlocklistView<'a> {
    /// One result per requested account (`BlackListCheckItem`).
    #[serde(rename = "BlackListCheckItem", borrow)]
    pub black_list_check_item: Vec<CheckItemView<'a>>,
}

/// The result for one account of a check request, borrowed.
#[derive(Debug, Deserialize)]
#[non_exhaustive]
pub struct CheckItemView<'a> {
    /// The account this result is about.
    #[serde(rename = "To_Account", borrow)]
    pub to_account: Cow<'a, str>,
    /// The relation; meaningful only when `result_code` is 0. `None` when the item has no
    /// relation, or one this crate does not know: that item cannot be read, the others can.
    #[serde(rename = "Relation", default, deserialize_with = "known_relation")]
    pub relation: Option<Relation>,
    /// 0 on success.
    #[serde(rename = "ResultCode")]
    pub result_code: ErrorCode,
    /// The service's description of a failure; empty on success or when absent.
    #[serde(rename = "ResultInfo", borrow, default)]
    pub result_info: Cow<'a, str>,
}

/// A relation, or `None` for a spelling this crate does not know.
fn known_relation<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Relation>, D::Error> {
    let text: Cow<'de, str> = Deserialize::deserialize(deserializer)?;
    Ok(Relation::from_wire(&text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        AddBlocklistRequest, CheckBlocklistRequest, CheckBlocklistResponse,
        UpdateBlocklistResponse, decode_response, encode_json,
    };

    #[test]
    fn views_read_and_write_what_the_owned_types_do() {
        let to = ["bob", "c\"arol"];
        let view = BlocklistRequestView::new("alice", &to);
        assert_eq!(
            encode_json(&view).ok(),
            encode_json(&AddBlocklistRequest::new("alice", to)).ok()
        );
        let check = view.with_check_type(CheckType::Both);
        assert_eq!(
            encode_json(&check).ok(),
            encode_json(&CheckBlocklistRequest::new("alice", to, CheckType::Both)).ok()
        );

        let update = br#"{"ResultItem":[{"To_Account":"bob","ResultCode":0,"ResultInfo":""},
            {"To_Account":"c\"arol","ResultCode":30001}],"Fail_Account":["c\"arol"],
            "ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}"#;
        let owned: UpdateBlocklistResponse = decode_response(update).expect("owned");
        let borrowed: UpdateBlocklistView<'_> = decode_response(update).expect("view");
        assert_eq!(owned.result_item.len(), borrowed.result_item.len());
        for (owned, borrowed) in owned.result_item.iter().zip(&borrowed.result_item) {
            assert_eq!(owned.to_account, borrowed.to_account);
            assert_eq!(owned.result_code, borrowed.result_code);
            assert_eq!(owned.result_info, borrowed.result_info);
        }
        assert!(matches!(
            borrowed.result_item[0].to_account,
            Cow::Borrowed(_)
        ));

        let checked = br#"{"BlackListCheckItem":[{"To_Account":"bob","Relation":"BlackCheckResult_Type_AWithB","ResultCode":0,"ResultInfo":""}],
            "ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}"#;
        let owned: CheckBlocklistResponse = decode_response(checked).expect("owned");
        let borrowed: CheckBlocklistView<'_> = decode_response(checked).expect("view");
        assert_eq!(
            Some(owned.black_list_check_item[0].relation),
            borrowed.black_list_check_item[0].relation
        );
        // An unknown relation fails its own item only.
        let odd = br#"{"BlackListCheckItem":[{"To_Account":"bob","Relation":"BlackCheckResult_Type_Maybe","ResultCode":0},
            {"To_Account":"eve","Relation":"BlackCheckResult_Type_NO","ResultCode":0}],
            "ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}"#;
        let view: CheckBlocklistView<'_> = decode_response(odd).expect("view");
        assert_eq!(view.black_list_check_item[0].relation, None);
        assert_eq!(view.black_list_check_item[1].relation, Some(Relation::No));
        // Both refuse an answer without its list.
        let empty = br#"{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}"#;
        assert!(decode_response::<UpdateBlocklistResponse>(empty).is_err());
        assert!(decode_response::<UpdateBlocklistView<'_>>(empty).is_err());
    }
}
