//! A private `redis-server` per test, on a free loopback port.
//!
//! Standard library only, so other crates' tests can include this file with `#[path]`.

use std::io::{self, BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Why a test that needs `redis-server` cannot run, and how to fix it.
const INSTALL_HINT: &str = "this test starts its own `redis-server`, which is not on PATH. \
     Install it with `apt-get install redis-server` (Debian, Ubuntu) or `brew install redis` \
     (macOS). Tests built while it was missing are ignored (\"needs redis-server\") unless \
     IM_REQUIRE_REDIS=1";

/// A `redis-server` on a free loopback port, killed when dropped.
pub(crate) struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
}

impl RedisServer {
    /// Starts a server.
    ///
    /// A test calling this is marked
    /// `#[cfg_attr(redis_server_missing, ignore = "needs redis-server")]`: the build script
    /// sets that cfg when `redis-server` is not installed (and `IM_REQUIRE_REDIS` is not
    /// `1`), so the test is listed as ignored instead of passing unrun. If it runs and
    /// `redis-server` cannot be started, it fails, saying how to install it.
    pub(crate) fn start() -> RedisServer {
        let port = free_port();
        let dir =
            std::env::temp_dir().join(format!("im-ratelimit-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut server = RedisServer {
            child: None,
            port,
            dir,
        };
        match server.spawn() {
            Ok(()) => server,
            Err(error) if error.kind() == io::ErrorKind::NotFound => panic!("{INSTALL_HINT}"),
            Err(error) => panic!("could not start redis-server: {error}"),
        }
    }

    /// The server's URL.
    pub(crate) fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Kills the server, as a crash would.
    pub(crate) fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    /// Starts the server again on the same port, with empty state.
    pub(crate) fn restart(&mut self) {
        self.kill();
        self.spawn().unwrap();
    }

    fn spawn(&mut self) -> io::Result<()> {
        let port = self.port.to_string();
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port,
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        self.child = Some(child);
        self.wait_until_it_answers();
        Ok(())
    }

    /// Waits until the server answers PING.
    fn wait_until_it_answers(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if ping(self.port).is_ok() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "redis-server did not answer PING within 10 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn ping(port: u16) -> io::Result<()> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(1)))?;
    stream.write_all(b"PING\r\n")?;
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line)?;
    if line.starts_with("+PONG") {
        Ok(())
    } else {
        Err(io::Error::other(format!("unexpected answer {line:?}")))
    }
}

/// A loopback port nobody listens on right now.
pub(crate) fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
