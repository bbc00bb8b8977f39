//! What a call did, account by account.

use im_client::AccountFailure;
pub use im_client::Outcome;
use im_protocol::Relation;

/// The relation of one checked account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckResult {
    /// The checked account.
    pub account: String,
    /// Its relation to the `From` account.
    pub relation: Relation,
}

/// The result of [`check`](crate::Blocklist::check): every distinct input account appears
/// once, in `results` or in `failed`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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
pub struct BlockedAccount {
    /// The blocked account.
    pub account: String,
    /// When it was blocked, in Unix seconds.
    pub added_at: u64,
}

/// One page of a user's blocklist, from [`list_page`](crate::Blocklist::list_page).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// The entries of this page.
    pub entries: Vec<BlockedAccount>,
    /// Where the next page starts, or `None` after the last page.
    pub next_start_index: Option<u32>,
    /// The blocklist's sequence number, when the service sent it.
    pub sequence: Option<u64>,
}
