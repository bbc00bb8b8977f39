//! `imctl blocklist import`: streaming, paced, resumable.
//!
//! The file is identified (SHA-256, length) before it is validated, and checked again at
//! the end, so a file that changed while it was read is reported instead of claimed done.
//! With `--checkpoint`, the checkpoint is bound to that identity and written before the
//! first request; the pairs that may be in flight are journaled before they are handed to
//! the import, so a resumed run, even after a crash, tells what an earlier run blocked from
//! what was blocked before.

use std::future::ready;
use std::io::IsTerminal as _;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use futures_util::{StreamExt as _, stream};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tencent_im::Client;
use tencent_im::blocklist::ImportProgress;

use crate::checkpoint::{BLOCKLIST_IMPORT, ImportEntry, ImportState};
use crate::checkpoint_file::CheckpointFile;
use crate::cli::Global;
use crate::import_journal::Journal;
use crate::import_tracker::{Totals, Tracker};
use crate::input::PairsFile;
use crate::input_id::InputId;
use crate::interrupt::Interrupt;
use crate::send_window::SendWindow;
use crate::{Failure, Status, config, output};

pub(crate) async fn run(
    global: &Global,
    file: &Path,
    checkpoint_path: Option<&Path>,
) -> Result<Status, Failure> {
    let interrupt = Interrupt::watch("calls");
    let from_stdin = file == Path::new("-");
    if from_stdin && checkpoint_path.is_some() {
        return Err(Failure::new(
            "--checkpoint needs --file to name a file: standard input cannot be read again to check that a resumed run has the same pairs",
        ));
    }
    let pairs_file = PairsFile::open(file)?;
    // Validated first (the reader stops at the first bad or endless record, so a file like
    // /dev/zero fails at once), then identified: a change after this point shows at the end,
    // and one during the validation shows as a different count of pairs read.
    let total = pairs_file.scan(file)?;
    let identity = if from_stdin {
        None
    } else {
        Some(InputId::of_file(file, total)?)
    };
    let client = config::client(global).await?;
    let shown_as = file.display().to_string();
    let (tracker, checkpoint) = match (checkpoint_path, &identity) {
        (Some(path), Some(identity)) => (
            resume(path, identity, &shown_as)?,
            Some(CheckpointFile::new(
                path,
                BLOCKLIST_IMPORT,
                identity.clone(),
            )),
        ),
        _ => (Tracker::new(), None),
    };
    let mut journal = Journal::start(tracker, checkpoint)?;
    let skip = journal.skip();
    if skip > 0 && !global.json {
        eprintln!("resuming after {skip} of {total} pairs");
    }
    let read = import(
        &client,
        &pairs_file,
        &mut journal,
        &interrupt,
        total,
        global.json,
    )
    .await?;
    let totals = journal.finish()?;
    output::import(
        totals.pairs,
        totals.succeeded,
        totals.unchanged,
        &totals.failed,
        global.json,
    )?;
    if let Some(change) = changed_input(file, identity.as_ref(), total, read, &interrupt)? {
        return Err(change);
    }
    finish(&totals, total, checkpoint_path.is_some(), &interrupt)
}

/// The tracker of a run resuming from the checkpoint at `path`, or a fresh one.
fn resume(path: &Path, identity: &InputId, shown_as: &str) -> Result<Tracker, Failure> {
    let Some(loaded) = CheckpointFile::load::<ImportState, ImportEntry>(
        path,
        BLOCKLIST_IMPORT,
        identity,
        shown_as,
    )?
    else {
        return Ok(Tracker::new());
    };
    let total = identity.items;
    if let Some(reason) = loaded
        .state
        .impossibility(total)
        .or_else(|| loaded.state.journal_impossibility(&loaded.journal, total))
    {
        return Err(Failure::new(format!(
            "checkpoint {} cannot be right: it {reason}; remove it to start over",
            path.display()
        )));
    }
    Ok(Tracker::resume(loaded.state, loaded.journal))
}

/// Streams the pairs after the journal's prefix into the import until the input ends or
/// Ctrl-C; returns how many pairs of the input were read (from its start).
async fn import(
    client: &Client,
    pairs_file: &PairsFile,
    journal: &mut Journal,
    interrupt: &Interrupt,
    total: u64,
    json: bool,
) -> Result<u64, Failure> {
    let skip = journal.skip();
    let shared = Mutex::new(journal);
    let read = AtomicU64::new(skip);
    let pairs = pairs_file
        .stream(skip)
        .await?
        .take_until(Box::pin(interrupt.wait()))
        .map(Some)
        .chain(stream::once(ready(None)))
        // Each pair that lets a batch go out is announced in the journal first.
        .scan(SendWindow::new(skip), |window, pair| {
            let end = match &pair {
                Some((from, _)) => window.before_pair(from),
                None => window.at_end(),
            };
            read.store(window.position(), Ordering::Relaxed);
            let open = end.is_none_or(|end| lock(&shared).announce(end));
            ready(open.then_some(pair))
        })
        .filter_map(ready);
    let bar = progress_bar(total, skip, "pairs", json);
    client
        .blocklist()
        .import(pairs, |progress: &ImportProgress<'_>| {
            bar.set_position(skip + progress.pairs_done);
            lock(&shared).record(progress.batch.clone());
        })
        .await;
    bar.finish_and_clear();
    Ok(read.load(Ordering::Relaxed))
}

fn lock<'a, 'b>(journal: &'a Mutex<&'b mut Journal>) -> MutexGuard<'a, &'b mut Journal> {
    journal.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Why the file is not what was validated any more, if it is not: fewer pairs than
/// counted were read, or its content changed.
fn changed_input(
    file: &Path,
    identity: Option<&InputId>,
    total: u64,
    read: u64,
    interrupt: &Interrupt,
) -> Result<Option<Failure>, Failure> {
    let short = !interrupt.is_set() && read != total;
    let rewritten = match identity {
        Some(identity) => !identity.matches_file(file)?,
        None => false,
    };
    if !short && !rewritten {
        return Ok(None);
    }
    let what = if short {
        format!("{total} pairs were validated, but {read} were read")
    } else {
        "it no longer holds the pairs that were validated".to_owned()
    };
    Ok(Some(Failure::new(format!(
        "{} changed during the import: {what}; the pairs above were imported as reported, the rest were not. Check the file, then import it again (with a new checkpoint)",
        file.display()
    ))))
}

/// The command's status once the totals are printed.
fn finish(
    totals: &Totals,
    total: u64,
    checkpointed: bool,
    interrupt: &Interrupt,
) -> Result<Status, Failure> {
    let unsettled = totals.unsettled();
    if unsettled > 0 {
        eprintln!(
            "{unsettled} pairs failed without a final answer (the request failed or was not made){}",
            if checkpointed {
                "; run the same command again to send them again"
            } else {
                "; import them again"
            }
        );
    }
    if interrupt.is_set() {
        eprintln!(
            "interrupted after {} of {total} pairs{}",
            totals.pairs,
            if checkpointed {
                "; run the same command again to resume"
            } else {
                "; use --checkpoint to make imports resumable"
            }
        );
        return Ok(Status::Interrupted);
    }
    Ok(if totals.failed.is_empty() {
        Status::Done
    } else {
        Status::SomeFailed
    })
}

/// A progress bar counting `unit` on standard error when it is a terminal (and not in
/// JSON mode).
pub(crate) fn progress_bar(total: u64, done: u64, unit: &str, json: bool) -> ProgressBar {
    if json || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let template = format!("{{bar:40}} {{pos}}/{{len}} {unit}  {{per_sec}}  ETA {{eta}}");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar.set_position(done);
    bar
}

/// Runs the demo's bulk import with a progress bar and returns the outcome.
pub(crate) async fn with_progress_bar(
    client: &Client,
    pairs: Vec<(String, String)>,
    json: bool,
) -> tencent_im::blocklist::ImportOutcome {
    let bar = progress_bar(pairs.len() as u64, 0, "pairs", json);
    let outcome = client
        .blocklist()
        .import(
            futures_util::stream::iter(pairs),
            |progress: &ImportProgress<'_>| {
                bar.set_position(progress.pairs_done);
            },
        )
        .await;
    bar.finish_and_clear();
    outcome
}
