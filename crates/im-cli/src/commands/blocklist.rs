//! `imctl blocklist add|remove|list|check|import|export`.

use futures_util::TryStreamExt as _;
use tencent_im::CheckType;

use crate::cli::{BlocklistCommand, Global};
use crate::{Failure, Status, config, input, output};

pub(crate) async fn run(global: &Global, command: BlocklistCommand) -> Result<Status, Failure> {
    match command {
        BlocklistCommand::Add(args) => {
            let (from, accounts) = input::targets(&args.target)?;
            let client = config::client(global).await?;
            let outcome = client.blocklist().add(&from, accounts).await?;
            output::update(&outcome, global.json, "blocked", "already blocked")?;
            Ok(status(outcome.is_complete()))
        }
        BlocklistCommand::Remove(args) => {
            let (from, accounts) = input::targets(&args.target)?;
            let client = config::client(global).await?;
            let outcome = client.blocklist().remove(&from, accounts).await?;
            output::update(&outcome, global.json, "unblocked", "not blocked")?;
            Ok(status(outcome.is_complete()))
        }
        BlocklistCommand::List { from } => {
            let from = input::from_account(&from)?;
            let client = config::client(global).await?;
            let entries: Vec<_> = client.blocklist().list(from).try_collect().await?;
            output::list(&entries, global.json)?;
            Ok(Status::Done)
        }
        BlocklistCommand::Check { target, single } => {
            let (from, accounts) = input::targets(&target)?;
            let client = config::client(global).await?;
            let check_type = if single {
                CheckType::Single
            } else {
                CheckType::Both
            };
            let outcome = client
                .blocklist()
                .check(&from, accounts, check_type)
                .await?;
            output::check(&outcome, &from, global.json)?;
            Ok(status(outcome.is_complete()))
        }
        BlocklistCommand::Import { file, checkpoint } => {
            crate::commands::import::run(global, &file, checkpoint.as_deref()).await
        }
        BlocklistCommand::Export(args) => crate::commands::export::run(global, &args).await,
    }
}

fn status(complete: bool) -> Status {
    if complete {
        Status::Done
    } else {
        Status::SomeFailed
    }
}
