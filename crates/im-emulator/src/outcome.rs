//! What a request did, in the service's own terms: one outcome per account and the pages
//! of a blocklist, before the [replies](crate::replies) spell them on the wire.

use im_protocol::Relation;

use crate::faults::AccountFault;

/// One account of a request and what became of it; lists of these are in request order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AccountOutcome<O> {
    pub(crate) account: String,
    pub(crate) outcome: O,
}

impl<O> AccountOutcome<O> {
    pub(crate) fn new(account: &str, outcome: O) -> Self {
        AccountOutcome {
            account: account.to_owned(),
            outcome,
        }
    }
}

/// What a blocklist add did with one account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BlockOutcome {
    /// The account was added to the list.
    Blocked,
    /// A user cannot block themself.
    Yourself,
    /// The account was never imported.
    NoSuchAccount,
    /// The account was already in the list (also a repeat within the request).
    AlreadyBlocked,
    /// The list already holds its maximum of entries.
    ListFull,
    /// An injected fault failed the account before anything was applied.
    Faulted(AccountFault),
}

/// What a blocklist delete did with one account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UnblockOutcome {
    /// The account was removed from the list.
    Unblocked,
    /// The account was not in the list.
    NotBlocked,
    /// An injected fault failed the account before anything was applied.
    Faulted(AccountFault),
}

/// What a blocklist check found for one account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CheckOutcome {
    /// The relation between the two accounts.
    Related(Relation),
    /// An injected fault failed the account.
    Faulted(AccountFault),
}

/// One entry of a blocklist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) account: String,
    /// When it was added, in Unix seconds.
    pub(crate) added_at: u64,
}

/// One page of a blocklist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Page {
    pub(crate) entries: Vec<Entry>,
    /// Where the next page starts, or 0 after the last page.
    pub(crate) next_start: u32,
    /// The list's sequence.
    pub(crate) sequence: u64,
}

/// What a friend add or import did with one account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FriendAddOutcome {
    /// The friendship was made (or already held).
    Added,
    /// A user cannot befriend themself.
    Yourself,
    /// The account was never imported.
    NoSuchAccount,
    /// The requester blocks the account.
    PeerInYourBlocklist,
    /// The account blocks the requester.
    YouInPeerBlocklist,
}
