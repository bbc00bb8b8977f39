//! Commands that prepare a run rather than measure it: the installers of the official
//! libraries.

use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::process::tail;

/// Runs one setup command (venv, pip, npm) with its output in `log`.
pub(crate) fn setup_command(program: &str, args: &[&str], log: &Path) -> Result<(), String> {
    println!("==> {program} {}", args.join(" "));
    let mut command = Command::new(program);
    command.args(args);
    match run_logged(command, log, Duration::from_secs(300)) {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!(
            "`{program} {}` failed ({status}): {}",
            args.join(" "),
            tail(&std::fs::read_to_string(log).unwrap_or_default(), 3)
        )),
        Err(error) => Err(format!("`{program} {}`: {error}", args.join(" "))),
    }
}

/// Runs `command` with its output in `log`, killing it after `limit`.
fn run_logged(mut command: Command, log: &Path, limit: Duration) -> Result<ExitStatus, String> {
    let file = std::fs::File::create(log)
        .map_err(|error| format!("cannot create {}: {error}", log.display()))?;
    let file2 = file
        .try_clone()
        .map_err(|error| format!("cannot reuse {}: {error}", log.display()))?;
    let mut child = command
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(file2)
        .spawn()
        .map_err(|error| error.to_string())?;
    let deadline = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("gave up after {} s", limit.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(error) => return Err(error.to_string()),
        }
    }
}
