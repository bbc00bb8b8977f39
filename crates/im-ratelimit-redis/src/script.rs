//! The GCRA script and the typed calls to it.

use std::time::Duration;

use redis::aio::ConnectionManager;

use crate::error::RedisLimiterError;

/// The Lua source of the lane script (see the file for its contract).
pub(crate) const SOURCE: &str = include_str!("gcra.lua");

/// A slot reserved by the script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Reservation {
    /// How long the caller waits before starting.
    pub(crate) wait: Duration,
    /// The slot's start time on the Redis server's clock, since the Unix epoch.
    pub(crate) slot: Duration,
}

/// The lane script, loaded once per server and called by its hash.
#[derive(Clone, Debug)]
pub(crate) struct LaneScript {
    script: redis::Script,
}

impl LaneScript {
    pub(crate) fn new() -> Self {
        LaneScript {
            script: redis::Script::new(SOURCE),
        }
    }

    /// Loads the script into Redis, which also checks that Redis answers and allows scripts.
    pub(crate) async fn load(&self, conn: &mut ConnectionManager) -> Result<(), RedisLimiterError> {
        self.script
            .load_async(conn)
            .await
            .map(|_hash| ())
            .map_err(RedisLimiterError::from_redis)
    }

    /// Reserves the next slot of the lane at `key`.
    pub(crate) async fn acquire(
        &self,
        conn: &mut ConnectionManager,
        key: &str,
        nominal: u32,
    ) -> Result<Reservation, RedisLimiterError> {
        let reply = self.invoke(conn, key, "acquire", nominal, None).await?;
        parse_reservation(&reply)
    }

    /// Reports a throttle answer; returns the lane's new rate in calls per second.
    pub(crate) async fn throttle(
        &self,
        conn: &mut ConnectionManager,
        key: &str,
        nominal: u32,
    ) -> Result<f64, RedisLimiterError> {
        let reply = self.invoke(conn, key, "throttle", nominal, None).await?;
        parse_rate(&reply)
    }

    /// The lane's current rate in calls per second.
    pub(crate) async fn peek(
        &self,
        conn: &mut ConnectionManager,
        key: &str,
        nominal: u32,
    ) -> Result<f64, RedisLimiterError> {
        let reply = self.invoke(conn, key, "peek", nominal, None).await?;
        parse_rate(&reply)
    }

    /// Runs the script in `mode`. `now` is `None` outside this module's tests: the script
    /// then reads the Redis server's clock, the only clock slots come from.
    async fn invoke(
        &self,
        conn: &mut ConnectionManager,
        key: &str,
        mode: &str,
        nominal: u32,
        now: Option<u64>,
    ) -> Result<Vec<i64>, RedisLimiterError> {
        let mut invocation = self.script.prepare_invoke();
        invocation
            .key(key)
            .arg(mode)
            .arg(nominal.max(1))
            .arg(im_client::THROTTLE_FACTOR)
            .arg(im_client::MIN_RATE_SHARE)
            .arg(micros(im_client::THROTTLE_RECOVERY))
            .arg(1.0 + im_client::HEADROOM);
        if let Some(now) = now {
            invocation.arg(now);
        }
        invocation
            .invoke_async(conn)
            .await
            .map_err(RedisLimiterError::from_redis)
    }
}

/// A duration in whole microseconds, saturating.
fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

/// Reads `{wait, slot}` (microseconds) from the script's answer.
fn parse_reservation(reply: &[i64]) -> Result<Reservation, RedisLimiterError> {
    match reply {
        [wait, slot] => {
            let (Ok(wait), Ok(slot)) = (u64::try_from(*wait), u64::try_from(*slot)) else {
                return Err(unexpected(reply));
            };
            Ok(Reservation {
                wait: Duration::from_micros(wait),
                slot: Duration::from_micros(slot),
            })
        }
        _ => Err(unexpected(reply)),
    }
}

/// Reads `{rate in thousandths}` from the script's answer.
fn parse_rate(reply: &[i64]) -> Result<f64, RedisLimiterError> {
    match reply {
        [milli] if *milli > 0 => Ok(*milli as f64 / 1000.0),
        _ => Err(unexpected(reply)),
    }
}

fn unexpected(reply: &[i64]) -> RedisLimiterError {
    RedisLimiterError::UnexpectedReply(format!("{reply:?}"))
}

#[cfg(test)]
mod decisions;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_are_read_in_microseconds() {
        let reservation = parse_reservation(&[5_000, 1_700_000_000_123_456]).unwrap();
        assert_eq!(reservation.wait, Duration::from_millis(5));
        assert_eq!(
            reservation.slot,
            Duration::from_micros(1_700_000_000_123_456)
        );
    }

    #[test]
    fn malformed_answers_are_errors() {
        assert!(parse_reservation(&[1]).is_err());
        assert!(parse_reservation(&[-1, 5]).is_err());
        assert!(parse_rate(&[]).is_err());
        assert!(parse_rate(&[0]).is_err());
        assert_eq!(parse_rate(&[140_000]).unwrap(), 140.0);
    }
}
