//! Calls from several processes share one evenly spaced budget.

use std::sync::Arc;
use std::time::Duration;

use im_client::RateKey;
use im_protocol::Api;
use im_ratelimit_redis::{Grant, RedisRateLimiter};
use tokio::time::Instant;

use crate::support::RedisServer;

const RATE: u32 = 50;
const CALLS_PER_TASK: usize = 25;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_share_the_rate_without_bursts() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    // Two limiters with their own connections stand for two processes.
    let mut processes = Vec::new();
    for _ in 0..2 {
        let limiter = RedisRateLimiter::connect(&server.url())
            .await
            .unwrap()
            .calls_per_second(RATE);
        processes.push(Arc::new(limiter));
    }

    let test_start = Instant::now();
    let mut tasks = Vec::new();
    for task in 0..4 {
        let limiter = Arc::clone(&processes[task % 2]);
        tasks.push(tokio::spawn(async move {
            let mut starts = Vec::new();
            for _ in 0..CALLS_PER_TASK {
                let grant = limiter
                    .acquire_grant(RateKey::api(1_400_000_001, Api::BlackListAdd))
                    .await
                    .unwrap();
                starts.push((grant, Instant::now()));
            }
            starts
        }));
    }
    let mut starts = Vec::new();
    for task in tasks {
        starts.extend(task.await.unwrap());
    }
    let elapsed = test_start.elapsed();

    let mut slots: Vec<Duration> = starts
        .iter()
        .map(|(grant, _)| match grant {
            Grant::Shared { slot } => *slot,
            other => panic!("Redis was up, yet a call was granted {other:?}"),
        })
        .collect();
    slots.sort();
    assert_eq!(slots.len(), 4 * CALLS_PER_TASK);

    // The slots Redis issued are exact: one interval apart, so no one-second window holds
    // more than RATE of them.
    let interval = Duration::from_secs(1) / RATE;
    for pair in slots.windows(2) {
        assert!(
            pair[1] - pair[0] >= interval,
            "slots {pair:?} are closer than {interval:?}"
        );
    }
    for (i, first) in slots.iter().enumerate() {
        let in_window = slots[i..]
            .iter()
            .take_while(|slot| **slot < *first + Duration::from_secs(1))
            .count();
        assert!(
            in_window <= RATE as usize,
            "{in_window} slots within 1 s of {first:?}"
        );
    }

    // Every call waited for its slot: counted from the moment before the first call, no call
    // started earlier than its slot's distance from the first slot. Two milliseconds allow
    // for Redis' wall clock being slewed against this process's monotonic clock.
    let first_slot = slots[0];
    for (grant, started) in &starts {
        let Grant::Shared { slot } = grant else {
            unreachable!("checked above")
        };
        let earliest = (*slot - first_slot).saturating_sub(Duration::from_millis(2));
        assert!(
            *started - test_start >= earliest,
            "a call started {:?} after the test began, before its slot at {earliest:?}",
            *started - test_start
        );
    }
    // 100 calls at 50/s span 99 intervals: about two seconds.
    assert!(
        elapsed >= Duration::from_millis(1900),
        "took only {elapsed:?}"
    );
}
