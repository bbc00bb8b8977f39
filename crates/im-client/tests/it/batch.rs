//! The per-item batch helper, driven through a per-item API written here (the shape of
//! `account_delete`: `DeleteItem` in, `ResultItem` with `UserID` out) and one that lists
//! failures only (the shape of `multiaccount_import`).

use std::borrow::Cow;
use std::sync::{Arc, Mutex};

use im_client::{ApiInfo, ItemResult, ItemResults, PerItemApi, RetrySafety};
use im_protocol::ErrorCode;
use im_transport::test_util::{FnTransport, ReplayTransport, json_response};
use serde::{Deserialize, Serialize};

use crate::support::{builder, ok};

/// `account_delete`, told to the engine as data, with a small per-request limit.
struct DeleteAccounts {
    api: ApiInfo,
}

impl DeleteAccounts {
    fn new(max_items: usize) -> Self {
        let api = ApiInfo::custom("v4/im_open_login_svc/account_delete")
            .expect("valid path")
            .with_safety(RetrySafety::Convergent)
            .with_max_items(max_items);
        DeleteAccounts { api }
    }
}

#[derive(Serialize)]
struct DeleteItem<'a> {
    #[serde(rename = "UserID")]
    user_id: &'a str,
}

#[derive(Deserialize)]
struct DeleteResponse<'a> {
    #[serde(rename = "ResultItem", borrow, default)]
    result_item: Vec<DeleteResult<'a>>,
}

#[derive(Deserialize)]
struct DeleteResult<'a> {
    #[serde(rename = "UserID", borrow)]
    user_id: Cow<'a, str>,
    #[serde(rename = "ResultCode")]
    result_code: ErrorCode,
    #[serde(rename = "ResultInfo", borrow, default)]
    result_info: Cow<'a, str>,
}

impl PerItemApi for DeleteAccounts {
    type Item = String;
    type Extra = ();
    type Response<'de> = DeleteResponse<'de>;

    fn api(&self) -> &ApiInfo {
        &self.api
    }

    fn key(item: &String) -> &str {
        item
    }

    fn encode(&self, items: &[&String]) -> Result<Vec<u8>, im_protocol::Error> {
        let delete_item: Vec<DeleteItem<'_>> = items
            .iter()
            .map(|item| DeleteItem { user_id: item })
            .collect();
        im_protocol::encode_json(&serde_json::json!({ "DeleteItem": delete_item }))
    }

    fn results<'de>(response: Self::Response<'de>) -> ItemResults<'de, ()> {
        ItemResults::Listed(
            response
                .result_item
                .into_iter()
                .map(|item| ItemResult {
                    key: item.user_id,
                    code: item.result_code,
                    info: item.result_info,
                    extra: (),
                })
                .collect(),
        )
    }
}

/// The UserIDs of one recorded `account_delete` body.
fn sent_ids(body: &[u8]) -> Vec<String> {
    let body: serde_json::Value = serde_json::from_slice(body).expect("JSON body");
    body["DeleteItem"]
        .as_array()
        .expect("DeleteItem")
        .iter()
        .map(|item| item["UserID"].as_str().expect("UserID").to_owned())
        .collect()
}

fn ids(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

#[tokio::test(start_paused = true)]
async fn items_are_chunked_and_only_retryable_failures_are_sent_again() {
    // "u1" fails once with 30006 (retryable), "u3" with 70107 (final), "u4" is left out of
    // the first answer; everything else succeeds.
    let seen = Arc::new(Mutex::new(Vec::<Vec<String>>::new()));
    let log = Arc::clone(&seen);
    let transport = FnTransport::from_sync(move |request| {
        let sent = sent_ids(request.body());
        let first_time = {
            let mut log = log.lock().expect("log");
            let first = !log.iter().flatten().any(|id| sent.contains(id));
            log.push(sent.clone());
            first
        };
        let items: Vec<String> = sent
            .iter()
            .filter(|id| !(first_time && id.as_str() == "u4"))
            .map(|id| {
                let code = match id.as_str() {
                    "u1" if first_time => 30006,
                    "u3" => 70107,
                    _ => 0,
                };
                format!(r#"{{"UserID":"{id}","ResultCode":{code},"ResultInfo":"r{code}"}}"#)
            })
            .collect();
        let body = ok(&format!(r#""ResultItem":[{}]"#, items.join(",")));
        Ok(json_response(http::StatusCode::OK, body))
    });
    let client = builder(Arc::new(transport)).build();
    let items = ids("u", 7);

    let outcome = client.batch(&DeleteAccounts::new(3), &items).await;

    let requests = seen.lock().expect("log").clone();
    assert_eq!(
        requests,
        [
            vec!["u0", "u1", "u2"],
            vec!["u1"],
            vec!["u3", "u4", "u5"],
            vec!["u4"],
            vec!["u6"],
        ]
    );
    assert!(outcome.error.is_none());
    assert!(outcome.unanswered.is_empty());
    let mut answered: Vec<(&str, Option<i64>, bool)> = outcome
        .answered
        .iter()
        .map(|a| (a.item.as_str(), a.code.map(|c| c.0), a.ambiguous))
        .collect();
    answered.sort();
    assert_eq!(
        answered,
        [
            ("u0", Some(0), false),
            ("u1", Some(0), true),
            ("u2", Some(0), false),
            ("u3", Some(70107), false),
            ("u4", Some(0), true),
            ("u5", Some(0), false),
            ("u6", Some(0), false),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_request_leaves_every_item_in_one_bucket() {
    // The first request succeeds; the second is refused for good (a bad SDKAppID).
    let replay = ReplayTransport::new()
        .then_json(
            200,
            ok(r#""ResultItem":[{"UserID":"u0","ResultCode":0},{"UserID":"u1","ResultCode":0}]"#),
        )
        .then_json(
            200,
            r#"{"ActionStatus":"FAIL","ErrorCode":70009,"ErrorInfo":"bad"}"#,
        );
    let client = builder(Arc::new(replay.clone())).build();
    let items = ids("u", 5);

    let outcome = client.batch(&DeleteAccounts::new(2), &items).await;

    assert_eq!(replay.requests().len(), 2, "the third request is not sent");
    assert_eq!(outcome.answered.len(), 2);
    let unanswered: Vec<(&str, Option<i64>)> = outcome
        .unanswered
        .iter()
        .map(|u| (u.item.as_str(), u.reason.code().map(|c| c.0)))
        .collect();
    assert_eq!(
        unanswered,
        [
            ("u2", Some(70009)),
            ("u3", Some(70009)),
            ("u4", Some(70009))
        ]
    );
    assert!(
        outcome.unanswered[2]
            .info
            .starts_with("not sent after an earlier request failed")
    );
    assert_eq!(outcome.error.and_then(|e| e.code()), Some(ErrorCode(70009)));
}

/// `multiaccount_import`'s spelling: only the failed accounts are listed.
struct ImportAccounts {
    api: ApiInfo,
}

#[derive(Deserialize)]
struct ImportResponse<'a> {
    #[serde(rename = "FailAccounts", borrow, default)]
    fail_accounts: Vec<Cow<'a, str>>,
}

impl PerItemApi for ImportAccounts {
    type Item = String;
    type Extra = ();
    type Response<'de> = ImportResponse<'de>;

    fn api(&self) -> &ApiInfo {
        &self.api
    }

    fn key(item: &String) -> &str {
        item
    }

    fn encode(&self, items: &[&String]) -> Result<Vec<u8>, im_protocol::Error> {
        im_protocol::encode_json(&serde_json::json!({ "Accounts": items }))
    }

    fn results<'de>(response: Self::Response<'de>) -> ItemResults<'de, ()> {
        ItemResults::FailedOnly(response.fail_accounts)
    }
}

#[tokio::test(start_paused = true)]
async fn an_answer_that_lists_failures_only_settles_every_item() {
    let replay = ReplayTransport::new().then_json(200, ok(r#""FailAccounts":["b"]"#));
    let client = builder(Arc::new(replay)).build();
    let api = ImportAccounts {
        api: ApiInfo::custom("v4/im_open_login_svc/multiaccount_import")
            .expect("valid")
            .with_safety(RetrySafety::Convergent),
    };
    let items = ids("", 0)
        .into_iter()
        .chain(["a", "b", "c"].map(String::from))
        .collect::<Vec<_>>();

    let outcome = client.batch(&api, &items).await;

    let answered: Vec<(&str, Option<ErrorCode>)> = outcome
        .answered
        .iter()
        .map(|a| (a.item.as_str(), a.code))
        .collect();
    assert_eq!(
        answered,
        [
            ("a", Some(ErrorCode::OK)),
            ("b", None),
            ("c", Some(ErrorCode::OK))
        ]
    );
    assert!(outcome.unanswered.is_empty());
}
