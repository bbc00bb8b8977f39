//! Bad input: a one-line error on standard error, exit code 1, nothing sent.
//!
//! The endpoint is a loopback port nobody listens on: had anything been sent, the error
//! would be a connection failure instead of the input error asserted here.

use crate::support::{KEY, SDKAPPID, imctl, run, scratch, stderr};

fn blocklist(args: &[&str], stdin: &str) -> std::process::Output {
    let mut command = imctl();
    command
        .arg("blocklist")
        .args(args)
        .args(["--endpoint", "http://127.0.0.1:9", "--sdkappid", SDKAPPID])
        .env("TIM_SECRET_KEY", KEY);
    run(command, stdin)
}

fn assert_one_line_error(output: &std::process::Output, needle: &str) {
    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr(output));
    let text = stderr(output);
    assert_eq!(text.trim().lines().count(), 1, "one line: {text}");
    assert!(text.starts_with("error: "), "{text}");
    assert!(text.contains(needle), "{text:?} should mention {needle:?}");
    assert!(!text.contains(KEY));
}

#[test]
fn an_account_over_32_bytes_is_rejected() {
    let long = "x".repeat(33);
    let output = blocklist(&["add", "--from", "alice", "--to", &long], "");
    assert_one_line_error(&output, "33 bytes");
}

#[test]
fn an_empty_from_is_rejected() {
    let output = blocklist(&["add", "--from", "", "--to", "bob"], "");
    assert_one_line_error(&output, "--from");
}

#[test]
fn an_empty_accounts_file_is_rejected() {
    let output = blocklist(
        &["remove", "--from", "alice", "--to-file", "-"],
        "# nothing\n\n",
    );
    assert_one_line_error(&output, "standard input names no account");
}

#[test]
fn an_unreadable_file_is_rejected() {
    let output = blocklist(
        &[
            "check",
            "--from",
            "alice",
            "--to-file",
            "/nonexistent/ids.txt",
        ],
        "",
    );
    assert_one_line_error(&output, "cannot read");
    let output = blocklist(&["import", "--file", "/nonexistent/pairs.csv"], "");
    assert_one_line_error(&output, "cannot read");
}

#[test]
fn a_bad_line_in_an_import_file_names_its_line() {
    let dir = scratch("bad-line");
    let file = dir.join("pairs.csv");
    std::fs::write(&file, "# from,to\nalice,bob\n\nalice\n").expect("write");
    let output = blocklist(
        &["import", "--file", file.to_str().expect("utf-8 path")],
        "",
    );
    assert_one_line_error(&output, "pairs.csv:4");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn missing_key_is_rejected() {
    let mut command = imctl();
    command.args([
        "blocklist",
        "list",
        "--from",
        "alice",
        "--region",
        "singapore",
        "--sdkappid",
        SDKAPPID,
    ]);
    let output = run(command, "");
    assert_one_line_error(&output, "--key");
}

#[test]
fn plain_http_to_a_remote_host_is_refused() {
    let mut command = imctl();
    command
        .args(["blocklist", "list", "--from", "alice"])
        .args(["--endpoint", "http://example.com", "--sdkappid", SDKAPPID])
        .env("TIM_SECRET_KEY", KEY);
    let output = run(command, "");
    assert_one_line_error(&output, "loopback");
}

/// `imctl <args>` against a loopback port nobody listens on, with the credentials set.
fn imctl_offline(args: &[&str], stdin: &str) -> std::process::Output {
    let mut command = imctl();
    command
        .args(args)
        .args(["--endpoint", "http://127.0.0.1:9", "--sdkappid", SDKAPPID])
        .env("TIM_SECRET_KEY", KEY);
    run(command, stdin)
}

#[cfg(unix)]
#[test]
fn an_endless_file_fails_at_its_first_line_for_every_reader() {
    for args in [
        &[
            "blocklist",
            "add",
            "--from",
            "alice",
            "--to-file",
            "/dev/zero",
        ][..],
        &["blocklist", "import", "--file", "/dev/zero"],
        &["account", "import", "--file", "/dev/zero"],
        &["account", "check", "--file", "/dev/zero"],
        &[
            "blocklist",
            "export",
            "--users",
            "/dev/zero",
            "--out",
            "/nonexistent/x",
        ],
    ] {
        let output = imctl_offline(args, "");
        assert_one_line_error(&output, "/dev/zero:1: a line is longer than 4096 bytes");
    }
}

#[test]
fn an_endless_line_on_standard_input_stops_the_reading_at_once() {
    use std::io::Write as _;
    use std::process::Stdio;

    for args in [
        &["blocklist", "import", "--file", "-"][..],
        &["blocklist", "remove", "--from", "alice", "--to-file", "-"],
        &["account", "import", "--file", "-"],
    ] {
        let mut command = imctl();
        command
            .args(args)
            .args(["--endpoint", "http://127.0.0.1:9", "--sdkappid", SDKAPPID])
            .env("TIM_SECRET_KEY", KEY)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("imctl starts");
        let mut input = child.stdin.take().expect("piped");
        // 256 MiB of one line, offered 64 KiB at a time until imctl stops reading.
        let chunk = vec![b'x'; 64 * 1024];
        let mut accepted = 0usize;
        while accepted < 256 * 1024 * 1024 && input.write_all(&chunk).is_ok() {
            accepted += chunk.len();
        }
        drop(input);
        let output = child.wait_with_output().expect("imctl ends");
        assert_one_line_error(
            &output,
            "standard input:1: a line is longer than 4096 bytes",
        );
        // What imctl read, its buffer and the pipe's: far below what was offered.
        assert!(
            accepted < 16 * 1024 * 1024,
            "{args:?}: {accepted} bytes accepted"
        );
    }
}

#[test]
fn an_argument_with_a_comma_is_refused_not_split() {
    let output = blocklist(&["add", "--from", "alice", "--to", "bob,carol"], "");
    assert_one_line_error(&output, "holds a comma");
    let output = imctl_offline(&["account", "delete", "--id", "bob", "carol,dave"], "");
    assert_one_line_error(&output, "--id \"carol,dave\" holds a comma");
}

#[test]
fn an_indented_comment_is_refused_instead_of_read_as_accounts() {
    let output = blocklist(
        &["import", "--file", "-"],
        "alice,bob\n  # alice,carol was blocked by hand\n",
    );
    assert_one_line_error(
        &output,
        "standard input:2: `#` starts a comment only in the first column",
    );
}

#[test]
fn an_empty_pairs_file_is_a_clear_error() {
    let dir = scratch("empty-pairs");
    let file = dir.join("pairs.csv");
    std::fs::write(&file, "\u{feff}# exported later\r\nfrom,to\r\n\r\n").expect("write");
    let output = blocklist(
        &["import", "--file", file.to_str().expect("utf-8 path")],
        "",
    );
    assert_one_line_error(&output, "pairs.csv holds no pairs");
    let output = blocklist(&["import", "--file", "-"], "");
    assert_one_line_error(&output, "standard input holds no pairs");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_pair_with_three_fields_names_its_line_and_the_quoting() {
    let output = blocklist(&["import", "--file", "-"], "alice,bob\r\nalice,b,ob\r\n");
    assert_one_line_error(
        &output,
        "standard input:2: expected `from,to`, found more fields",
    );
    assert_one_line_error(&output, "quote a field");
}
