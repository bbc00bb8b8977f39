//! Runs a per-item account API over any number of accounts: requests of at most the API's
//! limit, several in flight under the pacer, and one result per input account.

use futures_util::{StreamExt as _, stream};
use im_client::{Answered, BatchOutcome, Error, PerItemApi};
use im_protocol::ErrorCode;

use crate::client::Accounts;
use crate::rules;
use im_client::AccountFailure;

/// What the service said of one input account.
#[derive(Debug)]
pub(crate) enum Settled<X> {
    /// A per-item answer with a code.
    Answered(Reply<X>),
    /// No per-item code: the failure, with its reason.
    Failed(AccountFailure),
}

impl<X> Settled<X> {
    /// Whether the answer listed the account as failed without saying why
    /// (`FailAccounts`).
    pub(crate) fn is_listed_failed(&self) -> bool {
        matches!(self, Settled::Failed(failure) if failure.reason == im_client::FailureReason::ListedFailed)
    }
}

/// A per-item answer with a code.
#[derive(Debug)]
pub(crate) struct Reply<X> {
    pub(crate) code: ErrorCode,
    pub(crate) info: String,
    pub(crate) extra: Option<X>,
    /// An earlier attempt for this account may have been applied.
    pub(crate) ambiguous: bool,
}

/// A batch's outcome and the input position of its first item.
type Offset<'i, A> = (
    usize,
    BatchOutcome<'i, <A as PerItemApi>::Item, <A as PerItemApi>::Extra>,
);

impl Accounts {
    /// Sends `items` (validated and de-duplicated) to `api`, and returns what became of
    /// each, by input position.
    ///
    /// Fails as a whole only when no account got an answer because the requests failed:
    /// then the error of the last failed request is returned.
    pub(crate) async fn settle<A>(
        &self,
        api: &A,
        items: &[A::Item],
        keys: &[&str],
    ) -> Result<Vec<Settled<A::Extra>>, Error>
    where
        A: PerItemApi,
    {
        let size = api.api().max_items().max(1);
        let batches: Vec<Offset<'_, A>> =
            stream::iter(items.chunks(size).enumerate())
                .map(|(number, chunk)| async move {
                    (number * size, self.client.batch(api, chunk).await)
                })
                .buffered(self.max_in_flight)
                .collect()
                .await;
        let answered_any = batches.iter().any(|(_, batch)| batch.answered_any());
        let mut settled: Vec<Option<Settled<A::Extra>>> = (0..items.len()).map(|_| None).collect();
        let mut last_error = None;
        for (offset, batch) in batches {
            for answered in batch.answered {
                let position = offset + answered.index;
                let account = keys.get(position).copied().unwrap_or_default();
                if let Some(slot) = settled.get_mut(position) {
                    *slot = Some(from_answered(account, answered));
                }
            }
            for unanswered in batch.unanswered {
                let position = offset + unanswered.index;
                let account = keys.get(position).copied().unwrap_or_default();
                if let Some(slot) = settled.get_mut(position) {
                    *slot = Some(Settled::Failed(rules::unanswered(account, unanswered)));
                }
            }
            if batch.error.is_some() {
                last_error = batch.error;
            }
        }
        if let Some(error) = last_error.filter(|_| !answered_any) {
            return Err(error);
        }
        Ok(settled
            .into_iter()
            .zip(keys)
            .map(|(slot, account)| {
                // The batch helper reports every item; a gap stays visible as a failure.
                slot.unwrap_or_else(|| Settled::Failed(rules::unrecorded(account)))
            })
            .collect())
    }
}

/// An answered item: its code, or a failure when the answer listed it without one.
fn from_answered<T, X>(account: &str, answered: Answered<'_, T, X>) -> Settled<X> {
    match answered.code {
        Some(code) => Settled::Answered(Reply {
            code,
            info: answered.info,
            extra: answered.extra,
            ambiguous: answered.ambiguous,
        }),
        None => Settled::Failed(rules::listed_failed(account, answered.info)),
    }
}
