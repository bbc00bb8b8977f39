//! Calls whose answer has one result per item: chunk to the API's limit, re-send only the
//! items that failed retryably, and put every input item in exactly one bucket.

use std::borrow::Cow;
use std::collections::HashSet;

use bytes::Bytes;
use im_protocol::{ErrorCode, RetrySafety};
use serde::Deserialize;
use tokio::time::Instant;

use crate::api::ApiInfo;
use crate::call::Attempts;
use crate::classify::retry_item;
use crate::client::{Client, decode_error};
use crate::error::{Error, GiveUpReason};
use crate::failure::FailureReason;
use crate::retry::Wait;

mod results;

use results::Results;

/// An API whose answer says, item by item, what became of each item of the request
/// (blocklist add and check, account delete and check, bulk account import, ...).
///
/// An implementation tells the engine how the API spells its items: how to write a
/// request for some of them, and how to read the per-item results of an answer, which
/// may borrow from the answer's bytes.
pub trait PerItemApi: Sync {
    /// One item of the request, e.g. an account.
    type Item: Sync;
    /// What an answer says of an item besides its code, e.g. a relation or a status.
    type Extra: Send;
    /// The answer's body, decoded (it may borrow from the bytes).
    type Response<'de>: Deserialize<'de>;

    /// The API called.
    fn api(&self) -> &ApiInfo;

    /// How the answer names `item` (its UserID).
    fn key(item: &Self::Item) -> &str;

    /// Encodes the request body for `items`.
    fn encode(&self, items: &[&Self::Item]) -> Result<Vec<u8>, im_protocol::Error>;

    /// The per-item results of an answer. Implementations spell the argument
    /// `response: Self::Response<'de>`.
    fn results<'de>(response: Self::Response<'de>) -> ItemResults<'de, Self::Extra>;
}

/// The per-item part of an answer, in one of the two spellings the APIs use.
#[derive(Debug)]
pub enum ItemResults<'a, X> {
    /// One result per item (`ResultItem`, `BlackListCheckItem`, ...). An item without a
    /// result is sent again.
    Listed(Vec<ItemResult<'a, X>>),
    /// Only the failed items, without a code (`FailAccounts`): every item not listed
    /// succeeded.
    FailedOnly(Vec<Cow<'a, str>>),
}

/// The service's result for one item.
#[derive(Debug)]
pub struct ItemResult<'a, X> {
    /// The item's name, as the answer spells it.
    pub key: Cow<'a, str>,
    /// Its result code: 0 on success.
    pub code: ErrorCode,
    /// The result text (`ResultInfo`), often empty on success.
    pub info: Cow<'a, str>,
    /// Whatever else the answer says of the item.
    pub extra: X,
}

/// What became of every item of a batch call: each input item is in exactly one of
/// `answered` and `unanswered`.
#[derive(Debug)]
pub struct BatchOutcome<'i, T, X> {
    /// Items with a final answer from the service: success or a code retrying cannot change.
    pub answered: Vec<Answered<'i, T, X>>,
    /// Items without a final answer: retries ran out, the request failed, or it was not sent.
    pub unanswered: Vec<Unanswered<'i, T>>,
    /// The request-level error that ended the call, if any; its items are in `unanswered`.
    pub error: Option<Error>,
}

/// An item with a final answer.
#[derive(Debug)]
pub struct Answered<'i, T, X> {
    /// The item's position in the input.
    pub index: usize,
    /// The input item.
    pub item: &'i T,
    /// Its result code; `None` when the answer listed the item as failed without a code.
    pub code: Option<ErrorCode>,
    /// The result text.
    pub info: String,
    /// What else the answer said; `None` when the answer lists failures only.
    pub extra: Option<X>,
    /// An earlier attempt for this item may have been applied (after a timeout, a broken
    /// connection or a retryable code): "already in that state" then means done.
    pub ambiguous: bool,
}

/// An item without a final answer.
#[derive(Debug)]
pub struct Unanswered<'i, T> {
    /// The item's position in the input.
    pub index: usize,
    /// The input item.
    pub item: &'i T,
    /// Why it has no final answer: the last code seen for it, or the request's failure.
    pub reason: FailureReason,
    /// What went wrong, in words.
    pub info: String,
}

impl<T, X> Default for BatchOutcome<'_, T, X> {
    fn default() -> Self {
        BatchOutcome {
            answered: Vec::new(),
            unanswered: Vec::new(),
            error: None,
        }
    }
}

impl<'i, T, X> BatchOutcome<'i, T, X> {
    /// Whether at least one item got a final answer.
    pub fn answered_any(&self) -> bool {
        !self.answered.is_empty()
    }
}

impl Client {
    /// Sends `items` to a per-item API in requests of at most the API's limit, one request
    /// after another (writes to one user's data conflict when concurrent).
    ///
    /// Items that fail with a retryable code (or that the answer leaves out) are sent
    /// again, alone; the others keep their answer. After a request-level failure that
    /// retries could not mend, the remaining requests are not sent: their items are
    /// `unanswered` with that error. Each request has the policy's deadline.
    ///
    /// The items are sent as given: validate and de-duplicate them first. The call's
    /// attempts and final code are recorded into the current span: wrap the call in
    /// [`call_span`](Self::call_span).
    pub async fn batch<'i, A: PerItemApi>(
        &self,
        api: &A,
        items: &'i [A::Item],
    ) -> BatchOutcome<'i, A::Item, A::Extra> {
        let mut outcome = BatchOutcome::default();
        let mut attempts = 0;
        let size = api.api().max_items().max(1);
        let mut start = 0;
        while start < items.len() && outcome.error.is_none() {
            let end = items.len().min(start.saturating_add(size));
            let pending = (start..end)
                .zip(&items[start..end])
                .map(|(index, item)| Pending {
                    index,
                    item,
                    ambiguous: false,
                })
                .collect();
            let deadline = Instant::now() + self.policy.deadline();
            attempts += self.batch_one(api, pending, deadline, &mut outcome).await;
            start = end;
        }
        if let Some(error) = &outcome.error {
            let info = format!(
                "not sent after an earlier request failed: {}",
                error.report()
            );
            let reason = FailureReason::NotSent(error.failure());
            for (index, item) in items.iter().enumerate().skip(start) {
                outcome.unanswered.push(Unanswered {
                    index,
                    item,
                    reason,
                    info: info.clone(),
                });
            }
        }
        let span = tracing::Span::current();
        span.record("attempts", attempts);
        if let Some(error) = &outcome.error {
            tracing::warn!(api = api.api().name(), error = %error.report(), "call failed");
            span.record("error", tracing::field::display(error.failure()));
            if let Some(code) = error.code() {
                span.record("code", code.0);
            }
        }
        outcome
    }

    /// Runs one request of at most the API's limit to the end; returns its attempts.
    async fn batch_one<'i, A: PerItemApi>(
        &self,
        api: &A,
        pending: Vec<Pending<'i, A::Item>>,
        deadline: Instant,
        outcome: &mut BatchOutcome<'i, A::Item, A::Extra>,
    ) -> u32 {
        let mut attempts = Attempts::new(self, api.api(), deadline);
        let error = self
            .batch_attempts(api, pending, &mut attempts, outcome)
            .await;
        attempts.finish_request(error.as_ref());
        if let Some(error) = error {
            outcome.error = Some(error);
        }
        attempts.attempts()
    }

    /// The attempts of one request; returns the error that ended it, if any, after putting
    /// its pending items in `unanswered`.
    async fn batch_attempts<'i, A: PerItemApi>(
        &self,
        api: &A,
        mut pending: Vec<Pending<'i, A::Item>>,
        attempts: &mut Attempts<'_>,
        outcome: &mut BatchOutcome<'i, A::Item, A::Extra>,
    ) -> Option<Error> {
        let safety = api.api().safety();
        loop {
            let items: Vec<&A::Item> = pending.iter().map(|pending| pending.item).collect();
            let body = match api.encode(&items) {
                Ok(body) => Bytes::from(body),
                Err(error) => {
                    return Some(fail_all(outcome, pending, Error::Encode(error)));
                }
            };
            let answer = attempts.send(&body, items.len()).await;
            let sorted = answer.and_then(|bytes| {
                let response = im_protocol::decode_response::<A::Response<'_>>(&bytes)
                    .map_err(decode_error)?;
                let sent = std::mem::take(&mut pending);
                Ok(sort_answer::<A>(
                    A::results(response),
                    sent,
                    safety,
                    outcome,
                ))
            });
            let step = match sorted {
                Ok(step) => {
                    attempts.answered();
                    step
                }
                Err(error) => match attempts.after_failure(error).await {
                    Ok(ambiguous) => {
                        if ambiguous {
                            pending.iter_mut().for_each(|item| item.ambiguous = true);
                        }
                        continue;
                    }
                    Err(error) => {
                        return Some(fail_all(outcome, pending, error));
                    }
                },
            };
            // Nothing left to send: the request is done.
            let wait = step.wait?;
            if wait == Wait::Throttled {
                attempts.item_rate_limited();
            }
            match attempts.before_item_retry(wait, step.progressed).await {
                // A retryable failure may still have been applied: the retry is ambiguous.
                Ok(()) => {
                    pending = step
                        .retry
                        .into_iter()
                        .map(|(item, _)| Pending {
                            ambiguous: true,
                            ..item
                        })
                        .collect();
                }
                Err(reason) => {
                    let attempts = attempts.attempts();
                    outcome.unanswered.extend(
                        step.retry
                            .into_iter()
                            .map(|(item, last)| gave_up(item, last, reason, attempts)),
                    );
                    return None;
                }
            }
        }
    }
}

/// An item still to be answered.
#[derive(Clone, Copy, Debug)]
struct Pending<'i, T> {
    /// Its position in the input.
    index: usize,
    item: &'i T,
    /// An earlier attempt for it may have been applied.
    ambiguous: bool,
}

/// The last thing heard of an item that will be sent again: its retryable code and text,
/// or nothing when the answer left it out.
type LastSeen = Option<(ErrorCode, String)>;

/// One attempt's answer, sorted.
struct Step<'i, T> {
    /// How long to wait before sending `retry`; `None` when nothing is left to send.
    wait: Option<Wait>,
    /// Whether the attempt gave any item its final answer.
    progressed: bool,
    /// The items to send again, with what was last heard of each.
    retry: Vec<(Pending<'i, T>, LastSeen)>,
}

/// Sorts one attempt's answer: final answers go to `outcome`, the rest come back to be
/// sent again, with the longest wait their codes ask for.
fn sort_answer<'i, A: PerItemApi>(
    results: ItemResults<'_, A::Extra>,
    pending: Vec<Pending<'i, A::Item>>,
    safety: RetrySafety,
    outcome: &mut BatchOutcome<'i, A::Item, A::Extra>,
) -> Step<'i, A::Item> {
    let answered_before = outcome.answered.len();
    let mut retry = Vec::new();
    let mut wait = Wait::Backoff;
    match results {
        ItemResults::Listed(list) => {
            let mut results = Results::new(list);
            for (position, sent) in pending.into_iter().enumerate() {
                let Some(result) = results.take(position, A::key(sent.item)) else {
                    if safety.repeat_is_harmless() {
                        retry.push((sent, None));
                    } else {
                        outcome.unanswered.push(Unanswered {
                            index: sent.index,
                            item: sent.item,
                            reason: FailureReason::NoResult,
                            info: "the service returned no result for this item; it may have been applied".to_owned(),
                        });
                    }
                    continue;
                };
                match retry_item(result.code, safety) {
                    None => outcome.answered.push(Answered {
                        index: sent.index,
                        item: sent.item,
                        code: Some(result.code),
                        info: bounded(result.info),
                        extra: Some(result.extra),
                        ambiguous: sent.ambiguous,
                    }),
                    Some(item_wait) => {
                        wait = wait.max(item_wait);
                        retry.push((sent, Some((result.code, bounded(result.info)))));
                    }
                }
            }
        }
        ItemResults::FailedOnly(failed) => {
            let failed: HashSet<&str, foldhash::fast::RandomState> =
                failed.iter().map(|key| key.as_ref()).collect();
            for sent in pending {
                let listed = failed.contains(A::key(sent.item));
                outcome.answered.push(Answered {
                    index: sent.index,
                    item: sent.item,
                    code: (!listed).then_some(ErrorCode::OK),
                    info: if listed {
                        "the service listed this item as failed, without a code".to_owned()
                    } else {
                        String::new()
                    },
                    extra: None,
                    ambiguous: sent.ambiguous,
                });
            }
        }
    }
    Step {
        wait: (!retry.is_empty()).then_some(wait),
        progressed: outcome.answered.len() > answered_before,
        retry,
    }
}

/// Ends a request: every pending item is unanswered with the request's error, which is
/// returned.
fn fail_all<'i, T, X>(
    outcome: &mut BatchOutcome<'i, T, X>,
    pending: Vec<Pending<'i, T>>,
    error: Error,
) -> Error {
    let info = error.report();
    let reason = FailureReason::Request(error.failure());
    outcome
        .unanswered
        .extend(pending.into_iter().map(|sent| Unanswered {
            index: sent.index,
            item: sent.item,
            reason,
            info: info.clone(),
        }));
    error
}

/// The failure of an item whose retries ran out.
fn gave_up<T>(
    sent: Pending<'_, T>,
    last: LastSeen,
    reason: GiveUpReason,
    attempts: u32,
) -> Unanswered<'_, T> {
    let (reason, info) = match last {
        Some((code, info)) => (
            FailureReason::Code(code),
            format!("{info} (gave up after {attempts} attempts: {reason})"),
        ),
        None => (
            FailureReason::NoResult,
            format!(
                "the service returned no result for this item (gave up after {attempts} attempts: {reason}; an earlier attempt may have been applied)"
            ),
        ),
    };
    Unanswered {
        index: sent.index,
        item: sent.item,
        reason,
        info,
    }
}

/// A per-item text from the answer, owned and cut to the bound every kept text has.
fn bounded(info: Cow<'_, str>) -> String {
    match im_protocol::result_text::bounded(&info) {
        Cow::Borrowed(_) => info.into_owned(),
        Cow::Owned(cut) => cut,
    }
}
