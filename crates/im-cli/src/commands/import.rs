//! `imctl blocklist import`: streaming, paced, resumable.

use std::io::IsTerminal as _;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tencent_im::Client;
use tencent_im::blocklist::ImportProgress;

use crate::checkpoint::{Checkpoint, Tracker};
use crate::cli::Global;
use crate::input::PairsFile;
use crate::{Failure, Status, config, output};

/// How often the checkpoint is rewritten while the import runs.
const SAVE_EVERY: Duration = Duration::from_millis(500);

pub(crate) async fn run(
    global: &Global,
    file: &Path,
    checkpoint_path: Option<&Path>,
) -> Result<Status, Failure> {
    let pairs_file = PairsFile::open(file)?;
    let total = pairs_file.scan(file)?;
    let client = config::client(global).await?;
    let earlier = match checkpoint_path {
        Some(path) => Checkpoint::load(path)?,
        None => None,
    };
    let checkpoint = match earlier {
        Some(earlier) if earlier.total != total => {
            return Err(Failure::new(format!(
                "the checkpoint is for an input of {} pairs, but {} has {total}; remove the checkpoint to start over",
                earlier.total,
                file.display()
            )));
        }
        Some(earlier) => {
            if earlier.done > 0 && !global.json {
                eprintln!("resuming after {} of {total} pairs", earlier.done);
            }
            earlier
        }
        None => Checkpoint {
            total,
            ..Checkpoint::default()
        },
    };
    let tracker = Tracker::new(checkpoint);
    let outcome = import(&client, &pairs_file, tracker, checkpoint_path, global.json).await?;
    let (tracker, interrupted) = outcome;
    let checkpoint = &tracker.checkpoint;
    output::import(
        checkpoint.done,
        checkpoint.succeeded,
        checkpoint.unchanged,
        &checkpoint.failed,
        global.json,
    )?;
    if interrupted {
        eprintln!(
            "interrupted after {} of {total} pairs{}",
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

async fn import(
    client: &Client,
    pairs_file: &PairsFile,
    mut tracker: Tracker,
    checkpoint_path: Option<&Path>,
    json: bool,
) -> Result<(Tracker, bool), Failure> {
    let skip = tracker.skip();
    let total = tracker.checkpoint.total;
    let read = Arc::new(AtomicU64::new(skip));
    let interrupted = Arc::new(AtomicBool::new(false));
    let stop = {
        let interrupted = Arc::clone(&interrupted);
        async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                interrupted.store(true, Ordering::SeqCst);
                eprintln!("\nstopping after the calls in flight (Ctrl-C again to abort)...");
            }
        }
    };
    let counter = Arc::clone(&read);
    let pairs = pairs_file
        .stream(skip)
        .await?
        .inspect(move |_| {
            counter.fetch_add(1, Ordering::Relaxed);
        })
        .take_until(Box::pin(stop));
    let bar = progress_bar(total, skip, json, "pairs");
    let mut last_save = Instant::now();
    let mut save_error: Option<Failure> = None;
    client
        .blocklist()
        .import(pairs, |progress: &ImportProgress<'_>| {
            bar.set_position(skip + progress.pairs_done);
            if tracker.record(progress.batch.clone())
                && let Some(path) = checkpoint_path
                && last_save.elapsed() >= SAVE_EVERY
            {
                tracker.checkpoint.read = read.load(Ordering::Relaxed);
                if let Err(error) = tracker.checkpoint.save(path) {
                    save_error.get_or_insert(error);
                }
                last_save = Instant::now();
            }
        })
        .await;
    bar.finish_and_clear();
    // Nothing is in flight any more: everything read is done or was never sent.
    tracker.checkpoint.read = tracker.checkpoint.done;
    if let Some(path) = checkpoint_path {
        tracker.checkpoint.save(path)?;
    }
    if let Some(error) = save_error {
        return Err(error);
    }
    Ok((tracker, interrupted.load(Ordering::SeqCst)))
}

/// A progress bar of `unit`s on standard error when it is a terminal (and not in JSON
/// mode).
pub(crate) fn progress_bar(total: u64, done: u64, json: bool, unit: &str) -> ProgressBar {
    if json || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(&format!(
        "{{bar:40}} {{pos}}/{{len}} {unit}  {{per_sec}}  ETA {{eta}}"
    )) {
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
    let bar = progress_bar(pairs.len() as u64, 0, json, "pairs");
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
