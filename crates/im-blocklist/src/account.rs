//! The accounts of a call: validated with the service's UserID rule, repeats dropped.

use std::collections::HashSet;

use im_client::InvalidInput;
use im_protocol::validate_user_id;

/// Checks the account whose blocklist is read or changed.
pub(crate) fn validate_from(from: &str) -> Result<(), InvalidInput> {
    if from.is_empty() {
        return Err(InvalidInput::EmptyFrom);
    }
    Ok(validate_user_id(from)?)
}

/// Validates every account and drops repeated ones, keeping the first occurrence's order.
/// The accounts are moved, never copied.
pub(crate) fn unique_accounts<I, S>(accounts: I) -> Result<Vec<String>, InvalidInput>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let mut accounts: Vec<String> = accounts.into_iter().map(Into::into).collect();
    for account in &accounts {
        validate_user_id(account)?;
    }
    if accounts.is_empty() {
        return Err(InvalidInput::NoAccounts);
    }
    let keep = first_occurrences(&accounts);
    let mut position = 0;
    accounts.retain(|_| {
        let kept = keep.get(position).copied().unwrap_or(true);
        position += 1;
        kept
    });
    Ok(accounts)
}

/// For each account, whether it is the first occurrence of its name.
pub(crate) fn first_occurrences(accounts: &[String]) -> Vec<bool> {
    let mut seen: HashSet<&str, foldhash::fast::RandomState> =
        HashSet::with_capacity_and_hasher(accounts.len(), Default::default());
    accounts
        .iter()
        .map(|account| seen.insert(account.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use im_protocol::UserIdError;

    #[test]
    fn duplicates_collapse_in_first_seen_order() {
        let unique = unique_accounts(["b", "a", "b", "c", "a"]).expect("valid");
        assert_eq!(unique, ["b", "a", "c"]);
    }

    #[test]
    fn any_bad_account_rejects_the_whole_input() {
        let error = unique_accounts(["ok", "", "fine"]).expect_err("empty account");
        assert_eq!(error, InvalidInput::UserId(UserIdError::Empty));
        let error = unique_accounts(["ok", "ünïcode"]).expect_err("non-ASCII");
        assert!(matches!(
            error,
            InvalidInput::UserId(UserIdError::NonPrintable { .. })
        ));
        assert_eq!(
            unique_accounts(Vec::<String>::new()),
            Err(InvalidInput::NoAccounts)
        );
        assert_eq!(validate_from(""), Err(InvalidInput::EmptyFrom));
    }
}
