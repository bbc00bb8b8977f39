//! The per-API frequency limit, under paused time.

use std::time::Duration;

use im_emulator::SetupApi;
use im_protocol::{
    AccountCheckRequest, AddBlocklistRequest, Api, ErrorCode, FriendCheckRequest,
    FriendCheckResponse, FriendCheckType, GetBlocklistRequest, MultiAccountImportRequest,
};

use crate::support::{harness, harness_with, names};

const SECOND: Duration = Duration::from_secs(1);

#[tokio::test(start_paused = true)]
async fn calls_beyond_the_limit_in_one_second_are_refused() {
    let h = harness();
    let others = names("u", 250);
    h.emulator.import_accounts(["owner"]);
    h.emulator.import_accounts(&others);

    let mut refused = Vec::new();
    for other in &others {
        let envelope = h.call(&AddBlocklistRequest::new("owner", [other])).await;
        if !envelope.status.is_success() {
            assert_eq!(envelope.status.error_code, ErrorCode::API_RATE_LIMITED);
            refused.push(other.clone());
        }
    }
    assert_eq!(refused, &others[200..]);
    // Refused calls were not applied.
    assert_eq!(h.emulator.blocklist_of("owner").len(), 200);
    assert!(!h.emulator.is_blocked("owner", &others[249]));

    let log = h.emulator.requests();
    assert_eq!(log.len(), 250);
    assert_eq!(
        log.iter()
            .filter(|request| request.rejected_by_rate_limit)
            .count(),
        50
    );
    assert!(
        log[200..]
            .iter()
            .all(|request| request.code == Some(ErrorCode::API_RATE_LIMITED))
    );
    assert_eq!(
        h.emulator.max_calls_in_window(Api::BlackListAdd, SECOND),
        200
    );

    // Other APIs have their own budget, and setup APIs have none.
    assert!(
        h.call(&GetBlocklistRequest::first_page("owner", 10))
            .await
            .status
            .is_success()
    );
    for _ in 0..300 {
        let envelope = h
            .setup::<_, FriendCheckResponse>(
                SetupApi::FriendCheck,
                &FriendCheckRequest::new("owner", ["x"], FriendCheckType::Single),
            )
            .await;
        assert!(envelope.status.is_success());
    }

    // A second later the window has room again.
    tokio::time::advance(SECOND).await;
    let envelope = h
        .call(&AddBlocklistRequest::new("owner", [&others[249]]))
        .await;
    assert!(envelope.status.is_success());
    assert_eq!(
        h.emulator.max_calls_in_window(Api::BlackListAdd, SECOND),
        200
    );
    assert_eq!(
        h.emulator
            .max_calls_in_window(Api::BlackListAdd, 2 * SECOND),
        201
    );
}

#[tokio::test(start_paused = true)]
async fn a_paced_client_is_never_refused() {
    let h = harness_with(|b| b.rate_limit(10));
    h.emulator.import_accounts(["owner"]);
    for _ in 0..50 {
        let envelope = h.call(&GetBlocklistRequest::first_page("owner", 10)).await;
        assert!(envelope.status.is_success());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        h.emulator.max_calls_in_window(Api::BlackListGet, SECOND),
        10
    );
}

#[tokio::test(start_paused = true)]
async fn zero_means_unlimited() {
    let h = harness_with(|b| b.rate_limit(0));
    h.emulator.import_accounts(["owner"]);
    for _ in 0..500 {
        let envelope = h.call(&GetBlocklistRequest::first_page("owner", 10)).await;
        assert!(envelope.status.is_success());
    }
    assert_eq!(
        h.emulator.max_calls_in_window(Api::BlackListGet, SECOND),
        500
    );
}

#[tokio::test(start_paused = true)]
async fn account_apis_have_their_documented_limits() {
    let h = harness();
    assert_eq!(h.emulator.rate_limit(Api::AccountCheck), 100);
    assert_eq!(h.emulator.rate_limit(Api::MultiAccountImport), 100);
    assert_eq!(h.emulator.rate_limit(Api::AccountDelete), 200);
    let mut refused = 0;
    for i in 0..150 {
        let check = h.call(&AccountCheckRequest::new([format!("u{i}")])).await;
        let import = h
            .call(&MultiAccountImportRequest::new([format!("u{i}")]))
            .await;
        for status in [check.status, import.status] {
            if !status.is_success() {
                assert_eq!(status.error_code, ErrorCode::API_RATE_LIMITED);
                refused += 1;
            }
        }
    }
    assert_eq!(refused, 100);
    assert_eq!(h.emulator.account_count(), 100);
    assert_eq!(
        h.emulator.max_calls_in_window(Api::AccountCheck, SECOND),
        100
    );
    assert_eq!(
        h.emulator
            .max_calls_in_window(Api::MultiAccountImport, SECOND),
        100
    );
}

#[tokio::test(start_paused = true)]
async fn a_long_run_keeps_the_most_recent_requests_and_counts_them_all() {
    let h = harness();
    h.emulator.import_accounts(["owner", "other"]);
    h.emulator.set_log_capacity(100);
    // 250 calls in the first second (50 refused by the limit), then one call a second.
    for _ in 0..250 {
        h.call(&GetBlocklistRequest::first_page("owner", 10)).await;
    }
    for _ in 0..500 {
        tokio::time::sleep(SECOND).await;
        h.call(&GetBlocklistRequest::first_page("owner", 10)).await;
    }
    let log = h.emulator.requests();
    assert_eq!(
        log.len(),
        100,
        "the log holds only the most recent requests"
    );
    assert!(log.iter().all(|request| !request.rejected_by_rate_limit));
    let totals = h.emulator.request_totals();
    assert_eq!(totals.requests, 750);
    assert_eq!(totals.dropped, 650);
    assert_eq!(totals.rejected_by_rate_limit, 50);
    assert_eq!(totals.calls(Api::BlackListGet), 700);
    // The busiest second is long gone from the log, and still counted.
    assert_eq!(totals.max_calls_per_second(Api::BlackListGet), 200);
    assert_eq!(h.emulator.max_calls_in_window(Api::BlackListGet, SECOND), 1);

    h.emulator.clear_log();
    assert!(h.emulator.requests().is_empty());
    assert_eq!(h.emulator.request_totals().requests, 0);
}
