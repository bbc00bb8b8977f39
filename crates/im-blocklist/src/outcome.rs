//! What a call did, account by account.

use im_client::AccountFailure;
pub use im_client::Outcome;
use im_protocol::Relation;

/// The relation of one checked account.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CheckResult {
    /// The checked account.
    pub account: String,
    /// Its relation to the `From` account.
    pub relation: Relation,
}

impl CheckResult {
    /// `account`'s result: `relation`.
    pub fn new(account: impl Into<String>, relation: Relation) -> Self {
        CheckResult {
            account: account.into(),
            relation,
        }
    }
}

/// The result of [`check`](crate::Blocklist::check): every distinct input account appears
/// once, in `results` or in `failed`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CheckOutcome {
    /// Accounts that were checked, in input order.
    pub results: Vec<CheckResult>,
    /// Accounts that could not be checked.
    pub failed: Vec<AccountFailure>,
}

impl CheckOutcome {
    /// Whether every account was checked.
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty()
    }

    /// The relation of `account`, if it was checked.
    pub fn relation(&self, account: &str) -> Option<Relation> {
        self.results
            .iter()
            .find(|result| result.account == account)
            .map(|result| result.relation)
    }
}

/// One entry of a user's blocklist.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BlockedAccount {
    /// The blocked account.
    pub account: String,
    /// When it was blocked, in Unix seconds.
    pub added_at: u64,
}

impl BlockedAccount {
    /// `account`, blocked at `added_at` (Unix seconds).
    pub fn new(account: impl Into<String>, added_at: u64) -> Self {
        BlockedAccount {
            account: account.into(),
            added_at,
        }
    }
}

/// Which page of a blocklist [`list_page`](crate::Blocklist::list_page) reads: how many
/// entries at most, and from which index (named, so the two numbers cannot be swapped).
///
/// ```
/// use im_blocklist::PageRequest;
///
/// let first = PageRequest::of_size(100);
/// assert_eq!((first.start_index(), first.size()), (0, 100));
/// let later = PageRequest::of_size(100).starting_at(300);
/// assert_eq!((later.start_index(), later.size()), (300, 100));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    start_index: u32,
    size: u32,
}

impl PageRequest {
    /// The first page, of at most `size` entries (1 to 1000, checked by the call).
    pub const fn of_size(size: u32) -> Self {
        PageRequest {
            start_index: 0,
            size,
        }
    }

    /// The same size, starting at `start_index` (a page's
    /// [`next_start_index`](Page::next_start_index)).
    pub const fn starting_at(self, start_index: u32) -> Self {
        PageRequest {
            start_index,
            ..self
        }
    }

    /// The index of the page's first entry.
    pub const fn start_index(&self) -> u32 {
        self.start_index
    }

    /// The most entries the page holds.
    pub const fn size(&self) -> u32 {
        self.size
    }
}

/// One page of a user's blocklist, from [`list_page`](crate::Blocklist::list_page).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Page {
    /// The entries of this page.
    pub entries: Vec<BlockedAccount>,
    /// Where the next page starts, or `None` after the last page.
    pub next_start_index: Option<u32>,
    /// The blocklist's sequence number, when the service sent it.
    pub sequence: Option<u64>,
}
