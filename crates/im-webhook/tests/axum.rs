//! The `axum` router and extractor, over a real loopback connection.

mod support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::extract::{FromRef, State};
use im_webhook::{
    CallbackQuery, Event, Pair, Reply, Token, VerifiedEvent, Verifier, WebhookHandler,
    WebhookState, router,
};
use tokio::net::TcpListener;

const APP: u64 = 1_400_000_000;
const TIME: u64 = 1_669_872_112;
const DELETE: &str = include_str!("data/blocklist-delete.json");
const PATH: &str = "/im/callback";

fn documented_pairs() -> Event {
    Event::BlocklistRemoved {
        pairs: vec![Pair::new("id", "id1"), Pair::new("id", "id2")],
    }
}

/// Serves `app` on a loopback port.
async fn serve_app(app: axum::Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// Serves the router on `PATH` merged into an application with a route of its own; counts
/// the calls with the documented pairs.
async fn serve() -> (SocketAddr, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let handler = WebhookHandler::new(
        Verifier::new(APP, Token::new("xxxxyyyy")),
        move |event: Event| {
            let counter = Arc::clone(&counter);
            async move {
                assert_eq!(event, documented_pairs());
                counter.fetch_add(1, Ordering::SeqCst);
                Reply::ok()
            }
        },
    )
    .with_clock(|| TIME);
    let app = axum::Router::new()
        .route("/health", axum::routing::get(|| async { "healthy" }))
        .merge(router(PATH, handler));
    (serve_app(app).await, calls)
}

fn query(request_time: u64) -> String {
    CallbackQuery::new(APP, "Sns.CallbackBlackListDelete")
        .with_client_ip("127.0.0.1")
        .with_platform("Android")
        .signed(&Token::new("xxxxyyyy"), request_time)
        .to_query_string()
}

#[tokio::test(start_paused = true)]
async fn other_paths_are_not_the_routers_business() {
    let (addr, calls) = serve().await;

    let page = support::exchange(addr, "GET /no-such-page HTTP/1.1", b"").await;
    let post = support::post(
        addr,
        &format!("/elsewhere?{}", query(TIME)),
        DELETE.as_bytes(),
    )
    .await;
    let health = support::exchange(addr, "GET /health HTTP/1.1", b"").await;

    assert_eq!(page.status, 404, "{page:?}");
    assert_eq!(post.status, 404, "{post:?}");
    assert_eq!(health.status, 200, "{health:?}");
    assert_eq!(health.body, "healthy");
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test(start_paused = true)]
async fn callbacks_are_answered_on_the_routers_path() {
    let (addr, calls) = serve().await;

    let answer = support::post(addr, &format!("{PATH}?{}", query(TIME)), DELETE.as_bytes()).await;

    assert_eq!(answer.status, 200, "{answer:?}");
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
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn a_path_without_a_slash_gets_one() {
    let handler = WebhookHandler::new(Verifier::new(APP, Token::new("xxxxyyyy")), |_| async {
        Reply::ok()
    })
    .with_clock(|| TIME);
    let addr = serve_app(router("hook", handler)).await;

    let answer = support::post(addr, &format!("/hook?{}", query(TIME)), DELETE.as_bytes()).await;

    assert_eq!(answer.status, 200, "{answer:?}");
}

#[tokio::test(start_paused = true)]
async fn bad_requests_never_reach_the_function() {
    let (addr, calls) = serve().await;

    let future = support::post(
        addr,
        &format!("{PATH}?{}", query(TIME + 120)),
        DELETE.as_bytes(),
    )
    .await;
    assert_eq!(future.status, 403, "{future:?}");
    assert!(future.body.contains("in the future"), "{future:?}");

    let wrong_app = query(TIME).replace("SdkAppid=1400000000", "SdkAppid=1400000009");
    let wrong_app = support::post(addr, &format!("{PATH}?{wrong_app}"), DELETE.as_bytes()).await;
    assert_eq!(wrong_app.status, 403, "{wrong_app:?}");

    let get = support::exchange(addr, &format!("GET {PATH}?{} HTTP/1.1", query(TIME)), b"").await;
    assert_eq!(get.status, 405, "{get:?}");
    assert!(
        get.head.to_ascii_lowercase().contains("allow: post"),
        "{get:?}"
    );

    // The handler's 1 MiB limit applies, not axum's `DefaultBodyLimit` of 2 MB.
    let huge = support::exchange(
        addr,
        &format!(
            "POST {PATH}?{} HTTP/1.1\r\nContent-Length: {}",
            query(TIME),
            1024 * 1024 + 1
        ),
        b"",
    )
    .await;
    assert_eq!(huge.status, 413, "{huge:?}");

    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

/// An application's state: its own data next to the webhook checks.
#[derive(Clone)]
struct App {
    webhook: WebhookState,
    events: Arc<std::sync::Mutex<Vec<Event>>>,
}

impl FromRef<App> for WebhookState {
    fn from_ref(app: &App) -> Self {
        app.webhook.clone()
    }
}

async fn on_callback(State(app): State<App>, VerifiedEvent(event): VerifiedEvent) -> Reply {
    app.events.lock().unwrap().push(event);
    Reply::ok()
}

async fn serve_extractor(body_limit: usize) -> (SocketAddr, App) {
    let app = App {
        webhook: WebhookState::new(Verifier::new(APP, Token::new("xxxxyyyy")))
            .with_clock(|| TIME)
            .with_body_limit(body_limit),
        events: Arc::default(),
    };
    let router = axum::Router::new()
        .route(PATH, axum::routing::post(on_callback))
        .with_state(app.clone());
    (serve_app(router).await, app)
}

#[tokio::test(start_paused = true)]
async fn the_extractor_hands_a_verified_event_to_a_handler_with_the_apps_state() {
    let (addr, app) = serve_extractor(1024).await;

    let answer = support::post(addr, &format!("{PATH}?{}", query(TIME)), DELETE.as_bytes()).await;

    assert_eq!(answer.status, 200, "{answer:?}");
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
    assert_eq!(*app.events.lock().unwrap(), [documented_pairs()]);
}

#[tokio::test(start_paused = true)]
async fn the_extractor_rejects_as_the_handler_does() {
    let (addr, app) = serve_extractor(1024).await;

    let stale = support::post(
        addr,
        &format!("{PATH}?{}", query(TIME - 600)),
        DELETE.as_bytes(),
    )
    .await;
    assert_eq!(stale.status, 403, "{stale:?}");
    assert!(stale.body.contains(r#""ActionStatus":"FAIL""#), "{stale:?}");
    assert!(!stale.body.contains("xxxxyyyy"), "{stale:?}");

    let bad_sign = CallbackQuery::new(APP, "Sns.CallbackBlackListDelete")
        .signed(&Token::new("another token"), TIME)
        .to_query_string();
    let bad_sign = support::post(addr, &format!("{PATH}?{bad_sign}"), DELETE.as_bytes()).await;
    assert_eq!(bad_sign.status, 403, "{bad_sign:?}");

    let unsigned = CallbackQuery::new(APP, "Sns.CallbackBlackListDelete").to_query_string();
    let unsigned = support::post(addr, &format!("{PATH}?{unsigned}"), DELETE.as_bytes()).await;
    assert_eq!(unsigned.status, 400, "{unsigned:?}");

    let get = support::exchange(addr, &format!("GET {PATH}?{} HTTP/1.1", query(TIME)), b"").await;
    assert_eq!(get.status, 405, "{get:?}");

    // The body is bigger than the state's 64-byte limit.
    let (small_addr, small_app) = serve_extractor(64).await;
    let big = support::post(
        small_addr,
        &format!("{PATH}?{}", query(TIME)),
        DELETE.as_bytes(),
    )
    .await;
    assert_eq!(big.status, 413, "{big:?}");

    assert!(app.events.lock().unwrap().is_empty());
    assert!(small_app.events.lock().unwrap().is_empty());
}
