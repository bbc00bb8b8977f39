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
use tokio::net::TcpListener;
use tokio::sync::Notify;

use crate::cli::{Global, ListenArgs, WebhookCommand};
use crate::output::{event_line, rejection_line};
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
