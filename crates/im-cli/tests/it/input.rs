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
    assert_one_line_error(&output, "no accounts");
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
