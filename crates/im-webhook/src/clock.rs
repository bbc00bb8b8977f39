//! Where the handler gets the current time.

use std::time::{SystemTime, UNIX_EPOCH};

/// A source of the current time in Unix seconds, asked once per request by
/// [`WebhookHandler`](crate::WebhookHandler).
///
/// Any `Fn() -> u64` closure is a clock, which is handy in tests:
///
/// ```
/// use im_webhook::Clock;
///
/// let fixed = || 1_669_872_112_u64;
/// assert_eq!(fixed.now(), 1_669_872_112);
/// ```
pub trait Clock: Send + Sync {
    /// The current time, in seconds since the Unix epoch.
    fn now(&self) -> u64;
}

/// The system's wall clock: the only place in this crate that reads the time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> u64 {
        // A clock set before 1970 reads as the epoch.
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since_epoch| since_epoch.as_secs())
    }
}

impl<F> Clock for F
where
    F: Fn() -> u64 + Send + Sync,
{
    fn now(&self) -> u64 {
        self()
    }
}
