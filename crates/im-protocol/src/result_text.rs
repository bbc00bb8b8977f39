//! Known `ResultInfo` texts of per-item results, and how to recognise the ones a client
//! acts on.
//!
//! A per-item result carries a code (`ResultCode`) and a text (`ResultInfo`). Decide on the
//! code first: the texts are descriptions, the service does not promise them, and a
//! success may carry any text (`""` or `"OK"` have both been seen). Texts matter where
//! codes are ambiguous: the documentation answers "already blocked" with the generic
//! 30001, and the live service has been seen answering it with 31307, both with
//! [`BLACKLIST_ADD_ALREADY_EXIST`]. [`says_already_exists`] and [`says_not_in_list`]
//! recognise those texts in any letter case, with `_` or a space between the words.
//!
//! Each constant says where its spelling comes from: a documented sample, or the
//! service's `Err_SNS_<API>_<Reason>` pattern where no sample was found. An emulator
//! writes these constants and a client recognises them, so the two cannot drift.
//!
//! ```
//! use im_protocol::result_text::{self, says_already_exists, says_not_in_list};
//!
//! assert!(says_already_exists(result_text::BLACKLIST_ADD_ALREADY_EXIST));
//! assert!(says_already_exists("account already exists"));
//! assert!(says_not_in_list(result_text::BLACKLIST_DELETE_NOT_EXIST));
//! assert!(!says_not_in_list(""));
//! ```

/// `black_list_add`: the account is already in the blocklist. Documented sample (with
/// code 30001); the live service has been seen sending it with 31307.
pub const BLACKLIST_ADD_ALREADY_EXIST: &str = "Err_SNS_BlackListAdd_Already_Exist";

/// `black_list_add`: the request's SDKAppID is wrong (30002). Documented sample.
pub const BLACKLIST_ADD_SDKAPPID_ILLEGAL: &str = "Err_SNS_BlackListAdd_SdkAppId_Illegal";

/// `black_list_add`: an account tried to block itself (30001). No sample found; the
/// service's pattern.
pub const BLACKLIST_ADD_CANNOT_ADD_SELF: &str = "Err_SNS_BlackListAdd_Cannot_Add_Self";

/// `black_list_add`: the account to block was never imported (30003). No sample found;
/// the service's pattern.
pub const BLACKLIST_ADD_ACCOUNT_NOT_EXIST: &str = "Err_SNS_BlackListAdd_Account_Not_Exist";

/// `black_list_add`: the blocklist already holds
/// [`MAX_BLOCKLIST_ENTRIES`](crate::limits::MAX_BLOCKLIST_ENTRIES) entries (30013). No
/// sample found; the service's pattern.
pub const BLACKLIST_ADD_COUNT_EXCEED_LIMIT: &str = "Err_SNS_BlackListAdd_Count_Exceed_Limit";

/// `black_list_delete`: the account is not in the blocklist. The FAQ says this is
/// answered with 30001; no sample of the text was found, so this is the service's
/// pattern. Recognised by [`says_not_in_list`].
pub const BLACKLIST_DELETE_NOT_EXIST: &str = "Err_SNS_BlackListDelete_Not_Exist";

/// `black_list_check` and `black_list_delete`: an internal failure (30006). Documented
/// sample (the delete page shows the check's text).
pub const BLACKLIST_CHECK_REVERSE_BLACKLIST_FAIL: &str =
    "Err_SNS_BlackListCheck_Check_Reverse_BlackList_Fail";

/// `friend_add` and `friend_import`: an account tried to befriend itself (30001). No
/// sample found; the service's pattern.
pub const FRIEND_ADD_CANNOT_ADD_SELF: &str = "Err_SNS_FriendAdd_Cannot_Add_Self";

/// `friend_add` and `friend_import`: the friend was never imported (30003). No sample
/// found; the service's pattern.
pub const FRIEND_ADD_ACCOUNT_NOT_EXIST: &str = "Err_SNS_FriendAdd_Account_Not_Exist";

/// `friend_add` and `friend_import`: the friend is in the requester's blocklist (30515).
/// No sample found; the service's pattern.
pub const FRIEND_ADD_PEER_IN_YOUR_BLACKLIST: &str = "Err_SNS_FriendAdd_Peer_In_Your_BlackList";

/// `friend_add` and `friend_import`: the requester is in the friend's blocklist (30525).
/// No sample found; the service's pattern.
pub const FRIEND_ADD_YOU_IN_PEER_BLACKLIST: &str = "Err_SNS_FriendAdd_You_In_Peer_BlackList";

/// `friend_check`: an internal failure (30006). Documented sample.
pub const FRIEND_CHECK_EXEC_TASK_FAIL: &str = "Err_SNS_FriendCheck_Check_Relation_Exec_Task_Fail";

/// `account_delete`: the account does not exist (70107). Documented sample.
pub const ACCOUNT_NOT_EXIST: &str = "Err_TLS_PT_Open_Login_Account_Not_Exist";

/// Whether `info` says the item is already in the list it was to be added to: it holds
/// "already exist" (in any letter case, with `_` or a space), as
/// [`BLACKLIST_ADD_ALREADY_EXIST`] does.
pub fn says_already_exists(info: &str) -> bool {
    contains_words(info, &["already", "exist"])
}

/// Whether `info` says the item is not in the list it was to be removed from: it holds
/// "not exist" or "not in black" (in any letter case, with `_` or a space), as
/// [`BLACKLIST_DELETE_NOT_EXIST`] does.
///
/// "Not exist" also describes an account that was never imported
/// ([`BLACKLIST_ADD_ACCOUNT_NOT_EXIST`], [`ACCOUNT_NOT_EXIST`]): read the code first, and
/// treat 30003, 31804 and 70107 as "no such account" whatever the text says.
pub fn says_not_in_list(info: &str) -> bool {
    contains_words(info, &["not", "exist"]) || contains_words(info, &["not", "in", "black"])
}

/// The most bytes of a service text (`ErrorInfo`, `ResultInfo`) a client keeps: longer
/// texts are cut by [`bounded`], so one odd answer cannot fill a log or a terminal.
pub const MAX_TEXT_BYTES: usize = 512;

/// `text`, cut to at most [`MAX_TEXT_BYTES`] bytes (on a character boundary) with a note
/// saying how much was left out; shorter texts are returned as they are.
///
/// ```
/// use im_protocol::result_text::{MAX_TEXT_BYTES, bounded};
///
/// assert_eq!(bounded("short"), "short");
/// let long = "x".repeat(3 * 1024 * 1024);
/// let cut = bounded(&long);
/// assert!(cut.len() < MAX_TEXT_BYTES + 40);
/// assert!(cut.ends_with("… (3145216 more bytes)"));
/// ```
pub fn bounded(text: &str) -> std::borrow::Cow<'_, str> {
    if text.len() <= MAX_TEXT_BYTES {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut end = MAX_TEXT_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let (kept, rest) = text.split_at(end);
    std::borrow::Cow::Owned(format!("{kept}… ({} more bytes)", rest.len()))
}

/// Whether `text` holds `words` in a row, compared without regard to ASCII case, each
/// separated by one `_` or one space.
fn contains_words(text: &str, words: &[&str]) -> bool {
    let text = text.as_bytes();
    (0..text.len()).any(|start| words_at(text.get(start..).unwrap_or_default(), words))
}

/// Whether `text` starts with `words`, separated by one `_` or one space.
fn words_at(mut text: &[u8], words: &[&str]) -> bool {
    for (index, word) in words.iter().enumerate() {
        if index > 0 {
            match text.split_first() {
                Some((b'_' | b' ', rest)) => text = rest,
                _ => return false,
            }
        }
        let word = word.as_bytes();
        match text.get(..word.len()) {
            Some(head) if head.eq_ignore_ascii_case(word) => {
                text = text.get(word.len()..).unwrap_or_default();
            }
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn already_exists_is_recognised_in_every_spelling() {
        for info in [
            BLACKLIST_ADD_ALREADY_EXIST,
            "already exists",
            "ALREADY_EXIST",
            "The account Already Exists in the list",
        ] {
            assert!(says_already_exists(info), "{info}");
        }
        for info in ["", "OK", "exist already", "already-exist", "alreadyexist"] {
            assert!(!says_already_exists(info), "{info}");
        }
    }

    #[test]
    fn not_in_list_is_recognised_in_every_spelling() {
        for info in [
            BLACKLIST_DELETE_NOT_EXIST,
            "not exist",
            "Account Not_In_BlackList",
            "the user is not in blacklist",
        ] {
            assert!(says_not_in_list(info), "{info}");
        }
        for info in [
            "",
            "OK",
            BLACKLIST_ADD_ALREADY_EXIST,
            BLACKLIST_CHECK_REVERSE_BLACKLIST_FAIL,
            "nothing exists",
        ] {
            assert!(!says_not_in_list(info), "{info}");
        }
    }

    #[test]
    fn texts_of_other_failures_say_neither() {
        for info in [
            BLACKLIST_ADD_SDKAPPID_ILLEGAL,
            BLACKLIST_ADD_CANNOT_ADD_SELF,
            BLACKLIST_ADD_COUNT_EXCEED_LIMIT,
            FRIEND_ADD_PEER_IN_YOUR_BLACKLIST,
            FRIEND_ADD_YOU_IN_PEER_BLACKLIST,
            FRIEND_CHECK_EXEC_TASK_FAIL,
        ] {
            assert!(!says_already_exists(info), "{info}");
            assert!(!says_not_in_list(info), "{info}");
        }
    }

    #[test]
    fn missing_accounts_read_as_not_existing_so_the_code_must_decide() {
        assert!(says_not_in_list(BLACKLIST_ADD_ACCOUNT_NOT_EXIST));
        assert!(says_not_in_list(FRIEND_ADD_ACCOUNT_NOT_EXIST));
        assert!(says_not_in_list(ACCOUNT_NOT_EXIST));
    }

    #[test]
    fn matching_is_safe_on_any_text() {
        for info in ["é already exist", "not é", "not_", "_", "already"] {
            let _ = says_already_exists(info);
            let _ = says_not_in_list(info);
        }
        assert!(says_already_exists("é already exist"));
    }
}
