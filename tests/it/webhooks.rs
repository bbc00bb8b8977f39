//! Blocklist webhooks end to end: the SDK changes a blocklist on the emulator over HTTP, the
//! emulator sends signed callbacks, and an `im-webhook` handler verifies them.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use im_emulator::{CallbackOutcome, Emulator, SentCallback, ServerHandle};
use tencent_im::webhook::{Event, Pair, Reply, Token, Verifier, WebhookHandler};
use tencent_im::{Client, Endpoint, SecretKey};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

const SDKAPPID: u64 = 1_400_000_000;
const KEY: &str = "webhooks-end-to-end-key";
const TOKEN: &str = "webhooks-end-to-end-token";

/// The application: a handler on loopback that records every event it is given.
struct App {
    url: String,
    events: Arc<Mutex<Vec<Event>>>,
    task: JoinHandle<()>,
}

impl App {
    /// Serves a handler that verifies callbacks with `token`.
    async fn start(token: &str) -> App {
        let events = Arc::new(Mutex::new(Vec::new()));
        let recorded = events.clone();
        let verifier = Verifier::new(SDKAPPID, Token::new(token));
        let handler = WebhookHandler::new(verifier, move |event: Event| {
            recorded.lock().unwrap().push(event);
            async { Reply::ok() }
        });
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        let url = format!("http://{}/im/callback", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let handler = handler.clone();
                tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), handler));
            }
        });
        App { url, events, task }
    }

    fn events(&self) -> Vec<Event> {
        self.events.lock().unwrap().clone()
    }
}

impl Drop for App {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// An emulator over HTTP that sends its callbacks to `app`, and a client of it.
async fn emulator_for(app: &App) -> (Emulator, ServerHandle, Client) {
    let emulator = Emulator::builder()
        .sdkappid(SDKAPPID)
        .key(SecretKey::from(KEY))
        .webhook(app.url.clone(), Token::new(TOKEN))
        .build()
        .unwrap();
    emulator.import_accounts(["alice", "bob", "carol"]);
    let server = emulator
        .serve(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let client = Client::builder()
        .sdkappid(SDKAPPID)
        .key(KEY)
        .endpoint(Endpoint::custom_insecure_http(&server.base_url()).unwrap())
        .rate_limiter(std::sync::Arc::new(tencent_im::AdaptivePacer::documented()))
        .build()
        .unwrap();
    (emulator, server, client)
}

/// Waits, at most 30 seconds, until the emulator knows how every callback ended. The
/// handler records an event before it answers, so by then the application has it.
async fn delivered(emulator: &Emulator) -> Vec<SentCallback> {
    tokio::time::timeout(Duration::from_secs(30), emulator.wait_for_callbacks())
        .await
        .expect("the callbacks finish")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_block_through_the_sdk_reaches_the_handler_as_a_verified_event() {
    let app = App::start(TOKEN).await;
    let (emulator, server, client) = emulator_for(&app).await;

    let outcome = client
        .blocklist()
        .add("alice", ["bob", "carol"])
        .await
        .unwrap();
    assert_eq!(outcome.succeeded, ["bob", "carol"]);
    let sent = delivered(&emulator).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].outcome, CallbackOutcome::Answered { status: 200 });
    assert_eq!(
        app.events(),
        [Event::BlocklistAdded {
            pairs: vec![Pair::new("alice", "bob"), Pair::new("alice", "carol")],
        }]
    );

    let outcome = client.blocklist().remove("alice", ["bob"]).await.unwrap();
    assert_eq!(outcome.succeeded, ["bob"]);
    let sent = delivered(&emulator).await;
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1].status(), Some(200));
    assert_eq!(
        app.events()[1..],
        [Event::BlocklistRemoved {
            pairs: vec![Pair::new("alice", "bob")],
        }]
    );

    // Blocking carol again changes nothing: no callback.
    client.blocklist().add("alice", ["carol"]).await.unwrap();
    assert_eq!(delivered(&emulator).await.len(), 2);
    assert_eq!(app.events().len(), 2);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_with_another_token_rejects_the_callback_unseen() {
    let app = App::start("a-different-token").await;
    let (emulator, server, client) = emulator_for(&app).await;

    client
        .blocklist()
        .add("alice", ["bob", "carol"])
        .await
        .unwrap();
    let sent = delivered(&emulator).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].outcome, CallbackOutcome::Answered { status: 403 });
    assert!(
        app.events().is_empty(),
        "the application's function was called"
    );
    // The change itself stands: the service ignores what the application answers.
    assert!(emulator.is_blocked("alice", "carol"));
    server.shutdown().await;
}
