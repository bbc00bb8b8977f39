//! Calls from several processes share one evenly spaced budget.
//!
//! The slots Redis hands out are exact, so they are checked exactly. That the calls then
//! start at their slots is a matter of the wall clock: `cargo xtask bench` measures it
//! (three processes through one Redis, the busiest second seen by the service).

use std::sync::Arc;
use std::time::Duration;

use im_client::RateKey;
use im_protocol::Api;
use im_ratelimit_redis::{Grant, RedisRateLimiter};

use crate::support::RedisServer;

const RATE: u32 = 50;
const CALLS_PER_TASK: usize = 25;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(redis_server_missing, ignore = "needs redis-server")]
async fn two_processes_share_the_rate_without_bursts() {
    let server = RedisServer::start();
    // Two limiters with their own connections stand for two processes.
    let mut processes = Vec::new();
    for _ in 0..2 {
        let limiter = RedisRateLimiter::connect(&server.url())
            .await
            .unwrap()
            .calls_per_second(RATE);
        processes.push(Arc::new(limiter));
    }

    let mut tasks = Vec::new();
    for task in 0..4 {
        let limiter = Arc::clone(&processes[task % 2]);
        tasks.push(tokio::spawn(async move {
            let mut grants = Vec::new();
            for _ in 0..CALLS_PER_TASK {
                let grant = limiter
                    .acquire_grant(RateKey::api(1_400_000_001, Api::BlackListAdd))
                    .await
                    .unwrap();
                grants.push(grant);
            }
            grants
        }));
    }
    let mut grants = Vec::new();
    for task in tasks {
        grants.extend(task.await.unwrap());
    }

    let mut slots: Vec<Duration> = grants
        .iter()
        .map(|grant| match grant {
            Grant::Shared { slot, .. } => *slot,
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
}
