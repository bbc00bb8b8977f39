//! Texts from a hostile service or webhook sender reach the terminal escaped: they cannot
//! clear the screen or forge a line such as "0 failed", in results, errors or logs.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::process::Stdio;

use im_webhook::{Callback, Event, Pair, Token};

use crate::support::{KEY, SDKAPPID, imctl, run, stderr};

/// An `ErrorInfo` that would clear the screen and print a line of its own.
const FORGED: &str = "denied\n0 failed\u{1b}[2J";

/// A server on loopback that answers every request with `body`; returns its URL.
fn hostile_service(body: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            std::thread::spawn(move || answer(stream, body));
        }
    });
    url
}

/// Reads one request (head and body) and answers it with `body`, closing the connection.
fn answer(mut stream: TcpStream, body: &str) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut length = 0usize;
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|read| read > 0) {
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
        line.clear();
    }
    let mut request_body = vec![0; length];
    let _ = reader.read_exact(&mut request_body);
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// `blocklist add --from alice --to bob` against `url`, with `extra` arguments.
fn add(url: &str, extra: &[&str]) -> std::process::Output {
    let mut command = imctl();
    command
        .args(["blocklist", "add", "--from", "alice", "--to", "bob"])
        .args(extra)
        .args(["--endpoint", url, "--sdkappid", SDKAPPID])
        .env("TIM_SECRET_KEY", KEY);
    run(command, "")
}

const REFUSED: &str =
    r#"{"ActionStatus":"FAIL","ErrorCode":30002,"ErrorInfo":"denied\n0 failed\u001b[2J"}"#;

#[test]
fn an_error_info_with_control_characters_is_one_escaped_line() {
    let url = hostile_service(REFUSED);
    let output = add(&url, &[]);
    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr(&output));
    let text = stderr(&output);
    assert_eq!(text.lines().count(), 1, "{text:?}");
    assert!(text.starts_with("error: "), "{text:?}");
    assert!(text.contains("30002"), "{text:?}");
    assert!(text.contains("denied\\n0 failed\\u{1b}[2J"), "{text:?}");
    assert!(!text.contains('\u{1b}') && !text.contains('\r'), "{text:?}");
}

#[test]
fn verbose_logs_of_a_hostile_answer_keep_one_event_per_line() {
    let url = hostile_service(REFUSED);
    let output = add(&url, &["--verbose"]);
    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr(&output));
    let text = stderr(&output);
    assert!(
        text.contains("denied\\n0 failed"),
        "the text was logged: {text:?}"
    );
    assert!(!text.contains('\u{1b}') && !text.contains('\r'), "{text:?}");
    for line in text.lines() {
        // Each line is a log event (it starts with its time) or the final error.
        let event = line.starts_with(|first: char| first.is_ascii_digit());
        assert!(
            event || line.starts_with("error: "),
            "a forged line: {line:?}"
        );
    }
}

#[test]
fn webhook_listen_escapes_the_accounts_of_a_callback() {
    let mut command = imctl();
    command
        .args(["webhook", "listen", "--addr", "127.0.0.1:0"])
        .args(["--sdkappid", SDKAPPID])
        .env("TIM_WEBHOOK_TOKEN", crate::webhook::TOKEN)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("imctl starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("the first line");
    let url = first
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .expect("the URL")
        .to_owned();
    let mut second = String::new();
    stdout.read_line(&mut second).expect("the second line");
    assert!(second.starts_with("press Ctrl-C"), "{second}");

    let added = Event::BlocklistAdded {
        pairs: vec![Pair::new("alice", FORGED)],
    };
    let callback = Callback::new(SDKAPPID.parse().expect("number"), added)
        .signed(&Token::new(crate::webhook::TOKEN), crate::webhook::now());
    let (status, _) = crate::webhook::post(&url, &callback.url("/cb"), &callback.body());
    assert_eq!(status, 200);
    let mut event = String::new();
    stdout.read_line(&mut event).expect("the event line");
    assert_eq!(
        event,
        "blocklist add: alice -> denied\\n0 failed\\u{1b}[2J\n"
    );

    crate::support::interrupt(&child);
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).expect("the rest");
    let output = child.wait_with_output().expect("listen stops");
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    assert!(rest.is_empty(), "{rest:?}");
}
