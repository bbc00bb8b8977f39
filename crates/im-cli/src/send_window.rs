//! How far the pairs handed to the bulk import may have been sent, so the journal can say
//! so before they are.
//!
//! The import sends a batch as soon as it is complete: consecutive pairs with one `from`,
//! at most one request's worth ([`Api::max_accounts`] of `black_list_add`). A batch is
//! complete when the pair after it is read, when it is full, or when the input ends.
//! [`SendWindow`] follows the same rule on the pairs as they are handed over and says
//! when the window of pairs that may be sent grows; the journal records the new end
//! before the pair that completes a batch is handed over.

use tencent_im::protocol::Api;

/// The end of the pairs that may have been sent, advanced batch by batch.
#[derive(Debug)]
pub(crate) struct SendWindow {
    max: u64,
    from: String,
    /// Pairs in the batch being filled.
    filled: u64,
    /// Pairs handed over, counted from the start of the input.
    position: u64,
    /// The end of the window recorded so far.
    end: u64,
}

impl SendWindow {
    /// A window for pairs handed over from position `start` of the input.
    pub(crate) fn new(start: u64) -> Self {
        SendWindow {
            max: Api::BlackListAdd.max_accounts() as u64,
            from: String::new(),
            filled: 0,
            position: start,
            end: start,
        }
    }

    /// Pairs handed over so far, counted from the start of the input.
    pub(crate) fn position(&self) -> u64 {
        self.position
    }

    /// Before a pair from `from` is handed over: the new end of the window when the
    /// hand-over lets a batch go out.
    pub(crate) fn before_pair(&mut self, from: &str) -> Option<u64> {
        let mut end = None;
        if self.filled == self.max || (self.filled > 0 && from != self.from) {
            // Reading this pair completes the batch before it (a full one went already).
            if self.filled < self.max {
                end = Some(self.position);
            }
            self.filled = 0;
        }
        if self.filled == 0 {
            from.clone_into(&mut self.from);
        }
        self.filled += 1;
        self.position += 1;
        if self.filled == self.max {
            end = Some(self.position);
        }
        self.grow(end)
    }

    /// At the end of the input: the new end of the window, when the last batch goes out.
    pub(crate) fn at_end(&mut self) -> Option<u64> {
        self.grow(Some(self.position))
    }

    fn grow(&mut self, end: Option<u64>) -> Option<u64> {
        let end = end.filter(|end| *end > self.end)?;
        self.end = end;
        Some(end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_grows_when_a_batch_is_complete() {
        let mut window = SendWindow::new(10);
        assert_eq!(window.before_pair("a"), None);
        assert_eq!(window.before_pair("a"), None);
        // "b" completes a's batch of two; b's batch waits for its own end.
        assert_eq!(window.before_pair("b"), Some(12));
        assert_eq!(window.at_end(), Some(13));
        assert_eq!(window.at_end(), None);
        assert_eq!(window.position(), 13);
    }

    #[test]
    fn a_full_batch_goes_out_without_waiting_for_the_next_pair() {
        let max = Api::BlackListAdd.max_accounts() as u64;
        let mut window = SendWindow::new(0);
        for _ in 1..max {
            assert_eq!(window.before_pair("a"), None);
        }
        assert_eq!(window.before_pair("a"), Some(max));
        // The next pair of the same user starts a new batch.
        assert_eq!(window.before_pair("a"), None);
        assert_eq!(window.before_pair("b"), Some(max + 1));
    }
}
