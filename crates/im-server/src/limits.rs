//! How long a client may take, and how many clients are served at once.

use std::time::Duration;

/// The limits a [`Server`](crate::Server) holds every connection to.
///
/// Every connection either makes progress or is closed: its request head must arrive within
/// [`header_read_timeout`](Self::header_read_timeout) (which is also how long a kept-alive
/// connection may sit idle between requests), and reading the body and answering must end
/// within [`request_timeout`](Self::request_timeout). At most
/// [`max_connections`](Self::max_connections) are open at once; further clients wait in the
/// listen backlog until one closes. A connection is closed after
/// [`max_requests_per_connection`](Self::max_requests_per_connection) answers, so one client
/// cannot hold a slot for ever, and shutdown waits at most
/// [`shutdown_grace`](Self::shutdown_grace) for requests in progress.
///
/// ```
/// use std::time::Duration;
/// use im_server::ServerLimits;
///
/// let limits = ServerLimits::default()
///     .with_header_read_timeout(Duration::from_secs(5))
///     .with_max_connections(64);
/// assert_eq!(limits.header_read_timeout(), Duration::from_secs(5));
/// assert_eq!(limits.max_connections(), 64);
/// assert_eq!(limits.request_timeout(), ServerLimits::DEFAULT_REQUEST_TIMEOUT);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerLimits {
    header_read_timeout: Duration,
    request_timeout: Duration,
    max_connections: usize,
    max_requests_per_connection: u64,
    shutdown_grace: Duration,
}

impl ServerLimits {
    /// The default [`header_read_timeout`](Self::header_read_timeout): 30 seconds.
    pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
    /// The default [`request_timeout`](Self::request_timeout): 30 seconds.
    pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
    /// The default [`max_connections`](Self::max_connections): 512.
    pub const DEFAULT_MAX_CONNECTIONS: usize = 512;
    /// The default [`max_requests_per_connection`](Self::max_requests_per_connection): 1000.
    pub const DEFAULT_MAX_REQUESTS_PER_CONNECTION: u64 = 1000;
    /// The default [`shutdown_grace`](Self::shutdown_grace): 2 seconds.
    pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

    /// How long a client may take to send a request's head (the request line and headers),
    /// counted from when the server starts waiting for it: from the connection's start, and
    /// after each answer on a kept-alive connection. A client that sends half a head, or
    /// nothing, is disconnected when it passes.
    pub fn header_read_timeout(&self) -> Duration {
        self.header_read_timeout
    }

    /// How long reading a request's body and answering it may take, counted from the end of
    /// its head. When it passes the connection is closed without an answer.
    pub fn request_timeout(&self) -> Duration {
        self.request_timeout
    }

    /// How many connections are served at once. Past it the server stops accepting: new
    /// clients wait in the listen backlog until a connection closes.
    pub fn max_connections(&self) -> usize {
        self.max_connections
    }

    /// How many requests one connection may carry; the last answer says `Connection: close`.
    pub fn max_requests_per_connection(&self) -> u64 {
        self.max_requests_per_connection
    }

    /// How long [`Server::shutdown`](crate::Server::shutdown) lets requests in progress
    /// finish before it closes the connections that are still open.
    pub fn shutdown_grace(&self) -> Duration {
        self.shutdown_grace
    }

    /// Sets [`header_read_timeout`](Self::header_read_timeout) (at least 1 ms).
    pub fn with_header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Sets [`request_timeout`](Self::request_timeout) (at least 1 ms).
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Sets [`max_connections`](Self::max_connections) (at least 1).
    pub fn with_max_connections(mut self, connections: usize) -> Self {
        self.max_connections = connections.max(1);
        self
    }

    /// Sets [`max_requests_per_connection`](Self::max_requests_per_connection) (at least 1).
    pub fn with_max_requests_per_connection(mut self, requests: u64) -> Self {
        self.max_requests_per_connection = requests.max(1);
        self
    }

    /// Sets [`shutdown_grace`](Self::shutdown_grace).
    pub fn with_shutdown_grace(mut self, grace: Duration) -> Self {
        self.shutdown_grace = grace;
        self
    }
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            header_read_timeout: Self::DEFAULT_HEADER_READ_TIMEOUT,
            request_timeout: Self::DEFAULT_REQUEST_TIMEOUT,
            max_connections: Self::DEFAULT_MAX_CONNECTIONS,
            max_requests_per_connection: Self::DEFAULT_MAX_REQUESTS_PER_CONNECTION,
            shutdown_grace: Self::DEFAULT_SHUTDOWN_GRACE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_limits_are_raised_to_the_smallest_that_works() {
        let limits = ServerLimits::default()
            .with_header_read_timeout(Duration::ZERO)
            .with_request_timeout(Duration::ZERO)
            .with_max_connections(0)
            .with_max_requests_per_connection(0)
            .with_shutdown_grace(Duration::ZERO);
        assert_eq!(limits.header_read_timeout(), Duration::from_millis(1));
        assert_eq!(limits.request_timeout(), Duration::from_millis(1));
        assert_eq!(limits.max_connections(), 1);
        assert_eq!(limits.max_requests_per_connection(), 1);
        assert_eq!(limits.shutdown_grace(), Duration::ZERO);
    }
}
