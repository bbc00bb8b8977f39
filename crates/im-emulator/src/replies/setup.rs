//! The wire answers of the setup APIs: friend add or import, and friend check.

use im_protocol::{
    AccountResult, ErrorCode, FriendAddResponse, FriendCheckItem, FriendCheckResponse, result_text,
};

use super::Answer;
use crate::handlers::setup::SetupResult;
use crate::outcome::FriendAddOutcome;

/// The answer of a setup request.
pub(crate) fn answer(result: SetupResult) -> Answer {
    match result {
        SetupResult::FriendsAdded(outcomes) => Answer::ok(FriendAddResponse::new(
            outcomes
                .into_iter()
                .map(|item| {
                    let (result_code, result_info) = friend_added(item.outcome);
                    AccountResult::new(item.account, result_code, result_info)
                })
                .collect(),
        )),
        SetupResult::FriendsChecked(outcomes) => Answer::ok(FriendCheckResponse::new(
            outcomes
                .into_iter()
                .map(|item| FriendCheckItem::new(item.account, item.outcome, ErrorCode::OK, ""))
                .collect(),
        )),
    }
}

/// The per-item code and `ResultInfo` of one account of a friend add.
fn friend_added(outcome: FriendAddOutcome) -> (ErrorCode, &'static str) {
    match outcome {
        FriendAddOutcome::Added => (ErrorCode::OK, ""),
        FriendAddOutcome::Yourself => (
            ErrorCode::INVALID_PARAMETER,
            result_text::FRIEND_ADD_CANNOT_ADD_SELF,
        ),
        FriendAddOutcome::NoSuchAccount => (
            ErrorCode::ACCOUNT_NOT_FOUND,
            result_text::FRIEND_ADD_ACCOUNT_NOT_EXIST,
        ),
        FriendAddOutcome::PeerInYourBlocklist => (
            ErrorCode::PEER_IN_YOUR_BLOCKLIST,
            result_text::FRIEND_ADD_PEER_IN_YOUR_BLACKLIST,
        ),
        FriendAddOutcome::YouInPeerBlocklist => (
            ErrorCode::YOU_IN_PEER_BLOCKLIST,
            result_text::FRIEND_ADD_YOU_IN_PEER_BLACKLIST,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_get_the_friend_codes() {
        assert_eq!(
            friend_added(FriendAddOutcome::PeerInYourBlocklist).0,
            ErrorCode(30515)
        );
        assert_eq!(
            friend_added(FriendAddOutcome::YouInPeerBlocklist).0,
            ErrorCode(30525)
        );
        assert_eq!(friend_added(FriendAddOutcome::Added), (ErrorCode::OK, ""));
    }
}
