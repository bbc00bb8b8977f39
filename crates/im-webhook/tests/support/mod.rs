//! A minimal HTTP/1.1 client over a loopback socket, so the server tests need no client crate.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The parts of a response the tests look at.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) head: String,
    pub(crate) body: String,
}

/// Sends `head` (the request line and headers, without the blank line) and `body` with
/// `Connection: close`, and reads the whole response.
pub(crate) async fn exchange(addr: SocketAddr, head: &str, body: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    // One write, so the server finds the whole request in its first read and never closes
    // the connection with unread bytes (which would reset it before the answer is read).
    let mut request = format!("{head}\r\nHost: {addr}\r\nConnection: close\r\n\r\n").into_bytes();
    request.extend_from_slice(body);
    stream.write_all(&request).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let response = String::from_utf8(response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|status| status.parse().ok())
        .unwrap();
    Answer {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
    }
}

/// A `POST` with a `Content-Length` body to `path_and_query`.
pub(crate) async fn post(addr: SocketAddr, path_and_query: &str, body: &[u8]) -> Answer {
    let head = format!(
        "POST {path_and_query} HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: {}",
        body.len()
    );
    exchange(addr, &head, body).await
}
