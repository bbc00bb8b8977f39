//! Chooses between a region's primary and backup host.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// How long requests go to the backup host after the primary one could not be reached.
const FAILOVER_PERIOD: Duration = Duration::from_secs(60);

/// The hosts of an endpoint and which one is in use.
#[derive(Debug)]
pub(crate) struct Failover {
    pub(crate) primary: String,
    pub(crate) backup: Option<String>,
    backup_until: Mutex<Option<Instant>>,
}

impl Failover {
    pub(crate) fn new(primary: String, backup: Option<String>) -> Self {
        Failover {
            primary,
            backup,
            backup_until: Mutex::new(None),
        }
    }

    /// The base URL to use now, and whether it is the backup.
    pub(crate) fn base(&self) -> (&str, bool) {
        let until = *self
            .backup_until
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match (&self.backup, until) {
            (Some(backup), Some(until)) if Instant::now() < until => (backup, true),
            _ => (&self.primary, false),
        }
    }

    /// Records that the host used could not be reached. Returns true when the next
    /// attempt goes to the other host.
    pub(crate) fn unreachable(&self, was_backup: bool) -> bool {
        if self.backup.is_none() {
            return false;
        }
        let mut until = self
            .backup_until
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if was_backup {
            *until = None;
            tracing::warn!("backup host unreachable; returning to the primary host");
        } else {
            *until = Some(Instant::now() + FAILOVER_PERIOD);
            tracing::warn!("primary host unreachable; using the backup host for a while");
        }
        true
    }
}
