//! Tests of the in-process pacer, on a paused clock.

use super::*;

const APP: u64 = 1_400_000_000;

#[tokio::test(start_paused = true)]
async fn rate_drops_on_throttle_and_recovers() {
    let pacer = AdaptivePacer::new(200);
    let key = RateKey::api(APP, Api::BlackListAdd);
    let ms = Duration::from_millis;
    let t0 = Instant::now();
    assert_eq!(pacer.current_rate(key), 200.0);
    // Calls sent at 0 and 5 ms are answered with a throttle code at 50 ms.
    tokio::time::advance(ms(50)).await;
    pacer.on_throttled(key, t0);
    let cut = pacer.current_rate(key);
    assert!((cut - 140.0).abs() < 1e-9, "{cut}");
    // The second answer is for a call that was on its way before the cut: no second cut.
    pacer.on_throttled(key, t0 + ms(5));
    assert_eq!(pacer.current_rate(key), cut);
    // A call sent after the cut and throttled too cuts again, from the rate reached.
    tokio::time::advance(ms(50)).await;
    let reached = pacer.current_rate(key);
    pacer.on_throttled(key, t0 + ms(60));
    let twice = reached * THROTTLE_FACTOR;
    assert!((pacer.current_rate(key) - twice).abs() < 1e-9);
    tokio::time::advance(THROTTLE_RECOVERY / 2).await;
    let halfway = twice + (200.0 - twice) / 2.0;
    assert!((pacer.current_rate(key) - halfway).abs() < 1e-6);
    tokio::time::advance(THROTTLE_RECOVERY).await;
    assert_eq!(pacer.current_rate(key), 200.0);
    // Another API's lane, and the same API of another app, are untouched.
    assert_eq!(
        pacer.current_rate(RateKey::api(APP, Api::BlackListCheck)),
        200.0
    );
    pacer.on_throttled(key, Instant::now());
    assert_eq!(
        pacer.current_rate(RateKey::api(APP + 1, Api::BlackListAdd)),
        200.0
    );
}

#[tokio::test(start_paused = true)]
async fn slots_are_spaced_by_the_interval() {
    let pacer = AdaptivePacer::new(102);
    let key = RateKey::api(APP, Api::BlackListGet);
    let start = Instant::now();
    for expected_ms in [0u64, 10, 20, 30] {
        pacer.acquire(key).await.expect("never fails");
        let elapsed = start.elapsed().as_secs_f64() * 1000.0;
        // 102 calls/s with 2% headroom is one call every 10 ms.
        assert!((elapsed - expected_ms as f64).abs() < 0.01, "{elapsed} ms");
    }
}

#[tokio::test(start_paused = true)]
async fn two_apps_have_two_budgets() {
    let pacer = AdaptivePacer::new(102);
    let start = Instant::now();
    for app in [APP, APP + 1] {
        pacer
            .acquire(RateKey::api(app, Api::BlackListAdd))
            .await
            .expect("never fails");
    }
    // The second app's first call did not wait for the first app's slot.
    assert_eq!(start.elapsed(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn a_pause_holds_back_every_caller_of_the_lane() {
    let pacer = Arc::new(AdaptivePacer::new(1000));
    let key = RateKey::api(APP, Api::BlackListAdd);
    let start = Instant::now();
    pacer.acquire(key).await.expect("never fails");
    pacer.pause(key, Duration::from_secs(2));
    assert_eq!(
        pacer.paused_until(key),
        Some(start + Duration::from_secs(2))
    );
    let waiters: Vec<_> = (0..3)
        .map(|_| {
            let pacer = Arc::clone(&pacer);
            tokio::spawn(async move {
                pacer.acquire(key).await.expect("never fails");
                Instant::now()
            })
        })
        .collect();
    for waiter in waiters {
        let started = waiter.await.expect("the task ran");
        assert!(
            started >= start + Duration::from_secs(2),
            "{:?}",
            started - start
        );
    }
    // A shorter pause does not cut a longer one; other lanes never paused.
    pacer.pause(key, Duration::from_secs(5));
    pacer.pause(key, Duration::from_secs(1));
    assert!(
        pacer
            .paused_until(key)
            .is_some_and(|until| until > Instant::now() + Duration::from_secs(4))
    );
    assert_eq!(
        pacer.paused_until(RateKey::api(APP, Api::BlackListCheck)),
        None
    );
}

#[test]
fn clients_share_the_process_wide_pacer() {
    assert!(Arc::ptr_eq(
        &AdaptivePacer::shared(),
        &AdaptivePacer::shared()
    ));
}

#[test]
fn rates_come_from_the_key_unless_configured() {
    let custom = RateKey {
        sdkappid: APP,
        path: "v4/openim/sendmsg",
        documented_rate: 200,
    };
    let documented = AdaptivePacer::documented().with_rate(Api::BlackListCheck, 50);
    assert_eq!(documented.nominal_rate(custom), 200.0);
    assert_eq!(
        documented.nominal_rate(RateKey::api(APP, Api::BlackListCheck)),
        50.0
    );
    assert_eq!(AdaptivePacer::new(20).nominal_rate(custom), 20.0);
}

#[test]
fn slots_stay_evenly_spaced_however_late_callers_wake() {
    let ms = Duration::from_millis;
    let t0 = Instant::now();
    let (interval, longest) = (ms(5), ms(100));
    let mut schedule = Schedule::default();
    // Three callers ask at once: three slots an interval apart.
    let slots: Vec<Instant> = (0..3)
        .map(|_| reserve(&mut schedule, t0, interval, longest))
        .collect();
    assert_eq!(slots, [t0, t0 + ms(5), t0 + ms(10)]);
    assert_eq!(schedule.waiting, 3);
    // A caller asking 7 ms in (the others may have woken late: it does not matter) gets
    // the next slot of the schedule, not one relative to when anyone woke.
    assert_eq!(
        reserve(&mut schedule, t0 + ms(7), interval, longest),
        t0 + ms(15)
    );
    // After the lane sat idle, a caller starts at once.
    assert_eq!(
        reserve(&mut schedule, t0 + ms(500), interval, longest),
        t0 + ms(500)
    );
}

#[test]
fn a_slot_from_another_clock_far_ahead_is_brought_back() {
    let t0 = Instant::now();
    let (interval, longest) = (Duration::from_millis(5), Duration::from_millis(100));
    let mut schedule = Schedule {
        next: Some(t0 + Duration::from_secs(100)),
        waiting: 1,
    };
    // One caller waits: the next slot is at most two of the longest intervals away.
    assert_eq!(
        reserve(&mut schedule, t0, interval, longest),
        t0 + Duration::from_millis(200)
    );
}

#[tokio::test(start_paused = true)]
async fn callers_asking_at_once_start_an_interval_apart_and_the_count_unwinds() {
    let pacer = Arc::new(AdaptivePacer::new(102));
    let key = RateKey::api(APP, Api::BlackListGet);
    let start = Instant::now();
    let tasks: Vec<_> = (0..5)
        .map(|_| {
            let pacer = Arc::clone(&pacer);
            tokio::spawn(async move {
                pacer.acquire(key).await.expect("never fails");
                start.elapsed()
            })
        })
        .collect();
    let mut starts = Vec::new();
    for task in tasks {
        starts.push(task.await.expect("the task ran"));
    }
    starts.sort();
    let expected: Vec<Duration> = (0..5).map(|k| Duration::from_millis(10 * k)).collect();
    assert_eq!(starts, expected);
    assert_eq!(lock(&pacer.lane(key).schedule).waiting, 0);
}

#[test]
fn rate_never_falls_below_the_floor() {
    let now = Instant::now();
    let throttle = Throttle {
        at: now,
        rate: 0.001,
    };
    assert_eq!(effective_rate(200.0, Some(throttle), now), 10.0);
}
