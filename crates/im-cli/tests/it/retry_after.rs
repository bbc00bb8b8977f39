//! A service that answers 503 with `Retry-After` for a while: imctl waits as asked, with
//! every call of the app and API, instead of hammering it, and then finishes the work.

use std::time::Duration;

use im_emulator::{FaultKind, Faults};
use tencent_im::protocol::Api;

use crate::support::{Served, json, names, run, scratch, stderr};

/// 503 with `Retry-After: 2` for the first 3 s after the first request.
fn unavailable_for_three_seconds() -> Faults {
    Faults::seeded(1).unavailable(Duration::from_secs(3), 2)
}

/// The requests to `black_list_add` the emulator saw, and how many were answered 503.
fn adds(served: &Served) -> (usize, usize) {
    let adds: Vec<_> = served
        .emulator
        .requests()
        .into_iter()
        .filter(|request| request.api == Some(Api::BlackListAdd))
        .collect();
    let refused = adds
        .iter()
        .filter(|request| request.faults.contains(&FaultKind::Unavailable))
        .count();
    (adds.len(), refused)
}

#[test]
fn a_single_add_waits_as_asked_and_succeeds_in_at_most_four_requests() {
    let served = Served::start(&names("user", 2), unavailable_for_three_seconds(), 200);
    let mut command = served.imctl();
    command.args(["blocklist", "add", "--from", "user0001", "--to", "user0002"]);

    let output = run(command, "");

    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let (sent, refused) = adds(&served);
    assert!(sent <= 4, "{sent} requests");
    assert_eq!(sent, refused + 1, "the last request was answered");
    assert!(served.emulator.is_blocked("user0001", "user0002"));
}

#[test]
fn an_import_of_300_calls_holds_back_during_the_outage_and_blocks_every_pair() {
    let users = names("user", 300);
    let mut accounts = users.clone();
    accounts.push("target".to_owned());
    let served = Served::start(&accounts, unavailable_for_three_seconds(), 200);
    let dir = scratch("retry-after-import");
    let file = dir.join("pairs.csv");
    let pairs: String = users
        .iter()
        .map(|user| format!("{user},target\n"))
        .collect();
    std::fs::write(&file, pairs).expect("write");
    let mut command = served.imctl();
    command
        .args(["blocklist", "import", "--json", "--file"])
        .arg(&file);

    let output = run(command, "");

    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let value = json(&output);
    assert_eq!(value["succeeded"], 300);
    let (sent, refused) = adds(&served);
    assert!(refused <= 36, "{refused} requests sent into the outage");
    assert_eq!(
        sent,
        300 + refused,
        "each refused call was sent again once answered"
    );
    assert!(
        users
            .iter()
            .all(|user| served.emulator.is_blocked(user, "target"))
    );
    let _ = std::fs::remove_dir_all(dir);
}
