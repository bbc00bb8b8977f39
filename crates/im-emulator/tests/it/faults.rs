//! Injected faults, and their repeatability.

use std::time::Duration;

use im_emulator::{FaultKind, Faults, SetupApi};
use im_protocol::{
    AddBlocklistRequest, CheckBlocklistRequest, CheckType, ErrorCode, FriendAddRequest,
    FriendAddResponse, GetBlocklistRequest, UpdateBlocklistResponse, decode_response,
};

use crate::support::{Harness, harness_with, names};

const TRANSIENT: [i64; 3] = [30006, 30007, 30008];

fn with_faults(faults: Faults) -> Harness {
    let h = harness_with(|b| b.faults(faults));
    h.emulator.import_accounts(["owner"]);
    h.emulator.import_accounts(names("u", 100));
    h
}

#[tokio::test]
async fn http_502_is_not_applied() {
    let h = with_faults(Faults::seeded(1).http_502(1.0));
    let response = h
        .send(&AddBlocklistRequest::new("owner", ["u1"]))
        .await
        .unwrap();
    assert_eq!(response.status(), 502);
    assert_eq!(response.headers()["content-type"], "text/html");
    assert!(decode_response::<UpdateBlocklistResponse>(response.body()).is_err());
    assert!(!h.emulator.is_blocked("owner", "u1"));
    let log = h.emulator.requests();
    assert_eq!(log[0].faults, [FaultKind::Http502]);
    assert_eq!(log[0].http_status, 502);
    assert_eq!(log[0].code, None);
}

#[tokio::test]
async fn a_chosen_account_gets_its_code_in_every_request_and_the_others_succeed() {
    let h = with_faults(
        Faults::none()
            .account_code("u2", 30006)
            .account_code("u3", 70169),
    );
    for _ in 0..3 {
        let response = h
            .ok(&AddBlocklistRequest::new("owner", ["u1", "u2", "u3"]))
            .await;
        let codes: Vec<i64> = response
            .result_item
            .iter()
            .map(|item| item.result_code.0)
            .collect();
        // u1 is blocked by the first request and already blocked in the next ones.
        assert_eq!(codes[1..], [30006, 70169]);
        assert!(
            response
                .fail_account
                .ends_with(&["u2".to_owned(), "u3".to_owned()])
        );
        assert_eq!(
            response.result_item[1].result_info,
            ErrorCode::INTERNAL_ERROR.meaning().unwrap()
        );
    }
    assert!(h.emulator.is_blocked("owner", "u1"));
    assert!(!h.emulator.is_blocked("owner", "u2"));

    let check = h
        .ok(&CheckBlocklistRequest::new(
            "owner",
            ["u1", "u2"],
            CheckType::Single,
        ))
        .await;
    assert!(check.black_list_check_item[0].is_ok());
    assert_eq!(
        check.black_list_check_item[1].result_code,
        ErrorCode::INTERNAL_ERROR
    );
    assert_eq!(h.emulator.requests()[0].faults, [FaultKind::AccountError]);
}

#[tokio::test]
async fn a_request_error_is_not_applied() {
    let h = with_faults(Faults::seeded(2).request_error(1.0));
    let mut seen = Vec::new();
    for other in names("u", 20) {
        let envelope = h.call(&AddBlocklistRequest::new("owner", [&other])).await;
        assert!(!envelope.status.is_success());
        assert!(envelope.body.is_none());
        seen.push(envelope.status.error_code.0);
    }
    assert!(seen.iter().all(|code| TRANSIENT.contains(code)));
    assert!(TRANSIENT.iter().all(|code| seen.contains(code)), "{seen:?}");
    assert!(h.emulator.blocklist_of("owner").is_empty());
    assert!(
        h.emulator
            .requests()
            .iter()
            .all(|request| request.faults == [FaultKind::RequestError])
    );
}

#[tokio::test]
async fn account_errors_fail_only_their_accounts() {
    let h = with_faults(Faults::seeded(3).account_error(0.3));
    let others = names("u", 100);
    let response = h.ok(&AddBlocklistRequest::new("owner", &others)).await;
    let failed: Vec<&str> = response
        .result_item
        .iter()
        .filter(|item| !item.is_ok())
        .map(|item| {
            assert!(TRANSIENT.contains(&item.result_code.0));
            assert!(item.result_info.starts_with("Err_SNS_BlackListAdd_"));
            item.to_account.as_str()
        })
        .collect();
    assert!(!failed.is_empty() && failed.len() < 100, "{}", failed.len());
    assert_eq!(response.fail_account, failed);
    for other in &others {
        assert_eq!(
            h.emulator.is_blocked("owner", other),
            !failed.contains(&other.as_str())
        );
    }
    assert_eq!(h.emulator.requests()[0].faults, [FaultKind::AccountError]);

    // Checks fail per item too, with the relation left at NO.
    let check = h
        .ok(&CheckBlocklistRequest::new(
            "owner",
            &others,
            CheckType::Both,
        ))
        .await;
    let failed_checks: Vec<_> = check
        .black_list_check_item
        .iter()
        .filter(|item| !item.is_ok())
        .collect();
    assert!(!failed_checks.is_empty());
    assert!(
        failed_checks
            .iter()
            .all(|item| item.relation == im_protocol::Relation::No)
    );
    assert_eq!(check.fail_account.len(), failed_checks.len());
}

#[tokio::test]
async fn a_lost_answer_is_applied_but_the_caller_gets_an_error() {
    let h = with_faults(Faults::seeded(4).lost_answer(1.0));
    let error = h
        .send(&AddBlocklistRequest::new("owner", ["u1", "u2"]))
        .await
        .unwrap_err();
    assert!(error.is_body());
    assert!(h.emulator.is_blocked("owner", "u1"));
    assert!(h.emulator.is_blocked("owner", "u2"));
    let log = h.emulator.requests();
    assert_eq!(log[0].faults, [FaultKind::LostAnswer]);
    assert_eq!(log[0].code, Some(ErrorCode::OK));
}

#[tokio::test]
async fn a_truncated_answer_is_applied_and_does_not_parse() {
    let h = with_faults(Faults::seeded(5).truncated_json(1.0));
    let response = h
        .send(&AddBlocklistRequest::new("owner", ["u1"]))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let error = decode_response::<UpdateBlocklistResponse>(response.body()).unwrap_err();
    assert!(error.is_decode());
    assert!(h.emulator.is_blocked("owner", "u1"));
    assert_eq!(h.emulator.requests()[0].faults, [FaultKind::TruncatedJson]);
}

#[tokio::test(start_paused = true)]
async fn latency_delays_the_answer() {
    let latency = Duration::from_millis(1500);
    let h = with_faults(Faults::seeded(6).latency(latency));
    let start = tokio::time::Instant::now();
    h.ok(&GetBlocklistRequest::first_page("owner", 10)).await;
    assert!(start.elapsed() >= latency);
    let log = h.emulator.requests();
    assert_eq!(log[0].faults, [FaultKind::Latency]);
    // The arrival time is logged, not the answer time.
    assert_eq!(log[0].at, start);
}

#[tokio::test]
async fn setup_apis_never_see_faults() {
    let h = with_faults(
        Faults::seeded(7)
            .http_502(1.0)
            .request_error(1.0)
            .lost_answer(1.0)
            .truncated_json(1.0),
    );
    h.emulator.import_accounts(["new", "friend"]);
    let envelope = h
        .setup::<_, FriendAddResponse>(
            SetupApi::FriendAdd,
            &FriendAddRequest::new("new", ["friend"], None),
        )
        .await;
    assert!(envelope.status.is_success());
    assert!(h.emulator.are_friends("new", "friend"));
}

#[tokio::test]
async fn rejected_requests_draw_no_faults() {
    let h = with_faults(Faults::seeded(8).http_502(1.0));
    let envelope = h.call(&AddBlocklistRequest::new("ghost", ["u1"])).await;
    assert_eq!(envelope.status.error_code, ErrorCode::ACCOUNT_NOT_FOUND);
}

/// What a client saw for each of a run of requests, and the final blocklist.
async fn run(faults: Faults) -> (Vec<String>, Vec<(String, u64)>) {
    let h = with_faults(faults);
    let others = names("u", 100);
    let mut seen = Vec::new();
    for chunk in others.chunks(5) {
        let outcome = match h.send(&AddBlocklistRequest::new("owner", chunk)).await {
            Ok(response) => format!(
                "{} {}",
                response.status(),
                String::from_utf8_lossy(response.body())
            ),
            Err(error) => format!("error {error}"),
        };
        seen.push(outcome);
    }
    (seen, h.emulator.blocklist_of("owner"))
}

fn mixed(seed: u64) -> Faults {
    Faults::seeded(seed)
        .http_502(0.2)
        .request_error(0.1)
        .account_error(0.1)
        .lost_answer(0.1)
        .truncated_json(0.1)
}

#[tokio::test]
async fn the_same_seed_gives_the_same_run() {
    let first = run(mixed(42)).await;
    let second = run(mixed(42)).await;
    assert_eq!(first, second);
    let other = run(mixed(43)).await;
    assert_ne!(first.0, other.0);
    // The mix really injected several kinds.
    assert!(first.0.iter().any(|outcome| outcome.starts_with("502")));
    assert!(first.0.iter().any(|outcome| outcome.starts_with("error")));
}

/// The HTTP statuses of 20 pulls of the owner's blocklist.
async fn statuses(h: &Harness) -> Vec<u16> {
    let mut statuses = Vec::new();
    for _ in 0..20 {
        let response = h
            .send(&GetBlocklistRequest::first_page("owner", 10))
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    statuses
}

#[tokio::test]
async fn set_faults_reseeds() {
    let h = with_faults(Faults::none());
    h.emulator.set_faults(Faults::seeded(9).http_502(0.5));
    let first = statuses(&h).await;
    h.emulator.set_faults(Faults::seeded(9).http_502(0.5));
    let second = statuses(&h).await;
    assert_eq!(first, second);
    assert!(first.contains(&502) && first.contains(&200));
    h.emulator.set_faults(Faults::none());
    assert!(statuses(&h).await.iter().all(|&status| status == 200));
}
