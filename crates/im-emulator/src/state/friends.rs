//! Friendships: adding friends under the blocklists' veto, and checking them.

use im_protocol::{AddType, FriendCheckType, FriendRelation};

use super::World;
use crate::outcome::{AccountOutcome, FriendAddOutcome};

impl World {
    pub(crate) fn has_friend(&self, owner: &str, friend: &str) -> bool {
        self.friends
            .get(owner)
            .is_some_and(|friends| friends.contains(friend))
    }

    pub(crate) fn befriend(&mut self, owner: &str, friend: &str) {
        let friends = self.friends.entry(owner.to_owned()).or_default();
        if !friends.contains(friend) {
            friends.insert(friend.to_owned());
        }
    }

    pub(super) fn unfriend(&mut self, owner: &str, friend: &str) {
        if let Some(friends) = self.friends.get_mut(owner) {
            friends.remove(friend);
        }
    }

    /// `friend_add` / `friend_import`: befriends each account unless a block forbids it.
    pub(crate) fn add_friends(
        &mut self,
        from: &str,
        to_accounts: &[&str],
        add_type: AddType,
    ) -> Vec<AccountOutcome<FriendAddOutcome>> {
        to_accounts
            .iter()
            .map(|&to| {
                let outcome = if to == from {
                    FriendAddOutcome::Yourself
                } else if !self.exists(to) {
                    FriendAddOutcome::NoSuchAccount
                } else if self.is_blocked(from, to) {
                    FriendAddOutcome::PeerInYourBlocklist
                } else if self.is_blocked(to, from) {
                    FriendAddOutcome::YouInPeerBlocklist
                } else {
                    self.befriend(from, to);
                    if add_type == AddType::Both {
                        self.befriend(to, from);
                    }
                    FriendAddOutcome::Added
                };
                AccountOutcome::new(to, outcome)
            })
            .collect()
    }

    /// `friend_check`: the friendship with each account.
    pub(crate) fn check_friends(
        &self,
        from: &str,
        to_accounts: &[String],
        check_type: FriendCheckType,
    ) -> Vec<AccountOutcome<FriendRelation>> {
        to_accounts
            .iter()
            .map(|to| {
                let forward = self.has_friend(from, to);
                let backward = check_type == FriendCheckType::Both && self.has_friend(to, from);
                let relation = match (forward, backward) {
                    (true, true) => FriendRelation::BothWay,
                    (true, false) => FriendRelation::AWithB,
                    (false, true) => FriendRelation::BWithA,
                    (false, false) => FriendRelation::NoRelation,
                };
                AccountOutcome::new(to, relation)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::world_of;

    fn outcomes(items: &[AccountOutcome<FriendAddOutcome>]) -> Vec<FriendAddOutcome> {
        items.iter().map(|item| item.outcome).collect()
    }

    #[test]
    fn blocks_forbid_friend_requests_both_ways() {
        let mut world = world_of(&["a", "b", "c"]);
        world.add_to_blocklist("a", &["b".to_owned()], 1, false, &mut |_: &str| None);
        let added = world.add_friends("a", &["b", "c"], AddType::Both);
        assert_eq!(
            outcomes(&added),
            [
                FriendAddOutcome::PeerInYourBlocklist,
                FriendAddOutcome::Added
            ]
        );
        let added = world.add_friends("b", &["a"], AddType::Both);
        assert_eq!(outcomes(&added), [FriendAddOutcome::YouInPeerBlocklist]);
        assert!(world.has_friend("a", "c") && world.has_friend("c", "a"));
    }

    #[test]
    fn oneself_and_unknown_accounts_are_not_befriended() {
        let mut world = world_of(&["a"]);
        let added = world.add_friends("a", &["a", "ghost"], AddType::Single);
        assert_eq!(
            outcomes(&added),
            [FriendAddOutcome::Yourself, FriendAddOutcome::NoSuchAccount]
        );
        assert!(!world.has_friend("a", "a") && !world.has_friend("a", "ghost"));
    }

    #[test]
    fn a_check_reports_each_direction() {
        let mut world = world_of(&["a", "b", "c", "d"]);
        world.add_friends("a", &["b"], AddType::Both);
        world.add_friends("a", &["c"], AddType::Single);
        world.add_friends("d", &["a"], AddType::Single);
        let to = ["b", "c", "d"].map(str::to_owned);
        let relations: Vec<_> = world
            .check_friends("a", &to, FriendCheckType::Both)
            .into_iter()
            .map(|item| item.outcome)
            .collect();
        assert_eq!(
            relations,
            [
                FriendRelation::BothWay,
                FriendRelation::AWithB,
                FriendRelation::BWithA
            ]
        );
        let single = world.check_friends("a", &to, FriendCheckType::Single);
        assert_eq!(single[2].outcome, FriendRelation::NoRelation);
    }
}
