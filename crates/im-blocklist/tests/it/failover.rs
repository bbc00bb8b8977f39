//! Failover to the region's backup host when the primary one cannot be reached.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use im_blocklist::GiveUpReason;
use im_transport::TransportError;

use crate::support::{FakeService, REGION, Reply, client};

/// A service whose primary host refuses connections while `primary_down` is set.
fn service(primary_down: &Arc<AtomicBool>) -> FakeService {
    let primary_down = primary_down.clone();
    FakeService::new(move |request| {
        if request.host() == REGION.primary_host() && primary_down.load(Ordering::SeqCst) {
            Reply::Fail(TransportError::connect("connection refused"))
        } else {
            Reply::update(request.to_accounts().iter().map(|a| (a, 0)))
        }
    })
}

fn hosts_since(service: &FakeService, first: usize) -> Vec<String> {
    service.requests()[first..]
        .iter()
        .map(|request| request.host().to_owned())
        .collect()
}

#[tokio::test(start_paused = true)]
async fn an_unreachable_primary_host_fails_over_to_the_backup_for_a_minute() {
    let primary_down = Arc::new(AtomicBool::new(true));
    let service = service(&primary_down);
    let blocklist = client(&service);
    let (primary, backup) = (REGION.primary_host(), REGION.backup_host());

    let outcome = blocklist.add("alice", ["bob"]).await.unwrap();
    assert_eq!(outcome.succeeded, ["bob"]);
    assert_eq!(hosts_since(&service, 0), [primary, backup]);

    // Within the minute, calls go straight to the backup host.
    tokio::time::advance(Duration::from_secs(58)).await;
    blocklist.add("alice", ["carol"]).await.unwrap();
    assert_eq!(hosts_since(&service, 2), [backup]);

    // After it, the primary host is tried again, and used while it works.
    primary_down.store(false, Ordering::SeqCst);
    tokio::time::advance(Duration::from_secs(3)).await;
    blocklist.add("alice", ["dave"]).await.unwrap();
    blocklist.add("alice", ["erin"]).await.unwrap();
    assert_eq!(hosts_since(&service, 3), [primary, primary]);
}

#[tokio::test(start_paused = true)]
async fn a_primary_host_still_down_after_the_minute_fails_over_again() {
    let primary_down = Arc::new(AtomicBool::new(true));
    let service = service(&primary_down);
    let blocklist = client(&service);
    let (primary, backup) = (REGION.primary_host(), REGION.backup_host());

    blocklist.add("alice", ["bob"]).await.unwrap();
    tokio::time::advance(Duration::from_secs(61)).await;
    blocklist.add("alice", ["carol"]).await.unwrap();

    assert_eq!(hosts_since(&service, 0), [primary, backup, primary, backup]);
}

#[tokio::test(start_paused = true)]
async fn when_both_hosts_are_unreachable_the_call_gives_up() {
    let service = FakeService::new(|_| Reply::Fail(TransportError::connect("no route to host")));
    let blocklist = client(&service);

    let error = blocklist.add("alice", ["bob"]).await.unwrap_err();

    assert_eq!(error.gave_up(), Some(GiveUpReason::AttemptsExhausted));
    assert_eq!(service.count(), error.attempts() as usize);
    let (primary, backup) = (REGION.primary_host(), REGION.backup_host());
    assert_eq!(
        hosts_since(&service, 0),
        [primary, backup, primary, backup, primary]
    );
    // The backup host is tried at once; going back to the primary host waits for the
    // backoff (at least 100 ms, beyond the pacer's 5 ms spacing).
    let requests = service.requests();
    let gap = |i: usize| requests[i + 1].at - requests[i].at;
    assert!(gap(0) < Duration::from_millis(10));
    assert!(gap(1) >= Duration::from_millis(100));
    assert!(gap(2) < Duration::from_millis(10));
    assert!(gap(3) >= Duration::from_millis(200));
}
