//! The `axum` router, over a real loopback connection.

mod support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use im_webhook::{CallbackQuery, Event, Pair, Reply, Token, Verifier, WebhookHandler, router};
use tokio::net::TcpListener;

const APP: u64 = 1_400_000_000;
const TIME: u64 = 1_669_872_112;
const DELETE: &str = include_str!("data/blocklist-delete.json");

/// Serves the router on a loopback port; counts the calls with the documented pairs.
async fn serve() -> (SocketAddr, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let handler = WebhookHandler::new(
        Verifier::new(APP, Token::new("xxxxyyyy")),
        move |event: Event| {
            let counter = Arc::clone(&counter);
            async move {
                assert_eq!(
                    event,
                    Event::BlocklistRemoved {
                        pairs: vec![Pair::new("id", "id1"), Pair::new("id", "id2")]
                    }
                );
                counter.fetch_add(1, Ordering::SeqCst);
                Reply::ok()
            }
        },
    )
    .with_clock(|| TIME);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router(handler)).await });
    (addr, calls)
}

fn query(request_time: u64) -> String {
    CallbackQuery::new(APP, "Sns.CallbackBlackListDelete")
        .with_client_ip("127.0.0.1")
        .with_platform("Android")
        .signed(&Token::new("xxxxyyyy"), request_time)
        .to_query_string()
}

#[tokio::test(start_paused = true)]
async fn callbacks_are_answered_on_any_path() {
    let (addr, calls) = serve().await;
    for path in ["/", "/im/callback", "/deeply/nested/hook"] {
        let answer =
            support::post(addr, &format!("{path}?{}", query(TIME)), DELETE.as_bytes()).await;
        assert_eq!(answer.status, 200, "{path}: {answer:?}");
        assert!(
            answer
                .head
                .to_ascii_lowercase()
                .contains("content-type: application/json"),
            "{answer:?}"
        );
        assert_eq!(
            answer.body,
            r#"{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}"#
        );
    }
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[tokio::test(start_paused = true)]
async fn bad_requests_never_reach_the_function() {
    let (addr, calls) = serve().await;

    let future = support::post(addr, &format!("/?{}", query(TIME + 120)), DELETE.as_bytes()).await;
    assert_eq!(future.status, 403, "{future:?}");
    assert!(future.body.contains("in the future"), "{future:?}");

    let wrong_app = query(TIME).replace("SdkAppid=1400000000", "SdkAppid=1400000009");
    let wrong_app = support::post(addr, &format!("/?{wrong_app}"), DELETE.as_bytes()).await;
    assert_eq!(wrong_app.status, 403, "{wrong_app:?}");

    let get = support::exchange(addr, &format!("GET /?{} HTTP/1.1", query(TIME)), b"").await;
    assert_eq!(get.status, 405, "{get:?}");

    // The handler's 1 MiB limit applies, not axum's `DefaultBodyLimit` of 2 MB.
    let huge = support::exchange(
        addr,
        &format!(
            "POST /?{} HTTP/1.1\r\nContent-Length: {}",
            query(TIME),
            1024 * 1024 + 1
        ),
        b"",
    )
    .await;
    assert_eq!(huge.status, 413, "{huge:?}");

    assert_eq!(calls.load(Ordering::SeqCst), 0);
}
