//! Service-level failures: an expired UserSig is renewed once; fatal codes are not retried.

use std::sync::Arc;

use im_blocklist::{Blocklist, Error, PageRequest, RetryPolicy};
use im_protocol::{Endpoint, ErrorCode};
use im_sig::{ManualClock, SecretKey, Signer};

use crate::support::{ADMIN, APP, FakeService, KEY, REGION, Reply, client};

/// A client whose signer reads `clock`.
fn client_with_clock(service: &FakeService, clock: &Arc<ManualClock>) -> Blocklist {
    let signer = Signer::new(APP, ADMIN, SecretKey::from(KEY)).with_clock(clock.clone());
    Blocklist::builder(signer, service.transport(), Endpoint::region(REGION)).build()
}

#[tokio::test(start_paused = true)]
async fn an_expired_usersig_is_renewed_once_and_the_call_succeeds() {
    let clock = Arc::new(ManualClock::new(1_700_000_000));
    let service = {
        let clock = clock.clone();
        FakeService::new(move |request| {
            if request.index == 0 {
                // Time passes on the wall clock before the service rejects the UserSig.
                clock.advance(90);
                Reply::fail(70001, "sig expired")
            } else {
                Reply::update(request.to_accounts().iter().map(|a| (a, 0)))
            }
        })
    };
    let blocklist = client_with_clock(&service, &clock);

    let outcome = blocklist.add("alice", ["bob"]).await.unwrap();

    assert_eq!(outcome.succeeded, ["bob"]);
    let requests = service.requests();
    assert_eq!(requests.len(), 2);
    let (first, second) = (requests[0].usersig(), requests[1].usersig());
    assert_ne!(first, second, "the retry carries a new UserSig");
    let first = im_sig::decode(first).unwrap();
    let second = im_sig::decode(second).unwrap();
    assert_eq!(first.time, 1_700_000_000);
    assert_eq!(second.time, 1_700_000_090);
    assert_eq!(second.identifier, ADMIN);
    assert_eq!(requests[1].to_accounts(), ["bob"]);

    // The renewed UserSig is the cached one from now on.
    blocklist.add("alice", ["carol"]).await.unwrap();
    assert_eq!(service.requests()[2].usersig(), requests[1].usersig());
}

#[tokio::test(start_paused = true)]
async fn a_usersig_rejected_twice_ends_the_call_with_its_code() {
    for code in [70001, 70052] {
        let clock = Arc::new(ManualClock::new(1_700_000_000));
        let service = {
            let clock = clock.clone();
            FakeService::new(move |_| {
                clock.advance(1);
                Reply::fail(code, "sig expired")
            })
        };
        let blocklist = client_with_clock(&service, &clock);

        let error = blocklist.add("alice", ["bob"]).await.unwrap_err();

        assert_eq!(error.code(), Some(ErrorCode(code)));
        assert_eq!(service.count(), 2, "one renewal, no more (code {code})");
    }
}

#[tokio::test(start_paused = true)]
async fn a_renewal_also_happens_on_list_page() {
    let clock = Arc::new(ManualClock::new(1_700_000_000));
    let service = {
        let clock = clock.clone();
        FakeService::new(move |request| {
            if request.index == 0 {
                clock.advance(5);
                Reply::fail(70052, "sig invalidated")
            } else {
                Reply::page(&["bob"], 0)
            }
        })
    };
    let blocklist = client_with_clock(&service, &clock);

    let page = blocklist
        .list_page("alice", PageRequest::of_size(100))
        .await
        .unwrap();

    assert_eq!(page.entries.len(), 1);
    let requests = service.requests();
    assert_eq!(requests.len(), 2);
    assert_ne!(requests[0].usersig(), requests[1].usersig());
}

#[tokio::test(start_paused = true)]
async fn fatal_service_codes_are_reported_with_their_name_and_not_retried() {
    let cases = [
        (70009, "SIG_VERIFICATION_FAILED"),
        (60010, "ADMIN_PERMISSION_REQUIRED"),
        (30013, "BLOCKLIST_FULL"),
    ];
    for (code, name) in cases {
        let service = FakeService::new(move |_| Reply::fail(code, "rejected by the test"));
        let blocklist = client(&service);

        let error = blocklist.add("alice", ["bob"]).await.unwrap_err();

        assert!(matches!(error.last(), Error::Api(_)), "{error:?}");
        assert_eq!(error.code(), Some(ErrorCode(code)));
        let api_error = error.api_error().unwrap();
        assert_eq!(api_error.name(), Some(name));
        assert_eq!(api_error.info(), "rejected by the test");
        let report = error.report();
        assert!(report.contains(&code.to_string()), "{report}");
        assert!(report.contains(name), "{report}");
        assert!(report.contains("rejected by the test"), "{report}");
        assert!(!error.is_retryable());
        assert_eq!(service.count(), 1, "code {code} is not retried");
    }
}

#[tokio::test(start_paused = true)]
async fn a_fatal_code_on_a_later_batch_keeps_the_settled_accounts() {
    // The first batch succeeds; the second is rejected as a whole.
    let service = FakeService::new(|request| {
        if request.index == 0 {
            Reply::update(request.to_accounts().iter().map(|a| (a, 0)))
        } else {
            Reply::fail(60010, "admin required")
        }
    });
    let blocklist = builder_without_retries(&service);
    let input = crate::support::accounts("u", 1500);

    let outcome = blocklist.add("alice", input.clone()).await.unwrap();

    assert_eq!(outcome.succeeded, input[..1000]);
    assert_eq!(outcome.failed.len(), 500);
    assert!(
        outcome
            .failed
            .iter()
            .all(|failure| failure.code() == Some(ErrorCode::ADMIN_PERMISSION_REQUIRED))
    );
    assert_eq!(service.count(), 2);
}

fn builder_without_retries(service: &FakeService) -> Blocklist {
    crate::support::builder(service)
        .retry_policy(RetryPolicy::never())
        .build()
}
