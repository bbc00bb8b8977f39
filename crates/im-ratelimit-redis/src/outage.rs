//! What happens when Redis is unavailable: the caller's choice, and how this process
//! tracks an outage and rechecks Redis during one.

use std::time::Duration;

use tokio::time::Instant;

/// What the limiter does when Redis cannot be reached or does not answer in time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unavailable {
    /// `acquire` fails (the call ends with `im_client::Error::RateLimiter`), so no call
    /// starts unpaced.
    Fail,
    /// Calls are paced by this process alone (an [`AdaptivePacer`](im_client::AdaptivePacer) with the
    /// same rates),
    /// with one warning per outage; the limiter returns to Redis when it answers again.
    ///
    /// While Redis is down, each process spends the whole budget on its own, so several
    /// processes together can exceed it until the service's rate-limit answers slow them.
    #[default]
    FallBackToLocal,
}

/// Whether Redis answers, as far as this process knows.
#[derive(Debug)]
pub(crate) struct Health {
    /// When the current outage began; `None` while Redis answers.
    down_since: Option<Instant>,
    /// During an outage, the earliest time a call may try Redis again.
    next_check: Instant,
}

impl Default for Health {
    fn default() -> Self {
        Health {
            down_since: None,
            next_check: Instant::now(),
        }
    }
}

impl Health {
    pub(crate) fn is_down(&self) -> bool {
        self.down_since.is_some()
    }

    /// Whether the next call should go to Redis. During an outage one call per `recheck`
    /// interval does (and the others are paced locally), unless every call must.
    pub(crate) fn should_try(
        &mut self,
        policy: Unavailable,
        now: Instant,
        recheck: Duration,
    ) -> bool {
        if policy == Unavailable::Fail || self.down_since.is_none() {
            return true;
        }
        if now >= self.next_check {
            self.next_check = now + recheck;
            return true;
        }
        false
    }

    /// Records an answer; returns the outage's length when this ends one.
    pub(crate) fn mark_up(&mut self, now: Instant) -> Option<Duration> {
        self.down_since
            .take()
            .map(|since| now.saturating_duration_since(since))
    }

    /// Records a failure; returns whether this starts an outage.
    pub(crate) fn mark_down(&mut self, now: Instant, recheck: Duration) -> bool {
        self.next_check = now + recheck;
        if self.down_since.is_some() {
            return false;
        }
        self.down_since = Some(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outage_is_rechecked_once_per_interval() {
        let recheck = Duration::from_secs(1);
        let policy = Unavailable::FallBackToLocal;
        let mut health = Health::default();
        let start = Instant::now();
        assert!(health.should_try(policy, start, recheck));
        assert!(
            health.mark_down(start, recheck),
            "the first failure starts an outage"
        );
        assert!(!health.mark_down(start, recheck), "later failures do not");
        assert!(!health.should_try(policy, start + recheck / 2, recheck));
        assert!(
            health.should_try(policy, start + recheck, recheck),
            "the recheck"
        );
        assert!(
            !health.should_try(policy, start + recheck, recheck),
            "one call rechecks; the others are paced locally"
        );
        assert_eq!(
            health.mark_up(start + recheck * 3),
            Some(recheck * 3),
            "an answer ends the outage"
        );
        assert_eq!(health.mark_up(start + recheck * 3), None);
        assert!(health.should_try(policy, start + recheck * 3, recheck));
    }

    #[test]
    fn with_fail_every_call_tries_redis() {
        let recheck = Duration::from_secs(1);
        let mut health = Health::default();
        let now = Instant::now();
        health.mark_down(now, recheck);
        assert!(health.should_try(Unavailable::Fail, now, recheck));
        assert!(health.should_try(Unavailable::Fail, now, recheck));
    }
}
