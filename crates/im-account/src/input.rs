//! The accounts of a call: validated with the service's UserID rule, repeats dropped.

use std::collections::HashSet;

use im_client::InvalidInput;
use im_protocol::{AccountListItem, validate_user_id};

/// An account to import: its UserID, and optionally a nickname and an avatar URL.
///
/// Plain UserIDs convert into one without a profile.
///
/// ```
/// use im_account::NewAccount;
///
/// let plain = NewAccount::from("alice");
/// assert_eq!(plain.user_id, "alice");
/// let full = NewAccount::new("bob").nick("Bob").face_url("https://example.com/bob.png");
/// assert_eq!(full.nick.as_deref(), Some("Bob"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewAccount {
    /// The UserID.
    pub user_id: String,
    /// The nickname (`Nick`); the service updates it on an account that already exists.
    pub nick: Option<String>,
    /// The avatar URL (`FaceUrl`); updated like the nickname.
    pub face_url: Option<String>,
}

impl NewAccount {
    /// An account without a nickname or avatar.
    pub fn new(user_id: impl Into<String>) -> Self {
        NewAccount {
            user_id: user_id.into(),
            nick: None,
            face_url: None,
        }
    }

    /// The same account with a nickname.
    #[must_use]
    pub fn nick(mut self, nick: impl Into<String>) -> Self {
        self.nick = Some(nick.into());
        self
    }

    /// The same account with an avatar URL.
    #[must_use]
    pub fn face_url(mut self, face_url: impl Into<String>) -> Self {
        self.face_url = Some(face_url.into());
        self
    }

    /// The account as an item of `AccountList`.
    pub(crate) fn to_item(&self) -> AccountListItem {
        let mut item = AccountListItem::new(self.user_id.clone());
        item.nick.clone_from(&self.nick);
        item.face_url.clone_from(&self.face_url);
        item
    }
}

impl From<&str> for NewAccount {
    fn from(user_id: &str) -> Self {
        NewAccount::new(user_id)
    }
}

impl From<String> for NewAccount {
    fn from(user_id: String) -> Self {
        NewAccount::new(user_id)
    }
}

impl From<&String> for NewAccount {
    fn from(user_id: &String) -> Self {
        NewAccount::new(user_id.as_str())
    }
}

/// Validates every UserID and drops repeated ones, keeping the first occurrence in input
/// order. Rejects an empty input.
pub(crate) fn unique<T>(
    items: Vec<T>,
    user_id: impl Fn(&T) -> &str,
) -> Result<Vec<T>, InvalidInput> {
    for item in &items {
        validate_user_id(user_id(item))?;
    }
    if items.is_empty() {
        return Err(InvalidInput::NoAccounts);
    }
    let mut seen: HashSet<String, foldhash::fast::RandomState> =
        HashSet::with_capacity_and_hasher(items.len(), Default::default());
    Ok(items
        .into_iter()
        .filter(|item| seen.insert(user_id(item).to_owned()))
        .collect())
}

/// Validates and de-duplicates plain UserIDs.
pub(crate) fn unique_ids<I, S>(accounts: I) -> Result<Vec<String>, InvalidInput>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    unique(
        accounts.into_iter().map(Into::into).collect(),
        String::as_str,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use im_protocol::UserIdError;

    #[test]
    fn duplicates_collapse_in_first_seen_order() {
        assert_eq!(
            unique_ids(["b", "a", "b", "c", "a"]),
            Ok(vec!["b".to_owned(), "a".to_owned(), "c".to_owned()])
        );
        let accounts = vec![
            NewAccount::new("a").nick("first"),
            NewAccount::new("a").nick("second"),
        ];
        let kept = unique(accounts, |account| &account.user_id).expect("valid");
        assert_eq!(kept, [NewAccount::new("a").nick("first")]);
    }

    #[test]
    fn any_bad_account_rejects_the_whole_input() {
        assert_eq!(
            unique_ids(["ok", ""]),
            Err(InvalidInput::UserId(UserIdError::Empty))
        );
        assert!(matches!(
            unique_ids(["ok", &"x".repeat(33)]),
            Err(InvalidInput::UserId(UserIdError::TooLong { .. }))
        ));
        assert_eq!(
            unique_ids(Vec::<String>::new()),
            Err(InvalidInput::NoAccounts)
        );
    }
}
