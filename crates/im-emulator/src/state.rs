//! The emulated service's data and its business rules, free of I/O and of the wire
//! checks: accounts, friendships and blocklists.

use std::collections::{HashMap, HashSet};

use crate::accounts::AccountProfile;
use crate::faults::AccountFault;
use im_protocol::limits::MAX_BLOCKLIST_ENTRIES;
use im_protocol::{
    AccountResult, AddType, BlocklistEntry, CheckItem, CheckType, ErrorCode, FriendAddResponse,
    FriendCheckItem, FriendCheckResponse, FriendCheckType, FriendRelation, GetBlocklistResponse,
    Relation, UpdateBlocklistResponse, UserIdError, result_text, validate_user_id,
};

/// The rules that differ between apps (console settings) or between observations.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rules {
    /// Keep friendships when blocking (console option "Remain Friends").
    pub(crate) remain_friends: bool,
    /// The per-item code of an add for an account already in the blocklist.
    pub(crate) already_exists_code: ErrorCode,
    /// The per-item code of a delete for an account not in the blocklist.
    pub(crate) not_blocked_code: ErrorCode,
}

/// One user's blocklist, in the order the entries were added.
#[derive(Debug, Default)]
struct Blocklist {
    entries: Vec<BlocklistEntry>,
    members: HashSet<String>,
    sequence: u64,
}

/// The answer to a blocklist add or delete, and the accounts whose entry it actually
/// added or removed, in request order.
#[derive(Debug)]
pub(crate) struct Update {
    pub(crate) response: UpdateBlocklistResponse,
    pub(crate) changed: Vec<String>,
}

/// Accounts, friendships and blocklists.
#[derive(Debug, Default)]
pub(crate) struct World {
    accounts: HashMap<String, AccountProfile>,
    /// Owner to the accounts in the owner's friend list (directional).
    friends: HashMap<String, HashSet<String>>,
    blocklists: HashMap<String, Blocklist>,
}

/// A failure of a whole request: the envelope's code and info.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) code: ErrorCode,
    pub(crate) info: String,
}

impl Failure {
    pub(crate) fn new(code: ErrorCode, info: impl Into<String>) -> Self {
        Failure {
            code,
            info: info.into(),
        }
    }
}

/// Which operation a per-item failure belongs to, for its `ResultInfo`.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Operation {
    Add,
    Delete,
    Get,
    Check,
}

impl Operation {
    fn prefix(self) -> &'static str {
        match self {
            Operation::Add => "Err_SNS_BlackListAdd",
            Operation::Delete => "Err_SNS_BlackListDelete",
            Operation::Get => "Err_SNS_BlackListGet",
            Operation::Check => "Err_SNS_BlackListCheck",
        }
    }
}

/// The `ResultInfo` of an injected transient per-item failure.
pub(crate) fn transient_info(operation: Operation, code: ErrorCode) -> String {
    let what = match code {
        ErrorCode::NETWORK_TIMEOUT => "Timeout",
        ErrorCode::WRITE_CONFLICT => "Write_Conflict",
        _ => "Internal_Error",
    };
    format!("{}_{what}", operation.prefix())
}

fn item(to: &str, code: ErrorCode, info: impl Into<String>) -> AccountResult {
    AccountResult {
        to_account: to.to_owned(),
        result_code: code,
        result_info: info.into(),
    }
}

fn failed_accounts(items: &[AccountResult]) -> Vec<String> {
    items
        .iter()
        .filter(|item| !item.is_ok())
        .map(|item| item.to_account.clone())
        .collect()
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

    fn unfriend(&mut self, owner: &str, friend: &str) {
        if let Some(friends) = self.friends.get_mut(owner) {
            friends.remove(friend);
        }
    }

    pub(crate) fn is_blocked(&self, from: &str, to: &str) -> bool {
        self.blocklists
            .get(from)
            .is_some_and(|list| list.members.contains(to))
    }

    pub(crate) fn blocklist_of(&self, user: &str) -> Vec<(String, u64)> {
        self.blocklists.get(user).map_or_else(Vec::new, |list| {
            list.entries
                .iter()
                .map(|entry| (entry.to_account.clone(), entry.add_black_timestamp))
                .collect()
        })
    }

    pub(crate) fn sequence_of(&self, user: &str) -> u64 {
        self.blocklists.get(user).map_or(0, |list| list.sequence)
    }

    /// Checks `From_Account` of a request: non-empty (30001) and imported (30003).
    pub(crate) fn check_from(&self, from: &str) -> Result<(), Failure> {
        if from.is_empty() {
            return Err(Failure::new(
                ErrorCode::INVALID_PARAMETER,
                "From_Account is empty",
            ));
        }
        if !self.exists(from) {
            return Err(Failure::new(
                ErrorCode::ACCOUNT_NOT_FOUND,
                "From_Account does not exist",
            ));
        }
        Ok(())
    }

    /// `black_list_add`: adds each account in turn; `fault` may fail an account first.
    pub(crate) fn add_to_blocklist(
        &mut self,
        from: &str,
        to_accounts: &[String],
        now: u64,
        rules: Rules,
        fault: &mut dyn FnMut(&str) -> Option<AccountFault>,
    ) -> Update {
        let mut items = Vec::with_capacity(to_accounts.len());
        let mut changed = Vec::new();
        for to in to_accounts {
            let result = if let Some(fault) = fault(to) {
                let (code, info) =
                    fault.answer(|code| (code, transient_info(Operation::Add, code)));
                item(to, code, info)
            } else if to == from {
                item(
                    to,
                    ErrorCode::INVALID_PARAMETER,
                    result_text::BLACKLIST_ADD_CANNOT_ADD_SELF,
                )
            } else if !self.exists(to) {
                item(
                    to,
                    ErrorCode::ACCOUNT_NOT_FOUND,
                    result_text::BLACKLIST_ADD_ACCOUNT_NOT_EXIST,
                )
            } else if self.is_blocked(from, to) {
                item(
                    to,
                    rules.already_exists_code,
                    result_text::BLACKLIST_ADD_ALREADY_EXIST,
                )
            } else if self
                .blocklists
                .get(from)
                .is_some_and(|list| list.entries.len() >= MAX_BLOCKLIST_ENTRIES)
            {
                item(
                    to,
                    ErrorCode::BLOCKLIST_FULL,
                    result_text::BLACKLIST_ADD_COUNT_EXCEED_LIMIT,
                )
            } else {
                let list = self.blocklists.entry(from.to_owned()).or_default();
                list.entries.push(BlocklistEntry {
                    to_account: to.clone(),
                    add_black_timestamp: now,
                });
                list.members.insert(to.clone());
                if !rules.remain_friends {
                    self.unfriend(from, to);
                    self.unfriend(to, from);
                }
                changed.push(to.clone());
                item(to, ErrorCode::OK, "")
            };
            items.push(result);
        }
        if !changed.is_empty() {
            self.bump_sequence(from);
        }
        let fail_account = failed_accounts(&items);
        Update {
            response: UpdateBlocklistResponse {
                result_item: items,
                fail_account,
            },
            changed,
        }
    }

    /// `black_list_delete`: removes each account; one that is not in the list is answered
    /// with `rules.not_blocked_code` (30001 and `Err_SNS_BlackListDelete_Not_Exist`, as the
    /// FAQ describes, unless configured otherwise).
    pub(crate) fn delete_from_blocklist(
        &mut self,
        from: &str,
        to_accounts: &[String],
        rules: Rules,
        fault: &mut dyn FnMut(&str) -> Option<AccountFault>,
    ) -> Update {
        let mut items = Vec::with_capacity(to_accounts.len());
        let mut changed = Vec::new();
        for to in to_accounts {
            if let Some(fault) = fault(to) {
                let (code, info) =
                    fault.answer(|code| (code, transient_info(Operation::Delete, code)));
                items.push(item(to, code, info));
                continue;
            }
            if let Some(list) = self.blocklists.get_mut(from)
                && list.members.remove(to.as_str())
            {
                list.entries.retain(|entry| entry.to_account != *to);
                changed.push(to.clone());
                items.push(item(to, ErrorCode::OK, ""));
            } else if rules.not_blocked_code.is_ok() {
                items.push(item(to, ErrorCode::OK, ""));
            } else {
                items.push(item(
                    to,
                    rules.not_blocked_code,
                    result_text::BLACKLIST_DELETE_NOT_EXIST,
                ));
            }
        }
        if !changed.is_empty() {
            self.bump_sequence(from);
        }
        let fail_account = failed_accounts(&items);
        Update {
            response: UpdateBlocklistResponse {
                result_item: items,
                fail_account,
            },
            changed,
        }
    }

    /// `black_list_get`: one page, in the order the entries were added.
    pub(crate) fn blocklist_page(
        &self,
        from: &str,
        start_index: u32,
        max_limited: u32,
    ) -> GetBlocklistResponse {
        let empty = [];
        let (entries, sequence) = self
            .blocklists
            .get(from)
            .map_or((&empty[..], 0), |list| (&list.entries[..], list.sequence));
        let start = usize::try_from(start_index).unwrap_or(usize::MAX);
        let limit = usize::try_from(max_limited).unwrap_or(usize::MAX);
        let end = start.saturating_add(limit).min(entries.len());
        let page = entries.get(start..end).unwrap_or_default().to_vec();
        let next = if end < entries.len() {
            u32::try_from(end).unwrap_or(0)
        } else {
            0
        };
        GetBlocklistResponse {
            black_list_item: page,
            start_index: next,
            current_sequence: Some(sequence),
        }
    }

    /// `black_list_check`: the relation of each account; `fault` may fail an account.
    pub(crate) fn check_blocklist(
        &self,
        from: &str,
        to_accounts: &[String],
        check_type: CheckType,
        fault: &mut dyn FnMut(&str) -> Option<AccountFault>,
    ) -> im_protocol::CheckBlocklistResponse {
        let mut items = Vec::with_capacity(to_accounts.len());
        let mut fail_account = Vec::new();
        for to in to_accounts {
            if let Some(fault) = fault(to) {
                let (code, info) =
                    fault.answer(|code| (code, transient_info(Operation::Check, code)));
                items.push(CheckItem {
                    to_account: to.clone(),
                    relation: Relation::No,
                    result_code: code,
                    result_info: info,
                });
                fail_account.push(to.clone());
                continue;
            }
            let forward = self.is_blocked(from, to);
            let backward = check_type == CheckType::Both && self.is_blocked(to, from);
            let relation = match (forward, backward) {
                (true, true) => Relation::BothWay,
                (true, false) => Relation::AWithB,
                (false, true) => Relation::BWithA,
                (false, false) => Relation::No,
            };
            items.push(CheckItem {
                to_account: to.clone(),
                relation,
                result_code: ErrorCode::OK,
                result_info: String::new(),
            });
        }
        im_protocol::CheckBlocklistResponse {
            black_list_check_item: items,
            fail_account,
            invalid_account: Vec::new(),
        }
    }

    /// `friend_add` / `friend_import`: befriends each account unless a block forbids it.
    pub(crate) fn add_friends(
        &mut self,
        from: &str,
        to_accounts: &[&str],
        add_type: AddType,
    ) -> FriendAddResponse {
        let mut items = Vec::with_capacity(to_accounts.len());
        for &to in to_accounts {
            let result = if to == from {
                item(
                    to,
                    ErrorCode::INVALID_PARAMETER,
                    result_text::FRIEND_ADD_CANNOT_ADD_SELF,
                )
            } else if !self.exists(to) {
                item(
                    to,
                    ErrorCode::ACCOUNT_NOT_FOUND,
                    result_text::FRIEND_ADD_ACCOUNT_NOT_EXIST,
                )
            } else if self.is_blocked(from, to) {
                item(
                    to,
                    ErrorCode::PEER_IN_YOUR_BLOCKLIST,
                    result_text::FRIEND_ADD_PEER_IN_YOUR_BLACKLIST,
                )
            } else if self.is_blocked(to, from) {
                item(
                    to,
                    ErrorCode::YOU_IN_PEER_BLOCKLIST,
                    result_text::FRIEND_ADD_YOU_IN_PEER_BLACKLIST,
                )
            } else {
                self.befriend(from, to);
                if add_type == AddType::Both {
                    self.befriend(to, from);
                }
                item(to, ErrorCode::OK, "")
            };
            items.push(result);
        }
        let fail_account = failed_accounts(&items);
        FriendAddResponse {
            result_item: items,
            fail_account,
        }
    }

    /// `friend_check`: the friendship with each account.
    pub(crate) fn check_friends(
        &self,
        from: &str,
        to_accounts: &[String],
        check_type: FriendCheckType,
    ) -> FriendCheckResponse {
        let info_item = to_accounts
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
                FriendCheckItem {
                    to_account: to.clone(),
                    relation,
                    result_code: ErrorCode::OK,
                    result_info: String::new(),
                }
            })
            .collect();
        FriendCheckResponse {
            info_item,
            fail_account: Vec::new(),
        }
    }

    fn bump_sequence(&mut self, user: &str) {
        let list = self.blocklists.entry(user.to_owned()).or_default();
        list.sequence = list.sequence.saturating_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: Rules = Rules {
        remain_friends: false,
        already_exists_code: ErrorCode::INVALID_PARAMETER,
        not_blocked_code: ErrorCode::INVALID_PARAMETER,
    };

    fn world(accounts: &[&str]) -> World {
        let mut world = World::default();
        for account in accounts {
            world.import(account).expect("a valid UserID");
        }
        world
    }

    fn strings(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|id| (*id).to_owned()).collect()
    }

    fn codes(response: &UpdateBlocklistResponse) -> Vec<i64> {
        response
            .result_item
            .iter()
            .map(|item| item.result_code.0)
            .collect()
    }

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
    fn add_answers_every_occurrence_in_order() {
        let mut world = world(&["a", "b", "c"]);
        let update = world.add_to_blocklist(
            "a",
            &strings(&["b", "b", "a", "ghost", "c"]),
            10,
            RULES,
            &mut |_: &str| None,
        );
        assert_eq!(update.changed, ["b", "c"]);
        let response = update.response;
        assert_eq!(codes(&response), [0, 30001, 30001, 30003, 0]);
        assert_eq!(response.fail_account, ["b", "a", "ghost"]);
        assert_eq!(
            world.blocklist_of("a"),
            [("b".to_owned(), 10), ("c".to_owned(), 10)]
        );
        assert_eq!(world.sequence_of("a"), 1);
    }

    #[test]
    fn an_unchanged_list_keeps_its_sequence() {
        let mut world = world(&["a", "b"]);
        world.add_to_blocklist("a", &strings(&["b"]), 1, RULES, &mut |_: &str| None);
        let again = world.add_to_blocklist("a", &strings(&["b"]), 2, RULES, &mut |_: &str| None);
        assert!(again.changed.is_empty());
        let ghost =
            world.delete_from_blocklist("a", &strings(&["ghost"]), RULES, &mut |_: &str| None);
        assert!(ghost.changed.is_empty());
        // The FAQ: removing an account that is not blocked answers 30001.
        assert_eq!(
            ghost.response.result_item[0].result_code,
            ErrorCode::INVALID_PARAMETER
        );
        assert_eq!(world.sequence_of("a"), 1);
        let removed =
            world.delete_from_blocklist("a", &strings(&["b", "b"]), RULES, &mut |_: &str| None);
        assert_eq!(removed.changed, ["b"]);
        assert_eq!(world.sequence_of("a"), 2);
        assert!(world.blocklist_of("a").is_empty());
    }

    #[test]
    fn faulted_accounts_are_not_applied() {
        let mut world = world(&["a", "b", "c"]);
        let mut calls = 0;
        let mut fault = |_: &str| {
            calls += 1;
            (calls == 1).then_some(AccountFault::Drawn(ErrorCode::WRITE_CONFLICT))
        };
        let update = world.add_to_blocklist("a", &strings(&["b", "c"]), 1, RULES, &mut fault);
        assert_eq!(update.changed, ["c"]);
        let response = update.response;
        assert_eq!(codes(&response), [30008, 0]);
        assert_eq!(
            response.result_item[0].result_info,
            "Err_SNS_BlackListAdd_Write_Conflict"
        );
        assert!(!world.is_blocked("a", "b"));
        assert!(world.is_blocked("a", "c"));
    }

    #[test]
    fn paging_walks_the_list_in_add_order() {
        let mut world = world(&["a", "b", "c", "d"]);
        world.add_to_blocklist("a", &strings(&["d", "b", "c"]), 5, RULES, &mut |_: &str| {
            None
        });
        let first = world.blocklist_page("a", 0, 2);
        let names: Vec<_> = first
            .black_list_item
            .iter()
            .map(|e| e.to_account.as_str())
            .collect();
        assert_eq!(names, ["d", "b"]);
        assert_eq!(first.start_index, 2);
        let second = world.blocklist_page("a", 2, 2);
        assert_eq!(second.black_list_item.len(), 1);
        assert_eq!(second.start_index, 0);
        let beyond = world.blocklist_page("a", 10, 2);
        assert!(beyond.black_list_item.is_empty());
        assert_eq!(beyond.start_index, 0);
        assert_eq!(beyond.current_sequence, Some(1));
    }

    #[test]
    fn blocks_forbid_friend_requests_both_ways() {
        let mut world = world(&["a", "b", "c"]);
        world.add_to_blocklist("a", &strings(&["b"]), 1, RULES, &mut |_: &str| None);
        let response = world.add_friends("a", &["b", "c"], AddType::Both);
        assert_eq!(codes_of(&response.result_item), [30515, 0]);
        let response = world.add_friends("b", &["a"], AddType::Both);
        assert_eq!(codes_of(&response.result_item), [30525]);
        assert!(world.has_friend("a", "c") && world.has_friend("c", "a"));
    }

    fn codes_of(items: &[AccountResult]) -> Vec<i64> {
        items.iter().map(|item| item.result_code.0).collect()
    }
}
