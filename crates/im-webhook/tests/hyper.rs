//! The handler as a `hyper` service, over a real loopback connection.

mod support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use im_webhook::{CallbackQuery, Reply, Token, Verifier, WebhookHandler};
use tokio::net::TcpListener;

const APP: u64 = 1_400_000_000;
const TIME: u64 = 1_669_872_112;
const ADD: &str = include_str!("data/blocklist-add.json");

/// Serves a handler limited to 1024-byte bodies on a loopback port; counts the calls.
async fn serve() -> (SocketAddr, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let handler = WebhookHandler::new(Verifier::new(APP, Token::new("xxxxyyyy")), move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
        async { Reply::ok() }
    })
    .with_clock(|| TIME)
    .with_body_limit(1024);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let handler = handler.clone();
            tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), handler));
        }
    });
    (addr, calls)
}

fn path(request_time: u64) -> String {
    let query = CallbackQuery::new(APP, "Sns.CallbackBlackListAdd")
        .signed(&Token::new("xxxxyyyy"), request_time)
        .to_query_string();
    format!("/callback?{query}")
}

#[tokio::test(start_paused = true)]
async fn a_valid_callback_is_answered_and_passed_on() {
    let (addr, calls) = serve().await;
    let answer = support::post(addr, &path(TIME), ADD.as_bytes()).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(
        answer.body,
        r#"{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}"#
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn bad_requests_are_rejected_before_the_function() {
    let (addr, calls) = serve().await;

    let stale = support::post(addr, &path(TIME - 3600), ADD.as_bytes()).await;
    assert_eq!(stale.status, 403, "{stale:?}");

    let get = support::exchange(addr, &format!("GET {} HTTP/1.1", path(TIME)), b"").await;
    assert_eq!(get.status, 405, "{get:?}");
    assert!(
        get.head.to_ascii_lowercase().contains("allow: post"),
        "{get:?}"
    );

    // A declared length over the limit is refused before the body is read.
    let declared = support::exchange(
        addr,
        &format!("POST {} HTTP/1.1\r\nContent-Length: 5000000", path(TIME)),
        b"",
    )
    .await;
    assert_eq!(declared.status, 413, "{declared:?}");

    // A chunked body with no declared length is cut off at the limit.
    let chunk = format!("{:x}\r\n{}\r\n", 2000, " ".repeat(2000));
    let chunked = support::exchange(
        addr,
        &format!("POST {} HTTP/1.1\r\nTransfer-Encoding: chunked", path(TIME)),
        format!("{chunk}0\r\n\r\n").as_bytes(),
    )
    .await;
    assert_eq!(chunked.status, 413, "{chunked:?}");

    assert_eq!(calls.load(Ordering::SeqCst), 0);
}
