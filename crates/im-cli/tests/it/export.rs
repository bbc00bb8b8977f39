//! `imctl blocklist export`: round trip through import, failures per user, resume.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Stdio;

use im_emulator::{Emulator, Faults};
use tencent_im::protocol::Api;

use crate::support::{Served, json, names, run, scratch, stderr, stdout, wait_until};

/// `users` users, user number `i` (from 0) blocking the first `i % 7` fans; every account
/// is imported into the emulator.
fn blocking_world(users: &[String], fans: &[String]) -> Served {
    let mut accounts = users.to_vec();
    accounts.extend(fans.iter().cloned());
    let served = Served::start(&accounts, Faults::none(), 200);
    for (index, user) in users.iter().enumerate() {
        for fan in fans.iter().take(index % 7) {
            served.emulator.block(user, fan);
        }
    }
    served
}

/// The blocked accounts of `user`, in the emulator's order.
fn blocked(emulator: &Emulator, user: &str) -> Vec<String> {
    emulator
        .blocklist_of(user)
        .into_iter()
        .map(|(account, _)| account)
        .collect()
}

/// Every `from,to` line of `path`.
fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .expect("the output exists")
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Every pair the emulator holds for `users`, as `from,to` lines.
fn held_pairs(emulator: &Emulator, users: &[String]) -> BTreeSet<String> {
    users
        .iter()
        .flat_map(|user| {
            blocked(emulator, user)
                .into_iter()
                .map(move |to| format!("{user},{to}"))
        })
        .collect()
}

fn black_list_get_calls(emulator: &Emulator) -> usize {
    emulator
        .requests()
        .iter()
        .filter(|request| request.api == Some(Api::BlackListGet) && request.counts_as_call())
        .count()
}

#[test]
fn an_export_imported_into_another_app_gives_identical_blocklists() {
    let users = names("user", 40);
    let fans = names("fan", 6);
    let source = blocking_world(&users, &fans);
    let dir = scratch("export-round-trip");
    let users_file = dir.join("users.txt");
    let pairs = dir.join("pairs.csv");
    std::fs::write(&users_file, format!("# users\n{}\n", users.join("\n"))).expect("write");

    let mut command = source.imctl();
    command
        .args(["blocklist", "export", "--json", "--users"])
        .arg(&users_file)
        .arg("--out")
        .arg(&pairs);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let summary = json(&output);
    let expected_pairs: usize = users
        .iter()
        .map(|u| blocked(&source.emulator, u).len())
        .sum();
    assert_eq!(summary["users"], 40);
    assert_eq!(summary["exported"], 40);
    // Users 0, 7, 14, ... block nobody.
    assert_eq!(summary["empty"], 6);
    assert_eq!(summary["pairs"], expected_pairs);
    assert_eq!(summary["failed"], serde_json::json!([]));
    assert_eq!(summary["out"], pairs.display().to_string());
    assert_eq!(lines(&pairs).len(), expected_pairs);
    assert!(!dir.join("pairs.csv.part").exists());

    let mut accounts = users.clone();
    accounts.extend(fans.iter().cloned());
    let target = Served::start(&accounts, Faults::none(), 200);
    let mut command = target.imctl();
    command
        .args(["blocklist", "import", "--json", "--file"])
        .arg(&pairs);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    assert_eq!(json(&output)["succeeded"], expected_pairs);
    for user in &users {
        assert_eq!(
            blocked(&target.emulator, user),
            blocked(&source.emulator, user),
            "{user}"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn users_from_arguments_export_as_json_lines() {
    let served = Served::start(
        &["alice", "bob", "carol"].map(String::from),
        Faults::none(),
        200,
    );
    served.emulator.block("alice", "bob");
    served.emulator.block("alice", "carol");
    served.emulator.block("bob", "alice");
    let dir = scratch("export-jsonl");
    let out = dir.join("entries.jsonl");
    let mut command = served.imctl();
    command
        .args(["blocklist", "export", "--format", "jsonl", "--user"])
        .args(["alice", "bob", "carol", "alice"])
        .arg("--out")
        .arg(&out);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    assert!(
        stdout(&output)
            .contains("3 of 3 users: 3 exported (1 with an empty blocklist), 0 failed; 3 pairs"),
        "{}",
        stdout(&output)
    );
    let entries: Vec<serde_json::Value> = lines(&out)
        .iter()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    let pairs: Vec<(&str, &str)> = entries
        .iter()
        .filter_map(|e| Some((e["from"].as_str()?, e["to"].as_str()?)))
        .collect();
    assert_eq!(
        pairs,
        [("alice", "bob"), ("alice", "carol"), ("bob", "alice")]
    );
    let held: Vec<u64> = served
        .emulator
        .blocklist_of("alice")
        .into_iter()
        .map(|(_, at)| at)
        .collect();
    let written: Vec<u64> = entries
        .iter()
        .take(2)
        .filter_map(|e| e["added_at"].as_u64())
        .collect();
    assert_eq!(written, held);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn unknown_users_are_reported_with_exit_2_and_the_rest_is_written() {
    let served = Served::start(&["alice", "bob"].map(String::from), Faults::none(), 200);
    served.emulator.block("alice", "bob");
    let dir = scratch("export-unknown");
    let out = dir.join("pairs.csv");
    let mut command = served.imctl();
    command
        .args(["blocklist", "export", "--json", "--users", "-", "--out"])
        .arg(&out);
    let output = run(command, "alice\nghost\nbob\n");
    assert_eq!(output.status.code(), Some(2), "stderr: {}", stderr(&output));
    let summary = json(&output);
    assert_eq!(summary["exported"], 2);
    assert_eq!(summary["empty"], 1);
    let failed = summary["failed"].as_array().cloned().unwrap_or_default();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["user"], "ghost");
    assert_eq!(failed[0]["code"], 30003);
    assert_eq!(lines(&out), ["alice,bob"]);

    // The words name the code and its meaning.
    let mut command = served.imctl();
    command
        .args(["blocklist", "export", "--user", "ghost", "--out"])
        .arg(&out);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stdout(&output).contains("ghost: 30003 ACCOUNT_NOT_FOUND"),
        "{}",
        stdout(&output)
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bad_users_are_refused_before_anything_is_sent() {
    let served = Served::start(&["alice".to_owned()], Faults::none(), 200);
    let dir = scratch("export-invalid");
    let out = dir.join("pairs.csv");
    let users = dir.join("users.txt");
    std::fs::write(&users, format!("alice\n{}\n", "x".repeat(33))).expect("write");
    let mut command = served.imctl();
    command
        .args(["blocklist", "export", "--users"])
        .arg(&users)
        .arg("--out")
        .arg(&out);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("users.txt:2:"),
        "{}",
        stderr(&output)
    );

    // An argument names one account: a UserID with a comma goes in a file, quoted.
    let mut command = served.imctl();
    command
        .args(["blocklist", "export", "--user", "al,ice", "--out"])
        .arg(&out);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("holds a comma"),
        "{}",
        stderr(&output)
    );

    let mut command = served.imctl();
    command.args(["blocklist", "export", "--user", "alice", "--out", "-"]);
    assert_eq!(run(command, "").status.code(), Some(1));

    // Usage errors are bad input too: exit code 1, never 2 ("some users failed").
    let mut command = served.imctl();
    command.args(["blocklist", "export", "--out"]).arg(&out);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("--users"), "{}", stderr(&output));
    let mut command = served.imctl();
    command.args(["blocklist", "export", "--help"]);
    assert_eq!(run(command, "").status.code(), Some(0));

    assert!(served.emulator.requests().is_empty(), "nothing was sent");
    assert!(!out.exists());
    let _ = std::fs::remove_dir_all(dir);
}

/// An export of `users` to `out` with a checkpoint, started in the background.
fn start_export(
    served: &Served,
    users: &Path,
    out: &Path,
    checkpoint: &Path,
) -> std::process::Child {
    let mut command = served.imctl();
    command
        .args(["blocklist", "export", "--json", "--users"])
        .arg(users)
        .arg("--out")
        .arg(out)
        .arg("--checkpoint")
        .arg(checkpoint)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command.spawn().expect("imctl starts")
}

/// Waits until the export listed some users (the checkpoint exists before the first).
fn wait_for_progress(emulator: &Emulator) {
    wait_until("some users were listed", || {
        black_list_get_calls(emulator) >= 100
    });
}

/// Runs the same export again to the end and checks the output holds every pair once.
fn resume_and_check(
    served: &Served,
    users: &[String],
    users_file: &Path,
    out: &Path,
    checkpoint: &Path,
) {
    let mut command = served.imctl();
    command
        .args(["blocklist", "export", "--json", "--users"])
        .arg(users_file)
        .arg("--out")
        .arg(out)
        .arg("--checkpoint")
        .arg(checkpoint);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let summary = json(&output);
    let held = held_pairs(&served.emulator, users);
    assert_eq!(summary["done"], users.len());
    assert_eq!(summary["pairs"], held.len());
    let written = lines(out);
    assert_eq!(written.len(), held.len(), "no pair was written twice");
    assert_eq!(written.into_iter().collect::<BTreeSet<_>>(), held);
}

#[test]
fn an_interrupted_export_resumes_and_writes_each_pair_exactly_once() {
    let users = names("user", 700);
    let fans = names("fan", 3);
    let mut accounts = users.clone();
    accounts.extend(fans.iter().cloned());
    let served = Served::start(&accounts, Faults::none(), 200);
    for user in &users {
        for fan in &fans {
            served.emulator.block(user, fan);
        }
    }
    let dir = scratch("export-interrupt");
    let users_file = dir.join("users.txt");
    let out = dir.join("pairs.csv");
    let checkpoint = dir.join("export.checkpoint");
    std::fs::write(&users_file, users.join("\n")).expect("write");

    // 700 calls at 200/s take about 3.5 s: stop it once it has saved some progress.
    let child = start_export(&served, &users_file, &out, &checkpoint);
    wait_for_progress(&served.emulator);
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
    let done_first = first["done"].as_u64().unwrap_or_default();
    assert!(
        done_first > 0 && done_first < 700,
        "interrupted part way: {done_first}"
    );
    assert_eq!(first["out"], serde_json::Value::Null);
    assert!(!out.exists(), "an unfinished export is not under its name");

    resume_and_check(&served, &users, &users_file, &out, &checkpoint);
    // Users finished before Ctrl-C were not listed again.
    assert_eq!(black_list_get_calls(&served.emulator), 700);

    // A finished export run again sends nothing and reports the same totals.
    served.emulator.clear_log();
    resume_and_check(&served, &users, &users_file, &out, &checkpoint);
    assert!(served.emulator.requests().is_empty());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn an_export_killed_mid_user_resumes_without_duplicates() {
    let users = names("user", 600);
    let fans = names("fan", 2);
    let mut accounts = users.clone();
    accounts.extend(fans.iter().cloned());
    let served = Served::start(&accounts, Faults::none(), 200);
    for user in &users {
        for fan in &fans {
            served.emulator.block(user, fan);
        }
    }
    let dir = scratch("export-kill");
    let users_file = dir.join("users.txt");
    let out = dir.join("pairs.csv");
    let checkpoint = dir.join("export.checkpoint");
    std::fs::write(&users_file, users.join("\n")).expect("write");

    let mut child = start_export(&served, &users_file, &out, &checkpoint);
    wait_for_progress(&served.emulator);
    child.kill().expect("the export is killed");
    let _ = child.wait();
    // Whatever the killed run wrote after its last checkpoint, and a user cut off in the
    // middle of a line, is in the part file now.
    let part = dir.join("pairs.csv.part");
    let mut tail = std::fs::read(&part).expect("the part file is kept");
    tail.extend_from_slice(b"user0599,fan0001\nuser0600,fa");
    std::fs::write(&part, tail).expect("write");

    resume_and_check(&served, &users, &users_file, &out, &checkpoint);
    let _ = std::fs::remove_dir_all(dir);
}
