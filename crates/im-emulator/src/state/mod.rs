//! The emulated service's data and its business rules, free of I/O and of the wire:
//! accounts, friendships and blocklists. Every method answers in domain terms
//! ([`crate::outcome`]); the [replies](crate::replies) spell the answers on the wire.

mod blocklists;
mod friends;

use std::collections::{HashMap, HashSet};

use im_protocol::{UserIdError, validate_user_id};

use blocklists::Blocklist;

/// The profile an import may give an account.
///
/// ```
/// use im_emulator::Emulator;
/// use im_sig::SecretKey;
///
/// let emulator = Emulator::new(1_400_000_000, SecretKey::new("key"));
/// emulator.import_accounts(["alice"]);
/// let profile = emulator.account_profile("alice").expect("imported");
/// assert_eq!(profile.nick, None);
/// assert!(emulator.account_profile("ghost").is_none());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccountProfile {
    /// The nickname (`Nick`), as the last import that gave one set it.
    pub nick: Option<String>,
    /// The avatar URL (`FaceUrl`), as the last import that gave one set it.
    pub face_url: Option<String>,
}

/// Accounts, friendships and blocklists.
#[derive(Debug, Default)]
pub(crate) struct World {
    accounts: HashMap<String, AccountProfile>,
    /// Owner to the accounts in the owner's friend list (directional).
    friends: HashMap<String, HashSet<String>>,
    blocklists: HashMap<String, Blocklist>,
}

impl World {
    /// Imports an account; importing it again changes nothing. Fails, importing nothing,
    /// when `id` breaks the service's UserID rule ([`validate_user_id`]).
    pub(crate) fn import(&mut self, id: &str) -> Result<(), UserIdError> {
        self.import_profile(id, None, None)
    }

    /// Imports an account as [`import`](Self::import) does, and sets the nickname and
    /// avatar URL that are given; those not given keep their value.
    pub(crate) fn import_profile(
        &mut self,
        id: &str,
        nick: Option<&str>,
        face_url: Option<&str>,
    ) -> Result<(), UserIdError> {
        validate_user_id(id)?;
        let profile = match self.accounts.get_mut(id) {
            Some(profile) => profile,
            None => self.accounts.entry(id.to_owned()).or_default(),
        };
        if let Some(nick) = nick {
            profile.nick = Some(nick.to_owned());
        }
        if let Some(face_url) = face_url {
            profile.face_url = Some(face_url.to_owned());
        }
        Ok(())
    }

    /// Deletes an account with its own friend list and blocklist; returns whether it
    /// existed. Entries naming it in other users' lists stay.
    pub(crate) fn delete_account(&mut self, id: &str) -> bool {
        if self.accounts.remove(id).is_none() {
            return false;
        }
        self.friends.remove(id);
        self.blocklists.remove(id);
        true
    }

    pub(crate) fn exists(&self, id: &str) -> bool {
        self.accounts.contains_key(id)
    }

    pub(crate) fn profile(&self, id: &str) -> Option<&AccountProfile> {
        self.accounts.get(id)
    }

    pub(crate) fn account_count(&self) -> usize {
        self.accounts.len()
    }
}

/// A world with `accounts` imported, for tests.
#[cfg(test)]
pub(crate) fn world_of(accounts: &[&str]) -> World {
    let mut world = World::default();
    for account in accounts {
        // Every helper account is a valid UserID.
        let _ = world.import(account);
    }
    world
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ids_are_checked_on_import() {
        let mut world = World::default();
        assert_eq!(world.import(""), Err(UserIdError::Empty));
        assert!(matches!(
            world.import(&"x".repeat(33)),
            Err(UserIdError::TooLong { len: 33, .. })
        ));
        assert!(world.import(&"x".repeat(32)).is_ok());
        assert!(world.exists(&"x".repeat(32)));
    }

    #[test]
    fn non_printable_user_ids_are_refused_on_import() {
        // The service accepts printable ASCII only; the emulator once let these through.
        let mut world = World::default();
        for id in ["tab\there", "new\nline", "nul\0", "del\u{7f}", "é", "中文"] {
            assert!(
                matches!(world.import(id), Err(UserIdError::NonPrintable { .. })),
                "{id:?}"
            );
            assert!(!world.exists(id), "{id:?}");
        }
        assert!(world.import("space and ~punctuation!").is_ok());
    }

    #[test]
    fn deleting_an_account_drops_its_lists() {
        let mut world = World::default();
        world.import("a").expect("a valid UserID");
        world.befriend("a", "b");
        assert!(world.delete_account("a"));
        assert!(!world.exists("a"));
        assert!(!world.has_friend("a", "b"));
        assert!(!world.delete_account("a"), "it no longer exists");
    }
}
