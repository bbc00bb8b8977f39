//! A program running in the background while a measurement runs: an emulator, a Redis server.

use std::io::{BufRead as _, BufReader, Read as _};
use std::process::{Child, ChildStdin, ChildStdout, Stdio};

use super::process::{Invocation, Output};

/// A program running in the background; killed when dropped.
pub(crate) struct Background {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Option<BufReader<ChildStdout>>,
    name: String,
}

impl Background {
    /// Starts `invocation` with piped standard input and output.
    pub(crate) fn start(invocation: &Invocation, name: &str) -> Result<Background, String> {
        let mut child = invocation
            .command(false)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|error| format!("cannot start {name}: {error}"))?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().map(BufReader::new);
        Ok(Background {
            child,
            stdin,
            stdout,
            name: name.to_owned(),
        })
    }

    /// Reads standard output until a line starts with `prefix`; returns the rest of it.
    pub(crate) fn wait_for_line(&mut self, prefix: &str) -> Result<String, String> {
        let stdout = self
            .stdout
            .as_mut()
            .ok_or_else(|| format!("{} has no output", self.name))?;
        let mut line = String::new();
        loop {
            line.clear();
            let read = stdout
                .read_line(&mut line)
                .map_err(|error| format!("cannot read from {}: {error}", self.name))?;
            if read == 0 {
                return Err(format!("{} exited before printing {prefix:?}", self.name));
            }
            if let Some(rest) = line.trim().strip_prefix(prefix) {
                return Ok(rest.trim().to_owned());
            }
        }
    }

    /// Closes standard input (the emulator's signal to stop), then reads the rest of its
    /// output and waits for it to exit.
    pub(crate) fn finish(mut self) -> Result<Output, String> {
        drop(self.stdin.take());
        let mut text = String::new();
        if let Some(stdout) = self.stdout.as_mut() {
            stdout
                .read_to_string(&mut text)
                .map_err(|error| format!("cannot read from {}: {error}", self.name))?;
        }
        let status = self
            .child
            .wait()
            .map_err(|error| format!("cannot wait for {}: {error}", self.name))?;
        if !status.success() {
            return Err(format!("{} failed ({status})", self.name));
        }
        Ok(Output::parse(&text))
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
