//! Input files as the README describes them: CSV with quotes, CRLF, a BOM and a header,
//! one trimming rule for files and arguments, UserIDs that need quoting carried through an
//! export and an import, and standard input buffered where no one else can see it.

use im_emulator::Faults;

use crate::support::{Served, json, run, scratch, stderr};

/// Accounts whose UserIDs need quoting in a CSV file.
fn odd_accounts() -> Vec<String> {
    ["alice", "b,ob", "#carol", "d\"ave", "erin"]
        .map(str::to_owned)
        .to_vec()
}

#[test]
fn a_pairs_file_with_a_bom_crlf_quotes_a_header_and_comments_imports_every_pair() {
    let served = Served::start(&odd_accounts(), Faults::none(), 200);
    let dir = scratch("formats-pairs");
    let file = dir.join("pairs.csv");
    std::fs::write(
        &file,
        "\u{feff}From,To\r\n# a comment\r\nalice,\"b,ob\"\r\n\r\n\"#carol\",alice\r\n  erin ,\"d\"\"ave\"  \r\n",
    )
    .expect("write");
    let mut command = served.imctl();
    command
        .args(["blocklist", "import", "--json", "--file"])
        .arg(&file);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let value = json(&output);
    assert_eq!(value["pairs"], 3);
    assert_eq!(value["succeeded"], 3);
    assert!(served.emulator.is_blocked("alice", "b,ob"));
    assert!(served.emulator.is_blocked("#carol", "alice"));
    assert!(served.emulator.is_blocked("erin", "d\"ave"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn arguments_and_files_are_trimmed_alike() {
    let served = Served::start(&odd_accounts(), Faults::none(), 200);
    let mut command = served.imctl();
    command.args([
        "blocklist",
        "add",
        "--from",
        " alice ",
        "--to",
        "\terin ",
        "--json",
    ]);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    assert_eq!(json(&output)["succeeded"], serde_json::json!(["erin"]));
    let mut command = served.imctl();
    command.args([
        "blocklist",
        "add",
        "--from",
        "alice",
        "--to-file",
        "-",
        "--json",
    ]);
    let output = run(command, "UserID\n\"#carol\"  \r\n erin \n");
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let value = json(&output);
    assert_eq!(value["succeeded"], serde_json::json!(["#carol"]));
    assert_eq!(value["unchanged"], serde_json::json!(["erin"]));
}

#[test]
fn ids_that_need_quoting_survive_an_export_and_an_import() {
    let accounts = odd_accounts();
    let source = Served::start(&accounts, Faults::none(), 200);
    for account in &accounts[1..] {
        source.emulator.block("alice", account);
    }
    let dir = scratch("formats-round-trip");
    let (users, out) = (dir.join("users.txt"), dir.join("pairs.csv"));
    std::fs::write(&users, "alice\n\"#carol\"\n").expect("write");
    let mut command = source.imctl();
    command
        .args(["blocklist", "export", "--users"])
        .arg(&users)
        .arg("--out")
        .arg(&out);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let text = std::fs::read_to_string(&out).expect("the export");
    assert!(text.contains("alice,\"b,ob\"\n"), "{text}");
    assert!(text.contains("alice,\"#carol\"\n"), "{text}");
    assert!(text.contains("alice,\"d\"\"ave\"\n"), "{text}");

    let target = Served::start(&accounts, Faults::none(), 200);
    let mut command = target.imctl();
    command
        .args(["blocklist", "import", "--json", "--file"])
        .arg(&out);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    assert_eq!(json(&output)["succeeded"], 4);
    let mut blocked: Vec<String> = target
        .emulator
        .blocklist_of("alice")
        .into_iter()
        .map(|(account, _)| account)
        .collect();
    blocked.sort();
    let mut expected = accounts[1..].to_vec();
    expected.sort();
    assert_eq!(blocked, expected);
    let _ = std::fs::remove_dir_all(dir);
}

/// Standard input is buffered in a file that has no name and only its owner can read:
/// nothing appears in the temporary directory, so nothing can be planted there.
#[cfg(target_os = "linux")]
#[test]
fn standard_input_is_buffered_privately_and_under_no_name() {
    use std::io::Write as _;
    use std::os::unix::fs::PermissionsExt as _;
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    let users: Vec<String> = crate::support::names("user", 6);
    let mut accounts = users.clone();
    accounts.push("target".to_owned());
    let served = Served::start(&accounts, Faults::none(), 0);
    let tmp = scratch("formats-tmpdir");
    let pairs: String = users
        .iter()
        .map(|user| format!("{user},target\n"))
        .collect();

    // Two calls a second for six users: the import runs for about three seconds.
    let mut command = served.imctl();
    command
        .args([
            "blocklist",
            "import",
            "--json",
            "--rate",
            "2",
            "--file",
            "-",
        ])
        .env("TMPDIR", &tmp)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("imctl starts");
    let mut input = child.stdin.take().expect("piped");
    input.write_all(pairs.as_bytes()).expect("stdin");
    drop(input);
    // Standard input was read whole before the first request.
    let waited = Instant::now();
    while served.emulator.requests().is_empty() && waited.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(!served.emulator.requests().is_empty(), "no request came");

    let named: Vec<_> = std::fs::read_dir(&tmp)
        .expect("the temporary directory")
        .map(|entry| entry.map(|entry| entry.file_name()))
        .collect();
    let mut spools = Vec::new();
    for fd in std::fs::read_dir(format!("/proc/{}/fd", child.id())).expect("/proc") {
        let fd = fd.expect("an fd").path();
        let Ok(target) = std::fs::read_link(&fd) else {
            continue;
        };
        if target.starts_with(&tmp) {
            let mode = std::fs::metadata(&fd).expect("stat").permissions().mode();
            spools.push((target, mode & 0o777));
        }
    }
    let output = child.wait_with_output().expect("imctl ends");
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    assert_eq!(json(&output)["succeeded"], 6);
    assert!(
        named.is_empty(),
        "files in the temporary directory: {named:?}"
    );
    assert!(
        !spools.is_empty(),
        "standard input was not buffered in the temporary directory"
    );
    for (target, mode) in spools {
        assert!(
            target.to_string_lossy().ends_with("(deleted)"),
            "{}",
            target.display()
        );
        assert_eq!(mode, 0o600, "{}", target.display());
    }
    assert_eq!(std::fs::read_dir(&tmp).expect("tmp").count(), 0);
    let _ = std::fs::remove_dir_all(tmp);
}
