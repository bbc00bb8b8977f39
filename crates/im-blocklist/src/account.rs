//! Account validation, de-duplication and batching: pure functions.

use std::collections::HashSet;

use crate::error::InvalidInput;

/// The longest UserID the service accepts, in bytes.
pub const MAX_ACCOUNT_LEN: usize = 32;

/// Checks one UserID: not empty, at most 32 bytes, printable ASCII only
/// (the service's documented rule for UserIDs).
///
/// ```
/// use im_blocklist::validate_account;
///
/// assert!(validate_account("user_42").is_ok());
/// assert!(validate_account("").is_err());
/// assert!(validate_account(&"x".repeat(33)).is_err());
/// assert!(validate_account("tab\there").is_err());
/// ```
pub fn validate_account(account: &str) -> Result<(), InvalidInput> {
    if account.is_empty() {
        return Err(InvalidInput::EmptyAccount);
    }
    if account.len() > MAX_ACCOUNT_LEN {
        return Err(InvalidInput::AccountTooLong {
            account: account.to_owned(),
            len: account.len(),
            max: MAX_ACCOUNT_LEN,
        });
    }
    if !account.bytes().all(|byte| (0x20..=0x7e).contains(&byte)) {
        return Err(InvalidInput::NonPrintable {
            account: account.to_owned(),
        });
    }
    Ok(())
}

/// Checks the account whose blocklist is read or changed.
pub(crate) fn validate_from(from: &str) -> Result<(), InvalidInput> {
    if from.is_empty() {
        return Err(InvalidInput::EmptyFrom);
    }
    validate_account(from)
}

/// Validates every account and drops repeated ones, keeping the first occurrence's order.
pub(crate) fn unique_accounts<I, S>(accounts: I) -> Result<Vec<String>, InvalidInput>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let accounts = accounts.into_iter();
    let expected = accounts.size_hint().0;
    let mut seen = HashSet::with_capacity(expected);
    let mut unique = Vec::with_capacity(expected);
    for account in accounts {
        let account = account.into();
        validate_account(&account)?;
        if seen.insert(account.clone()) {
            unique.push(account);
        }
    }
    if unique.is_empty() {
        return Err(InvalidInput::NoAccounts);
    }
    Ok(unique)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_collapse_in_first_seen_order() {
        let unique = unique_accounts(["b", "a", "b", "c", "a"]).expect("valid");
        assert_eq!(unique, ["b", "a", "c"]);
    }

    #[test]
    fn any_bad_account_rejects_the_whole_input() {
        let error = unique_accounts(["ok", "", "fine"]).expect_err("empty account");
        assert_eq!(error, InvalidInput::EmptyAccount);
        let error = unique_accounts(["ok", "ünïcode"]).expect_err("non-ASCII");
        assert!(matches!(error, InvalidInput::NonPrintable { .. }));
        assert_eq!(
            unique_accounts(Vec::<String>::new()),
            Err(InvalidInput::NoAccounts)
        );
    }

    #[test]
    fn length_limit_is_in_bytes() {
        assert!(validate_account(&"a".repeat(32)).is_ok());
        let error = validate_account(&"a".repeat(33)).expect_err("too long");
        assert_eq!(
            error.to_string(),
            format!(
                "account {:?} is 33 bytes long; the limit is 32",
                "a".repeat(33)
            )
        );
        assert_eq!(validate_from(""), Err(InvalidInput::EmptyFrom));
    }
}
