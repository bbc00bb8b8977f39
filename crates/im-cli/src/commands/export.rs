//! `imctl blocklist export`: every entry of many users' blocklists, paced and resumable.
//!
//! Users are listed concurrently (the engine paces the `black_list_get` calls) and written
//! in input order, each one whole: a user's entries are gathered first (at most the
//! documented blocklist size), then appended in one piece. The output grows in
//! `<out>.part`. The checkpoint records the finished users and the length of the output
//! that holds them; a resumed run cuts the part file back to that length, so a user that
//! was being written when a run died is written again, once. The part file is renamed to
//! `--out` when every user is finished, so a file under that name is always complete.
//!
//! The checkpoint is bound to the list of users and written before the first request. A
//! user whose listing failed without a final answer (the request failed, or the rate
//! limiter was down) is not finished: with a checkpoint, the finished prefix stops before
//! it, the output stays `<out>.part`, and a rerun lists it and the users after it again.

use std::collections::HashSet;
use std::path::Path;
use std::pin::pin;
use std::sync::Arc;
use std::time::Instant;

use futures_util::{Stream, StreamExt as _, stream};
use serde::de::IgnoredAny;
use tencent_im::Client;
use tencent_im::blocklist::{BlockedAccount, FailureReason};
use tencent_im::protocol::limits::MAX_BLOCKLIST_ENTRIES;
use tokio::sync::Semaphore;

use crate::checkpoint::is_settled;
use crate::checkpoint_file::{CheckpointFile, SYNC_EVERY};
use crate::cli::{ExportArgs, ExportFormat, Global};
use crate::commands::import::progress_bar;
use crate::entry_lines::{encode, pair_line};
use crate::export_checkpoint::{BLOCKLIST_EXPORT, ExportCheckpoint, FailedUser};
use crate::input_id::InputId;
use crate::interrupt::Interrupt;
use crate::partial_file::PartialFile;
use crate::{Failure, Status, config, input, output};

/// How many users are listed at once: enough to fill 200 calls/s at 300 ms per call.
const USERS_IN_FLIGHT: usize = 64;

/// How many users may be started ahead of the first unfinished one, the finished ones
/// waiting to be written in input order. Larger than [`USERS_IN_FLIGHT`], so that a user
/// whose listing waits out a retry pause (2 s after a "retry later" code: 400 calls at
/// 200 calls/s) does not stop the users after it.
const USERS_AHEAD: usize = 512;

/// How an export ended.
#[derive(Debug, PartialEq, Eq)]
enum Ended {
    /// Every user is finished and the output has its name.
    Complete,
    /// Ctrl-C stopped it before every user was finished.
    Interrupted,
    /// Every user was tried, but some have no final answer: the output stays a part file.
    Unsettled,
}

pub(crate) async fn run(global: &Global, args: &ExportArgs) -> Result<Status, Failure> {
    let interrupt = Interrupt::watch("users");
    if args.out == Path::new("-") {
        return Err(Failure::new(
            "--out must name a file: it is written beside as <file>.part and renamed when complete",
        ));
    }
    let users = input::users(args.users.as_deref(), &args.user)?;
    if args.format == ExportFormat::Pairs
        && let Some(user) = users.iter().find(|user| pair_line(user, user).is_none())
    {
        return Err(Failure::new(format!(
            "UserID {user:?} cannot be written in a `from,to` line; use --format jsonl"
        )));
    }
    let client = config::client(global).await?;
    let fresh = ExportCheckpoint::new(&users, args.format);
    let identity = InputId::of_items(users.iter().map(String::as_str));
    let mut writer = None;
    let mut checkpoint = fresh.clone();
    if let Some(path) = &args.checkpoint {
        let loaded = CheckpointFile::load::<ExportCheckpoint, IgnoredAny>(
            path,
            BLOCKLIST_EXPORT,
            &identity,
            "the list of users",
        )?;
        if let Some(earlier) = loaded.map(|loaded| loaded.state) {
            if let Some(reason) = earlier.mismatch(&fresh) {
                return Err(Failure::new(format!(
                    "checkpoint {} {reason}; remove it to start over",
                    path.display()
                )));
            }
            checkpoint = earlier;
        }
        let mut file = CheckpointFile::new(path, BLOCKLIST_EXPORT, identity);
        // Before the first request: an unwritable path is an error before anything is sent.
        file.save(&checkpoint)?;
        writer = Some(file);
    }
    let Some(file) = reopen(&checkpoint, &args.out)? else {
        // An earlier run finished this export: report it again, send nothing.
        output::export(&checkpoint, Some(&args.out), global.json)?;
        return Ok(status(&checkpoint));
    };
    if checkpoint.done > 0 && !global.json {
        eprintln!(
            "resuming after {} of {} users",
            checkpoint.done, checkpoint.users
        );
    }
    let target = Target {
        file,
        checkpoint: writer,
        format: args.format,
    };
    let (checkpoint, ended) =
        export(&client, &users, checkpoint, target, &interrupt, global.json).await?;
    let out = (ended == Ended::Complete).then_some(args.out.as_path());
    output::export(&checkpoint, out, global.json)?;
    let unsettled = checkpoint
        .failed
        .iter()
        .filter(|failure| !failure.settled)
        .count();
    if unsettled > 0 {
        eprintln!(
            "{unsettled} users failed without a final answer (the request failed or was not made){}",
            if ended == Ended::Unsettled {
                format!(
                    "; {} is not complete: run the same command again to list them again",
                    args.out.display()
                )
            } else {
                "; export them again with --user".to_owned()
            }
        );
    }
    if ended == Ended::Interrupted || interrupt.is_set() {
        eprintln!(
            "interrupted after {} of {} users{}",
            checkpoint.done,
            checkpoint.users,
            match (&ended, args.checkpoint.is_some()) {
                (Ended::Complete, _) => "",
                (_, true) => "; run the same command again to resume",
                (_, false) => "; nothing was kept (use --checkpoint to make exports resumable)",
            }
        );
        return Ok(Status::Interrupted);
    }
    Ok(status(&checkpoint))
}

/// Where an export goes: the output and, with `--checkpoint`, the checkpoint.
struct Target {
    file: PartialFile,
    checkpoint: Option<CheckpointFile>,
    format: ExportFormat,
}

/// The output where `checkpoint` left it; `None` when that run completed the output.
fn reopen(checkpoint: &ExportCheckpoint, out: &Path) -> Result<Option<PartialFile>, Failure> {
    if checkpoint.done == 0 {
        return PartialFile::create(out).map(Some);
    }
    let renamed = !PartialFile::part_path(out).exists() && out.exists();
    if checkpoint.is_complete() && renamed {
        return Ok(None);
    }
    PartialFile::resume(out, checkpoint.written).map(Some)
}

fn status(checkpoint: &ExportCheckpoint) -> Status {
    if checkpoint.failed.is_empty() {
        Status::Done
    } else {
        Status::SomeFailed
    }
}

/// Exports the users `checkpoint` has not finished; returns the totals of the run (the
/// checkpoint keeps its settled prefix) and how it ended.
async fn export(
    client: &Client,
    users: &[String],
    mut checkpoint: ExportCheckpoint,
    target: Target,
    interrupt: &Interrupt,
    json: bool,
) -> Result<(ExportCheckpoint, Ended), Failure> {
    let Target {
        mut file,
        checkpoint: mut writer,
        format,
    } = target;
    let skip = usize::try_from(checkpoint.done).unwrap_or(usize::MAX);
    let blocklist = client.blocklist().clone();
    let users =
        stream::iter(users.iter().skip(skip).cloned()).take_until(Box::pin(interrupt.wait()));
    let listings = in_input_order(users, move |user| {
        let blocklist = blocklist.clone();
        async move { read_blocklist(&user, blocklist.list(user.clone())).await }
    });
    let mut listings = pin!(listings);
    let bar = progress_bar(checkpoint.users, checkpoint.done, "users", json);
    let mut lines = Vec::new();
    let mut last_save = Instant::now();
    // The settled prefix, once a user without a final answer stopped it.
    let mut settled: Option<ExportCheckpoint> = None;
    while let Some((user, entries)) = listings.next().await {
        lines.clear();
        let encoded = entries.and_then(|entries| {
            encode(format, &user, &entries, &mut lines)
                .map(|()| entries.len() as u64)
                .map_err(|reason| FailedUser {
                    user: user.clone(),
                    code: None,
                    info: reason,
                    settled: true,
                })
        });
        match encoded {
            Ok(entries) => {
                file.append(&lines)?;
                checkpoint.record_exported(entries);
            }
            Err(failure) => {
                if !failure.settled && settled.is_none() && writer.is_some() {
                    checkpoint.written = file.sync()?;
                    settled = Some(checkpoint.clone());
                }
                checkpoint.record_failed(failure);
            }
        }
        bar.set_position(checkpoint.done);
        if let Some(writer) = &mut writer
            && settled.is_none()
            && last_save.elapsed() >= SYNC_EVERY
        {
            checkpoint.written = file.sync()?;
            writer.save(&checkpoint)?;
            last_save = Instant::now();
        }
    }
    bar.finish_and_clear();
    // Nothing is in flight any more: every user taken from the input is finished.
    checkpoint.written = file.sync()?;
    if let Some(writer) = &mut writer {
        writer.save(settled.as_ref().unwrap_or(&checkpoint))?;
    }
    if !checkpoint.is_complete() {
        // Only Ctrl-C ends the listings early.
        if writer.is_none() {
            file.discard();
        }
        return Ok((checkpoint, Ended::Interrupted));
    }
    if settled.is_some() {
        return Ok((checkpoint, Ended::Unsettled));
    }
    file.finish()?;
    Ok((checkpoint, Ended::Complete))
}

/// Lists `users` with `list`, [`USERS_IN_FLIGHT`] at a time, and yields each user with
/// its listing in input order. Up to [`USERS_AHEAD`] users are started past the first
/// unfinished one, so one slow listing does not hold up the others.
fn in_input_order<U, L, F>(users: U, list: L) -> impl Stream<Item = (String, F::Output)>
where
    U: Stream<Item = String>,
    L: Fn(String) -> F,
    F: Future,
{
    let in_flight = Arc::new(Semaphore::new(USERS_IN_FLIGHT));
    users
        .map(move |user| {
            let in_flight = Arc::clone(&in_flight);
            let listing = list(user.clone());
            async move {
                // The semaphore is never closed; without a permit the listing still runs.
                let _permit = in_flight.acquire_owned().await.ok();
                (user, listing.await)
            }
        })
        .buffered(USERS_AHEAD)
}

/// Reads `user`'s whole blocklist from `listing`, each account once. A listing that goes
/// past the most entries a blocklist holds is a failure, so one that never ends cannot
/// loop forever.
async fn read_blocklist<S>(user: &str, listing: S) -> Result<Vec<BlockedAccount>, FailedUser>
where
    S: Stream<Item = Result<BlockedAccount, tencent_im::Error>>,
{
    let mut listing = pin!(listing);
    let mut received = 0usize;
    let mut seen = HashSet::new();
    let mut entries = Vec::new();
    while let Some(entry) = listing.next().await {
        let entry = entry.map_err(|error| FailedUser {
            user: user.to_owned(),
            code: error.code().map(|code| code.0),
            info: error.report(),
            settled: is_settled(FailureReason::Request(error.failure())),
        })?;
        received += 1;
        if received > MAX_BLOCKLIST_ENTRIES {
            return Err(FailedUser {
                user: user.to_owned(),
                code: None,
                info: format!(
                    "the listing went on past {MAX_BLOCKLIST_ENTRIES} entries, the most a blocklist holds; stopped reading it"
                ),
                settled: true,
            });
        }
        if seen.insert(entry.account.clone()) {
            entries.push(entry);
        }
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn entry(index: usize) -> Result<BlockedAccount, tencent_im::Error> {
        Ok(BlockedAccount::new(format!("fan{index}"), 1_700_000_000))
    }

    #[tokio::test]
    async fn a_listing_that_never_ends_fails_after_the_blocklist_limit() {
        let endless = stream::iter((0..).map(entry));
        let failure = read_blocklist("alice", endless)
            .await
            .expect_err("an endless listing fails");
        assert_eq!(failure.user, "alice");
        assert!(failure.info.contains("1000"), "{}", failure.info);
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_user_does_not_hold_up_the_users_after_it() {
        // The first user's listing finishes only once 200 users after it were listed:
        // more than are listed at once, fewer than may be started ahead.
        let listed = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let others_done = Arc::new(tokio::sync::Notify::new());
        let users = stream::iter((0..300).map(|index| format!("user{index}")));
        let list = {
            let listed = Arc::clone(&listed);
            let others_done = Arc::clone(&others_done);
            move |user: String| {
                let listed = Arc::clone(&listed);
                let others_done = Arc::clone(&others_done);
                async move {
                    if user == "user0" {
                        others_done.notified().await;
                    } else if listed.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 == 200 {
                        others_done.notify_one();
                    }
                    user.len()
                }
            }
        };
        let order: Vec<String> = tokio::time::timeout(
            Duration::from_secs(60),
            in_input_order(users, list).map(|(user, _)| user).collect(),
        )
        .await
        .expect("the first user was not left waiting for the others");
        let expected: Vec<String> = (0..300).map(|index| format!("user{index}")).collect();
        assert_eq!(order, expected, "written in input order");
    }

    #[tokio::test]
    async fn a_full_blocklist_is_read_and_repeated_entries_collapse() {
        let full = stream::iter((0..MAX_BLOCKLIST_ENTRIES).map(entry));
        let entries = read_blocklist("alice", full).await.expect("a full list");
        assert_eq!(entries.len(), MAX_BLOCKLIST_ENTRIES);
        let repeated = stream::iter([entry(1), entry(2), entry(1)]);
        let entries = read_blocklist("alice", repeated).await.expect("a list");
        let accounts: Vec<_> = entries.iter().map(|e| e.account.as_str()).collect();
        assert_eq!(accounts, ["fan1", "fan2"]);
    }
}
