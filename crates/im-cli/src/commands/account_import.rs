//! `imctl account import`: validated whole first, then imported chunk by chunk, paced and
//! resumable.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tencent_im::Client;
use tencent_im::account::NewAccount;

use crate::accounts_file::{self, AccountsFile};
use crate::checkpoint::Checkpoint;
use crate::cli::Global;
use crate::commands::import::progress_bar;
use crate::{Failure, Status, config, output};

/// Accounts per call of the client: ten requests of 100, all in flight at once; the
/// checkpoint is saved after each.
const CHUNK: usize = 1000;

pub(crate) async fn run(
    global: &Global,
    file: &Path,
    checkpoint_path: Option<&Path>,
) -> Result<Status, Failure> {
    let AccountsFile {
        accounts,
        duplicates,
    } = accounts_file::read(file)?;
    if accounts.is_empty() {
        return Err(Failure::new(format!("{} names no account", file.display())));
    }
    let total = accounts.len() as u64;
    let client = config::client(global).await?;
    let mut checkpoint = match checkpoint_path {
        Some(path) => Checkpoint::load(path)?,
        None => None,
    }
    .unwrap_or(Checkpoint {
        total,
        duplicates,
        ..Checkpoint::default()
    });
    if checkpoint.total != total {
        return Err(Failure::new(format!(
            "the checkpoint is for an input of {} accounts, but {} has {total}; remove the checkpoint to start over",
            checkpoint.total,
            file.display()
        )));
    }
    if checkpoint.done > 0 && !global.json {
        eprintln!("resuming after {} of {total} accounts", checkpoint.done);
    }
    let interrupted = watch_interrupt();
    let result = import(
        &client,
        &accounts,
        &mut checkpoint,
        checkpoint_path,
        global.json,
        &interrupted,
    )
    .await;
    if let Some(path) = checkpoint_path {
        checkpoint.save(path)?;
    }
    result?;
    output::account_import(&checkpoint, global.json)?;
    if interrupted.load(Ordering::SeqCst) && checkpoint.done < total {
        eprintln!(
            "interrupted after {} of {total} accounts{}",
            checkpoint.done,
            if checkpoint_path.is_some() {
                "; run the same command again to resume"
            } else {
                "; use --checkpoint to make imports resumable"
            }
        );
        return Ok(Status::Interrupted);
    }
    Ok(if checkpoint.failed.is_empty() {
        Status::Done
    } else {
        Status::SomeFailed
    })
}

/// A flag set when Ctrl-C is pressed; the import stops after the chunk in flight.
fn watch_interrupt() -> Arc<AtomicBool> {
    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&interrupted);
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            flag.store(true, Ordering::SeqCst);
            eprintln!("\nstopping after the calls in flight (Ctrl-C again to abort)...");
            // A second Ctrl-C ends the process at once, as it would without this handler.
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        }
    });
    interrupted
}

/// Imports the accounts after `checkpoint.done`, chunk by chunk, recording each.
async fn import(
    client: &Client,
    accounts: &[NewAccount],
    checkpoint: &mut Checkpoint,
    checkpoint_path: Option<&Path>,
    json: bool,
    interrupted: &AtomicBool,
) -> Result<(), Failure> {
    let start = usize::try_from(checkpoint.done).unwrap_or(usize::MAX);
    let rest = accounts.get(start..).unwrap_or_default();
    let bar = progress_bar(checkpoint.total, checkpoint.done, "accounts", json);
    for chunk in rest.chunks(CHUNK) {
        if interrupted.load(Ordering::SeqCst) {
            break;
        }
        let outcome = client.accounts().import(chunk.to_vec()).await?;
        checkpoint.succeeded += outcome.succeeded.len() as u64;
        checkpoint
            .failed
            .extend(outcome.failed.into_iter().map(output::failed_account));
        checkpoint.done += chunk.len() as u64;
        checkpoint.read = checkpoint.done;
        bar.set_position(checkpoint.done);
        if let Some(path) = checkpoint_path {
            checkpoint.save(path)?;
        }
    }
    bar.finish_and_clear();
    Ok(())
}
