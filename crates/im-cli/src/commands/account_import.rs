//! `imctl account import`: validated whole first, then imported chunk by chunk, paced and
//! resumable.
//!
//! With `--checkpoint` the checkpoint is bound to the file's content (SHA-256, length,
//! accounts) and written before the first request. It records the settled prefix: from
//! the first chunk with a failure that is not final (the request failed, or the rate
//! limiter was down), nothing more is recorded done, so a rerun imports it again (an
//! account imported twice is unchanged).

use std::future;
use std::path::Path;
use std::pin::pin;

use futures_util::{StreamExt as _, stream};
use tencent_im::Client;
use tencent_im::account::NewAccount;

use crate::accounts_file::{self, AccountsFile};
use crate::checkpoint::{ACCOUNT_IMPORT, AccountImportState, FailedPair};
use crate::checkpoint_file::CheckpointFile;
use crate::cli::Global;
use crate::commands::import::progress_bar;
use crate::input_id::InputId;
use crate::interrupt::Interrupt;
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
    let interrupt = Interrupt::watch("calls");
    if file == Path::new("-") && checkpoint_path.is_some() {
        return Err(Failure::new(
            "--checkpoint needs --file to name a file: standard input cannot be read again to check that a resumed run has the same accounts",
        ));
    }
    // Read and validated first (the reader stops at the first bad or endless record), then
    // identified for the checkpoint.
    let AccountsFile {
        accounts,
        duplicates,
    } = accounts_file::read(file)?;
    if accounts.is_empty() {
        return Err(Failure::new(format!("{} names no account", file.display())));
    }
    let total = accounts.len() as u64;
    let identity = match checkpoint_path {
        Some(_) => Some(InputId::of_file(file, total)?),
        None => None,
    };
    let client = config::client(global).await?;
    let mut checkpoint = None;
    let mut saved = AccountImportState {
        duplicates,
        ..AccountImportState::default()
    };
    if let (Some(path), Some(identity)) = (checkpoint_path, identity) {
        if let Some(earlier) = load(path, &identity, file)? {
            saved = earlier;
        }
        let mut writer = CheckpointFile::new(path, ACCOUNT_IMPORT, identity);
        // Before the first request: an unwritable path is an error before anything is sent.
        writer.save(&saved)?;
        checkpoint = Some(writer);
    }
    if saved.done > 0 && !global.json {
        eprintln!("resuming after {} of {total} accounts", saved.done);
    }
    let mut run = Run {
        totals: saved.clone(),
        saved,
        stuck: false,
        checkpoint,
    };
    let result = import(&client, &accounts, &mut run, global.json, &interrupt).await;
    if let Some(checkpoint) = &mut run.checkpoint {
        checkpoint.save(&run.saved)?;
    }
    result?;
    output::account_import(total, &run.totals, global.json)?;
    let unsettled = run
        .totals
        .failed
        .iter()
        .filter(|failure| !failure.settled)
        .count();
    if unsettled > 0 {
        eprintln!(
            "{unsettled} accounts failed without a final answer (the request failed or was not made){}",
            if checkpoint_path.is_some() {
                "; run the same command again to send them again"
            } else {
                "; import them again"
            }
        );
    }
    if interrupt.is_set() {
        eprintln!(
            "interrupted after {} of {total} accounts{}",
            run.totals.done,
            if checkpoint_path.is_some() {
                "; run the same command again to resume"
            } else {
                "; use --checkpoint to make imports resumable"
            }
        );
        return Ok(Status::Interrupted);
    }
    Ok(if run.totals.failed.is_empty() {
        Status::Done
    } else {
        Status::SomeFailed
    })
}

/// The state the checkpoint at `path` holds, if any, checked against `identity`.
fn load(
    path: &Path,
    identity: &InputId,
    file: &Path,
) -> Result<Option<AccountImportState>, Failure> {
    let shown_as = file.display().to_string();
    let Some(loaded) = CheckpointFile::load::<AccountImportState, serde::de::IgnoredAny>(
        path,
        ACCOUNT_IMPORT,
        identity,
        &shown_as,
    )?
    else {
        return Ok(None);
    };
    if let Some(reason) = loaded.state.impossibility(identity.items) {
        return Err(Failure::new(format!(
            "checkpoint {} cannot be right: it {reason}; remove it to start over",
            path.display()
        )));
    }
    Ok(Some(loaded.state))
}

/// An import as it runs: its totals, the settled prefix the checkpoint keeps, and the
/// checkpoint.
struct Run {
    totals: AccountImportState,
    saved: AccountImportState,
    /// Whether a chunk with a failure that is not final stopped the settled prefix.
    stuck: bool,
    checkpoint: Option<CheckpointFile>,
}

impl Run {
    /// Records the next chunk's results.
    fn record(&mut self, size: u64, succeeded: u64, failed: &[FailedPair]) -> Result<(), Failure> {
        self.totals.add_chunk(size, succeeded, failed);
        if self.stuck || failed.iter().any(|failure| !failure.settled) {
            self.stuck = true;
            return Ok(());
        }
        self.saved.add_chunk(size, succeeded, failed);
        match &mut self.checkpoint {
            Some(checkpoint) => checkpoint.save(&self.saved),
            None => Ok(()),
        }
    }
}

/// Imports the accounts after the settled prefix, [`CHUNKS_IN_FLIGHT`] chunks at a time,
/// recording each in input order. After Ctrl-C no chunk is started; those in flight are
/// finished and recorded.
async fn import(
    client: &Client,
    accounts: &[NewAccount],
    run: &mut Run,
    json: bool,
    interrupt: &Interrupt,
) -> Result<(), Failure> {
    let start = usize::try_from(run.saved.done).unwrap_or(usize::MAX);
    let rest = accounts.get(start..).unwrap_or_default();
    let total = accounts.len() as u64;
    let bar = progress_bar(total, run.saved.done, "accounts", json);
    let account_client = client.accounts();
    let outcomes = stream::iter(rest.chunks(CHUNK))
        .take_while(|_| future::ready(!interrupt.is_set()))
        .map(|chunk| async move { (chunk.len(), account_client.import(chunk.to_vec()).await) })
        .buffered(CHUNKS_IN_FLIGHT);
    let mut outcomes = pin!(outcomes);
    while let Some((size, outcome)) = outcomes.next().await {
        let outcome = outcome?;
        let failed: Vec<FailedPair> = outcome
            .failed
            .into_iter()
            .map(output::failed_account)
            .collect();
        run.record(size as u64, outcome.succeeded.len() as u64, &failed)?;
        bar.set_position(run.totals.done);
    }
    bar.finish_and_clear();
    Ok(())
}
