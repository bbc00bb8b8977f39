//! The business rules of the four blocklist APIs.

use im_protocol::{
    AddBlocklistRequest, CheckBlocklistRequest, CheckType, DeleteBlocklistRequest, ErrorCode,
    GetBlocklistRequest, Relation,
};

use crate::support::{NOW, codes, harness, harness_with, names};

#[tokio::test]
async fn the_documented_add_sample_reports_each_account() {
    let h = harness();
    h.emulator.import_accounts(["id", "id1", "id2", "id3"]);
    h.ok(&AddBlocklistRequest::new("id", ["id2"])).await;

    let response = h
        .ok(&AddBlocklistRequest::new(
            "id",
            ["id1", "id2", "id3", "id4"],
        ))
        .await;
    assert_eq!(codes(&response), [0, 30001, 0, 30003]);
    assert_eq!(
        response.result_item[1].result_info,
        "Err_SNS_BlackListAdd_Already_Exist"
    );
    assert_eq!(response.result_item[0].result_info, "");
    assert_eq!(response.fail_account, ["id2", "id4"]);
    let blocked: Vec<String> = h
        .emulator
        .blocklist_of("id")
        .into_iter()
        .map(|(to, _)| to)
        .collect();
    assert_eq!(blocked, ["id2", "id1", "id3"]);
}

#[tokio::test]
async fn fail_account_is_omitted_when_nothing_failed() {
    let h = harness();
    h.emulator.import_accounts(["a", "b"]);
    let response = h.send(&AddBlocklistRequest::new("a", ["b"])).await.unwrap();
    let body = std::str::from_utf8(response.body()).unwrap();
    assert_eq!(
        body,
        r#"{"ResultItem":[{"To_Account":"b","ResultCode":0,"ResultInfo":""}],"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","ErrorDisplay":""}"#
    );
    assert_eq!(response.headers()["content-type"], "application/json");
}

#[tokio::test]
async fn the_already_exists_code_is_configurable() {
    let h = harness_with(|b| b.already_exists_code(ErrorCode::BLOCKLIST_ALREADY_EXISTS));
    h.emulator.import_accounts(["a", "b"]);
    h.ok(&AddBlocklistRequest::new("a", ["b"])).await;
    let response = h.ok(&AddBlocklistRequest::new("a", ["b"])).await;
    assert_eq!(codes(&response), [31307]);
    assert_eq!(
        response.result_item[0].result_info,
        "Err_SNS_BlackListAdd_Already_Exist"
    );
}

#[tokio::test]
async fn blocking_oneself_or_a_missing_account_fails_per_item() {
    let h = harness();
    h.emulator.import_accounts(["a"]);
    let response = h.ok(&AddBlocklistRequest::new("a", ["a", "ghost"])).await;
    assert_eq!(codes(&response), [30001, 30003]);
    assert!(h.emulator.blocklist_of("a").is_empty());
    assert_eq!(h.emulator.sequence_of("a"), 0);
}

#[tokio::test]
async fn duplicates_are_answered_per_occurrence() {
    let h = harness();
    h.emulator.import_accounts(["a", "b"]);
    let response = h.ok(&AddBlocklistRequest::new("a", ["b", "b"])).await;
    assert_eq!(codes(&response), [0, 30001]);
    assert_eq!(h.emulator.blocklist_of("a").len(), 1);
    let response = h.ok(&DeleteBlocklistRequest::new("a", ["b", "b"])).await;
    assert_eq!(codes(&response), [0, 30001]);
}

#[tokio::test]
async fn an_unknown_from_account_fails_the_request() {
    let h = harness();
    h.emulator.import_accounts(["b"]);
    for envelope in [
        h.call(&AddBlocklistRequest::new("ghost", ["b"]))
            .await
            .status,
        h.call(&GetBlocklistRequest::first_page("ghost", 10))
            .await
            .status,
    ] {
        assert!(!envelope.is_success());
        assert_eq!(envelope.error_code, ErrorCode::ACCOUNT_NOT_FOUND);
    }
    let empty = h.call(&AddBlocklistRequest::new("", ["b"])).await.status;
    assert_eq!(empty.error_code, ErrorCode::INVALID_PARAMETER);
}

#[tokio::test]
async fn blocking_removes_the_friendship_both_ways() {
    let h = harness();
    h.emulator.import_accounts(["a", "b", "c"]);
    h.emulator.make_friends("a", "b");
    h.emulator.make_friends("a", "c");
    h.ok(&AddBlocklistRequest::new("b", ["a"])).await;
    assert!(!h.emulator.has_friend("a", "b"));
    assert!(!h.emulator.has_friend("b", "a"));
    assert!(h.emulator.are_friends("a", "c"));
    // Unblocking does not restore the friendship.
    h.ok(&DeleteBlocklistRequest::new("b", ["a"])).await;
    assert!(!h.emulator.are_friends("a", "b"));
}

#[tokio::test]
async fn remain_friends_keeps_the_friendship() {
    let h = harness_with(|b| b.remain_friends(true));
    h.emulator.import_accounts(["a", "b"]);
    h.emulator.make_friends("a", "b");
    h.ok(&AddBlocklistRequest::new("a", ["b"])).await;
    assert!(h.emulator.is_blocked("a", "b"));
    assert!(h.emulator.are_friends("a", "b"));
}

#[tokio::test]
async fn the_blocklist_holds_at_most_1000_accounts() {
    let h = harness();
    let others = names("u", 1003);
    h.emulator.import_accounts(["owner"]);
    assert_eq!(h.emulator.import_accounts(&others), 1003);

    let first = h
        .ok(&AddBlocklistRequest::new("owner", &others[..999]))
        .await;
    assert!(first.fail_account.is_empty());
    // One more fits; the accounts after the 1000th are refused.
    let response = h
        .ok(&AddBlocklistRequest::new("owner", &others[999..1002]))
        .await;
    assert_eq!(codes(&response), [0, 30013, 30013]);
    assert_eq!(response.fail_account, &others[1000..1002]);
    assert_eq!(h.emulator.blocklist_of("owner").len(), 1000);
    // Already blocked is reported as such even when the list is full.
    let response = h
        .ok(&AddBlocklistRequest::new(
            "owner",
            [&others[0], &others[1002]],
        ))
        .await;
    assert_eq!(codes(&response), [30001, 30013]);
    // Room again after a delete.
    h.ok(&DeleteBlocklistRequest::new("owner", [&others[0]]))
        .await;
    let response = h
        .ok(&AddBlocklistRequest::new("owner", [&others[1002]]))
        .await;
    assert_eq!(codes(&response), [0]);
}

#[tokio::test]
async fn a_request_with_more_than_1000_or_no_accounts_is_refused() {
    let h = harness();
    let others = names("u", 1001);
    h.emulator.import_accounts(["owner"]);
    h.emulator.import_accounts(&others);

    let too_many = h.call(&AddBlocklistRequest::new("owner", &others)).await;
    assert_eq!(too_many.status.error_code, ErrorCode::INVALID_PARAMETER);
    assert!(too_many.body.is_none());
    assert!(h.emulator.blocklist_of("owner").is_empty());

    let check = h
        .call(&CheckBlocklistRequest::new(
            "owner",
            &others,
            CheckType::Single,
        ))
        .await;
    assert_eq!(check.status.error_code, ErrorCode::INVALID_PARAMETER);

    let none = h
        .call(&DeleteBlocklistRequest::new("owner", Vec::<String>::new()))
        .await;
    assert_eq!(none.status.error_code, ErrorCode::INVALID_PARAMETER);

    let exactly = h
        .ok(&AddBlocklistRequest::new("owner", &others[..1000]))
        .await;
    assert!(exactly.fail_account.is_empty());
}

#[tokio::test]
async fn paging_walks_the_list_and_the_sequence_grows() {
    let h = harness();
    let others = names("u", 25);
    h.emulator.import_accounts(["owner"]);
    h.emulator.import_accounts(&others);
    for (step, chunk) in others.chunks(10).enumerate() {
        h.ok(&AddBlocklistRequest::new("owner", chunk)).await;
        assert_eq!(h.emulator.sequence_of("owner"), step as u64 + 1);
        h.clock.advance(60);
    }

    let mut request = GetBlocklistRequest::first_page("owner", 10);
    let mut pages = Vec::new();
    loop {
        let page = h.ok(&request).await;
        assert_eq!(page.current_sequence, Some(3));
        pages.push(page.clone());
        match request.next_page(&page) {
            Some(next) => request = next,
            None => break,
        }
    }
    let starts: Vec<u32> = pages.iter().map(|page| page.start_index).collect();
    assert_eq!(starts, [10, 20, 0]);
    let entries: Vec<_> = pages
        .iter()
        .flat_map(|page| page.black_list_item.clone())
        .collect();
    let listed: Vec<&str> = entries
        .iter()
        .map(|entry| entry.to_account.as_str())
        .collect();
    assert_eq!(
        listed,
        others.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert_eq!(entries[0].add_black_timestamp, NOW);
    assert_eq!(entries[24].add_black_timestamp, NOW + 120);

    // A change to the list moves the sequence on; a no-op does not.
    h.ok(&DeleteBlocklistRequest::new("owner", [&others[3]]))
        .await;
    h.ok(&DeleteBlocklistRequest::new("owner", ["not-blocked"]))
        .await;
    let page = h.ok(&GetBlocklistRequest::first_page("owner", 1000)).await;
    assert_eq!(page.current_sequence, Some(4));
    assert_eq!(page.black_list_item.len(), 24);
    assert_eq!(page.start_index, 0);
}

#[tokio::test]
async fn an_empty_blocklist_is_one_empty_page() {
    let h = harness();
    h.emulator.import_accounts(["owner"]);
    let response = h
        .send(&GetBlocklistRequest::first_page("owner", 100))
        .await
        .unwrap();
    assert_eq!(
        std::str::from_utf8(response.body()).unwrap(),
        r#"{"BlackListItem":[],"StartIndex":0,"CurruentSequence":0,"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","ErrorDisplay":""}"#
    );
}

#[tokio::test]
async fn max_limited_must_be_1_to_1000() {
    let h = harness();
    h.emulator.import_accounts(["owner"]);
    for limit in [0, 1001] {
        let envelope = h
            .call(&GetBlocklistRequest::first_page("owner", limit))
            .await;
        assert_eq!(envelope.status.error_code, ErrorCode::INVALID_PARAMETER);
    }
}

#[tokio::test]
async fn deleting_an_account_that_is_not_blocked_answers_30001_as_the_faq_says() {
    let h = harness();
    h.emulator.import_accounts(["a", "b", "c"]);
    h.ok(&AddBlocklistRequest::new("a", ["b"])).await;
    let response = h
        .ok(&DeleteBlocklistRequest::new("a", ["b", "c", "ghost"]))
        .await;
    assert_eq!(codes(&response), [0, 30001, 30001]);
    assert_eq!(
        response.result_item[1].result_info,
        "Err_SNS_BlackListDelete_Not_Exist"
    );
    assert_eq!(response.fail_account, ["c", "ghost"]);
    assert!(!h.emulator.is_blocked("a", "b"));
}

#[tokio::test]
async fn a_switch_answers_deleting_an_account_that_is_not_blocked_as_a_success() {
    let h = harness_with(|builder| builder.not_blocked_code(ErrorCode::OK));
    h.emulator.import_accounts(["a", "c"]);
    let response = h.ok(&DeleteBlocklistRequest::new("a", ["c"])).await;
    assert_eq!(codes(&response), [0]);
    assert!(response.fail_account.is_empty());
}

#[tokio::test]
async fn check_reports_all_four_relations() {
    let h = harness();
    h.emulator.import_accounts(["a", "b", "c", "d", "e"]);
    h.ok(&AddBlocklistRequest::new("a", ["b", "d"])).await;
    h.ok(&AddBlocklistRequest::new("c", ["a"])).await;
    h.ok(&AddBlocklistRequest::new("d", ["a"])).await;
    let to = ["b", "c", "d", "e", "ghost"];

    let relations = |response: im_protocol::CheckBlocklistResponse| {
        assert!(response.fail_account.is_empty());
        response
            .black_list_check_item
            .iter()
            .map(|item| {
                assert!(item.is_ok());
                item.relation
            })
            .collect::<Vec<_>>()
    };
    let both = h
        .ok(&CheckBlocklistRequest::new("a", to, CheckType::Both))
        .await;
    assert_eq!(
        relations(both),
        [
            Relation::AWithB,
            Relation::BWithA,
            Relation::BothWay,
            Relation::No,
            Relation::No
        ]
    );
    let single = h
        .ok(&CheckBlocklistRequest::new("a", to, CheckType::Single))
        .await;
    assert_eq!(
        relations(single),
        [
            Relation::AWithB,
            Relation::No,
            Relation::AWithB,
            Relation::No,
            Relation::No
        ]
    );
}

#[tokio::test]
async fn the_log_records_batch_sizes() {
    let h = harness();
    let others = names("u", 1000);
    h.emulator.import_accounts(["owner"]);
    h.emulator.import_accounts(&others);
    h.ok(&AddBlocklistRequest::new("owner", &others[..3])).await;
    h.ok(&AddBlocklistRequest::new("owner", &others)).await;
    h.ok(&CheckBlocklistRequest::new(
        "owner",
        &others[..7],
        CheckType::Both,
    ))
    .await;
    h.ok(&GetBlocklistRequest::first_page("owner", 100)).await;

    let log = h.emulator.requests();
    let sizes: Vec<(&str, usize)> = log
        .iter()
        .map(|request| (request.path.as_str(), request.accounts))
        .collect();
    assert_eq!(
        sizes,
        [
            ("v4/sns/black_list_add", 3),
            ("v4/sns/black_list_add", 1000),
            ("v4/sns/black_list_check", 7),
            ("v4/sns/black_list_get", 0),
        ]
    );
    assert!(
        log.iter()
            .all(|request| request.from.as_deref() == Some("owner"))
    );
    assert!(
        log.iter()
            .all(|request| request.code == Some(ErrorCode::OK))
    );
    assert!(
        log.iter()
            .all(|request| request.faults.is_empty() && request.http_status == 200)
    );
    h.emulator.clear_log();
    assert!(h.emulator.requests().is_empty());
}
