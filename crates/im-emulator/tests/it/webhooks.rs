//! The blocklist webhooks: which changes send a callback, what it holds, and how it is signed.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use im_emulator::{CallbackOutcome, Emulator, EmulatorError, Faults, SentCallback};
use im_protocol::{
    AddBlocklistRequest, CheckBlocklistRequest, CheckType, DeleteBlocklistRequest, ErrorCode,
    GetBlocklistRequest,
};
use im_transport::test_util::{FnTransport, json_response};
use im_transport::{Transport, TransportError};
use im_webhook::{CallbackQuery, Event, Pair, Token, Verifier};

use crate::support::{APP, Harness, KEY, NOW, harness_with};

const TOKEN: &str = "webhook-token";
const APP_URL: &str = "https://app.example/im/callback";

/// The requests the application received, and the status it answers with (0: no answer).
#[derive(Clone, Default)]
struct App {
    received: Arc<Mutex<Vec<http::Request<Bytes>>>>,
    status: Arc<AtomicU16>,
}

impl App {
    fn answering(status: u16) -> App {
        let app = App::default();
        app.status.store(status, Ordering::SeqCst);
        app
    }

    fn transport(&self) -> Arc<dyn Transport> {
        let app = self.clone();
        Arc::new(FnTransport::from_sync(move |request| {
            app.received.lock().unwrap().push(request);
            match app.status.load(Ordering::SeqCst) {
                0 => Err(TransportError::connect(std::io::Error::from(
                    std::io::ErrorKind::ConnectionRefused,
                ))),
                status => Ok(json_response(
                    http::StatusCode::from_u16(status).unwrap(),
                    r#"{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}"#,
                )),
            }
        }))
    }

    fn received(&self) -> Vec<http::Request<Bytes>> {
        self.received.lock().unwrap().clone()
    }
}

/// An in-process emulator that sends its callbacks to `app`, with owner, a, b and c.
fn harness(app: &App) -> Harness {
    let h = harness_with(|builder| {
        builder
            .webhook(APP_URL, Token::new(TOKEN))
            .webhook_transport(app.transport())
    });
    h.emulator.import_accounts(["owner", "a", "b", "c"]);
    h
}

/// Waits (at most 30 seconds) until every logged callback has an outcome, and returns the log.
async fn finished(emulator: &Emulator) -> Vec<SentCallback> {
    tokio::time::timeout(Duration::from_secs(30), emulator.wait_for_callbacks())
        .await
        .unwrap_or_else(|_| panic!("callbacks never finished: {:?}", emulator.callbacks()))
}

fn pairs(from: &str, to: &[&str]) -> Vec<Pair> {
    to.iter().map(|to| Pair::new(from, *to)).collect()
}

#[tokio::test]
async fn each_change_sends_one_signed_callback_with_the_changed_pairs() {
    let app = App::answering(200);
    let h = harness(&app);
    // Set up directly: no callback.
    assert_eq!(h.emulator.block("owner", "a"), ErrorCode::OK);

    // a is already blocked, ghost does not exist, b repeats: only b and c change.
    h.ok(&AddBlocklistRequest::new(
        "owner",
        ["a", "b", "ghost", "b", "c"],
    ))
    .await;
    // c2 was never blocked: only a and b change.
    h.ok(&DeleteBlocklistRequest::new("owner", ["a", "c2", "b"]))
        .await;

    let added = Event::BlocklistAdded {
        pairs: pairs("owner", &["b", "c"]),
    };
    let removed = Event::BlocklistRemoved {
        pairs: pairs("owner", &["a", "b"]),
    };
    let callbacks = finished(&h.emulator).await;
    assert_eq!(callbacks.len(), 2);
    assert_eq!(callbacks[0].event, added);
    assert_eq!(callbacks[0].command(), "Sns.CallbackBlackListAdd");
    assert_eq!(callbacks[1].event, removed);
    assert_eq!(callbacks[1].pairs(), pairs("owner", &["a", "b"]));
    for callback in &callbacks {
        assert_eq!(callback.request_time, NOW);
        assert_eq!(callback.outcome, CallbackOutcome::Answered { status: 200 });
        assert_eq!(callback.status(), Some(200));
    }

    // What the application received passes the real verifier with the same token.
    let received = app.received();
    assert_eq!(received.len(), 2);
    let verifier = Verifier::new(APP, Token::new(TOKEN));
    for (request, event) in received.iter().zip([&added, &removed]) {
        assert_eq!(request.method(), http::Method::POST);
        assert_eq!(request.headers()["content-type"], "application/json");
        let uri = request.uri().to_string();
        assert!(uri.starts_with(&format!("{APP_URL}?")), "{uri}");
        let query = request.uri().query();
        assert_eq!(
            verifier.verify_request(query, request.body(), NOW).unwrap(),
            *event
        );
        let query = CallbackQuery::parse(query.unwrap()).unwrap();
        assert_eq!(query.sdkappid.as_deref(), Some("1400000000"));
        assert_eq!(query.client_ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(query.opt_platform.as_deref(), Some("RESTAPI"));
        assert_eq!(query.request_time.as_deref(), Some("1700000000"));
        // Signed with another token, it is rejected.
        let other = Verifier::new(APP, Token::new("another-token"));
        assert!(
            other
                .verify_request(Some(&query.to_query_string()), request.body(), NOW)
                .unwrap_err()
                .is_unauthenticated()
        );
    }
}

#[tokio::test]
async fn requests_that_change_nothing_send_nothing() {
    let app = App::answering(200);
    let h = harness(&app);
    h.emulator.block("owner", "a");

    // Already blocked, self, unknown; not blocked; reads.
    h.ok(&AddBlocklistRequest::new("owner", ["a", "owner", "ghost"]))
        .await;
    h.ok(&DeleteBlocklistRequest::new("owner", ["b", "c"]))
        .await;
    h.ok(&GetBlocklistRequest::first_page("owner", 10)).await;
    h.ok(&CheckBlocklistRequest::new("owner", ["a"], CheckType::Both))
        .await;
    // Request-level failures: unknown From_Account, empty To_Account.
    let envelope = h.call(&AddBlocklistRequest::new("nobody", ["a"])).await;
    assert_eq!(envelope.status.error_code, ErrorCode::ACCOUNT_NOT_FOUND);
    let envelope = h
        .call(&AddBlocklistRequest::new("owner", Vec::<String>::new()))
        .await;
    assert_eq!(envelope.status.error_code, ErrorCode::INVALID_PARAMETER);

    assert!(h.emulator.callbacks().is_empty());
    tokio::task::yield_now().await;
    assert!(app.received().is_empty());
}

#[tokio::test]
async fn faults_that_stop_the_write_send_nothing_and_a_lost_answer_still_sends() {
    let app = App::answering(200);
    let h = harness(&app);
    h.emulator
        .set_faults(Faults::seeded(3).request_error(1.0).http_502(0.0));
    let envelope = h.call(&AddBlocklistRequest::new("owner", ["a"])).await;
    assert!(!envelope.status.is_success());
    h.emulator.set_faults(Faults::seeded(3).http_502(1.0));
    let response = h
        .send(&AddBlocklistRequest::new("owner", ["a"]))
        .await
        .unwrap();
    assert_eq!(response.status(), 502);
    assert!(h.emulator.callbacks().is_empty());

    // The write is applied and its answer lost: the application still hears of it.
    h.emulator.set_faults(Faults::seeded(3).lost_answer(1.0));
    let error = h
        .send(&AddBlocklistRequest::new("owner", ["a", "b"]))
        .await
        .unwrap_err();
    assert!(error.is_body());
    let callbacks = finished(&h.emulator).await;
    assert_eq!(callbacks.len(), 1);
    assert_eq!(
        callbacks[0].event,
        Event::BlocklistAdded {
            pairs: pairs("owner", &["a", "b"])
        }
    );
}

#[tokio::test]
async fn the_outcome_is_the_status_or_a_failure_and_nothing_is_retried() {
    let app = App::answering(500);
    let h = harness(&app);
    h.ok(&AddBlocklistRequest::new("owner", ["a"])).await;
    let callbacks = finished(&h.emulator).await;
    assert_eq!(
        callbacks[0].outcome,
        CallbackOutcome::Answered { status: 500 }
    );

    app.status.store(0, Ordering::SeqCst);
    h.ok(&DeleteBlocklistRequest::new("owner", ["a"])).await;
    let callbacks = finished(&h.emulator).await;
    assert_eq!(callbacks[1].outcome, CallbackOutcome::Failed);
    assert_eq!(callbacks[1].status(), None);
    // One request each, failed or not.
    assert_eq!(app.received().len(), 2);
    // The request itself succeeded and was applied.
    assert!(!h.emulator.is_blocked("owner", "a"));
}

#[tokio::test]
async fn set_webhook_turns_callbacks_on_and_off() {
    let app = App::answering(200);
    let h = harness_with(|builder| builder.webhook_transport(app.transport()));
    h.emulator.import_accounts(["owner", "a", "b", "c"]);
    assert_eq!(h.emulator.webhook_url(), None);
    h.ok(&AddBlocklistRequest::new("owner", ["a"])).await;
    assert!(h.emulator.callbacks().is_empty());

    h.emulator
        .set_webhook(Some((APP_URL.to_owned(), Token::new(TOKEN))))
        .unwrap();
    assert_eq!(h.emulator.webhook_url().as_deref(), Some(APP_URL));
    h.ok(&AddBlocklistRequest::new("owner", ["b"])).await;
    assert_eq!(h.emulator.callbacks().len(), 1);

    h.emulator.set_webhook(None).unwrap();
    h.ok(&AddBlocklistRequest::new("owner", ["c"])).await;
    assert_eq!(finished(&h.emulator).await.len(), 1);
    assert_eq!(app.received().len(), 1);
}

#[test]
fn a_webhook_url_must_be_absolute_http() {
    for url in [
        "",
        "not a url",
        "/relative/path",
        "ftp://app.example/callback",
    ] {
        let built = Emulator::builder()
            .sdkappid(APP)
            .key(im_sig::SecretKey::new(KEY))
            .webhook(url, Token::new(TOKEN))
            .build();
        assert!(
            matches!(built, Err(EmulatorError::InvalidWebhookUrl { .. })),
            "{url:?}"
        );
    }
    let emulator = Emulator::new(APP, im_sig::SecretKey::new(KEY));
    let error = emulator
        .set_webhook(Some((
            "mailto:ops@example.com".to_owned(),
            Token::new(TOKEN),
        )))
        .unwrap_err();
    assert!(!error.to_string().contains(TOKEN));
    assert_eq!(emulator.webhook_url(), None);
    emulator
        .set_webhook(Some((
            "http://127.0.0.1:9/cb".to_owned(),
            Token::new(TOKEN),
        )))
        .unwrap();
}

#[tokio::test]
async fn over_http_an_application_that_is_not_listening_is_a_failed_callback() {
    // A port that was free a moment ago, and is closed now.
    let port = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let h = harness_with(|builder| {
        builder.webhook(
            format!("http://127.0.0.1:{port}/callback"),
            Token::new(TOKEN),
        )
    });
    h.emulator.import_accounts(["owner", "a"]);
    h.ok(&AddBlocklistRequest::new("owner", ["a"])).await;
    let callbacks = finished(&h.emulator).await;
    assert_eq!(callbacks.len(), 1);
    assert_eq!(callbacks[0].outcome, CallbackOutcome::Failed);
    assert!(h.emulator.is_blocked("owner", "a"));
}
