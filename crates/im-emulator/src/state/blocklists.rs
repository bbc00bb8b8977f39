//! Blocklists: adding, removing, paging and checking entries, with the list's limit and
//! sequence.

use std::collections::HashSet;

use im_protocol::limits::MAX_BLOCKLIST_ENTRIES;
use im_protocol::{CheckType, Relation};

use super::World;
use crate::faults::AccountFault;
use crate::outcome::{AccountOutcome, BlockOutcome, CheckOutcome, Entry, Page, UnblockOutcome};

/// One user's blocklist, in the order the entries were added.
#[derive(Debug, Default)]
pub(super) struct Blocklist {
    entries: Vec<Entry>,
    members: HashSet<String>,
    /// 0 at first, one more for each request that changed the list.
    sequence: u64,
}

impl World {
    pub(crate) fn is_blocked(&self, from: &str, to: &str) -> bool {
        self.blocklists
            .get(from)
            .is_some_and(|list| list.members.contains(to))
    }

    pub(crate) fn blocklist_of(&self, user: &str) -> Vec<(String, u64)> {
        self.blocklists.get(user).map_or_else(Vec::new, |list| {
            list.entries
                .iter()
                .map(|entry| (entry.account.clone(), entry.added_at))
                .collect()
        })
    }

    pub(crate) fn sequence_of(&self, user: &str) -> u64 {
        self.blocklists.get(user).map_or(0, |list| list.sequence)
    }

    /// `black_list_add`: adds each account in turn at time `now`; `fault` may fail an
    /// account first. Unless `remain_friends`, blocking ends the friendship both ways.
    pub(crate) fn add_to_blocklist(
        &mut self,
        from: &str,
        to_accounts: &[String],
        now: u64,
        remain_friends: bool,
        fault: &mut dyn FnMut(&str) -> Option<AccountFault>,
    ) -> Vec<AccountOutcome<BlockOutcome>> {
        let mut outcomes = Vec::with_capacity(to_accounts.len());
        for to in to_accounts {
            let outcome = if let Some(fault) = fault(to) {
                BlockOutcome::Faulted(fault)
            } else if to == from {
                BlockOutcome::Yourself
            } else if !self.exists(to) {
                BlockOutcome::NoSuchAccount
            } else if self.is_blocked(from, to) {
                BlockOutcome::AlreadyBlocked
            } else if self
                .blocklists
                .get(from)
                .is_some_and(|list| list.entries.len() >= MAX_BLOCKLIST_ENTRIES)
            {
                BlockOutcome::ListFull
            } else {
                let list = self.blocklists.entry(from.to_owned()).or_default();
                list.entries.push(Entry {
                    account: to.clone(),
                    added_at: now,
                });
                list.members.insert(to.clone());
                if !remain_friends {
                    self.unfriend(from, to);
                    self.unfriend(to, from);
                }
                BlockOutcome::Blocked
            };
            outcomes.push(AccountOutcome::new(to, outcome));
        }
        if outcomes
            .iter()
            .any(|item| item.outcome == BlockOutcome::Blocked)
        {
            self.bump_sequence(from);
        }
        outcomes
    }

    /// `black_list_delete`: removes each account in turn; `fault` may fail an account
    /// first.
    pub(crate) fn delete_from_blocklist(
        &mut self,
        from: &str,
        to_accounts: &[String],
        fault: &mut dyn FnMut(&str) -> Option<AccountFault>,
    ) -> Vec<AccountOutcome<UnblockOutcome>> {
        let mut outcomes = Vec::with_capacity(to_accounts.len());
        for to in to_accounts {
            let outcome = if let Some(fault) = fault(to) {
                UnblockOutcome::Faulted(fault)
            } else if let Some(list) = self.blocklists.get_mut(from)
                && list.members.remove(to.as_str())
            {
                list.entries.retain(|entry| entry.account != *to);
                UnblockOutcome::Unblocked
            } else {
                UnblockOutcome::NotBlocked
            };
            outcomes.push(AccountOutcome::new(to, outcome));
        }
        if outcomes
            .iter()
            .any(|item| item.outcome == UnblockOutcome::Unblocked)
        {
            self.bump_sequence(from);
        }
        outcomes
    }

    /// `black_list_get`: one page, in the order the entries were added.
    pub(crate) fn blocklist_page(&self, from: &str, start_index: u32, max_limited: u32) -> Page {
        let empty = [];
        let (entries, sequence) = self
            .blocklists
            .get(from)
            .map_or((&empty[..], 0), |list| (&list.entries[..], list.sequence));
        let start = usize::try_from(start_index).unwrap_or(usize::MAX);
        let limit = usize::try_from(max_limited).unwrap_or(usize::MAX);
        let end = start.saturating_add(limit).min(entries.len());
        let page = entries.get(start..end).unwrap_or_default().to_vec();
        let next_start = if end < entries.len() {
            u32::try_from(end).unwrap_or(0)
        } else {
            0
        };
        Page {
            entries: page,
            next_start,
            sequence,
        }
    }

    /// `black_list_check`: the relation with each account; `fault` may fail an account.
    pub(crate) fn check_blocklist(
        &self,
        from: &str,
        to_accounts: &[String],
        check_type: CheckType,
        fault: &mut dyn FnMut(&str) -> Option<AccountFault>,
    ) -> Vec<AccountOutcome<CheckOutcome>> {
        to_accounts
            .iter()
            .map(|to| {
                if let Some(fault) = fault(to) {
                    return AccountOutcome::new(to, CheckOutcome::Faulted(fault));
                }
                let forward = self.is_blocked(from, to);
                let backward = check_type == CheckType::Both && self.is_blocked(to, from);
                let relation = match (forward, backward) {
                    (true, true) => Relation::BothWay,
                    (true, false) => Relation::AWithB,
                    (false, true) => Relation::BWithA,
                    (false, false) => Relation::No,
                };
                AccountOutcome::new(to, CheckOutcome::Related(relation))
            })
            .collect()
    }

    fn bump_sequence(&mut self, user: &str) {
        let list = self.blocklists.entry(user.to_owned()).or_default();
        list.sequence = list.sequence.saturating_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::world_of;
    use im_protocol::ErrorCode;

    /// Blocking ends friendships, as by default.
    const REMAIN_FRIENDS: bool = false;

    fn strings(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|id| (*id).to_owned()).collect()
    }

    fn outcomes<O: Copy>(items: &[AccountOutcome<O>]) -> Vec<O> {
        items.iter().map(|item| item.outcome).collect()
    }

    fn names(page: &Page) -> Vec<&str> {
        page.entries
            .iter()
            .map(|entry| entry.account.as_str())
            .collect()
    }

    #[test]
    fn add_answers_every_occurrence_in_order() {
        let mut world = world_of(&["a", "b", "c"]);
        let added = world.add_to_blocklist(
            "a",
            &strings(&["b", "b", "a", "ghost", "c"]),
            10,
            REMAIN_FRIENDS,
            &mut |_: &str| None,
        );
        use BlockOutcome::*;
        assert_eq!(
            outcomes(&added),
            [Blocked, AlreadyBlocked, Yourself, NoSuchAccount, Blocked]
        );
        assert_eq!(
            world.blocklist_of("a"),
            [("b".to_owned(), 10), ("c".to_owned(), 10)]
        );
        assert_eq!(world.sequence_of("a"), 1);
    }

    #[test]
    fn blocking_ends_the_friendship_unless_friends_remain() {
        let mut world = world_of(&["a", "b", "c"]);
        for (x, y) in [("a", "b"), ("b", "a"), ("a", "c"), ("c", "a")] {
            world.befriend(x, y);
        }
        world.add_to_blocklist("a", &strings(&["b"]), 1, false, &mut |_: &str| None);
        assert!(!world.has_friend("a", "b") && !world.has_friend("b", "a"));
        world.add_to_blocklist("a", &strings(&["c"]), 1, true, &mut |_: &str| None);
        assert!(world.has_friend("a", "c") && world.has_friend("c", "a"));
    }

    #[test]
    fn a_full_list_refuses_more() {
        let accounts: Vec<String> = (0..=MAX_BLOCKLIST_ENTRIES)
            .map(|n| format!("u{n}"))
            .collect();
        let mut world = world_of(&["a"]);
        for account in &accounts {
            world.import(account).expect("a valid UserID");
        }
        let added = world.add_to_blocklist("a", &accounts, 1, REMAIN_FRIENDS, &mut |_: &str| None);
        assert_eq!(
            added[MAX_BLOCKLIST_ENTRIES - 1].outcome,
            BlockOutcome::Blocked
        );
        assert_eq!(added[MAX_BLOCKLIST_ENTRIES].outcome, BlockOutcome::ListFull);
        assert_eq!(world.blocklist_of("a").len(), MAX_BLOCKLIST_ENTRIES);
    }

    #[test]
    fn an_unchanged_list_keeps_its_sequence() {
        let mut world = world_of(&["a", "b"]);
        world.add_to_blocklist("a", &strings(&["b"]), 1, REMAIN_FRIENDS, &mut |_: &str| {
            None
        });
        let again =
            world.add_to_blocklist("a", &strings(&["b"]), 2, REMAIN_FRIENDS, &mut |_: &str| {
                None
            });
        assert_eq!(outcomes(&again), [BlockOutcome::AlreadyBlocked]);
        let ghost = world.delete_from_blocklist("a", &strings(&["ghost"]), &mut |_: &str| None);
        assert_eq!(outcomes(&ghost), [UnblockOutcome::NotBlocked]);
        assert_eq!(world.sequence_of("a"), 1);
        let removed = world.delete_from_blocklist("a", &strings(&["b", "b"]), &mut |_: &str| None);
        assert_eq!(
            outcomes(&removed),
            [UnblockOutcome::Unblocked, UnblockOutcome::NotBlocked]
        );
        assert_eq!(world.sequence_of("a"), 2);
        assert!(world.blocklist_of("a").is_empty());
    }

    #[test]
    fn faulted_accounts_are_not_applied() {
        let mut world = world_of(&["a", "b", "c"]);
        let mut calls = 0;
        let conflict = AccountFault::Drawn(ErrorCode::WRITE_CONFLICT);
        let mut fault = |_: &str| {
            calls += 1;
            (calls == 1).then_some(conflict)
        };
        let added =
            world.add_to_blocklist("a", &strings(&["b", "c"]), 1, REMAIN_FRIENDS, &mut fault);
        assert_eq!(
            outcomes(&added),
            [BlockOutcome::Faulted(conflict), BlockOutcome::Blocked]
        );
        assert!(!world.is_blocked("a", "b"));
        assert!(world.is_blocked("a", "c"));
        let mut fault = |account: &str| (account == "c").then_some(conflict);
        let removed = world.delete_from_blocklist("a", &strings(&["c"]), &mut fault);
        assert_eq!(outcomes(&removed), [UnblockOutcome::Faulted(conflict)]);
        assert!(world.is_blocked("a", "c"));
    }

    #[test]
    fn paging_walks_the_list_in_add_order() {
        let mut world = world_of(&["a", "b", "c", "d"]);
        world.add_to_blocklist(
            "a",
            &strings(&["d", "b", "c"]),
            5,
            REMAIN_FRIENDS,
            &mut |_: &str| None,
        );
        let first = world.blocklist_page("a", 0, 2);
        assert_eq!(names(&first), ["d", "b"]);
        assert_eq!(first.next_start, 2);
        let second = world.blocklist_page("a", 2, 2);
        assert_eq!(names(&second), ["c"]);
        assert_eq!(second.next_start, 0);
        let beyond = world.blocklist_page("a", 10, 2);
        assert!(beyond.entries.is_empty());
        assert_eq!(beyond.next_start, 0);
        assert_eq!(beyond.sequence, 1);
    }

    #[test]
    fn a_check_reports_each_direction() {
        let mut world = world_of(&["a", "b", "c", "d"]);
        world.add_to_blocklist(
            "a",
            &strings(&["b", "c"]),
            1,
            REMAIN_FRIENDS,
            &mut |_: &str| None,
        );
        world.add_to_blocklist("b", &strings(&["a"]), 1, REMAIN_FRIENDS, &mut |_: &str| {
            None
        });
        let to = strings(&["b", "c", "d"]);
        let both = world.check_blocklist("a", &to, CheckType::Both, &mut |_: &str| None);
        use CheckOutcome::Related;
        assert_eq!(
            outcomes(&both),
            [
                Related(Relation::BothWay),
                Related(Relation::AWithB),
                Related(Relation::No)
            ]
        );
        let single = world.check_blocklist("b", &strings(&["a"]), CheckType::Single, &mut |_| None);
        assert_eq!(outcomes(&single), [Related(Relation::AWithB)]);
    }
}
