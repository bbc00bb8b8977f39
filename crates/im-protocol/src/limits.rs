//! The service's documented limits that are not a column of the API table.
//!
//! Per-API numbers of the APIs in the spec live in the table: the most accounts one
//! request carries ([`Api::max_accounts`]) and the calls per second
//! ([`Api::default_calls_per_second`]). The UserID length is
//! [`MAX_USER_ID_LEN`](crate::MAX_USER_ID_LEN). This module holds the rest, so a client
//! that checks its input and an emulator that enforces the rule read the same number, and
//! names the table's numbers where a field name says more than the API's. The friend APIs
//! are not in the table yet; their per-request limits are here until they are.
//!
//! ```
//! use im_protocol::limits;
//!
//! assert_eq!(limits::MAX_BLOCKLIST_ENTRIES, 1000);
//! let page_sizes = limits::MIN_BLOCKLIST_PAGE_SIZE..=limits::MAX_BLOCKLIST_PAGE_SIZE;
//! assert_eq!(page_sizes, 1..=1000);
//! ```

use crate::Api;

/// The most entries one user's blocklist holds. An add past it fails for each further
/// account with 30013 ([`ErrorCode::BLOCKLIST_FULL`](crate::ErrorCode::BLOCKLIST_FULL)).
pub const MAX_BLOCKLIST_ENTRIES: usize = 1000;

/// The smallest page size (`MaxLimited`) `v4/sns/black_list_get` accepts.
pub const MIN_BLOCKLIST_PAGE_SIZE: u32 = 1;

/// The largest page size (`MaxLimited`) `v4/sns/black_list_get` accepts: the API's
/// [`Api::max_accounts`] in the table.
// The table's numbers are small, so the conversion is exact (a test checks it).
pub const MAX_BLOCKLIST_PAGE_SIZE: u32 = Api::BlackListGet.max_accounts() as u32;

/// The most accounts one `v4/im_open_login_svc/multiaccount_import` carries (`Accounts`
/// and `AccountList` together): the table's [`Api::MultiAccountImport`] limit.
pub const MAX_MULTIACCOUNT_IMPORT_ACCOUNTS: usize = Api::MultiAccountImport.max_accounts();

/// The most entries of `DeleteItem` in one `v4/im_open_login_svc/account_delete`: the
/// table's [`Api::AccountDelete`] limit.
pub const MAX_ACCOUNT_DELETE_ITEMS: usize = Api::AccountDelete.max_accounts();

/// The most entries of `CheckItem` in one `v4/im_open_login_svc/account_check`: the
/// table's [`Api::AccountCheck`] limit.
pub const MAX_ACCOUNT_CHECK_ITEMS: usize = Api::AccountCheck.max_accounts();

/// The most accounts of `To_Account` in one `v4/sns/friend_check`.
pub const MAX_FRIEND_CHECK_ACCOUNTS: usize = 1000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_size_bound_is_the_tables_number() {
        assert_eq!(
            usize::try_from(MAX_BLOCKLIST_PAGE_SIZE).ok(),
            Some(Api::BlackListGet.max_accounts())
        );
    }
}
