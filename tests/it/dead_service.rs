//! A service that fails every request: the client stops within its deadline, and the
//! retry budget keeps it from hammering the service (no retry storm).

use std::time::Duration;

use futures_util::stream;
use im_emulator::{Emulator, Faults};
use tencent_im::blocklist::GiveUpReason;
use tencent_im::{Client, Endpoint, Error, RetryPolicy, SecretKey};
use tokio::time::Instant;

const SDKAPPID: u64 = 1_400_000_000;
const KEY: &str = "dead-service-key";

/// An emulator that answers every blocklist request with HTTP 502.
fn dead_service() -> Emulator {
    Emulator::builder()
        .sdkappid(SDKAPPID)
        .key(SecretKey::from(KEY))
        .faults(Faults::seeded(5).http_502(1.0))
        .build()
        .unwrap()
}

/// A client of `emulator` through the facade, in process, with `policy`.
fn client(emulator: &Emulator, policy: RetryPolicy) -> Client {
    Client::builder()
        .sdkappid(SDKAPPID)
        .key(KEY)
        .endpoint(Endpoint::custom_insecure_http("http://emulator.invalid").unwrap())
        .transport(emulator.transport())
        .retry_policy(policy)
        .rate_limiter(std::sync::Arc::new(tencent_im::AdaptivePacer::documented()))
        .build()
        .unwrap()
}

fn accounts(prefix: &str, count: usize) -> Vec<String> {
    (0..count).map(|i| format!("{prefix}{i:04}")).collect()
}

fn give_up_reason(error: &Error) -> GiveUpReason {
    match error.gave_up() {
        Some(reason) => reason,
        None => panic!("expected a call the engine gave up on, got {error:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn a_dead_service_ends_calls_within_the_deadline_and_the_budget() {
    let emulator = dead_service();
    let policy = RetryPolicy::default();
    let client = client(&emulator, policy.clone());
    let fans = accounts("fan", 2_500);
    emulator.import_accounts(["alice", "bob"]);
    emulator.import_accounts(&fans);
    let attempts = policy.max_attempts() as usize;

    // 2,500 accounts are three requests; the first one fails every attempt, and the other
    // two are not sent at all.
    let started = Instant::now();
    let error = client
        .blocklist()
        .add("alice", fans.clone())
        .await
        .unwrap_err();
    assert!(started.elapsed() <= policy.deadline());
    assert_eq!(give_up_reason(&error), GiveUpReason::AttemptsExhausted);
    assert_eq!(emulator.requests().len(), attempts);
    assert!(emulator.requests().iter().all(|r| r.http_status == 502));

    // Many more calls drain the retry budget (500 tokens, 5 per retry); after that every
    // call fails after a single attempt instead of retrying.
    let calls = 60;
    let mut last = None;
    for _ in 0..calls {
        let started = Instant::now();
        let error = client
            .blocklist()
            .remove("bob", fans[..10].to_vec())
            .await
            .unwrap_err();
        assert!(started.elapsed() <= policy.deadline());
        last = Some(give_up_reason(&error));
    }
    assert_eq!(last, Some(GiveUpReason::RetryBudgetExhausted));
    let requests = emulator.requests().len();
    // Each call makes one first attempt; the budget pays for at most 100 retries in all.
    let bound = (1 + calls) + 500 / 5;
    assert!(
        requests <= bound,
        "{requests} requests for {} calls",
        calls + 1
    );

    // An import over many users, with its calls in flight at once, is bounded the same
    // way: one attempt per request once the budget is spent, and nothing is applied.
    emulator.clear_log();
    let pairs: Vec<(String, String)> = (0..200)
        .flat_map(|user| {
            let from = format!("user{user:03}");
            fans[..5].iter().map(move |fan| (from.clone(), fan.clone()))
        })
        .collect();
    emulator.import_accounts(pairs.iter().map(|(from, _)| from.clone()));
    let started = Instant::now();
    let outcome = client.blocklist().import(stream::iter(pairs), |_| {}).await;
    assert!(started.elapsed() <= policy.deadline());
    assert_eq!(outcome.failed.len(), 1_000);
    assert_eq!(outcome.succeeded + outcome.unchanged, 0);
    assert_eq!(emulator.requests().len(), 200, "one attempt per group");
    assert!(emulator.blocklist_of("alice").is_empty());
    assert!(emulator.blocklist_of("user000").is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_dead_service_under_a_short_deadline_is_given_up_on_in_time() {
    let emulator = dead_service();
    let fans = accounts("fan", 2_500);
    emulator.import_accounts(["alice"]);
    emulator.import_accounts(&fans);
    let deadline = Duration::from_millis(500);
    let policy = RetryPolicy::default()
        .with_max_attempts(100)
        .with_deadline(deadline);
    let client = client(&emulator, policy);

    let started = Instant::now();
    let error = client.blocklist().add("alice", fans).await.unwrap_err();

    assert!(started.elapsed() <= deadline);
    assert_eq!(give_up_reason(&error), GiveUpReason::DeadlineExceeded);
    // Backoff from 100 ms doubling leaves room for a handful of attempts in 500 ms.
    let requests = emulator.requests().len();
    assert!((2..=4).contains(&requests), "{requests} requests");
}
