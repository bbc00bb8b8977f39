//! What a call did, account by account.

use im_client::AccountFailure;
pub use im_client::Outcome;
use im_protocol::AccountStatus;

/// The status of one checked account.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CheckResult {
    /// The checked account.
    pub account: String,
    /// Whether it was imported.
    pub status: AccountStatus,
}

impl CheckResult {
    /// `account`'s result: `status`.
    pub fn new(account: impl Into<String>, status: AccountStatus) -> Self {
        CheckResult {
            account: account.into(),
            status,
        }
    }
}

/// The result of [`check`](crate::Accounts::check): every distinct input account appears
/// once, in `results` or in `failed`, in input order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CheckOutcome {
    /// Accounts that were checked.
    pub results: Vec<CheckResult>,
    /// Accounts that could not be checked.
    pub failed: Vec<AccountFailure>,
}

impl CheckOutcome {
    /// Whether every account was checked.
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty()
    }

    /// The status of `account`, if it was checked.
    pub fn status(&self, account: &str) -> Option<AccountStatus> {
        self.results
            .iter()
            .find(|result| result.account == account)
            .map(|result| result.status)
    }

    /// The checked accounts that exist.
    pub fn imported(&self) -> impl Iterator<Item = &str> {
        self.with_status(AccountStatus::Imported)
    }

    /// The checked accounts that do not exist.
    pub fn not_imported(&self) -> impl Iterator<Item = &str> {
        self.with_status(AccountStatus::NotImported)
    }

    fn with_status(&self, status: AccountStatus) -> impl Iterator<Item = &str> {
        self.results
            .iter()
            .filter(move |result| result.status == status)
            .map(|result| result.account.as_str())
    }
}
