//! `imctl demo` and `imctl serve` as a user runs them.

use std::io::{BufRead as _, BufReader};
use std::process::Stdio;

use crate::support::{KEY, SDKAPPID, imctl, run, stderr, stdout};

#[test]
fn the_demo_runs_end_to_end() {
    let mut command = imctl();
    command.arg("demo");
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let text = stdout(&output);
    for expected in [
        "alice and bob are friends now: no",
        "1 already blocked (bob)",
        "1000 blocked, 50 failed with 30013 BLOCKLIST_FULL",
        "1000 entries in all",
        "bob    both ways: BothWay",
        "4000 blocked, 0 failed",
        "900 blocked, 0 failed",
        "holds 900 of the 900",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn serve_answers_requests_until_interrupted() {
    let dir = crate::support::scratch("serve");
    let accounts = dir.join("accounts.csv");
    std::fs::write(&accounts, "alice,bob\ncarol\n").expect("write");
    let mut command = imctl();
    command
        .args(["serve", "--addr", "127.0.0.1:0", "--json", "--accounts"])
        .arg(&accounts)
        .env("TIM_SECRET_KEY", KEY)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut server = command.spawn().expect("serve starts");
    let mut first_line = String::new();
    let stdout_pipe = server.stdout.take().expect("piped");
    BufReader::new(stdout_pipe)
        .read_line(&mut first_line)
        .expect("serve prints its address");
    let info: serde_json::Value = serde_json::from_str(&first_line).expect("JSON line");
    let url = info["url"].as_str().expect("url").to_owned();

    let mut command = imctl();
    command
        .args([
            "blocklist",
            "add",
            "--from",
            "alice",
            "--to",
            "bob",
            "carol",
            "--json",
        ])
        .env("TIM_ENDPOINT", &url)
        .env("TIM_SDKAPPID", SDKAPPID)
        .env("TIM_SECRET_KEY", KEY);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    assert!(stdout(&output).contains(r#""succeeded":["bob","carol"]"#));

    crate::support::interrupt(&server);
    let output = server.wait_with_output().expect("serve stops");
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stderr(&output).contains("stopped after 1 requests"),
        "{}",
        stderr(&output)
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn serve_stops_on_ctrl_c_while_a_client_holds_a_half_sent_request() {
    let mut command = imctl();
    command
        .args(["serve", "--addr", "127.0.0.1:0", "--json"])
        // The head may take an hour: only Ctrl-C can end this connection in time.
        .args(["--header-timeout", "3600"])
        .env("TIM_SECRET_KEY", KEY)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut server = command.spawn().expect("serve starts");
    let mut first_line = String::new();
    BufReader::new(server.stdout.take().expect("piped"))
        .read_line(&mut first_line)
        .expect("serve prints its address");
    let info: serde_json::Value = serde_json::from_str(&first_line).expect("JSON line");
    let url = info["url"].as_str().expect("url").to_owned();
    let mut client = crate::support::half_sent_request(&url);

    crate::support::interrupt(&server);
    let output = crate::support::wait_bounded(server);
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    assert!(
        stderr(&output).contains("stopped after 0 requests"),
        "{}",
        stderr(&output)
    );
    assert!(crate::support::closed_unanswered(&mut client));
}

#[test]
fn serve_cuts_a_client_that_stops_halfway_through_a_request() {
    let mut command = imctl();
    command
        .args(["serve", "--addr", "127.0.0.1:0", "--json"])
        .args(["--header-timeout", "1"])
        .env("TIM_SECRET_KEY", KEY)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut server = command.spawn().expect("serve starts");
    let mut first_line = String::new();
    BufReader::new(server.stdout.take().expect("piped"))
        .read_line(&mut first_line)
        .expect("serve prints its address");
    let info: serde_json::Value = serde_json::from_str(&first_line).expect("JSON line");
    let url = info["url"].as_str().expect("url").to_owned();
    let mut client = crate::support::half_sent_request(&url);
    // Cut by the server after the header timeout, long before the client's read gives up.
    assert!(crate::support::closed_unanswered(&mut client));
    crate::support::interrupt(&server);
    let output = crate::support::wait_bounded(server);
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
}

#[test]
fn serve_refuses_a_non_loopback_address_and_a_missing_key() {
    let mut command = imctl();
    command
        .args(["serve", "--addr", "0.0.0.0:0"])
        .env("TIM_SECRET_KEY", KEY);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("loopback"));
    let mut command = imctl();
    command.args(["serve", "--addr", "127.0.0.1:0"]);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("--key"));
}

/// The arguments of one `imctl` run, and the environment variables set for it.
type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)]);

#[test]
fn every_usage_or_configuration_error_exits_1_before_anything_is_sent() {
    let served = crate::support::Served::start(
        &crate::support::names("user", 2),
        im_emulator::Faults::none(),
        200,
    );
    let cases: [Case<'_>; 7] = [
        (&["blocklist", "add", "--from", "user0001"], &[]),
        (
            &[
                "blocklist",
                "add",
                "--from",
                "user0001",
                "--to",
                "user0002",
                "--to-file",
                "x",
            ],
            &[],
        ),
        (
            &["blocklist", "add", "--from", "user0001", "--to", "user0002"],
            &[("TIM_SDKAPPID", "0")],
        ),
        (
            &["blocklist", "add", "--from", "user0001", "--to", "user0002"],
            &[("TIM_SDKAPPID", "app")],
        ),
        (
            &["blocklist", "add", "--from", "user0001", "--to", "user0002"],
            &[("TIM_SDKAPPID", "99999999999999999999999")],
        ),
        (
            &["blocklist", "add", "--from", "user0001", "--to", "user0002"],
            &[("TIM_REGION", "singapore")],
        ),
        (&["no-such-command"], &[]),
    ];
    for (args, env) in cases {
        let mut command = served.imctl();
        command.args(args);
        for (name, value) in env {
            command.env(name, value);
        }
        let output = run(command, "");
        assert_eq!(
            output.status.code(),
            Some(1),
            "{args:?} {env:?}: {}",
            stderr(&output)
        );
    }
    let mut command = crate::support::imctl();
    command
        .args(["sig", "gen", "--identifier", "admin", "--expire", "0"])
        .env("TIM_SDKAPPID", "1400000000")
        .env("TIM_SECRET_KEY", "key");
    assert_eq!(run(command, "").status.code(), Some(1));
    assert!(served.emulator.requests().is_empty(), "nothing was sent");
}
