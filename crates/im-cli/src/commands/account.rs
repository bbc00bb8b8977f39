//! `imctl account import|check|delete`.

use std::future::Future;

use crate::cli::{AccountCommand, Global};
use crate::{Failure, Status, config, input, output};

pub(crate) async fn run(global: &Global, command: AccountCommand) -> Result<Status, Failure> {
    match command {
        AccountCommand::Import { file, checkpoint } => {
            crate::commands::account_import::run(global, &file, checkpoint.as_deref()).await
        }
        AccountCommand::Check(args) => {
            let accounts = input::account_ids(&args)?;
            let client = config::client(global).await?;
            let Some(outcome) = until_interrupted(client.accounts().check(accounts)).await else {
                return Ok(Status::Interrupted);
            };
            let outcome = outcome?;
            output::account_check(&outcome, global.json)?;
            Ok(status(outcome.is_complete()))
        }
        AccountCommand::Delete(args) => {
            let accounts = input::account_ids(&args)?;
            let client = config::client(global).await?;
            let Some(outcome) = until_interrupted(client.accounts().delete(accounts)).await else {
                return Ok(Status::Interrupted);
            };
            let outcome = outcome?;
            output::update(&outcome, global.json, "deleted", "did not exist")?;
            Ok(status(outcome.is_complete()))
        }
    }
}

/// Runs `call` to the end, or `None` when Ctrl-C comes first.
async fn until_interrupted<T>(call: impl Future<Output = T>) -> Option<T> {
    tokio::select! {
        result = call => Some(result),
        _ = tokio::signal::ctrl_c() => {
            eprintln!("\ninterrupted; requests already sent may have been applied");
            None
        }
    }
}

fn status(complete: bool) -> Status {
    if complete {
        Status::Done
    } else {
        Status::SomeFailed
    }
}
