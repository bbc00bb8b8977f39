//! The limits, on a paused clock, with in-memory connections and injected accept errors.

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::accept::{Accept, FIRST_PAUSE, LONGEST_PAUSE};
use crate::{Server, ServerLimits};

const ADDR: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 0);
const REQUEST: &[u8] = b"POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 2\r\n\r\nhi";

/// An acceptor fed by a test: each item is a connection to hand out or an error to return.
/// It records when each accept returned.
struct Scripted {
    incoming: mpsc::UnboundedReceiver<io::Result<DuplexStream>>,
    accepted: Arc<Mutex<Vec<Instant>>>,
}

impl Accept for Scripted {
    type Io = DuplexStream;

    async fn accept(&mut self) -> io::Result<DuplexStream> {
        let next = match self.incoming.recv().await {
            Some(next) => next,
            // The test dropped its sender: no more clients.
            None => std::future::pending().await,
        };
        self.accepted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(Instant::now());
        next
    }
}

/// A server under test and the means to connect to it.
struct Harness {
    server: Server,
    clients: mpsc::UnboundedSender<io::Result<DuplexStream>>,
    accepted: Arc<Mutex<Vec<Instant>>>,
}

impl Harness {
    /// Starts a server that echoes request bodies, after `delay`.
    fn start(limits: ServerLimits, delay: Duration) -> Harness {
        let (clients, incoming) = mpsc::unbounded_channel();
        let accepted = Arc::new(Mutex::new(Vec::new()));
        let acceptor = Scripted {
            incoming,
            accepted: Arc::clone(&accepted),
        };
        let service = service_fn(move |request: http::Request<Incoming>| async move {
            let body = request.into_body().collect().await?.to_bytes();
            tokio::time::sleep(delay).await;
            Ok::<_, hyper::Error>(http::Response::new(Full::new(body)))
        });
        let server = Server::spawn(acceptor, ADDR, limits, service).expect("in a runtime");
        Harness {
            server,
            clients,
            accepted,
        }
    }

    /// Opens a connection; the server accepts it when it has room.
    fn connect(&self) -> DuplexStream {
        let (client, server) = tokio::io::duplex(64 * 1024);
        self.clients.send(Ok(server)).expect("the loop runs");
        client
    }

    /// Makes the next accept fail with `error`.
    fn fail_accept(&self, error: io::Error) {
        self.clients.send(Err(error)).expect("the loop runs");
    }

    fn accepted(&self) -> Vec<Instant> {
        self.accepted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

/// Reads until the server closes the connection, for at most `limit` of virtual time;
/// `None` when it is still open then.
async fn read_to_close(client: &mut DuplexStream, limit: Duration) -> Option<String> {
    let mut text = Vec::new();
    match tokio::time::timeout(limit, client.read_to_end(&mut text)).await {
        Ok(Ok(_)) => Some(String::from_utf8_lossy(&text).into_owned()),
        // A reset is a close too.
        Ok(Err(_)) => Some(String::from_utf8_lossy(&text).into_owned()),
        Err(_) => None,
    }
}

/// Reads one answer to [`REQUEST`] (the body is `hi`).
async fn read_answer(client: &mut DuplexStream) -> String {
    let mut text = Vec::new();
    let mut buffer = [0u8; 1024];
    while !text.ends_with(b"\r\n\r\nhi") {
        let read = tokio::time::timeout(Duration::from_secs(60), client.read(&mut buffer))
            .await
            .expect("an answer within a minute")
            .expect("readable");
        assert!(read > 0, "closed before answering: {text:?}");
        text.extend_from_slice(&buffer[..read]);
    }
    String::from_utf8_lossy(&text).into_owned()
}

fn limits() -> ServerLimits {
    ServerLimits::default()
        .with_header_read_timeout(Duration::from_secs(5))
        .with_request_timeout(Duration::from_secs(20))
        .with_shutdown_grace(Duration::from_secs(3))
}

#[tokio::test(start_paused = true)]
async fn a_client_that_sends_half_a_head_is_cut_after_the_header_timeout() {
    let harness = Harness::start(limits(), Duration::ZERO);
    let mut client = harness.connect();
    let start = Instant::now();
    client
        .write_all(b"POST /echo HTTP/1.1\r\nHost: te")
        .await
        .expect("writes");
    assert_eq!(
        read_to_close(&mut client, Duration::from_millis(4900)).await,
        None,
        "still open before the timeout"
    );
    let closed = read_to_close(&mut client, Duration::from_secs(60)).await;
    assert!(closed.is_some(), "closed once the header timeout passed");
    assert_eq!(start.elapsed(), Duration::from_secs(5));
}

#[tokio::test(start_paused = true)]
async fn a_client_that_sends_nothing_is_cut_after_the_header_timeout() {
    let harness = Harness::start(limits(), Duration::ZERO);
    let mut client = harness.connect();
    let start = Instant::now();
    assert!(
        read_to_close(&mut client, Duration::from_secs(60))
            .await
            .is_some()
    );
    assert_eq!(start.elapsed(), Duration::from_secs(5));
}

#[tokio::test(start_paused = true)]
async fn an_idle_kept_alive_connection_is_closed_after_the_header_timeout() {
    let harness = Harness::start(limits(), Duration::ZERO);
    let mut client = harness.connect();
    client.write_all(REQUEST).await.expect("writes");
    let answer = read_answer(&mut client).await;
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    let answered = Instant::now();
    assert!(
        read_to_close(&mut client, Duration::from_secs(60))
            .await
            .is_some()
    );
    assert_eq!(answered.elapsed(), Duration::from_secs(5));
}

#[tokio::test(start_paused = true)]
async fn a_body_that_never_ends_is_cut_after_the_request_timeout() {
    let harness = Harness::start(limits(), Duration::ZERO);
    let mut client = harness.connect();
    client
        .write_all(b"POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\nonly this")
        .await
        .expect("writes");
    let start = Instant::now();
    let closed = read_to_close(&mut client, Duration::from_secs(60))
        .await
        .expect("closed");
    assert_eq!(closed, "", "closed without an answer");
    assert_eq!(start.elapsed(), Duration::from_secs(20));
}

#[tokio::test(start_paused = true)]
async fn the_last_request_a_connection_may_carry_is_answered_with_connection_close() {
    let harness = Harness::start(limits().with_max_requests_per_connection(2), Duration::ZERO);
    let mut client = harness.connect();
    client.write_all(REQUEST).await.expect("writes");
    let first = read_answer(&mut client).await;
    assert!(!first.to_ascii_lowercase().contains("connection: close"));
    client.write_all(REQUEST).await.expect("writes");
    let start = Instant::now();
    let second = read_to_close(&mut client, Duration::from_secs(60))
        .await
        .expect("closed after the answer");
    assert!(second.starts_with("HTTP/1.1 200 OK"), "{second}");
    assert!(
        second.to_ascii_lowercase().contains("connection: close"),
        "{second}"
    );
    assert_eq!(start.elapsed(), Duration::ZERO, "closed at once");
}

#[tokio::test(start_paused = true)]
async fn connections_past_the_cap_wait_until_one_closes() {
    let harness = Harness::start(limits().with_max_connections(2), Duration::ZERO);
    let first = harness.connect();
    let second = harness.connect();
    let mut third = harness.connect();
    third.write_all(REQUEST).await.expect("writes");
    // The third client is not accepted, so its request waits, while two are open.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(harness.accepted().len(), 2);
    let mut buffer = [0u8; 16];
    assert!(
        tokio::time::timeout(Duration::from_millis(500), third.read(&mut buffer))
            .await
            .is_err(),
        "no answer past the cap"
    );
    // One of the first two closes: the third is accepted and answered.
    drop(first);
    let answer = read_answer(&mut third).await;
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert_eq!(harness.accepted().len(), 3);
    drop(second);
}

#[tokio::test(start_paused = true)]
async fn running_out_of_file_descriptors_backs_off_instead_of_spinning() {
    let harness = Harness::start(limits(), Duration::ZERO);
    let start = Instant::now();
    // A thousand EMFILE errors in a row, then a client.
    for _ in 0..1000 {
        harness.fail_accept(io::Error::from_raw_os_error(24));
    }
    tokio::time::sleep(Duration::from_secs(10)).await;
    let attempts = harness.accepted();
    // At once, then after pauses of 10, 20, 40 ... 640 ms (at 1.27 s), then one attempt a
    // second: 16 attempts in ten seconds, not a thousand at once.
    assert_eq!(attempts.len(), 16, "{attempts:?}");
    let gaps: Vec<Duration> = attempts.windows(2).map(|pair| pair[1] - pair[0]).collect();
    assert_eq!(gaps[0], FIRST_PAUSE);
    assert!(gaps.windows(2).all(|pair| pair[0] <= pair[1]), "{gaps:?}");
    assert_eq!(gaps.last().copied(), Some(LONGEST_PAUSE));
    assert!(
        attempts[0] - start < FIRST_PAUSE,
        "the first attempt is at once"
    );
}

#[tokio::test(start_paused = true)]
async fn after_the_errors_stop_clients_are_served_again() {
    let harness = Harness::start(limits(), Duration::ZERO);
    for _ in 0..3 {
        harness.fail_accept(io::Error::from_raw_os_error(24));
    }
    // A client leaving before it was accepted is no reason to pause.
    harness.fail_accept(io::Error::from(io::ErrorKind::ConnectionAborted));
    let mut client = harness.connect();
    client.write_all(REQUEST).await.expect("writes");
    let answer = read_answer(&mut client).await;
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    let attempts = harness.accepted();
    assert_eq!(attempts.len(), 5);
    // Pauses of 10, 20 and 40 ms after the three EMFILE errors, none after the abort.
    assert_eq!(attempts[3] - attempts[0], Duration::from_millis(70));
    assert_eq!(attempts[4], attempts[3]);
}

#[tokio::test(start_paused = true)]
async fn shutdown_closes_a_connection_that_holds_a_half_sent_request() {
    let harness = Harness::start(
        limits().with_header_read_timeout(Duration::from_secs(3600)),
        Duration::ZERO,
    );
    let mut client = harness.connect();
    client
        .write_all(b"POST /echo HTTP/1.1\r\nHost: te")
        .await
        .expect("writes");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(harness.accepted().len(), 1);
    let start = Instant::now();
    tokio::time::timeout(Duration::from_secs(60), harness.server.shutdown())
        .await
        .expect("shutdown ends within a minute, long before the header timeout");
    assert!(
        start.elapsed() <= Duration::from_secs(3),
        "within the grace"
    );
    assert!(
        read_to_close(&mut client, Duration::ZERO).await.is_some(),
        "the connection is closed"
    );
}

#[tokio::test(start_paused = true)]
async fn shutdown_lets_a_request_in_progress_finish_within_the_grace() {
    let harness = Harness::start(limits(), Duration::from_secs(2));
    let mut client = harness.connect();
    client.write_all(REQUEST).await.expect("writes");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let reading =
        tokio::spawn(async move { read_to_close(&mut client, Duration::from_secs(60)).await });
    let start = Instant::now();
    harness.server.shutdown().await;
    assert_eq!(start.elapsed(), Duration::from_millis(1500));
    let answer = reading
        .await
        .expect("joined")
        .expect("closed after the answer");
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(answer.ends_with("hi"), "{answer}");
}

#[tokio::test(start_paused = true)]
async fn a_stopped_server_accepts_no_more_connections() {
    let harness = Harness::start(limits(), Duration::ZERO);
    let Harness {
        server,
        clients,
        accepted,
    } = harness;
    server.shutdown().await;
    let (_client, server_side) = tokio::io::duplex(1024);
    // The acceptor is gone with the loop.
    assert!(clients.send(Ok(server_side)).is_err());
    assert!(accepted.lock().expect("not poisoned").is_empty());
}
