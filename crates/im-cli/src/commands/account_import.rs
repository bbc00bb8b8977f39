//! `imctl account import`: validated whole first, then imported chunk by chunk, paced and
//! resumable.

use std::future;
use std::path::Path;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::{StreamExt as _, stream};
use tencent_im::Client;
use tencent_im::account::NewAccount;

use crate::accounts_file::{self, AccountsFile};
use crate::checkpoint::Checkpoint;
use crate::cli::Global;
use crate::commands::import::progress_bar;
use crate::{Failure, Status, config, output};

/// Accounts per call of the client: ten requests of 100; the checkpoint is saved after
/// each.
const CHUNK: usize = 1000;

/// Calls of the client in flight at once. With one, the pacer sat idle while the last
/// answers of each chunk came back; with several, the next chunk's requests are ready.
/// Chunks are recorded in input order, so the checkpoint stays a finished prefix.
const CHUNKS_IN_FLIGHT: usize = 4;

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

/// Imports the accounts after `checkpoint.done`, [`CHUNKS_IN_FLIGHT`] chunks at a time,
/// recording each in input order. After Ctrl-C no chunk is started; those in flight are
/// finished and recorded.
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
    let account_client = client.accounts();
    let outcomes = stream::iter(rest.chunks(CHUNK))
        .take_while(|_| future::ready(!interrupted.load(Ordering::SeqCst)))
        .map(|chunk| async move { (chunk.len(), account_client.import(chunk.to_vec()).await) })
        .buffered(CHUNKS_IN_FLIGHT);
    let mut outcomes = pin!(outcomes);
    while let Some((size, outcome)) = outcomes.next().await {
        let outcome = outcome?;
        checkpoint.succeeded += outcome.succeeded.len() as u64;
        checkpoint
            .failed
            .extend(outcome.failed.into_iter().map(output::failed_account));
        checkpoint.done += size as u64;
        checkpoint.read = checkpoint.done;
        bar.set_position(checkpoint.done);
        if let Some(path) = checkpoint_path {
            checkpoint.save(path)?;
        }
    }
    bar.finish_and_clear();
    Ok(())
}
