//! The lane script's decisions on a controlled clock: every call passes the time, so rates,
//! slots and waits are checked exactly, against a real `redis-server`.

use std::time::Duration;

use redis::AsyncCommands;
use redis::aio::ConnectionManager;

use super::{LaneScript, Reservation, parse_rate, parse_reservation};

#[path = "../../tests/it/redis_server.rs"]
#[allow(dead_code)]
mod redis_server;

use redis_server::RedisServer;

/// A fixed moment (2023-11-14 22:13:20 UTC), in microseconds since the Unix epoch.
const T0: u64 = 1_700_000_000_000_000;
const MS: u64 = 1_000;
const SECOND: u64 = 1_000_000;
const LANE: &str = "tim:rate:1400000001:v4/sns/black_list_add";

/// One lane of a fresh Redis, driven at chosen times.
struct Lane {
    script: LaneScript,
    conn: ConnectionManager,
    nominal: u32,
    _server: RedisServer,
}

impl Lane {
    async fn start(nominal: u32) -> Lane {
        let server = RedisServer::start();
        let client = redis::Client::open(server.url()).unwrap();
        let conn = client.get_connection_manager().await.unwrap();
        Lane {
            script: LaneScript::new(),
            conn,
            nominal,
            _server: server,
        }
    }

    async fn invoke(&mut self, mode: &str, now: u64) -> Vec<i64> {
        self.script
            .invoke(&mut self.conn, LANE, mode, self.nominal, Some(now))
            .await
            .unwrap()
    }

    async fn acquire_at(&mut self, now: u64) -> Reservation {
        parse_reservation(&self.invoke("acquire", now).await).unwrap()
    }

    async fn throttle_at(&mut self, now: u64) -> f64 {
        parse_rate(&self.invoke("throttle", now).await).unwrap()
    }

    async fn rate_at(&mut self, now: u64) -> f64 {
        parse_rate(&self.invoke("peek", now).await).unwrap()
    }

    /// The lane's remaining time to live, in milliseconds, as Redis reports it.
    async fn pttl(&mut self) -> i64 {
        self.conn.pttl(LANE).await.unwrap()
    }
}

/// Rates come back in thousandths, rounded down, so a product such as 85 x 0.7 may read
/// 59.499: compare to a thousandth.
fn assert_rate(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() < 0.002,
        "rate {actual}, expected {expected}"
    );
}

fn reservation(slot: u64, wait: u64) -> Reservation {
    Reservation {
        wait: Duration::from_micros(wait),
        slot: Duration::from_micros(slot),
    }
}

#[tokio::test]
#[cfg_attr(redis_server_missing, ignore = "needs redis-server")]
async fn slots_are_one_spaced_interval_apart_and_a_free_lane_grants_at_once() {
    let mut lane = Lane::start(100).await;
    // 1 s / 100 with the 2% headroom: 10.2 ms.
    let interval = 10_200;
    assert_eq!(lane.acquire_at(T0).await, reservation(T0, 0));
    assert_eq!(
        lane.acquire_at(T0).await,
        reservation(T0 + interval, interval)
    );
    assert_eq!(
        lane.acquire_at(T0 + 5 * MS).await,
        reservation(T0 + 2 * interval, 2 * interval - 5 * MS)
    );
    // Once the reserved slots are past, the lane is free again: no wait, no catching up.
    assert_eq!(
        lane.acquire_at(T0 + SECOND).await,
        reservation(T0 + SECOND, 0)
    );
    assert_eq!(
        lane.acquire_at(T0 + SECOND).await,
        reservation(T0 + SECOND + interval, interval)
    );
}

#[tokio::test]
#[cfg_attr(redis_server_missing, ignore = "needs redis-server")]
async fn a_throttle_answer_cuts_the_rate_to_70_percent_and_it_climbs_back_over_ten_seconds() {
    let mut lane = Lane::start(100).await;
    assert_rate(lane.rate_at(T0).await, 100.0);
    assert_rate(lane.throttle_at(T0).await, 70.0);
    assert_rate(lane.rate_at(T0).await, 70.0);
    assert_rate(lane.rate_at(T0 + 2_500 * MS).await, 77.5);
    assert_rate(lane.rate_at(T0 + 5 * SECOND).await, 85.0);
    assert_rate(lane.rate_at(T0 + 10 * SECOND).await, 100.0);
    assert_rate(lane.rate_at(T0 + 60 * SECOND).await, 100.0);

    // A second answer compounds: 70% of the rate at that moment, climbing from there.
    assert_rate(lane.throttle_at(T0 + 5 * SECOND).await, 59.5);
    assert_rate(lane.rate_at(T0 + 10 * SECOND).await, 79.75);
    assert_rate(lane.rate_at(T0 + 15 * SECOND).await, 100.0);
}

#[tokio::test]
#[cfg_attr(redis_server_missing, ignore = "needs redis-server")]
async fn the_rate_never_drops_below_five_percent_of_nominal() {
    let mut lane = Lane::start(100).await;
    let mut rates = Vec::new();
    for _ in 0..10 {
        rates.push(lane.throttle_at(T0).await);
    }
    assert!(rates.windows(2).all(|pair| pair[1] <= pair[0]), "{rates:?}");
    assert_rate(rates[8], 5.0);
    assert_rate(rates[9], 5.0);
    assert_rate(lane.rate_at(T0).await, 5.0);
}

#[tokio::test]
#[cfg_attr(redis_server_missing, ignore = "needs redis-server")]
async fn slots_are_spaced_by_the_rate_at_their_time() {
    let mut lane = Lane::start(100).await;
    lane.throttle_at(T0).await;
    let first = lane.acquire_at(T0).await;
    let second = lane.acquire_at(T0).await;
    let third = lane.acquire_at(T0).await;
    assert_eq!(first, reservation(T0, 0));
    // 1.02 s / 70, rounded up to the microsecond.
    assert_eq!(second, reservation(T0 + 14_572, 14_572));
    // The rate climbs back, so the next gap is a little shorter, still wider than nominal.
    let gaps = (second.slot - first.slot, third.slot - second.slot);
    assert!(gaps.1 < gaps.0, "{gaps:?}");
    assert!(gaps.1 > Duration::from_micros(10_200), "{gaps:?}");
}

#[tokio::test]
#[cfg_attr(redis_server_missing, ignore = "needs redis-server")]
async fn a_lane_is_kept_a_second_past_the_last_moment_its_state_matters() {
    // At one call a second, fifty reservations reach 51 s ahead: the key outlives the last
    // one by a second, 52 s in all.
    let mut lane = Lane::start(1).await;
    for _ in 0..50 {
        lane.acquire_at(T0).await;
    }
    let pttl = lane.pttl().await;
    assert!((1..=52_000).contains(&pttl), "pttl {pttl}");

    // After a throttle answer, until the rate has climbed back (10 s) and a second more.
    let mut lane = Lane::start(100).await;
    lane.throttle_at(T0).await;
    let pttl = lane.pttl().await;
    assert!((1..=11_000).contains(&pttl), "pttl {pttl}");
}
