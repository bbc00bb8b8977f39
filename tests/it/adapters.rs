//! The facade over the transport adapters (features `tower` and `reqwest`), against the
//! emulator over real HTTP on 127.0.0.1: blocklist calls end to end, with and without faults.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::rt::TokioExecutor;
use im_emulator::{Emulator, Faults};
use tencent_im::transport::{RequestMetadata, ReqwestTransport, TowerTransport, redact_uri};
use tencent_im::{CheckType, Client, Endpoint, Relation, SecretKey, Transport};
use tower::ServiceBuilder;
use tower_http::trace::TraceLayer;

const SDKAPPID: u64 = 1_400_000_000;
const KEY: &str = "adapters-over-http-key";

async fn emulator(faults: Faults) -> (Emulator, im_emulator::ServerHandle) {
    let emulator = Emulator::builder()
        .sdkappid(SDKAPPID)
        .key(SecretKey::from(KEY))
        .faults(faults)
        .build()
        .expect("emulator");
    let server = emulator
        .serve(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("serve");
    (emulator, server)
}

fn client(server: &im_emulator::ServerHandle, transport: Arc<dyn Transport>) -> Client {
    Client::builder()
        .sdkappid(SDKAPPID)
        .key(KEY)
        .endpoint(Endpoint::custom_insecure_http(&server.base_url()).expect("loopback URL"))
        .transport(transport)
        .rate_limiter(Arc::new(tencent_im::AdaptivePacer::documented()))
        .build()
        .expect("client")
}

/// A transport on an app's reqwest client, allowed to speak plain http to the emulator.
fn reqwest_transport() -> Arc<dyn Transport> {
    let client = ReqwestTransport::client_builder()
        .expect("TLS configuration")
        .https_only(false)
        .build()
        .expect("reqwest client");
    Arc::new(ReqwestTransport::new(client))
}

/// A tower stack over hyper-util's client: a timeout, and a metadata-reading layer that
/// counts the attempts of each API, as a metrics layer would.
fn tower_transport(attempts: Arc<Mutex<Vec<(String, u32)>>>) -> Arc<dyn Transport> {
    let stack = ServiceBuilder::new()
        .map_request(move |request: http::Request<Full<Bytes>>| {
            if let Some(meta) = RequestMetadata::of(&request) {
                let mut seen = attempts.lock().expect("not poisoned");
                seen.push((meta.api().to_owned(), meta.attempt()));
            }
            request
        })
        .timeout(Duration::from_secs(10))
        .service(HyperClient::builder(TokioExecutor::new()).build_http());
    Arc::new(TowerTransport::new(stack))
}

/// Block, check both ways and unblock through `transport`, against a fresh emulator.
async fn block_check_unblock(transport: Arc<dyn Transport>) {
    let (emulator, server) = emulator(Faults::none()).await;
    let client = client(&server, transport);
    emulator.import_accounts(["alice", "bob"].map(String::from));
    emulator.make_friends("alice", "bob");

    let outcome = client.blocklist().add("alice", ["bob"]).await.expect("add");
    assert_eq!(outcome.succeeded, ["bob"]);
    assert!(emulator.is_blocked("alice", "bob"));
    assert!(
        !emulator.are_friends("alice", "bob"),
        "blocking ends the friendship"
    );

    let check = client
        .blocklist()
        .check("bob", ["alice"], CheckType::Both)
        .await
        .expect("check");
    assert_eq!(check.relation("alice"), Some(Relation::BWithA));

    let outcome = client
        .blocklist()
        .remove("alice", ["bob"])
        .await
        .expect("remove");
    assert_eq!(outcome.succeeded, ["bob"]);
    assert!(!emulator.is_blocked("alice", "bob"));
    server.shutdown().await;
}

/// 900 accounts through `transport` while the emulator drops answers after applying them,
/// answers 502, fails accounts and truncates JSON: every account ends blocked exactly once.
async fn faults_leave_every_account_blocked_once(transport: Arc<dyn Transport>) {
    let faults = Faults::seeded(23)
        .account_error(0.3)
        .lost_answer(0.1)
        .http_502(0.05)
        .truncated_json(0.05);
    let (emulator, server) = emulator(faults).await;
    let client = client(&server, transport);
    let fans: Vec<String> = (0..900).map(|i| format!("fan{i:04}")).collect();
    emulator.import_accounts(["erin".to_owned()]);
    emulator.import_accounts(fans.iter().cloned());

    let outcome = client
        .blocklist()
        .add("erin", fans.iter().cloned())
        .await
        .expect("add");

    assert!(outcome.failed.is_empty(), "{:?}", outcome.failed);
    assert_eq!(outcome.succeeded.len() + outcome.unchanged.len(), 900);
    assert_eq!(emulator.blocklist_of("erin").len(), 900);
    let injected: usize = emulator.requests().iter().map(|r| r.faults.len()).sum();
    assert!(injected > 0, "the run met no fault");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reqwest_blocks_checks_and_unblocks() {
    block_check_unblock(reqwest_transport()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reqwest_under_faults_blocks_every_account_once() {
    faults_leave_every_account_blocked_once(reqwest_transport()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tower_stack_blocks_checks_and_unblocks_and_its_layers_see_each_attempt() {
    let attempts = Arc::new(Mutex::new(Vec::new()));
    block_check_unblock(tower_transport(Arc::clone(&attempts))).await;

    let seen = attempts.lock().expect("not poisoned").clone();
    let expected = [
        ("BlackListAdd", 1),
        ("BlackListCheck", 1),
        ("BlackListDelete", 1),
    ];
    let expected: Vec<(String, u32)> = expected
        .iter()
        .map(|(api, attempt)| ((*api).to_owned(), *attempt))
        .collect();
    assert_eq!(seen, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tower_stack_under_faults_blocks_every_account_once_with_counted_retries() {
    let attempts = Arc::new(Mutex::new(Vec::new()));
    faults_leave_every_account_blocked_once(tower_transport(Arc::clone(&attempts))).await;

    let seen = attempts.lock().expect("not poisoned").clone();
    assert!(
        seen.iter().all(|(api, _)| api == "BlackListAdd"),
        "{seen:?}"
    );
    // Attempts are numbered 1, 2, 3... in the order the layer saw them.
    let numbers: Vec<u32> = seen.iter().map(|(_, attempt)| *attempt).collect();
    assert_eq!(numbers, (1..=seen.len() as u32).collect::<Vec<_>>());
    assert!(seen.len() > 1, "faults make the engine retry");
}

/// Captured log output.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .expect("not poisoned")
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn tower_http_tracing_with_redact_uri_logs_the_call_without_the_usersig() {
    let (emulator, server) = emulator(Faults::none()).await;
    // tower-http's TraceLayer, with the span the transport docs recommend: the URI redacted.
    let stack = ServiceBuilder::new()
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &http::Request<Full<Bytes>>| {
                tracing::info_span!("http", uri = %redact_uri(request.uri()))
            }),
        )
        .service(HyperClient::builder(TokioExecutor::new()).build_http());
    let client = client(&server, Arc::new(TowerTransport::new(stack)));
    emulator.import_accounts(["alice", "bob"].map(String::from));
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);

    let outcome = client.blocklist().add("alice", ["bob"]).await.expect("add");

    drop(guard);
    assert_eq!(outcome.succeeded, ["bob"]);
    let logs = String::from_utf8_lossy(&captured.0.lock().expect("not poisoned")).into_owned();
    let sig = client.signer().sig();
    assert!(
        logs.contains("/v4/sns/black_list_add?") && logs.contains("usersig=<redacted>"),
        "{logs}"
    );
    assert!(!logs.contains(sig.expose_secret()), "{logs}");
    server.shutdown().await;
}
