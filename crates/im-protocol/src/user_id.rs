//! The service's rule for UserIDs, the one home of it for clients and the emulator.

/// The longest UserID the service accepts, in bytes.
pub const MAX_USER_ID_LEN: usize = 32;

/// Checks one UserID: not empty, at most [`MAX_USER_ID_LEN`] bytes, printable ASCII only
/// (the service's documented rule).
///
/// ```
/// use im_protocol::{validate_user_id, UserIdError};
///
/// assert!(validate_user_id("user_42").is_ok());
/// assert_eq!(validate_user_id(""), Err(UserIdError::Empty));
/// assert!(validate_user_id(&"x".repeat(33)).is_err());
/// assert!(validate_user_id("tab\there").is_err());
/// ```
pub fn validate_user_id(id: &str) -> Result<(), UserIdError> {
    if id.is_empty() {
        return Err(UserIdError::Empty);
    }
    if id.len() > MAX_USER_ID_LEN {
        return Err(UserIdError::TooLong {
            id: id.to_owned(),
            len: id.len(),
            max: MAX_USER_ID_LEN,
        });
    }
    if !id.bytes().all(|byte| (0x20..=0x7e).contains(&byte)) {
        return Err(UserIdError::NonPrintable { id: id.to_owned() });
    }
    Ok(())
}

/// A UserID the service would refuse. The id is shown with `{:?}`, so control characters
/// in it are escaped, never sent to a terminal.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UserIdError {
    /// The UserID is empty.
    #[error("a UserID is empty")]
    Empty,
    /// The UserID is longer than the service allows.
    #[error("UserID {id:?} is {len} bytes long; the limit is {max}")]
    TooLong {
        /// The UserID, as given.
        id: String,
        /// Its length in bytes.
        len: usize,
        /// The limit in bytes.
        max: usize,
    },
    /// The UserID holds a character outside printable ASCII.
    #[error("UserID {id:?} has a character outside printable ASCII")]
    NonPrintable {
        /// The UserID, as given.
        id: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_limit_is_in_bytes() {
        assert!(validate_user_id(&"a".repeat(32)).is_ok());
        assert_eq!(
            validate_user_id(&"a".repeat(33))
                .expect_err("too long")
                .to_string(),
            format!(
                "UserID {:?} is 33 bytes long; the limit is 32",
                "a".repeat(33)
            )
        );
        // 11 three-byte characters are 33 bytes, and not printable ASCII either.
        assert!(matches!(
            validate_user_id(&"é".repeat(16)),
            Err(UserIdError::NonPrintable { .. })
        ));
    }

    #[test]
    fn printable_ascii_is_the_whole_alphabet() {
        let printable: String = (0x20_u8..=0x7e).map(char::from).collect();
        for chunk in printable.as_bytes().chunks(MAX_USER_ID_LEN) {
            let id = std::str::from_utf8(chunk).expect("ASCII");
            assert_eq!(validate_user_id(id), Ok(()), "{id:?}");
        }
        for byte in (0_u8..0x20).chain([0x7f]) {
            let id = format!("a{}b", char::from(byte));
            assert_eq!(
                validate_user_id(&id),
                Err(UserIdError::NonPrintable { id: id.clone() })
            );
        }
    }

    #[test]
    fn messages_escape_control_characters() {
        let error = validate_user_id("evil\u{1b}[2J").expect_err("an escape character");
        assert_eq!(
            error.to_string(),
            r#"UserID "evil\u{1b}[2J" has a character outside printable ASCII"#
        );
        assert_eq!(UserIdError::Empty.to_string(), "a UserID is empty");
    }
}
