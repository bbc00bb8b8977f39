//! `imctl webhook listen`, alone and fed by `imctl serve --webhook`.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Child, ChildStdout, Stdio};
use std::sync::mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use im_webhook::{Callback, Event, Pair, Token};

use crate::support::{KEY, SDKAPPID, imctl, run, stderr, stdout};

pub(crate) const TOKEN: &str = "listen-test-token";

/// A running `imctl webhook listen --json`, its URL, and its standard output after the
/// URL line.
struct Listener {
    child: Child,
    url: String,
    lines: mpsc::Receiver<String>,
}

impl Listener {
    fn start() -> Listener {
        Listener::start_with(&[])
    }

    /// Starts a listener with `extra` arguments.
    fn start_with(extra: &[&str]) -> Listener {
        let mut command = imctl();
        command
            .args(["webhook", "listen", "--json", "--addr", "127.0.0.1:0"])
            .args(["--sdkappid", SDKAPPID])
            .args(extra)
            .env("TIM_WEBHOOK_TOKEN", TOKEN)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("imctl starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
        let mut first = String::new();
        stdout.read_line(&mut first).expect("the URL line");
        let info: serde_json::Value = serde_json::from_str(&first).expect("a JSON line");
        let url = info["url"].as_str().expect("url").to_owned();
        Listener {
            child,
            url,
            lines: forward_lines(stdout),
        }
    }

    /// The next line of standard output, waiting at most 30 seconds.
    fn next_line(&self) -> String {
        self.lines
            .recv_timeout(Duration::from_secs(30))
            .expect("a line on standard output")
    }

    /// Sends SIGINT and returns the exit code, the rest of standard output, and standard error.
    fn stop(self) -> (Option<i32>, Vec<String>, String) {
        crate::support::interrupt(&self.child);
        let output = self.child.wait_with_output().expect("listen stops");
        let rest = self.lines.into_iter().collect();
        (output.status.code(), rest, stderr(&output))
    }
}

/// Reads the lines of `stdout` on a thread, so a test can wait for one with a bound.
fn forward_lines(stdout: BufReader<ChildStdout>) -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
}

/// POSTs `body` to `path_and_query` on the server at `url` over plain HTTP/1.1, and returns
/// the status and the response body.
pub(crate) fn post(url: &str, path_and_query: &str, body: &[u8]) -> (u16, String) {
    let authority = url.strip_prefix("http://").expect("an http URL");
    let mut stream = TcpStream::connect(authority).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    write!(
        stream,
        "POST {path_and_query} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .expect("writes the head");
    stream.write_all(body).expect("writes the body");
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .expect("reads the answer");
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|status| status.parse().ok())
        .expect("a status line");
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn listen_prints_verified_events_and_rejects_the_rest() {
    let listener = Listener::start();
    let added = Event::BlocklistAdded {
        pairs: vec![Pair::new("alice", "bob"), Pair::new("alice", "carol")],
    };
    let callback = Callback::new(SDKAPPID.parse().expect("number"), added)
        .with_client_ip("127.0.0.1")
        .with_platform("RESTAPI")
        .signed(&Token::new(TOKEN), now());
    let (status, body) = post(
        &listener.url,
        &callback.url("/im/callback"),
        &callback.body(),
    );
    assert_eq!(status, 200);
    assert_eq!(
        body,
        r#"{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}"#
    );
    let line: serde_json::Value = serde_json::from_str(&listener.next_line()).expect("JSON");
    assert_eq!(
        line,
        serde_json::json!({
            "command": "Sns.CallbackBlackListAdd",
            "pairs": [{"from": "alice", "to": "bob"}, {"from": "alice", "to": "carol"}],
        })
    );

    // Signed with another token: refused, on any path, and nothing is printed.
    let forged = Callback::new(
        SDKAPPID.parse().expect("number"),
        Event::BlocklistRemoved {
            pairs: vec![Pair::new("alice", "bob")],
        },
    )
    .signed(&Token::new("not-the-token"), now());
    let forged_sign = forged.query().sign.clone().expect("signed");
    let (status, body) = post(&listener.url, &forged.url("/elsewhere"), &forged.body());
    assert_eq!(status, 403);
    assert!(body.contains(r#""ActionStatus":"FAIL""#), "{body}");

    let (code, rest, errors) = listener.stop();
    assert_eq!(code, Some(0), "stderr: {errors}");
    assert!(rest.is_empty(), "unexpected output: {rest:?}");
    let rejected: Vec<&str> = errors
        .lines()
        .filter(|line| line.starts_with("rejected: "))
        .collect();
    assert_eq!(rejected.len(), 1, "stderr: {errors}");
    assert!(rejected[0].contains("Sign"), "{}", rejected[0]);
    assert!(rejected[0].contains("403"), "{}", rejected[0]);
    assert!(!errors.contains(TOKEN));
    assert!(!errors.contains(&forged_sign));
}

#[test]
fn listen_needs_an_app_a_token_and_loopback() {
    let mut command = imctl();
    command.args([
        "webhook",
        "listen",
        "--addr",
        "127.0.0.1:0",
        "--token",
        TOKEN,
    ]);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("--sdkappid"),
        "{}",
        stderr(&output)
    );

    let mut command = imctl();
    command.args(["webhook", "listen", "--addr", "127.0.0.1:0"]);
    command.args(["--sdkappid", SDKAPPID]);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("--token"), "{}", stderr(&output));

    let mut command = imctl();
    command.args(["webhook", "listen", "--addr", "0.0.0.0:0"]);
    command.args(["--sdkappid", SDKAPPID, "--token", TOKEN]);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("loopback"), "{}", stderr(&output));
    assert!(!stderr(&output).contains(TOKEN));
}

#[test]
fn serve_sends_callbacks_that_listen_verifies() {
    let listener = Listener::start();
    let dir = crate::support::scratch("serve-webhook");
    let accounts = dir.join("accounts.csv");
    std::fs::write(&accounts, "alice,bob\ncarol\n").expect("write");
    let mut command = imctl();
    command
        .args(["serve", "--addr", "127.0.0.1:0", "--json", "--accounts"])
        .arg(&accounts)
        .args(["--webhook", &format!("{}/im/callback", listener.url)])
        .env("TIM_SECRET_KEY", KEY)
        .env("TIM_WEBHOOK_TOKEN", TOKEN)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut server = command.spawn().expect("serve starts");
    let mut first = String::new();
    BufReader::new(server.stdout.take().expect("piped"))
        .read_line(&mut first)
        .expect("serve prints its address");
    let info: serde_json::Value = serde_json::from_str(&first).expect("JSON line");
    let url = info["url"].as_str().expect("url").to_owned();
    assert_eq!(
        info["webhook"].as_str(),
        Some(format!("{}/im/callback", listener.url).as_str())
    );

    for (action, expected) in [
        ("add", "Sns.CallbackBlackListAdd"),
        ("remove", "Sns.CallbackBlackListDelete"),
    ] {
        let mut command = imctl();
        command
            .args(["blocklist", action, "--from", "alice", "--to", "bob"])
            .env("TIM_ENDPOINT", &url)
            .env("TIM_SDKAPPID", SDKAPPID)
            .env("TIM_SECRET_KEY", KEY);
        let output = run(command, "");
        assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
        let line: serde_json::Value = serde_json::from_str(&listener.next_line()).expect("JSON");
        assert_eq!(
            line,
            serde_json::json!({"command": expected, "pairs": [{"from": "alice", "to": "bob"}]}),
            "after {action}: {}",
            stdout(&output)
        );
    }

    crate::support::interrupt(&server);
    let output = server.wait_with_output().expect("serve stops");
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stderr(&output).contains("2 webhook callbacks sent, 2 answered with HTTP 200"),
        "{}",
        stderr(&output)
    );
    let (code, rest, errors) = listener.stop();
    assert_eq!(code, Some(0));
    assert!(rest.is_empty(), "{rest:?}");
    assert!(!errors.contains("rejected"), "{errors}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn serve_refuses_a_webhook_without_a_token() {
    let mut command = imctl();
    command
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(["--webhook", "http://127.0.0.1:9/callback"])
        .env("TIM_SECRET_KEY", KEY);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("--webhook-token"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn listen_stops_on_ctrl_c_while_a_client_holds_a_half_sent_request() {
    // The head may take an hour: only Ctrl-C can end this connection in time.
    let listener = Listener::start_with(&["--header-timeout", "3600"]);
    let mut client = crate::support::half_sent_request(&listener.url);
    crate::support::interrupt(&listener.child);
    let output = crate::support::wait_bounded(listener.child);
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    assert!(crate::support::closed_unanswered(&mut client));
}

#[test]
fn listen_cuts_a_client_that_stops_halfway_through_a_request() {
    let listener = Listener::start_with(&["--header-timeout", "1", "--max-connections", "4"]);
    let mut client = crate::support::half_sent_request(&listener.url);
    // Cut by the listener after the header timeout, long before the client's read gives up.
    assert!(crate::support::closed_unanswered(&mut client));
    // The listener still verifies callbacks.
    let callback = Callback::new(
        SDKAPPID.parse().expect("number"),
        Event::BlocklistAdded {
            pairs: vec![Pair::new("alice", "bob")],
        },
    )
    .signed(&Token::new(TOKEN), now());
    let (status, _) = post(&listener.url, &callback.url("/cb"), &callback.body());
    assert_eq!(status, 200);
    let (code, rest, errors) = listener.stop();
    assert_eq!(code, Some(0), "stderr: {errors}");
    assert_eq!(rest.len(), 1, "{rest:?}");
}

#[test]
fn serve_refuses_plain_http_webhooks_to_another_host_unless_allowed() {
    for url in [
        "http://hooks.example.com/im/callback",
        "http://203.0.113.7:8081/cb",
    ] {
        let mut command = imctl();
        command
            .args(["serve", "--addr", "127.0.0.1:0", "--webhook", url])
            .env("TIM_SECRET_KEY", KEY)
            .env("TIM_WEBHOOK_TOKEN", TOKEN);
        let output = run(command, "");
        assert_eq!(output.status.code(), Some(1), "{url}");
        assert!(
            stderr(&output).contains("--allow-insecure-webhook"),
            "{}",
            stderr(&output)
        );
        assert!(!stderr(&output).contains(TOKEN));
    }

    // Asked for explicitly, it starts (and sends nothing until a blocklist changes).
    let mut command = imctl();
    command
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--json",
            "--allow-insecure-webhook",
        ])
        .args(["--webhook", "http://hooks.example.com/im/callback"])
        .env("TIM_SECRET_KEY", KEY)
        .env("TIM_WEBHOOK_TOKEN", TOKEN)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut server = command.spawn().expect("serve starts");
    let mut first = String::new();
    BufReader::new(server.stdout.take().expect("piped"))
        .read_line(&mut first)
        .expect("serve prints its address");
    let info: serde_json::Value = serde_json::from_str(&first).expect("JSON line");
    assert_eq!(
        info["webhook"].as_str(),
        Some("http://hooks.example.com/im/callback")
    );
    crate::support::interrupt(&server);
    let output = crate::support::wait_bounded(server);
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
}

#[test]
fn a_closed_standard_output_ends_the_listener_cleanly() {
    let Listener {
        mut child,
        url,
        lines,
    } = Listener::start();
    // The reader goes away, as `| head -n 1` would after the URL line.
    drop(lines);
    let callback = Callback::new(
        SDKAPPID.parse().expect("number"),
        Event::BlocklistAdded {
            pairs: vec![Pair::new("alice", "bob")],
        },
    )
    .signed(&Token::new(TOKEN), now());
    // The forwarding thread may still hold the pipe for a moment: post until the listener
    // notices that its output is gone (each event is refused, so the service keeps it).
    let mut refused = false;
    for _ in 0..50 {
        let Ok(stream) = TcpStream::connect(url.trim_start_matches("http://")) else {
            break;
        };
        drop(stream);
        let (status, body) = post(&url, &callback.url("/cb"), &callback.body());
        if status != 200 || body.contains("FAIL") {
            refused = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        refused,
        "an event that could not be printed is not acknowledged"
    );
    let status = child.wait().expect("the listener ends by itself");
    assert_eq!(status.code(), Some(0));
    let mut errors = String::new();
    child
        .stderr
        .take()
        .expect("piped")
        .read_to_string(&mut errors)
        .expect("stderr");
    assert!(!errors.contains("panicked"), "{errors}");
}
