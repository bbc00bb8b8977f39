//! Taking connections from a listener, and pausing after errors that would recur at once.

use std::future::Future;
use std::io;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

/// A source of connections: a TCP listener, or a test double.
pub(crate) trait Accept: Send + 'static {
    /// One accepted connection.
    type Io: AsyncRead + AsyncWrite + Unpin + Send + 'static;

    /// Waits for the next connection.
    fn accept(&mut self) -> impl Future<Output = io::Result<Self::Io>> + Send;
}

impl Accept for TcpListener {
    type Io = TcpStream;

    async fn accept(&mut self) -> io::Result<TcpStream> {
        let (stream, _) = TcpListener::accept(self).await?;
        // Small answers should not wait for Nagle's algorithm; failing to set it is harmless.
        let _ = stream.set_nodelay(true);
        Ok(stream)
    }
}

/// The first pause after an accept error that is not about one connection.
pub(crate) const FIRST_PAUSE: Duration = Duration::from_millis(10);
/// The longest pause between accept attempts while errors go on.
pub(crate) const LONGEST_PAUSE: Duration = Duration::from_secs(1);

/// Whether an accept error concerns only the connection being accepted (the client went
/// away, a signal interrupted the call), so the next accept may follow at once.
fn concerns_one_connection(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
            | io::ErrorKind::Interrupted
    )
}

/// How long to wait before the next accept after `error`, given the previous pause of this
/// run of errors: none for an error about one connection; otherwise (out of file
/// descriptors, `EMFILE` or `ENFILE`; out of memory or buffers; anything unknown) a pause
/// that doubles from [`FIRST_PAUSE`] up to [`LONGEST_PAUSE`], since accepting again at once
/// would fail the same way and spin.
pub(crate) fn pause_after(error: &io::Error, previous: Option<Duration>) -> Option<Duration> {
    if concerns_one_connection(error) {
        return None;
    }
    Some(previous.map_or(FIRST_PAUSE, |pause| (pause * 2).min(LONGEST_PAUSE)))
}

/// The accept loop's back-off state. The time to resume is kept here, not in a sleeping
/// future, so the loop may drop and restart its accept step without losing the pause.
#[derive(Debug, Default)]
pub(crate) struct AcceptBackoff {
    pause: Option<Duration>,
    resume_at: Option<Instant>,
}

impl AcceptBackoff {
    /// Waits until the pause after the last error, if any, has passed.
    pub(crate) async fn wait(&mut self) {
        if let Some(at) = self.resume_at {
            tokio::time::sleep_until(at).await;
            self.resume_at = None;
        }
    }

    /// Records an accept error at `now`; returns the pause it causes, if any.
    pub(crate) fn on_error(&mut self, error: &io::Error, now: Instant) -> Option<Duration> {
        let pause = pause_after(error, self.pause)?;
        self.pause = Some(pause);
        self.resume_at = Some(now + pause);
        Some(pause)
    }

    /// Records a successful accept: the next error starts from the first pause again.
    pub(crate) fn on_success(&mut self) {
        self.pause = None;
        self.resume_at = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `EMFILE` on Linux and macOS: the process is out of file descriptors.
    fn out_of_descriptors() -> io::Error {
        io::Error::from_raw_os_error(24)
    }

    #[test]
    fn running_out_of_descriptors_pauses_longer_each_time_up_to_a_second() {
        let error = out_of_descriptors();
        let mut pauses = Vec::new();
        let mut previous = None;
        for _ in 0..10 {
            previous = pause_after(&error, previous);
            pauses.push(previous.expect("a pause").as_millis());
        }
        assert_eq!(pauses, [10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000]);
    }

    #[test]
    fn an_error_about_one_connection_is_retried_at_once() {
        for kind in [
            io::ErrorKind::ConnectionAborted,
            io::ErrorKind::ConnectionReset,
            io::ErrorKind::Interrupted,
        ] {
            let error = io::Error::from(kind);
            assert_eq!(pause_after(&error, None), None, "{kind:?}");
            assert_eq!(pause_after(&error, Some(LONGEST_PAUSE)), None, "{kind:?}");
        }
        let unknown = io::Error::other("something else");
        assert_eq!(pause_after(&unknown, None), Some(FIRST_PAUSE));
    }

    #[tokio::test(start_paused = true)]
    async fn a_success_starts_the_back_off_over() {
        let mut backoff = AcceptBackoff::default();
        let now = Instant::now();
        assert_eq!(
            backoff.on_error(&out_of_descriptors(), now),
            Some(FIRST_PAUSE)
        );
        assert_eq!(
            backoff.on_error(&out_of_descriptors(), now),
            Some(FIRST_PAUSE * 2)
        );
        backoff.wait().await;
        assert_eq!(Instant::now() - now, FIRST_PAUSE * 2);
        backoff.on_success();
        assert_eq!(
            backoff.on_error(&out_of_descriptors(), Instant::now()),
            Some(FIRST_PAUSE)
        );
        // A connection error neither pauses nor resets the run of pauses.
        let aborted = io::Error::from(io::ErrorKind::ConnectionAborted);
        assert_eq!(backoff.on_error(&aborted, Instant::now()), None);
        assert_eq!(
            backoff.on_error(&out_of_descriptors(), Instant::now()),
            Some(FIRST_PAUSE * 2)
        );
    }
}
