//! `imctl completions SHELL` and `imctl man`: imctl as a native tool of the shell.

use std::io::Write as _;

use clap::CommandFactory as _;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::{Failure, Status};

/// Writes the completion script for `shell` to standard output.
pub(crate) fn completions(shell: Shell) -> Result<Status, Failure> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "imctl", &mut script);
    write_stdout(&script)
}

/// Writes the manual page, in roff, to standard output.
pub(crate) fn man() -> Result<Status, Failure> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .map_err(|error| Failure::new(format!("cannot render the manual page: {error}")))?;
    write_stdout(&page)
}

fn write_stdout(bytes: &[u8]) -> Result<Status, Failure> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .map_err(|error| Failure::new(format!("cannot write to standard output: {error}")))?;
    Ok(Status::Done)
}
