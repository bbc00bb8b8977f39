//! A minimal HTTP/1.1 server on loopback for exercising the transport over real sockets.
//!
//! Each test describes what the server writes for each request it reads; nothing here
//! interprets HTTP beyond finding the end of a request.

// Each test binary uses a different part of this module, and its items are `pub` for them.
#![allow(dead_code, unreachable_pub)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// A request as the server read it.
#[derive(Debug, Clone)]
pub struct RawRequest {
    /// The request line, for example `POST /v4/x?a=b HTTP/1.1`.
    pub request_line: String,
    /// Header lines as `(lowercased name, value)`.
    pub headers: Vec<(String, String)>,
    /// The body, read according to `content-length`.
    pub body: Vec<u8>,
}

impl RawRequest {
    /// The value of header `name` (lowercase), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What the server does for one request.
pub enum Reply {
    /// Writes the bytes and keeps the connection open for the next request.
    Write(Vec<u8>),
    /// Writes the bytes, then holds the connection open without writing or reading again.
    WriteThenStall(Vec<u8>),
    /// Writes the bytes, then closes the connection.
    WriteThenClose(Vec<u8>),
}

/// A running loopback server.
pub struct Server {
    /// The address it listens on.
    pub addr: SocketAddr,
    accepted: Arc<AtomicUsize>,
    requests: mpsc::UnboundedReceiver<RawRequest>,
}

impl Server {
    /// Starts a server that answers each request with `reply(request)`.
    pub async fn start<F>(reply: F) -> Server
    where
        F: Fn(&RawRequest) -> Reply + Send + Sync + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let (sender, requests) = mpsc::unbounded_channel();
        let reply = Arc::new(reply);
        let counter = Arc::clone(&accepted);
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                counter.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(stream, Arc::clone(&reply), sender.clone()));
            }
        });
        Server {
            addr,
            accepted,
            requests,
        }
    }

    /// An `http://` URL on this server with the given path and query.
    pub fn url(&self, path_and_query: &str) -> String {
        format!("http://{}{}", self.addr, path_and_query)
    }

    /// How many connections the server has accepted.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    /// The requests read so far, in order.
    pub fn take_requests(&mut self) -> Vec<RawRequest> {
        let mut all = Vec::new();
        while let Ok(request) = self.requests.try_recv() {
            all.push(request);
        }
        all
    }
}

async fn serve<F>(mut stream: TcpStream, reply: Arc<F>, sender: mpsc::UnboundedSender<RawRequest>)
where
    F: Fn(&RawRequest) -> Reply,
{
    let mut buffer = Vec::new();
    loop {
        let Some(request) = read_request(&mut stream, &mut buffer).await else {
            return;
        };
        let action = reply(&request);
        let _ = sender.send(request);
        match action {
            Reply::Write(bytes) => {
                if stream.write_all(&bytes).await.is_err() {
                    return;
                }
            }
            Reply::WriteThenStall(bytes) => {
                let _ = stream.write_all(&bytes).await;
                std::future::pending::<()>().await;
            }
            Reply::WriteThenClose(bytes) => {
                let _ = stream.write_all(&bytes).await;
                return;
            }
        }
    }
}

async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<RawRequest> {
    let head_end = loop {
        if let Some(position) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break position;
        }
        let mut chunk = [0u8; 4096];
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    buffer.drain(..head_end + 4);
    while buffer.len() < length {
        let mut chunk = [0u8; 4096];
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
    let body = buffer.drain(..length).collect();
    Some(RawRequest {
        request_line,
        headers,
        body,
    })
}

/// Writes a complete `200 OK` response with `body` and keeps the connection open.
pub fn ok(body: &[u8]) -> Reply {
    response(200, body)
}

/// Writes a complete response with `status` and `body` and keeps the connection open.
pub fn response(status: u16, body: &[u8]) -> Reply {
    let mut bytes = format!(
        "HTTP/1.1 {status} Status\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    bytes.extend_from_slice(body);
    Reply::Write(bytes)
}
