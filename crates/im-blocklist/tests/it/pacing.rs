//! Pacing: at most 200 calls per second per API, enough concurrency to reach that rate at
//! real latencies, and slowing down while the service answers with a rate-limit code.

use std::collections::HashSet;
use std::time::Duration;

use futures_util::stream;
use im_blocklist::PageRequest;
use im_protocol::Api;
use tokio::time::Instant;

use crate::support::{FakeService, Reply, client};

/// The most call starts any one-second window holds.
fn busiest_second(starts: &[Instant]) -> usize {
    let mut busiest = 0;
    let mut end = 0;
    for (begin, start) in starts.iter().enumerate() {
        while end < starts.len() && starts[end] < *start + Duration::from_secs(1) {
            end += 1;
        }
        busiest = busiest.max(end - begin);
    }
    busiest
}

/// How many of `starts` fall in `[from, from + 1 s)` after `origin`.
fn starts_in_second(starts: &[Instant], origin: Instant, from: Duration) -> usize {
    let begin = origin + from;
    let end = begin + Duration::from_secs(1);
    starts
        .iter()
        .filter(|at| **at >= begin && **at < end)
        .count()
}

fn arrival_times(service: &FakeService) -> Vec<Instant> {
    service
        .requests()
        .iter()
        .map(|request| request.at)
        .collect()
}

/// `n` pairs with a different `from` each, so each pair is one call of an import.
fn one_call_per_pair(n: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|i| (format!("owner{i:05}"), "target".to_owned()))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_thousand_calls_take_five_seconds_at_the_default_rate() {
    let service = FakeService::new(|_| Reply::page(&["bob"], 0));
    let blocklist = client(&service);
    let started = Instant::now();

    for _ in 0..1000 {
        blocklist
            .list_page("alice", PageRequest::of_size(10))
            .await
            .unwrap();
    }

    let elapsed = started.elapsed().as_secs_f64();
    assert!((4.9..=5.1).contains(&elapsed), "took {elapsed} s");
    let starts = arrival_times(&service);
    assert_eq!(starts.len(), 1000);
    assert!(
        busiest_second(&starts) <= 200,
        "{}",
        busiest_second(&starts)
    );
}

#[tokio::test(start_paused = true)]
async fn import_keeps_enough_calls_in_flight_to_reach_the_rate_at_100_ms_per_call() {
    let service = FakeService::accepting().with_latency(Duration::from_millis(100));
    let blocklist = client(&service);
    let started = Instant::now();

    let outcome = blocklist
        .import(stream::iter(one_call_per_pair(1000)), |_| {})
        .await;

    // The last call starts at 4.995 s and takes 100 ms.
    let elapsed = started.elapsed().as_secs_f64();
    assert!((4.9..=5.2).contains(&elapsed), "took {elapsed} s");
    assert_eq!(outcome.succeeded, 1000);
    let starts = arrival_times(&service);
    assert_eq!(starts.len(), 1000);
    assert!(
        busiest_second(&starts) <= 200,
        "{}",
        busiest_second(&starts)
    );
}

#[tokio::test(start_paused = true)]
async fn clones_share_the_pacer() {
    let service = FakeService::accepting().with_latency(Duration::from_millis(100));
    let blocklist = client(&service);
    let started = Instant::now();

    let calls: Vec<_> = (0..1000)
        .map(|i| {
            let blocklist = blocklist.clone();
            tokio::spawn(async move { blocklist.add(&format!("owner{i}"), ["target"]).await })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap().succeeded, ["target"]);
    }

    let elapsed = started.elapsed().as_secs_f64();
    assert!((4.9..=5.2).contains(&elapsed), "took {elapsed} s");
    assert!(busiest_second(&arrival_times(&service)) <= 200);
}

#[tokio::test(start_paused = true)]
async fn each_api_has_its_own_lane() {
    let service = FakeService::new(|request| match request.api {
        Some(Api::BlackListGet) => Reply::page(&["bob"], 0),
        _ => Reply::update(request.to_accounts().iter().map(|a| (a, 0))),
    });
    let blocklist = client(&service);
    let started = Instant::now();

    let lists = async {
        for _ in 0..200 {
            blocklist
                .list_page("alice", PageRequest::of_size(10))
                .await
                .unwrap();
        }
    };
    let adds = async {
        for _ in 0..200 {
            blocklist.add("alice", ["bob"]).await.unwrap();
        }
    };
    tokio::join!(lists, adds);

    // 400 calls take as long as 200 of one API: the lanes do not wait for each other.
    assert!(started.elapsed() < Duration::from_millis(1100));
    assert_eq!(service.count(), 400);
    let requests = service.requests();
    let starts = |api: Api| -> Vec<Instant> {
        requests
            .iter()
            .filter(|r| r.api == Some(api))
            .map(|r| r.at)
            .collect()
    };
    assert!(busiest_second(&starts(Api::BlackListGet)) <= 200);
    assert!(busiest_second(&starts(Api::BlackListAdd)) <= 200);
    assert!(busiest_second(&arrival_times(&service)) > 200);
}

#[tokio::test(start_paused = true)]
async fn the_rate_drops_while_the_service_throttles_and_recovers_after() {
    let origin = Instant::now();
    let throttling = Duration::from_secs(2)..Duration::from_secs(4);
    let service = {
        let throttling = throttling.clone();
        FakeService::new(move |request| {
            if throttling.contains(&(request.at - origin)) {
                Reply::fail(60007, "API call frequency exceeded")
            } else {
                Reply::update(request.to_accounts().iter().map(|a| (a, 0)))
            }
        })
    };
    let blocklist = client(&service);

    let outcome = blocklist
        .import(stream::iter(one_call_per_pair(4000)), |_| {})
        .await;

    assert_eq!(outcome.succeeded, 4000, "{:?}", outcome.failed.first());
    assert!(outcome.failed.is_empty());

    let starts = arrival_times(&service);
    let second = |from: f64| starts_in_second(&starts, origin, Duration::from_secs_f64(from));
    assert!(
        (190..=200).contains(&second(1.0)),
        "before throttling: {}",
        second(1.0)
    );
    assert!(
        second(2.5) < 100,
        "while throttled: {} calls in a second",
        second(2.5)
    );
    assert!(
        second(4.0) < 200,
        "just after throttling: {} calls in a second",
        second(4.0)
    );
    assert!(
        (190..=200).contains(&second(16.0)),
        "after recovery: {}",
        second(16.0)
    );
    assert!(busiest_second(&starts) <= 200);

    // Every call that was throttled was retried until it succeeded.
    let requests = service.requests();
    let throttled: HashSet<String> = requests
        .iter()
        .filter(|r| throttling.contains(&(r.at - origin)))
        .map(|r| r.owner())
        .collect();
    assert!(!throttled.is_empty());
    let succeeded: HashSet<String> = requests
        .iter()
        .filter(|r| !throttling.contains(&(r.at - origin)))
        .map(|r| r.owner())
        .collect();
    assert!(throttled.is_subset(&succeeded));
}
