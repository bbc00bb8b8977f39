//! `imctl blocklist import`: totals, progress through the checkpoint, resume after Ctrl-C.

use std::process::Stdio;

use im_emulator::Faults;
use tencent_im::protocol::Api;

use crate::support::{Served, calls, json, names, run, scratch, stderr, wait_until};

/// `users` users each blocking the same `fans` fans, as `from,to` lines with comments.
fn pairs_file(users: &[String], fans: &[String]) -> String {
    let mut text = String::from("# from,to\n");
    for user in users {
        for fan in fans {
            text.push_str(&format!("{user},{fan}\n"));
        }
        text.push('\n');
    }
    text
}

#[test]
fn an_import_reports_totals_and_failures_as_json() {
    let users = names("user", 30);
    let fans = names("fan", 20);
    let mut accounts = users.clone();
    accounts.extend(fans.iter().cloned());
    let served = Served::start(&accounts, Faults::none(), 200);
    served.emulator.block("user0001", "fan0001");
    let mut text = pairs_file(&users, &fans);
    text.push_str("user0002,ghost\n");
    let dir = scratch("import-totals");
    let file = dir.join("pairs.csv");
    std::fs::write(&file, text).expect("write");

    let mut command = served.imctl();
    command
        .args(["blocklist", "import", "--json", "--file"])
        .arg(&file);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(2), "stderr: {}", stderr(&output));
    let value = json(&output);
    assert_eq!(value["pairs"], 601);
    assert_eq!(value["succeeded"], 599);
    assert_eq!(value["unchanged"], 1);
    let failed = value["failed"].as_array().cloned().unwrap_or_default();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["from"], "user0002");
    assert_eq!(failed[0]["account"], "ghost");
    assert_eq!(failed[0]["code"], 30003);
    assert!(
        users
            .iter()
            .all(|u| fans.iter().all(|f| served.emulator.is_blocked(u, f)))
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn an_interrupted_import_resumes_from_its_checkpoint_with_the_same_totals() {
    let users = names("user", 800);
    let fans = names("fan", 3);
    let mut accounts = users.clone();
    accounts.extend(fans.iter().cloned());
    let served = Served::start(&accounts, Faults::none(), 200);
    let dir = scratch("import-resume");
    let file = dir.join("pairs.csv");
    let checkpoint = dir.join("import.checkpoint");
    std::fs::write(&file, pairs_file(&users, &fans)).expect("write");

    // 800 calls at 200/s take about 4 s: stop it once it has saved some progress.
    let mut command = served.imctl();
    command
        .args(["blocklist", "import", "--json", "--file"])
        .arg(&file)
        .arg("--checkpoint")
        .arg(&checkpoint)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = command.spawn().expect("imctl starts");
    wait_until("some pairs were sent", || {
        calls(&served.emulator, Api::BlackListAdd) >= 100
    });
    crate::support::interrupt(&child);
    let output = child.wait_with_output().expect("imctl ends");
    assert_eq!(
        output.status.code(),
        Some(130),
        "stderr: {}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("run the same command again to resume"));
    let first = json(&output);
    let done_first = first["pairs"].as_u64().unwrap_or_default();
    assert!(
        done_first > 0 && done_first < 2400,
        "interrupted part way: {done_first}"
    );
    let blocked_first: usize = users
        .iter()
        .map(|u| served.emulator.blocklist_of(u).len())
        .sum();
    assert_eq!(
        blocked_first as u64, done_first,
        "nothing in flight was left undone"
    );

    let mut command = served.imctl();
    command
        .args(["blocklist", "import", "--json", "--file"])
        .arg(&file)
        .arg("--checkpoint")
        .arg(&checkpoint);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let value = json(&output);
    assert_eq!(value["pairs"], 2400);
    assert_eq!(value["succeeded"], 2400);
    assert_eq!(value["unchanged"], 0);
    assert_eq!(value["failed"], serde_json::json!([]));
    // The rerun sent only the rest: every pair went out exactly once over both runs.
    let sent: usize = served
        .emulator
        .requests()
        .iter()
        .filter(|request| request.counts_as_call())
        .map(|request| request.accounts)
        .sum();
    assert_eq!(sent, 2400, "every pair was sent exactly once");
    let _ = std::fs::remove_dir_all(dir);
}
