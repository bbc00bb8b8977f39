//! `imctl`: the operator's command line for Tencent Cloud Chat blocklists and accounts.
//!
//! Exit codes: 0 when everything was done, 2 when the command finished but some accounts
//! failed, 1 for bad usage, bad input, or a request-level error, 130 when interrupted.

mod accounts_file;
mod checkpoint;
mod checkpoint_file;
mod cli;
mod commands;
mod config;
mod entry_lines;
mod export_checkpoint;
mod import_journal;
mod import_tracker;
mod input;
mod input_id;
mod interrupt;
mod output;
mod pairs_file;
mod partial_file;
mod records;
mod send_window;

use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{CommandFactory as _, FromArgMatches as _};

use crate::cli::{Cli, Command};

/// How a command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    /// Everything was done.
    Done,
    /// The command finished, but some accounts failed.
    SomeFailed,
    /// Ctrl-C stopped the command after the calls in flight.
    Interrupted,
}

/// A failure that ends the command: bad input, or a request-level error.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct Failure(pub(crate) String);

impl Failure {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Failure(message.into())
    }
}

impl From<tencent_im::Error> for Failure {
    fn from(error: tencent_im::Error) -> Self {
        let mut message = error.report();
        if let Some(meaning) = error.code().and_then(|code| code.meaning()) {
            message.push_str(&format!(" ({meaning})"));
        }
        Failure(message)
    }
}

fn main() -> ExitCode {
    // A usage error exits with 1 like any bad input (clap's own code, 2, would read as
    // "some accounts failed"); `--help` and `--version` exit with 0.
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches).map(|cli| (cli, matches)));
    let (mut cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    cli.global.key_on_command_line = matches.value_source("key") == Some(ValueSource::CommandLine);
    if cli.global.key_on_command_line {
        eprintln!(
            "warning: a key given with --key can be read by other users of this machine \
             (process list, shell history); prefer TIM_SECRET_KEY or --key-file"
        );
    }
    init_logging(cli.global.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(Status::Done) => ExitCode::SUCCESS,
        Ok(Status::SomeFailed) => ExitCode::from(2),
        Ok(Status::Interrupted) => ExitCode::from(interrupt::EXIT_CODE),
        Err(failure) => {
            // A failure may quote the service (its ErrorInfo) or a file: one line, escaped.
            eprintln!("error: {}", output::escape_controls(&failure.0));
            ExitCode::from(1)
        }
    }
}

async fn run(cli: Cli) -> Result<Status, Failure> {
    let global = &cli.global;
    match cli.command {
        Command::Demo => commands::demo::run(global).await,
        Command::Serve(args) => commands::serve::run(global, &args).await,
        Command::Sig(command) => commands::sig::run(global, command),
        Command::Blocklist(command) => commands::blocklist::run(global, command).await,
        Command::Account(command) => commands::account::run(global, command).await,
        Command::Webhook(command) => commands::webhook::run(global, command).await,
        Command::Completions { shell } => commands::shell::completions(shell),
        Command::Man => commands::shell::man(),
    }
}

/// Logs go to standard error: warnings by default, debug for the SDK with `--verbose`,
/// anything `RUST_LOG` asks for. The SDK never logs the key or a UserSig.
fn init_logging(verbose: bool) {
    use tracing_subscriber::EnvFilter;
    let default = if verbose {
        "warn,imctl=debug,im_client=debug,im_blocklist=debug,im_account=debug,im_transport=debug,im_emulator=info"
    } else {
        // The command reports a failed call itself; the engine's own WARN would repeat it.
        "warn,im_client=error"
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(output::log_writer)
        .with_target(false)
        .try_init();
}
