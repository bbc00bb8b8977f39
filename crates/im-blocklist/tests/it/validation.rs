//! Invalid input is rejected before anything is sent.

use futures_util::StreamExt as _;
use im_blocklist::{CheckType, Error, InvalidInput, PageRequest};
use im_protocol::UserIdError;

use crate::support::{FakeService, client};

fn invalid(result: Result<impl std::fmt::Debug, Error>) -> InvalidInput {
    match result {
        Err(Error::InvalidInput(invalid)) => invalid,
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn invalid_input_is_rejected_and_nothing_is_sent() {
    let service = FakeService::accepting();
    let blocklist = client(&service);
    let too_long = "x".repeat(33);

    assert_eq!(
        invalid(blocklist.add("", ["bob"]).await),
        InvalidInput::EmptyFrom
    );
    assert_eq!(
        invalid(blocklist.add("alice", ["bob", ""]).await),
        InvalidInput::UserId(UserIdError::Empty)
    );
    assert!(matches!(
        invalid(blocklist.add("alice", ["bob", too_long.as_str()]).await),
        InvalidInput::UserId(UserIdError::TooLong {
            len: 33,
            max: 32,
            ..
        })
    ));
    assert!(matches!(
        invalid(blocklist.add("alice", ["bob", "tab\there"]).await),
        InvalidInput::UserId(UserIdError::NonPrintable { .. })
    ));
    assert!(matches!(
        invalid(blocklist.add("alice", ["bob", "bell\u{7}"]).await),
        InvalidInput::UserId(UserIdError::NonPrintable { .. })
    ));
    assert!(matches!(
        invalid(blocklist.add("new\nline", ["bob"]).await),
        InvalidInput::UserId(UserIdError::NonPrintable { .. })
    ));
    assert_eq!(
        invalid(blocklist.add("alice", Vec::<String>::new()).await),
        InvalidInput::NoAccounts
    );
    assert!(matches!(
        invalid(blocklist.add(&too_long, ["bob"]).await),
        InvalidInput::UserId(UserIdError::TooLong { .. })
    ));

    // An invalid account anywhere in a large input rejects all of it.
    let mut large: Vec<String> = crate::support::accounts("u", 2500);
    large.push(String::new());
    assert_eq!(
        invalid(blocklist.add("alice", large).await),
        InvalidInput::UserId(UserIdError::Empty)
    );

    assert_eq!(
        invalid(blocklist.remove("", ["bob"]).await),
        InvalidInput::EmptyFrom
    );
    assert_eq!(
        invalid(blocklist.remove("alice", [""]).await),
        InvalidInput::UserId(UserIdError::Empty)
    );
    assert_eq!(
        invalid(blocklist.check("", ["bob"], CheckType::Both).await),
        InvalidInput::EmptyFrom
    );
    assert_eq!(
        invalid(blocklist.check("alice", [""], CheckType::Single).await),
        InvalidInput::UserId(UserIdError::Empty)
    );
    assert_eq!(
        invalid(blocklist.list_page("", PageRequest::of_size(10)).await),
        InvalidInput::EmptyFrom
    );
    let listed: Vec<_> = blocklist.list("").collect().await;
    assert!(matches!(
        listed.as_slice(),
        [Err(Error::InvalidInput(InvalidInput::EmptyFrom))]
    ));

    assert_eq!(service.count(), 0);
}

#[tokio::test(start_paused = true)]
async fn the_longest_valid_account_is_accepted() {
    let service = FakeService::accepting();
    let longest = "y".repeat(32);

    let outcome = client(&service)
        .add("alice", [longest.as_str(), "with space", "~!@#"])
        .await
        .unwrap();

    assert_eq!(outcome.succeeded, [longest.as_str(), "with space", "~!@#"]);
    assert_eq!(service.count(), 1);
}

#[test]
fn invalid_input_errors_say_what_is_wrong() {
    let error = Error::from(InvalidInput::EmptyFrom);
    assert!(error.is_invalid_input());
    assert!(!error.is_retryable());
    assert_eq!(
        error.to_string(),
        "invalid input: the From account is empty"
    );
}
