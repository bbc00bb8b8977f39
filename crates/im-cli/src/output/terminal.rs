//! Text from the network made safe for a terminal, and log lines that stay one line.
//!
//! Service texts (`ResultInfo`, `ErrorInfo`), webhook fields and account names are data: in
//! human output their control characters are escaped, so they cannot clear the screen,
//! move the cursor or forge a line such as "0 failed", and long ones are cut. `--json`
//! output keeps every text exact.

use std::io::{self, Write};

/// Text from the network for a terminal: cut to the SDK's bound on service texts (with a
/// note of what was cut), then escaped as by [`escape_controls`].
pub(crate) fn terminal_text(text: &str) -> String {
    escape_controls(&tencent_im::protocol::result_text::bounded(text))
}

/// `text` with every control character (line breaks, tabs, escape sequences, C1 controls)
/// written as its Rust escape (`\n`, `\u{1b}`); nothing cut.
pub(crate) fn escape_controls(text: &str) -> String {
    let mut safe = String::with_capacity(text.len());
    for character in text.chars() {
        if character.is_control() {
            safe.extend(character.escape_default());
        } else {
            safe.push(character);
        }
    }
    safe
}

/// Standard error for log events, each kept on its own line ([`OneLineWriter`]).
pub(crate) fn log_writer() -> OneLineWriter<io::Stderr> {
    OneLineWriter::new(io::stderr())
}

/// A writer for plain (uncoloured) log events, one event per write: a line break or
/// carriage return inside an event (from a service text logged with `%`) is written as
/// `\n` or `\r`, and other controls below space, ESC among them, and DEL as `\xNN`, so
/// an event can neither forge further lines nor drive the terminal. The event's final
/// line break stays.
#[derive(Debug)]
pub(crate) struct OneLineWriter<W> {
    inner: W,
}

impl<W> OneLineWriter<W> {
    /// Writes to `inner`.
    pub(crate) fn new(inner: W) -> Self {
        OneLineWriter { inner }
    }
}

impl<W: Write> Write for OneLineWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let (body, end) = match buf.split_last() {
            Some((b'\n', body)) => (body, &b"\n"[..]),
            _ => (buf, &b""[..]),
        };
        let mut line = Vec::with_capacity(buf.len() + 8);
        for &byte in body {
            match byte {
                b'\n' => line.extend_from_slice(b"\\n"),
                b'\r' => line.extend_from_slice(b"\\r"),
                b'\t' => line.push(byte),
                0..0x20 | 0x7f => line.extend_from_slice(format!("\\x{byte:02x}").as_bytes()),
                _ => line.push(byte),
            }
        }
        line.extend_from_slice(end);
        self.inner.write_all(&line)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[test]
    fn long_texts_from_the_network_are_cut() {
        let long = "y".repeat(10_000);
        let cut = terminal_text(&long);
        assert!(
            cut.len() < 600 && cut.ends_with("more bytes)"),
            "{}",
            cut.len()
        );
    }

    #[test]
    fn control_characters_from_the_network_are_escaped() {
        assert_eq!(terminal_text("plain text"), "plain text");
        assert_eq!(
            terminal_text("evil\u{1b}[2J\r\nnext\u{9b}"),
            "evil\\u{1b}[2J\\r\\nnext\\u{9b}"
        );
        let long = format!("{}\n", "z".repeat(10_000));
        assert_eq!(escape_controls(&long).len(), 10_002);
    }

    #[test]
    fn a_log_event_stays_one_line() {
        let mut out = OneLineWriter::new(Vec::new());
        out.write_all(b"WARN call failed error=bad\n0 failed\r\x07\x1b[1m\tx\n")
            .expect("write");
        assert_eq!(
            out.inner,
            b"WARN call failed error=bad\\n0 failed\\r\\x07\\x1b[1m\tx\n"
        );
    }

    /// A writer the test can read afterwards.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| io::Error::other("poisoned"))?
                .write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn service_text_logged_with_display_stays_on_its_line() {
        let shared = Shared::default();
        let writer = shared.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || OneLineWriter::new(writer.clone()))
            .with_ansi(false)
            .finish();
        let info = "denied\nWARN forged: 0 failed\u{1b}[2J";
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(error = %info, "call failed");
        });
        let logged = String::from_utf8(shared.0.lock().expect("lock").clone()).expect("UTF-8");
        assert_eq!(logged.lines().count(), 1, "{logged:?}");
        assert!(
            logged.contains("denied\\nWARN forged: 0 failed"),
            "{logged:?}"
        );
        assert!(!logged.contains('\u{1b}'), "{logged:?}");
    }
}
