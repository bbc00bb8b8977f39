//! `imctl webhook listen`: a loopback endpoint that verifies blocklist callbacks and prints
//! each event.

use std::convert::Infallible;
use std::io::Write as _;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use im_server::Server;
use im_webhook::{Event, Reply, Token, Verifier, WebhookHandler};
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::Notify;

use crate::cli::{Global, ListenArgs, WebhookCommand};
use crate::{Failure, Status};

pub(crate) async fn run(global: &Global, command: WebhookCommand) -> Result<Status, Failure> {
    match command {
        WebhookCommand::Listen(args) => listen(global, &args).await,
    }
}

async fn listen(global: &Global, args: &ListenArgs) -> Result<Status, Failure> {
    if !args.addr.ip().is_loopback() {
        return Err(Failure::new(format!(
            "--addr {} is not a loopback address; the listener serves plain http on loopback only",
            args.addr
        )));
    }
    let sdkappid = global
        .sdkappid
        .ok_or_else(|| Failure::new("missing --sdkappid (or TIM_SDKAPPID)"))?;
    let token = args
        .token
        .as_deref()
        .filter(|token| !token.is_empty())
        .ok_or_else(|| {
            Failure::new("missing --token (or TIM_WEBHOOK_TOKEN): the webhook token of the console")
        })?;
    if args.window == 0 {
        return Err(Failure::new("--window must be at least 1 second"));
    }
    let verifier =
        Verifier::new(sdkappid, Token::new(token)).with_window(Duration::from_secs(args.window));
    let json = global.json;
    // A closed standard output (`imctl webhook listen | head -n 3`) ends the listener.
    let closed = Arc::new(Notify::new());
    let handler = WebhookHandler::new(verifier, {
        let closed = Arc::clone(&closed);
        move |event: Event| {
            let closed = Arc::clone(&closed);
            async move {
                if print_line(&event_line(&event, json)) {
                    Reply::ok()
                } else {
                    closed.notify_one();
                    // Not printed, so not delivered: the service sends it again later.
                    Reply::fail("the listener's output is closed")
                }
            }
        }
    });

    let listener = TcpListener::bind(args.addr)
        .await
        .map_err(|error| Failure::new(format!("cannot listen on {}: {error}", args.addr)))?;
    let local = listener
        .local_addr()
        .map_err(|error| Failure::new(format!("cannot listen on {}: {error}", args.addr)))?;
    let url = format!("http://{local}");
    // From here on Ctrl-C stops the listener (before, it would kill the process).
    let stop = super::serve::ctrl_c_from_now().await;
    if json {
        crate::output::print_json(&serde_json::json!({ "url": url }))?;
    } else if !print_line(&format!(
        "listening for webhooks on {url} (any path), app {sdkappid}\npress Ctrl-C to stop"
    )) {
        return Ok(Status::Done);
    }

    let service = service_fn(move |request| answer(handler.clone(), request));
    let server = Server::start(listener, args.limits.limits(), service)
        .map_err(|error| Failure::new(format!("cannot serve on {local}: {error}")))?;
    tokio::select! {
        () = stop => {}
        () = closed.notified() => {}
    }
    // Callbacks in progress get a short grace to be answered (and printed); a client holding
    // a half-sent request does not keep the listener up.
    server.shutdown().await;
    Ok(Status::Done)
}

/// Prints one line on standard output and flushes it; false when standard output is closed.
fn print_line(line: &str) -> bool {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .is_ok()
}

/// Answers one request with the handler, and reports a rejection on standard error.
async fn answer<F, Fut>(
    handler: WebhookHandler<F>,
    request: http::Request<Incoming>,
) -> Result<http::Response<Full<Bytes>>, Infallible>
where
    F: Fn(Event) -> Fut,
    Fut: Future<Output = Reply>,
{
    let response = handler.handle_streaming(request).await;
    if !response.status().is_success() {
        eprintln!("{}", rejection_line(response.status(), response.body()));
    }
    Ok(response.map(Full::new))
}

/// `rejected: <reason> (HTTP <status>)`, from the handler's answer, which names the failed
/// check and never the token or a `Sign`.
fn rejection_line(status: http::StatusCode, body: &[u8]) -> String {
    let reason = serde_json::from_slice::<Reply>(body)
        .map(|reply| reply.error_info)
        .unwrap_or_default();
    let reason = if reason.is_empty() {
        "the request was refused".to_owned()
    } else {
        reason
    };
    format!("rejected: {reason} (HTTP {})", status.as_u16())
}

#[derive(Serialize)]
struct PairJson<'a> {
    from: &'a str,
    to: &'a str,
}

#[derive(Serialize)]
struct EventJson<'a> {
    command: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pairs: Option<Vec<PairJson<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<&'a serde_json::Value>,
}

/// One line describing an event: words, or JSON with `json`.
fn event_line(event: &Event, json: bool) -> String {
    if json {
        let value = EventJson {
            command: event.command(),
            pairs: event.pairs().map(|pairs| {
                pairs
                    .iter()
                    .map(|pair| PairJson {
                        from: &pair.from,
                        to: &pair.to,
                    })
                    .collect()
            }),
            body: match event {
                Event::Unknown { body, .. } => Some(body),
                _ => None,
            },
        };
        // Serializing strings and an already parsed JSON value cannot fail.
        return serde_json::to_string(&value).unwrap_or_default();
    }
    let what = match event {
        Event::BlocklistAdded { .. } => "blocklist add",
        Event::BlocklistRemoved { .. } => "blocklist remove",
        other => other.command(),
    };
    match (event.pairs(), event) {
        (Some(pairs), _) => {
            let pairs: Vec<String> = pairs
                .iter()
                .map(|pair| format!("{} -> {}", pair.from, pair.to))
                .collect();
            format!("{what}: {}", pairs.join(", "))
        }
        (None, Event::Unknown { body, .. }) => format!("{what}: {body}"),
        (None, _) => what.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use im_webhook::Pair;

    use super::*;

    #[test]
    fn events_print_as_words_or_one_json_line() {
        let added = Event::BlocklistAdded {
            pairs: vec![Pair::new("alice", "bob"), Pair::new("alice", "carol")],
        };
        assert_eq!(
            event_line(&added, false),
            "blocklist add: alice -> bob, alice -> carol"
        );
        assert_eq!(
            event_line(&added, true),
            r#"{"command":"Sns.CallbackBlackListAdd","pairs":[{"from":"alice","to":"bob"},{"from":"alice","to":"carol"}]}"#
        );
        let removed = Event::BlocklistRemoved {
            pairs: vec![Pair::new("alice", "bob")],
        };
        assert_eq!(
            event_line(&removed, false),
            "blocklist remove: alice -> bob"
        );
        let unknown = Event::decode(
            "State.StateChange",
            br#"{"CallbackCommand":"State.StateChange","Info":{"To_Account":"bob"}}"#,
        )
        .unwrap();
        assert_eq!(
            event_line(&unknown, true),
            r#"{"command":"State.StateChange","body":{"CallbackCommand":"State.StateChange","Info":{"To_Account":"bob"}}}"#
        );
        assert!(event_line(&unknown, false).starts_with("State.StateChange: {"));
    }

    #[test]
    fn rejections_name_the_check() {
        let body = Reply::fail("Sign does not match the token and RequestTime").to_body();
        assert_eq!(
            rejection_line(http::StatusCode::FORBIDDEN, &body),
            "rejected: Sign does not match the token and RequestTime (HTTP 403)"
        );
        assert_eq!(
            rejection_line(http::StatusCode::BAD_REQUEST, b"not json"),
            "rejected: the request was refused (HTTP 400)"
        );
    }
}
