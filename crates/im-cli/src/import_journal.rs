//! The import's tracker and its checkpoint together: the reader announces pairs before
//! they may be sent, the progress callback records each answer, and both land in the
//! checkpoint's journal as they happen.

use tencent_im::blocklist::BatchReport;

use crate::Failure;
use crate::checkpoint::ImportEntry;
use crate::checkpoint_file::CheckpointFile;
use crate::import_tracker::{Totals, Tracker};

/// The tracker and, with `--checkpoint`, the file it is saved to.
#[derive(Debug)]
pub(crate) struct Journal {
    tracker: Tracker,
    file: Option<CheckpointFile>,
    /// The first failure to write the checkpoint; no pair is announced after it.
    error: Option<Failure>,
}

impl Journal {
    /// Starts the journal, writing the checkpoint once: before the first request, so an
    /// unwritable path is an error before anything is sent.
    pub(crate) fn start(
        tracker: Tracker,
        mut file: Option<CheckpointFile>,
    ) -> Result<Self, Failure> {
        if let Some(file) = &mut file {
            file.save(&tracker.snapshot())?;
        }
        Ok(Journal {
            tracker,
            file,
            error: None,
        })
    }

    /// Where the import starts in the input.
    pub(crate) fn skip(&self) -> u64 {
        self.tracker.skip()
    }

    /// Records that the pairs before `end` may be sent from now on; false when that
    /// cannot be recorded, and then no more pairs may be handed over.
    pub(crate) fn announce(&mut self, end: u64) -> bool {
        if self.error.is_some() {
            return false;
        }
        self.tracker.mark_sent(end);
        if let Some(file) = &mut self.file
            && let Err(error) = file.append(&ImportEntry::Sent(end))
        {
            self.error = Some(error);
            return false;
        }
        true
    }

    /// Records an answered batch.
    pub(crate) fn record(&mut self, report: BatchReport) {
        let Journal {
            tracker,
            file,
            error,
        } = self;
        let record = tracker.record(report);
        let Some(file) = file else {
            return;
        };
        let written = file.append(&ImportEntry::Batch(record)).and_then(|()| {
            if file.wants_snapshot() {
                file.save(&tracker.snapshot())
            } else {
                file.sync_if_due()
            }
        });
        if let Err(failure) = written {
            error.get_or_insert(failure);
        }
    }

    /// Saves the final snapshot (nothing is in flight any more) and returns the totals.
    pub(crate) fn finish(&mut self) -> Result<Totals, Failure> {
        if let Some(file) = &mut self.file {
            let saved = file.save(&self.tracker.snapshot());
            if let Some(error) = self.error.take() {
                return Err(error);
            }
            saved?;
        }
        Ok(self.tracker.totals())
    }
}
