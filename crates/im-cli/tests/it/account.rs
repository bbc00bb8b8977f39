//! `imctl account import|check|delete` against an emulator over HTTP.

use im_emulator::Faults;

use crate::support::{Served, checkpoint_for, json, names, run, scratch, stderr, stdout};

#[test]
fn import_check_and_delete_report_every_account() {
    let served = Served::start(&[], Faults::none(), 0);
    let dir = scratch("account-flow");
    let file = dir.join("accounts.csv");
    std::fs::write(
        &file,
        "# UserID,Nick,FaceUrl\nalice,Alice,https://example.com/a.png\nbob\n\"carol\",\"Smith, Carol\"\nbob,Repeat\n",
    )
    .expect("write");

    let mut command = served.imctl();
    command
        .args(["account", "import", "--json", "--file"])
        .arg(&file);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["accounts"], 3);
    assert_eq!(report["succeeded"], 3);
    assert_eq!(report["duplicates"], 1);
    assert_eq!(report["failed"].as_array().map(Vec::len), Some(0));
    let carol = served.emulator.account_profile("carol").expect("imported");
    assert_eq!(carol.nick.as_deref(), Some("Smith, Carol"));
    let alice = served.emulator.account_profile("alice").expect("imported");
    assert_eq!(alice.face_url.as_deref(), Some("https://example.com/a.png"));

    // Check reads standard input with `-`.
    let mut command = served.imctl();
    command.args(["account", "check", "--json", "--file", "-"]);
    let output = run(command, "alice\nghost\n");
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let report = json(&output);
    assert_eq!(
        report["results"],
        serde_json::json!([
            {"account": "alice", "status": "Imported"},
            {"account": "ghost", "status": "NotImported"}
        ])
    );

    let mut command = served.imctl();
    command.args([
        "account", "delete", "--json", "--id", "alice", "ghost", "bob",
    ]);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["succeeded"], serde_json::json!(["alice", "bob"]));
    assert_eq!(report["unchanged"], serde_json::json!(["ghost"]));
    assert!(!served.emulator.account_exists("alice"));
    assert!(served.emulator.account_exists("carol"));

    // Words without --json.
    let mut command = served.imctl();
    command.args(["account", "check", "--id", "carol", "alice"]);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("carol\tImported"), "{text}");
    assert!(
        text.contains("1 imported, 1 not imported, 0 failed"),
        "{text}"
    );
}

#[test]
fn a_bad_file_or_usage_exits_1_and_sends_nothing() {
    let served = Served::start(&[], Faults::none(), 0);
    let dir = scratch("account-bad");
    let file = dir.join("accounts.csv");
    std::fs::write(&file, "alice\nbob,Bob,https://example.com/b.png,extra\n").expect("write");
    let mut command = served.imctl();
    command.args(["account", "import", "--file"]).arg(&file);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("accounts.csv:2:"),
        "{}",
        stderr(&output)
    );

    let mut command = served.imctl();
    command.args(["account", "delete", "--id", "ok", "tab\there"]);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("invalid --id"),
        "{}",
        stderr(&output)
    );

    let mut command = served.imctl();
    command.args(["account", "check"]);
    assert_eq!(
        run(command, "").status.code(),
        Some(1),
        "neither --id nor --file"
    );
    assert!(served.emulator.requests().is_empty());
}

#[test]
fn failed_accounts_exit_2_with_their_reason() {
    let served = Served::start(&[], Faults::seeded(3).account_error(1.0), 0);
    let mut command = served.imctl();
    command.args(["account", "import", "--json", "--file", "-"]);
    let output = run(command, "alice\nbob\n");
    assert_eq!(output.status.code(), Some(2), "stderr: {}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["succeeded"], 0);
    let failed: Vec<&str> = report["failed"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|failure| failure["account"].as_str())
        .collect();
    assert_eq!(failed, ["alice", "bob"]);
}

#[test]
fn a_checkpointed_import_resumes_after_the_finished_part() {
    let served = Served::start(&[], Faults::none(), 0);
    let dir = scratch("account-resume");
    let file = dir.join("accounts.csv");
    let accounts = names("user", 1500);
    std::fs::write(&file, accounts.join("\n")).expect("write");
    let checkpoint = dir.join("import.checkpoint");
    // A run that stopped after the first 1000 accounts left this behind.
    let state = serde_json::json!({"done": 1000, "succeeded": 1000, "duplicates": 0, "failed": []});
    std::fs::write(
        &checkpoint,
        checkpoint_for("account import", &file, 1500, state),
    )
    .expect("write");

    let mut command = served.imctl();
    command
        .args(["account", "import", "--json", "--file"])
        .arg(&file)
        .arg("--checkpoint")
        .arg(&checkpoint);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["done"], 1500);
    assert_eq!(report["succeeded"], 1500);
    // Only the rest was sent.
    assert_eq!(served.emulator.account_count(), 500);
    assert!(!served.emulator.account_exists(&accounts[999]));
    assert!(served.emulator.account_exists(&accounts[1000]));

    // Done: running it again sends nothing; another file is refused.
    served.emulator.clear_log();
    let mut command = served.imctl();
    command
        .args(["account", "import", "--file"])
        .arg(&file)
        .arg("--checkpoint")
        .arg(&checkpoint);
    assert_eq!(run(command, "").status.code(), Some(0));
    assert!(served.emulator.requests().is_empty());
    std::fs::write(&file, "someone\n").expect("write");
    let mut command = served.imctl();
    command
        .args(["account", "import", "--file"])
        .arg(&file)
        .arg("--checkpoint")
        .arg(&checkpoint);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("another input") && stderr(&output).contains("remove it"),
        "{}",
        stderr(&output)
    );
}
