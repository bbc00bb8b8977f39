//! Checkpoints that cannot be trusted are refused before anything is sent; a file that
//! changes during an import is reported; counts after a crash are exact; pairs without a
//! final answer are sent again by a rerun.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use im_emulator::Faults;
use tencent_im::protocol::Api;

use crate::support::{
    Served, calls, checkpoint_for, json, names, run, scratch, stderr, wait_until,
};

/// `users` each blocking every one of `fans`, as `from,to` lines.
fn pairs_text(users: &[String], fans: &[String]) -> String {
    let mut text = String::new();
    for user in users {
        for fan in fans {
            text.push_str(&format!("{user},{fan}\n"));
        }
    }
    text
}

/// An emulator knowing `users` and `fans`.
fn world(users: &[String], fans: &[String], faults: Faults) -> Served {
    let mut accounts = users.to_vec();
    accounts.extend(fans.iter().cloned());
    Served::start(&accounts, faults, 200)
}

fn import(served: &Served, file: &Path, checkpoint: &Path) -> Command {
    let mut command = served.imctl();
    command
        .args(["blocklist", "import", "--json", "--file"])
        .arg(file)
        .arg("--checkpoint")
        .arg(checkpoint);
    command
}

fn spawn(mut command: Command) -> Child {
    command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("imctl starts")
}

fn blocked_pairs(served: &Served, users: &[String]) -> usize {
    users
        .iter()
        .map(|user| served.emulator.blocklist_of(user).len())
        .sum()
}

fn assert_refused(output: &Output, words: &str) {
    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr(output));
    assert!(stderr(output).contains(words), "{}", stderr(output));
}

#[test]
fn another_file_with_the_same_pair_count_does_not_resume_from_the_checkpoint() {
    let (users, fans) = (names("user", 3), names("fan", 4));
    let served = world(&users, &fans, Faults::none());
    let dir = scratch("checkpoint-other-file");
    let (file_a, file_b) = (dir.join("a.csv"), dir.join("b.csv"));
    let checkpoint = dir.join("import.checkpoint");
    std::fs::write(&file_a, pairs_text(&users[..2], &fans[..3])).expect("write");
    // Six pairs too, but other ones.
    std::fs::write(&file_b, pairs_text(&users[1..], &fans[1..])).expect("write");

    let output = run(import(&served, &file_a, &checkpoint), "");
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    served.emulator.clear_log();
    let output = run(import(&served, &file_b, &checkpoint), "");
    assert_refused(&output, "another input");
    assert!(served.emulator.requests().is_empty(), "nothing was sent");
    assert!(!served.emulator.is_blocked("user0003", "fan0004"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn garbage_old_or_impossible_checkpoints_are_refused_before_anything_is_sent() {
    let (users, fans) = (names("user", 2), names("fan", 3));
    let served = world(&users, &fans, Faults::none());
    let dir = scratch("checkpoint-impossible");
    let file = dir.join("pairs.csv");
    let checkpoint = dir.join("import.checkpoint");
    std::fs::write(&file, pairs_text(&users, &fans)).expect("write");
    let more_done_than_pairs = serde_json::json!({
        "done": 9, "sent": 9, "succeeded": 9, "unchanged": 0, "duplicates": 0, "failed": []
    });
    for (text, words) in [
        ("{\"done\":".to_owned(), "not a checkpoint"),
        // The old format, with more done than the file holds: it used to be resumed.
        (
            r#"{"total":6,"done":9,"read":9,"succeeded":9,"unchanged":0,"duplicates":0,"failed":[]}"#
                .to_owned(),
            "older imctl",
        ),
        (
            checkpoint_for("blocklist import", &file, 6, more_done_than_pairs),
            "cannot be right",
        ),
        (
            checkpoint_for("blocklist export", &file, 6, serde_json::json!({})),
            "blocklist export",
        ),
    ] {
        std::fs::write(&checkpoint, &text).expect("write");
        let output = run(import(&served, &file, &checkpoint), "");
        assert_refused(&output, words);
        assert!(served.emulator.requests().is_empty(), "nothing was sent: {text}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn an_unwritable_checkpoint_is_refused_before_the_first_request() {
    let (users, fans) = (names("user", 2), names("fan", 2));
    let served = world(&users, &fans, Faults::none());
    let dir = scratch("checkpoint-unwritable");
    let file = dir.join("pairs.csv");
    std::fs::write(&file, pairs_text(&users, &fans)).expect("write");
    let users_file = dir.join("users.txt");
    std::fs::write(&users_file, users.join("\n")).expect("write");
    let unwritable = dir.join("no-such-directory").join("c.checkpoint");

    let output = run(import(&served, &file, &unwritable), "");
    assert_refused(&output, "cannot write checkpoint");
    let mut accounts = served.imctl();
    accounts
        .args(["account", "import", "--file"])
        .arg(&users_file)
        .arg("--checkpoint")
        .arg(&unwritable);
    assert_refused(&run(accounts, ""), "cannot write checkpoint");
    let mut export = served.imctl();
    export
        .args(["blocklist", "export", "--users"])
        .arg(&users_file)
        .arg("--out")
        .arg(dir.join("out.csv"))
        .arg("--checkpoint")
        .arg(&unwritable);
    assert_refused(&run(export, ""), "cannot write checkpoint");
    assert!(served.emulator.requests().is_empty(), "nothing was sent");

    // Standard input cannot be bound to a checkpoint.
    let mut stdin = served.imctl();
    stdin
        .args(["blocklist", "import", "--file", "-", "--checkpoint"])
        .arg(dir.join("stdin.checkpoint"));
    assert_refused(&run(stdin, "user0001,fan0001\n"), "standard input");
    assert!(served.emulator.requests().is_empty(), "nothing was sent");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_file_that_changes_during_the_import_is_reported_not_claimed_done() {
    let (users, fans) = (names("user", 600), names("fan", 2));
    let text = pairs_text(&users, &fans);
    // The same pairs, the users in another order: same length, same count.
    let mut reversed = users.clone();
    reversed.reverse();
    let rewritten = pairs_text(&reversed, &fans);
    for (change, content) in [
        ("truncated", &text[..text.len() / 2]),
        ("rewritten", &rewritten),
    ] {
        let served = world(&users, &fans, Faults::none());
        let dir = scratch(&format!("checkpoint-changed-{change}"));
        let file = dir.join("pairs.csv");
        std::fs::write(&file, &text).expect("write");
        let child = spawn(import(&served, &file, &dir.join("import.checkpoint")));
        wait_until("some pairs were sent", || {
            calls(&served.emulator, Api::BlackListAdd) >= 20
        });
        std::fs::write(&file, content).expect("change the file");
        let output = child.wait_with_output().expect("imctl ends");
        assert_refused(&output, "changed during the import");
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn a_run_resumed_after_sigkill_counts_blocked_and_already_blocked_exactly() {
    let (users, fans) = (names("user", 600), names("fan", 3));
    let served = world(&users, &fans, Faults::none());
    // Blocked before the import: the first 50 users' pairs, answered long before the kill.
    for user in &users[..50] {
        for fan in &fans {
            served.emulator.block(user, fan);
        }
    }
    let dir = scratch("checkpoint-sigkill");
    let file = dir.join("pairs.csv");
    let checkpoint = dir.join("import.checkpoint");
    std::fs::write(&file, pairs_text(&users, &fans)).expect("write");

    let mut child = spawn(import(&served, &file, &checkpoint));
    wait_until("half the batches were sent", || {
        calls(&served.emulator, Api::BlackListAdd) >= 300
    });
    child.kill().expect("SIGKILL");
    let _ = child.wait();

    let output = run(import(&served, &file, &checkpoint), "");
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let totals = json(&output);
    assert_eq!(totals["pairs"], 1800);
    assert_eq!(
        totals["unchanged"], 150,
        "only what was blocked before the import"
    );
    assert_eq!(
        totals["succeeded"], 1650,
        "the killed run's work counts as blocked"
    );
    assert_eq!(blocked_pairs(&served, &users), 1800);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn pairs_without_a_final_answer_are_not_done_and_a_rerun_sends_them() {
    let (users, fans) = (names("user", 3), names("fan", 4));
    let down = world(&users, &fans, Faults::seeded(1).http_502(1.0));
    let up = world(&users, &fans, Faults::none());
    let dir = scratch("checkpoint-unsettled");
    let file = dir.join("pairs.csv");
    let checkpoint = dir.join("import.checkpoint");
    std::fs::write(&file, pairs_text(&users, &fans)).expect("write");

    let output = run(import(&down, &file, &checkpoint), "");
    assert_eq!(output.status.code(), Some(2), "stderr: {}", stderr(&output));
    let failed = json(&output)["failed"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(failed.len(), 12);
    assert!(failed.iter().all(|failure| failure["settled"] == false));
    assert!(
        stderr(&output).contains("run the same command again"),
        "{}",
        stderr(&output)
    );

    // The service is back (here: another emulator of the same app).
    let output = run(import(&up, &file, &checkpoint), "");
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let totals = json(&output);
    assert_eq!(
        (totals["pairs"].as_u64(), totals["succeeded"].as_u64()),
        (Some(12), Some(12))
    );
    assert_eq!(blocked_pairs(&up, &users), 12);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn accounts_and_users_without_a_final_answer_are_not_done_either() {
    let users = names("user", 3);
    let down = world(&users, &[], Faults::seeded(1).http_502(1.0));
    let up = world(&users, &[], Faults::none());
    up.emulator.block("user0002", "user0003");
    let dir = scratch("checkpoint-unsettled-accounts");
    let users_file = dir.join("users.txt");
    std::fs::write(&users_file, users.join("\n")).expect("write");
    let out = dir.join("pairs.csv");
    let account_import = |served: &Served| {
        let mut command = served.imctl();
        command
            .args(["account", "import", "--json", "--file"])
            .arg(&users_file)
            .arg("--checkpoint")
            .arg(dir.join("accounts.checkpoint"));
        command
    };
    let export = |served: &Served| {
        let mut command = served.imctl();
        command
            .args(["blocklist", "export", "--json", "--users"])
            .arg(&users_file)
            .arg("--out")
            .arg(&out)
            .arg("--checkpoint")
            .arg(dir.join("export.checkpoint"));
        command
    };

    // The request fails as a whole: a request-level error, and nothing recorded done.
    assert_eq!(run(account_import(&down), "").status.code(), Some(1));
    let output = run(account_import(&up), "");
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    assert_eq!(json(&output)["succeeded"], 3);

    let output = run(export(&down), "");
    assert_eq!(output.status.code(), Some(2), "stderr: {}", stderr(&output));
    assert!(
        !out.exists(),
        "an export with users not read is not complete"
    );
    let output = run(export(&up), "");
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    assert_eq!(json(&output)["exported"], 3);
    let written = std::fs::read_to_string(&out).expect("the export is complete");
    assert_eq!(written, "user0002,user0003\n");
    let _ = std::fs::remove_dir_all(dir);
}
