//! A failing service: bounded attempts, the deadline, and the client-wide retry budget.

use std::sync::Arc;
use std::time::Duration;

use im_blocklist::{Blocklist, Error, GiveUpReason, RetryPolicy};
use im_protocol::{Endpoint, Region};
use im_transport::test_util::NeverTransport;
use tokio::time::Instant;

use crate::support::{FakeService, Reply, builder, client, signer};

fn bad_gateway() -> FakeService {
    FakeService::new(|_| Reply::raw(502, "<html>Bad Gateway</html>"))
}

/// Takes the error of a call the engine gave up on apart.
fn gave_up(error: &Error) -> (u32, GiveUpReason, &Error) {
    match error.gave_up() {
        Some(reason) => (error.attempts(), reason, error.last()),
        None => panic!("expected a call the engine gave up on, got {error:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn a_server_that_always_fails_is_given_up_on_after_the_attempt_limit() {
    let service = bad_gateway();
    let blocklist = client(&service);
    let policy = blocklist.retry_policy().clone();
    let started = Instant::now();

    let error = blocklist.add("alice", ["bob"]).await.unwrap_err();

    let (attempts, reason, last) = gave_up(&error);
    assert_eq!(attempts, policy.max_attempts());
    assert_eq!(reason, GiveUpReason::AttemptsExhausted);
    assert!(matches!(last, Error::HttpStatus { status: 502, .. }));
    assert_eq!(service.count(), attempts as usize);
    assert!(started.elapsed() <= policy.deadline());
    // Attempts are spaced by backoff, not sent back to back.
    let requests = service.requests();
    assert!(requests.windows(2).all(|pair| pair[1].at > pair[0].at));
}

#[tokio::test(start_paused = true)]
async fn the_deadline_ends_a_call_before_the_attempt_limit() {
    let service = bad_gateway();
    let deadline = Duration::from_secs(3);
    let blocklist = builder(&service)
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(1000)
                .with_deadline(deadline),
        )
        .build();
    let started = Instant::now();

    let error = blocklist.add("alice", ["bob"]).await.unwrap_err();

    let (attempts, reason, _) = gave_up(&error);
    assert_eq!(reason, GiveUpReason::DeadlineExceeded);
    assert!(started.elapsed() <= deadline);
    assert_eq!(service.count(), attempts as usize);
    // Backoff from 100 ms doubling leaves room for only a few attempts in 3 s.
    assert!((2..=6).contains(&attempts), "{attempts} attempts");
}

#[tokio::test(start_paused = true)]
async fn a_server_that_never_answers_is_cut_off_at_the_deadline() {
    let never = NeverTransport::new();
    let deadline = Duration::from_secs(5);
    let blocklist = Blocklist::builder(
        signer(),
        Arc::new(never.clone()),
        Endpoint::region(Region::Singapore),
    )
    .retry_policy(RetryPolicy::default().with_deadline(deadline))
    .build();
    let started = Instant::now();

    let error = blocklist.add("alice", ["bob"]).await.unwrap_err();

    assert_eq!(started.elapsed(), deadline);
    let (attempts, reason, last) = gave_up(&error);
    assert_eq!(attempts, 1);
    assert_eq!(reason, GiveUpReason::DeadlineExceeded);
    assert!(matches!(last, Error::Transport(t) if t.is_timeout()));
    assert_eq!(never.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn the_retry_budget_runs_out_and_later_calls_make_a_single_attempt() {
    let service = bad_gateway();
    let blocklist = client(&service);

    let mut attempts_per_call = Vec::new();
    let mut last_reason = None;
    for _ in 0..40 {
        let before = service.count();
        let error = blocklist.add("alice", ["bob"]).await.unwrap_err();
        let (attempts, reason, _) = gave_up(&error);
        assert_eq!(service.count() - before, attempts as usize);
        attempts_per_call.push(attempts);
        last_reason = Some(reason);
    }

    // The default budget of 500 tokens pays for 4 retries of 5 tokens each in 25 calls.
    assert!(attempts_per_call[..25].iter().all(|a| *a == 5));
    assert!(attempts_per_call[25..].iter().all(|a| *a == 1));
    assert_eq!(last_reason, Some(GiveUpReason::RetryBudgetExhausted));
}

#[tokio::test(start_paused = true)]
async fn successes_refill_the_budget() {
    // The service fails until told otherwise.
    let healthy = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let service = {
        let healthy = healthy.clone();
        FakeService::new(move |request| {
            if healthy.load(std::sync::atomic::Ordering::SeqCst) {
                Reply::update(request.to_accounts().iter().map(|a| (a, 0)))
            } else {
                Reply::raw(502, "")
            }
        })
    };
    let blocklist = builder(&service)
        .retry_policy(RetryPolicy::default().with_budget(10))
        .build();

    let error = blocklist.add("alice", ["bob"]).await.unwrap_err();
    assert_eq!(gave_up(&error).0, 3, "10 tokens pay for two retries");
    let error = blocklist.add("alice", ["bob"]).await.unwrap_err();
    assert_eq!(gave_up(&error).1, GiveUpReason::RetryBudgetExhausted);

    healthy.store(true, std::sync::atomic::Ordering::SeqCst);
    for _ in 0..5 {
        blocklist.add("alice", ["bob"]).await.unwrap();
    }
    healthy.store(false, std::sync::atomic::Ordering::SeqCst);
    let error = blocklist.add("alice", ["bob"]).await.unwrap_err();
    assert_eq!(gave_up(&error).0, 2, "five successes pay for one retry");
}

#[tokio::test(start_paused = true)]
async fn each_request_of_a_large_call_has_its_own_deadline() {
    // Five requests of 8 s each take longer than one 30 s deadline, but each fits in it.
    let service = FakeService::accepting().with_latency(Duration::from_secs(8));
    let blocklist = client(&service);
    let input = crate::support::accounts("u", 5000);

    let outcome = blocklist.add("alice", input.clone()).await.unwrap();

    assert_eq!(outcome.succeeded, input);
    assert_eq!(service.count(), 5);
}
