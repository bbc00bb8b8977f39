//! Where the current time comes from: the one `Clock` of the workspace.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A source of the current time in Unix seconds.
///
/// [`Signer`](crate::Signer) asks its clock when it signs and verifies; [`generate`](crate::generate)
/// and [`verify`](crate::verify) take the time as an argument instead. Other crates of
/// the workspace (the webhook handler, the emulator) take the same trait.
///
/// Any `Fn() -> u64` closure that is `Send + Sync` is a clock, which is handy in tests:
///
/// ```
/// use std::sync::Arc;
///
/// use im_sig::{Clock, SecretKey, Signer};
///
/// let fixed = || 1_700_000_000_u64;
/// assert_eq!(fixed.now(), 1_700_000_000);
/// let signer = Signer::new(1_400_000_000, "administrator", SecretKey::new("key"))
///     .with_clock(Arc::new(fixed));
/// assert!(signer.verify(signer.sig().expose_secret(), "administrator").is_ok());
/// ```
pub trait Clock: Send + Sync {
    /// The current time, in seconds since the Unix epoch.
    fn now(&self) -> u64;
}

impl<F> Clock for F
where
    F: Fn() -> u64 + Send + Sync,
{
    fn now(&self) -> u64 {
        self()
    }
}

/// The system's wall clock. The only place in this crate that reads the time.
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

/// A clock that only moves when told to, for tests.
///
/// ```
/// use im_sig::{Clock, ManualClock};
///
/// let clock = ManualClock::new(1_700_000_000);
/// clock.advance(60);
/// assert_eq!(clock.now(), 1_700_000_060);
/// clock.set(5);
/// assert_eq!(clock.now(), 5);
/// ```
#[derive(Debug, Default)]
pub struct ManualClock {
    now: AtomicU64,
}

impl ManualClock {
    /// A clock that reads `now` until changed.
    pub const fn new(now: u64) -> Self {
        ManualClock {
            now: AtomicU64::new(now),
        }
    }

    /// Sets the time (it may go backwards).
    pub fn set(&self, now: u64) {
        self.now.store(now, Ordering::SeqCst);
    }

    /// Moves the time forward by `secs` seconds, stopping at `u64::MAX`.
    pub fn advance(&self, secs: u64) {
        let _ = self
            .now
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |now| {
                Some(now.saturating_add(secs))
            });
    }
}

impl Clock for ManualClock {
    fn now(&self) -> u64 {
        self.now.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn closures_and_the_provided_clocks_are_all_clocks() {
        let manual = Arc::new(ManualClock::new(7));
        let shared = Arc::clone(&manual);
        let clocks: [Arc<dyn Clock>; 3] = [
            manual,
            Arc::new(|| 42_u64),
            Arc::new(move || shared.now() + 1),
        ];
        let times: Vec<u64> = clocks.iter().map(|clock| clock.now()).collect();
        assert_eq!(times, [7, 42, 8]);
        assert!(SystemClock.now() > 1_600_000_000);
    }
}
