//! Running `imctl` as a child process.

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

/// The documented example key; any string works as a key.
pub(crate) const KEY: &str = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";
pub(crate) const SDKAPPID: &str = "1400000000";

/// A command for the `imctl` binary with a clean environment for its own variables.
pub(crate) fn imctl() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_imctl"));
    for name in [
        "TIM_ENDPOINT",
        "TIM_REGION",
        "TIM_SDKAPPID",
        "TIM_SECRET_KEY",
        "TIM_ADMIN",
        "TIM_RATE",
        "TIM_REDIS_URL",
        "TIM_WEBHOOK_TOKEN",
        "RUST_LOG",
    ] {
        command.env_remove(name);
    }
    command
}

/// Runs a command with `stdin` as its standard input.
pub(crate) fn run(mut command: Command, stdin: &str) -> Output {
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("imctl starts");
    if let Some(mut input) = child.stdin.take() {
        input
            .write_all(stdin.as_bytes())
            .expect("stdin is writable");
    }
    child.wait_with_output().expect("imctl finishes")
}

/// Standard output as text.
pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Standard error as text.
pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A fresh scratch directory for one test.
pub(crate) fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("imctl-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// An app's credentials: its SDKAppID and secret key.
#[derive(Clone, Copy, Debug)]
pub(crate) struct App {
    pub(crate) sdkappid: &'static str,
    pub(crate) key: &'static str,
}

/// The app most tests use.
pub(crate) const DEFAULT_APP: App = App {
    sdkappid: SDKAPPID,
    key: KEY,
};

/// An emulator served over HTTP on loopback for the length of a test.
pub(crate) struct Served {
    pub(crate) emulator: im_emulator::Emulator,
    pub(crate) url: String,
    app: App,
    runtime: tokio::runtime::Runtime,
    server: Option<im_emulator::ServerHandle>,
}

impl Served {
    /// Starts an emulator of [`DEFAULT_APP`] knowing `accounts`, with `faults`, limited to
    /// `rate` calls/s.
    pub(crate) fn start(accounts: &[String], faults: im_emulator::Faults, rate: u32) -> Served {
        Served::start_app(DEFAULT_APP, accounts, faults, rate)
    }

    /// Starts an emulator of `app` knowing `accounts`, with `faults`, limited to `rate`
    /// calls/s (0: unlimited).
    pub(crate) fn start_app(
        app: App,
        accounts: &[String],
        faults: im_emulator::Faults,
        rate: u32,
    ) -> Served {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let emulator = im_emulator::Emulator::builder()
            .sdkappid(app.sdkappid.parse().expect("number"))
            .key(tencent_im::SecretKey::from(app.key))
            .rate_limit(rate)
            .faults(faults)
            .build()
            .expect("emulator");
        emulator.import_accounts(accounts.iter().cloned());
        let server = runtime
            .block_on(emulator.serve(std::net::SocketAddr::from(([127, 0, 0, 1], 0))))
            .expect("serve");
        let url = server.base_url();
        Served {
            emulator,
            url,
            app,
            runtime,
            server: Some(server),
        }
    }

    /// An `imctl` command pointed at this emulator, credentials in the environment.
    pub(crate) fn imctl(&self) -> Command {
        let mut command = imctl();
        command
            .env("TIM_ENDPOINT", &self.url)
            .env("TIM_SDKAPPID", self.app.sdkappid)
            .env("TIM_SECRET_KEY", self.app.key);
        command
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            self.runtime.block_on(server.shutdown());
        }
    }
}

/// Account names `prefix0001`, `prefix0002`, ...
pub(crate) fn names(prefix: &str, count: usize) -> Vec<String> {
    (1..=count)
        .map(|index| format!("{prefix}{index:04}"))
        .collect()
}

/// Parses standard output as one JSON document.
pub(crate) fn json(output: &Output) -> serde_json::Value {
    serde_json::from_str(&stdout(output))
        .unwrap_or_else(|error| panic!("stdout is not JSON ({error}): {}", stdout(output)))
}

/// Sends SIGINT (Ctrl-C) to a child process.
pub(crate) fn interrupt(child: &std::process::Child) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -INT failed");
}

/// Waits until `condition` holds, polling; fails the test when it does not within a
/// minute (a bound on a hang, not a measurement).
pub(crate) fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let started = std::time::Instant::now();
    while !condition() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "gave up waiting until {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// How many requests of `api` the emulator counted as calls.
pub(crate) fn calls(emulator: &im_emulator::Emulator, api: tencent_im::protocol::Api) -> usize {
    emulator
        .requests()
        .iter()
        .filter(|request| request.api == Some(api) && request.counts_as_call())
        .count()
}

/// A checkpoint of `command` for the file at `input` holding `items` items, with `state`:
/// what an earlier run would have left (the format of `checkpoint_file.rs`).
pub(crate) fn checkpoint_for(
    command: &str,
    input: &std::path::Path,
    items: u64,
    state: serde_json::Value,
) -> String {
    use sha2::Digest as _;
    let bytes = std::fs::read(input).expect("the input exists");
    let sha256: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let snapshot = serde_json::json!({
        "imctl_checkpoint": 2,
        "command": command,
        "input": {"sha256": sha256, "bytes": bytes.len(), "items": items},
        "state": state,
    });
    format!("{snapshot}\n")
}

/// Waits for `child` to exit and collects its output. A child still running after a minute
/// is killed and fails the test: a guard against a hang, not a timing assertion.
pub(crate) fn wait_bounded(mut child: std::process::Child) -> Output {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while child
        .try_wait()
        .expect("the child can be waited for")
        .is_none()
    {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let output = child.wait_with_output().expect("killed");
            panic!(
                "imctl did not exit within a minute; stderr: {}",
                stderr(&output)
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().expect("exited")
}

/// Sends the first half of a request head to the server at `url` (`http://host:port`) and
/// returns the connection, which the server must not answer.
pub(crate) fn half_sent_request(url: &str) -> std::net::TcpStream {
    let authority = url.strip_prefix("http://").expect("an http URL");
    let mut stream = std::net::TcpStream::connect(authority).expect("connects");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .expect("timeout");
    stream
        .write_all(
            format!("POST /v4/sns/black_list_add HTTP/1.1\r\nHost: {authority}\r\n").as_bytes(),
        )
        .expect("writes half a head");
    stream
}

/// Whether the server closed `stream` (an end of stream or a reset) without answering;
/// false when the read gave up after its timeout.
pub(crate) fn closed_unanswered(stream: &mut std::net::TcpStream) -> bool {
    use std::io::Read as _;
    let mut rest = Vec::new();
    match stream.read_to_end(&mut rest) {
        Ok(_) => rest.is_empty(),
        Err(error) => error.kind() == std::io::ErrorKind::ConnectionReset,
    }
}
