//! One batch of at most 1000 accounts: send, read per-account results, re-send only the
//! accounts that failed with a retryable code.

use std::collections::HashMap;

use im_protocol::{
    AddBlocklistRequest, Api, CheckBlocklistRequest, CheckBlocklistResponse, CheckType,
    DeleteBlocklistRequest, ErrorCode, Relation, RetryClass, UpdateBlocklistResponse,
};
use tokio::time::Instant;

use crate::client::{Call, Inner};
use crate::error::{Error, GiveUpReason};
use crate::outcome::{AccountFailure, Outcome};
use crate::retry::is_retryable_item;

/// Which per-account API a batch calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BatchKind {
    Add,
    Delete,
    Check(CheckType),
}

impl BatchKind {
    pub(crate) fn api(self) -> Api {
        match self {
            BatchKind::Add => Api::BlackListAdd,
            BatchKind::Delete => Api::BlackListDelete,
            BatchKind::Check(_) => Api::BlackListCheck,
        }
    }
}

/// The service's answer for one account, whatever the API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Item {
    pub(crate) account: String,
    pub(crate) code: ErrorCode,
    pub(crate) info: String,
    pub(crate) relation: Option<Relation>,
}

/// An account whose result is final.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Settled {
    pub(crate) item: Item,
    /// An earlier attempt for this account may have been applied.
    pub(crate) ambiguous: bool,
}

/// What became of a batch's accounts.
#[derive(Debug, Default)]
pub(crate) struct BatchResult {
    /// Accounts with a final answer from the service (success or a non-retryable code).
    pub(crate) settled: Vec<Settled>,
    /// Accounts that could not be settled: retries ran out, or the request failed.
    pub(crate) failed: Vec<AccountFailure>,
    /// The request-level error that ended the batch, if any; its accounts are in `failed`.
    pub(crate) error: Option<Error>,
}

impl Inner {
    /// Runs one batch (at most 1000 distinct, valid accounts) to the end.
    pub(crate) async fn run_batch(
        &self,
        kind: BatchKind,
        from: &str,
        accounts: Vec<String>,
        deadline: Instant,
    ) -> BatchResult {
        let mut call = Call::new(self, kind.api(), deadline);
        let mut pending: Vec<(String, bool)> = accounts.into_iter().map(|a| (a, false)).collect();
        let mut result = BatchResult::default();
        loop {
            let names: Vec<&str> = pending
                .iter()
                .map(|(account, _)| account.as_str())
                .collect();
            let answer = self.send_batch(&mut call, kind, from, &names).await;
            let items = match answer {
                Ok(items) => items,
                Err(error) => match call.after_failure(error).await {
                    Ok(ambiguous) => {
                        if ambiguous {
                            pending.iter_mut().for_each(|(_, flag)| *flag = true);
                        }
                        continue;
                    }
                    Err(error) => {
                        result
                            .failed
                            .extend(pending.into_iter().map(|(account, _)| AccountFailure {
                                account,
                                code: error.code(),
                                info: error.report(),
                            }));
                        result.error = Some(error);
                        return result;
                    }
                },
            };
            let mut answers = Answers::new(items);
            let mut retry: Vec<(String, Option<Item>)> = Vec::new();
            let settled_before = result.settled.len();
            for (position, (account, ambiguous)) in pending.into_iter().enumerate() {
                match answers.take(position, &account) {
                    Some(item) if !is_retryable_item(item.code) => {
                        result.settled.push(Settled { item, ambiguous });
                    }
                    other => retry.push((account, other)),
                }
            }
            if retry.is_empty() {
                return result;
            }
            let throttled = retry.iter().any(|(_, item)| {
                item.as_ref()
                    .is_some_and(|item| item.code.retry_class() == RetryClass::RateLimited)
            });
            let progressed = result.settled.len() > settled_before;
            match call.before_account_retry(throttled, progressed).await {
                Ok(()) => {
                    // A retryable failure may still have been applied, so treat it as ambiguous.
                    pending = retry
                        .into_iter()
                        .map(|(account, _)| (account, true))
                        .collect();
                }
                Err(reason) => {
                    result.failed.extend(
                        retry.into_iter().map(|(account, item)| {
                            unsettled(account, item, reason, call.attempts())
                        }),
                    );
                    return result;
                }
            }
        }
    }

    /// Sends one attempt of a batch and flattens the answer into items.
    async fn send_batch(
        &self,
        call: &mut Call<'_>,
        kind: BatchKind,
        from: &str,
        accounts: &[&str],
    ) -> Result<Vec<Item>, Error> {
        let count = accounts.len();
        let to: Vec<String> = accounts
            .iter()
            .map(|account| (*account).to_owned())
            .collect();
        match kind {
            BatchKind::Add => {
                let request = AddBlocklistRequest::new(from, to);
                let response: UpdateBlocklistResponse = call.attempt(&request, count).await?;
                Ok(update_items(response))
            }
            BatchKind::Delete => {
                let request = DeleteBlocklistRequest::new(from, to);
                let response: UpdateBlocklistResponse = call.attempt(&request, count).await?;
                Ok(update_items(response))
            }
            BatchKind::Check(check_type) => {
                let request = CheckBlocklistRequest::new(from, to, check_type);
                let response: CheckBlocklistResponse = call.attempt(&request, count).await?;
                Ok(response
                    .black_list_check_item
                    .into_iter()
                    .map(|item| Item {
                        account: item.to_account,
                        code: item.result_code,
                        info: item.result_info,
                        relation: Some(item.relation),
                    })
                    .collect())
            }
        }
    }
}

/// The items of one answer, looked up by account.
///
/// The service answers in request order, so the item at the account's position is tried
/// first; only an answer in another order (or with gaps or repeats) builds a map.
struct Answers {
    items: Vec<Option<Item>>,
    by_account: Option<HashMap<String, usize>>,
}

impl Answers {
    fn new(items: Vec<Item>) -> Self {
        Answers {
            items: items.into_iter().map(Some).collect(),
            by_account: None,
        }
    }

    /// The item for `account`, which was sent at `position`; each item is taken once.
    fn take(&mut self, position: usize, account: &str) -> Option<Item> {
        if let Some(slot) = self.items.get_mut(position)
            && slot.as_ref().is_some_and(|item| item.account == account)
        {
            return slot.take();
        }
        let items = &self.items;
        let index = *self
            .by_account
            .get_or_insert_with(|| {
                let mut map = HashMap::with_capacity(items.len());
                for (index, item) in items.iter().enumerate() {
                    if let Some(item) = item {
                        map.entry(item.account.clone()).or_insert(index);
                    }
                }
                map
            })
            .get(account)?;
        self.items.get_mut(index).and_then(Option::take)
    }
}

fn update_items(response: UpdateBlocklistResponse) -> Vec<Item> {
    response
        .result_item
        .into_iter()
        .map(|item| Item {
            account: item.to_account,
            code: item.result_code,
            info: item.result_info,
            relation: None,
        })
        .collect()
}

/// The failure of an account whose retries ran out.
fn unsettled(
    account: String,
    item: Option<Item>,
    reason: GiveUpReason,
    attempts: u32,
) -> AccountFailure {
    match item {
        Some(item) => AccountFailure {
            account,
            code: Some(item.code),
            info: format!(
                "{} (gave up after {attempts} attempts: {reason})",
                item.info
            ),
        },
        None => AccountFailure {
            account,
            code: None,
            info: format!(
                "the service returned no result for this account (gave up after {attempts} attempts: {reason}; an earlier attempt may have been applied)"
            ),
        },
    }
}

/// Where one settled account of an add or delete goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Bucket {
    Succeeded,
    Unchanged,
    Failed(AccountFailure),
}

/// Sorts a settled add or delete result into its bucket. A pure function.
///
/// "Already blocked" on add and "not blocked" on delete mean the requested state holds:
/// `unchanged` on a first attempt, `succeeded` when an earlier attempt may have been the
/// one that changed it.
pub(crate) fn bucket(kind: BatchKind, settled: Settled) -> Bucket {
    let Settled { item, ambiguous } = settled;
    if item.code.is_ok() {
        return Bucket::Succeeded;
    }
    if already_in_state(kind, item.code, &item.info) {
        return if ambiguous {
            Bucket::Succeeded
        } else {
            Bucket::Unchanged
        };
    }
    Bucket::Failed(AccountFailure {
        account: item.account,
        code: Some(item.code),
        info: item.info,
    })
}

/// Whether a per-account failure says the requested state already holds.
///
/// The documentation shows "already blocked" as code 30001 with `ResultInfo`
/// `Err_SNS_BlackListAdd_Already_Exist`; the live service has been seen sending 31307 with
/// the same text. Both the code and the text are matched.
pub(crate) fn already_in_state(kind: BatchKind, code: ErrorCode, info: &str) -> bool {
    let info = info.to_ascii_lowercase();
    match kind {
        BatchKind::Add => {
            code == ErrorCode::BLOCKLIST_ALREADY_EXISTS
                || info.contains("already_exist")
                || info.contains("already exist")
        }
        BatchKind::Delete => {
            let about_the_account = [
                ErrorCode::ACCOUNT_NOT_FOUND,
                ErrorCode::USER_ID_NOT_FOUND,
                ErrorCode::REQUESTED_USER_NOT_FOUND,
            ]
            .contains(&code);
            !about_the_account
                && (info.contains("not_exist")
                    || info.contains("not exist")
                    || info.contains("not_in_black")
                    || info.contains("not in black"))
        }
        BatchKind::Check(_) => false,
    }
}

/// Adds a batch's settled add or delete results to an outcome.
pub(crate) fn merge_update(kind: BatchKind, outcome: &mut Outcome, result: BatchResult) {
    for settled in result.settled {
        let account = settled.item.account.clone();
        match bucket(kind, settled) {
            Bucket::Succeeded => outcome.succeeded.push(account),
            Bucket::Unchanged => outcome.unchanged.push(account),
            Bucket::Failed(failure) => outcome.failed.push(failure),
        }
    }
    outcome.failed.extend(result.failed);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settled(code: i64, info: &str, ambiguous: bool) -> Settled {
        Settled {
            item: Item {
                account: "bob".to_owned(),
                code: ErrorCode(code),
                info: info.to_owned(),
                relation: None,
            },
            ambiguous,
        }
    }

    fn item(account: &str) -> Item {
        Item {
            account: account.to_owned(),
            code: ErrorCode::OK,
            info: String::new(),
            relation: None,
        }
    }

    #[test]
    fn answers_are_found_in_order_out_of_order_and_only_once() {
        let mut answers = Answers::new(vec![item("b"), item("a"), item("a"), item("c")]);
        assert_eq!(
            answers.take(0, "a").map(|i| i.account),
            Some("a".to_owned())
        );
        assert_eq!(
            answers.take(1, "b").map(|i| i.account),
            Some("b".to_owned())
        );
        assert_eq!(
            answers.take(3, "c").map(|i| i.account),
            Some("c".to_owned())
        );
        // No answer for an account the service left out.
        assert_eq!(answers.take(4, "d"), None);
        let mut in_order = Answers::new(vec![item("x"), item("y")]);
        assert_eq!(
            in_order.take(0, "x").map(|i| i.account),
            Some("x".to_owned())
        );
        assert_eq!(in_order.take(0, "x"), None, "an item is taken once");
    }

    #[test]
    fn already_exists_is_unchanged_first_and_success_after_an_ambiguous_attempt() {
        let documented = settled(30001, "Err_SNS_BlackListAdd_Already_Exist", false);
        assert_eq!(bucket(BatchKind::Add, documented), Bucket::Unchanged);
        let observed = settled(31307, "Err_SNS_BlackListAdd_Already_Exist", true);
        assert_eq!(bucket(BatchKind::Add, observed), Bucket::Succeeded);
        let code_only = settled(31307, "", false);
        assert_eq!(bucket(BatchKind::Add, code_only), Bucket::Unchanged);
    }

    #[test]
    fn other_codes_fail_with_code_and_info() {
        let bad = settled(30001, "Err_SNS_BlackListAdd_Param_Invalid", true);
        assert_eq!(
            bucket(BatchKind::Add, bad),
            Bucket::Failed(AccountFailure {
                account: "bob".to_owned(),
                code: Some(ErrorCode(30001)),
                info: "Err_SNS_BlackListAdd_Param_Invalid".to_owned(),
            })
        );
        assert!(matches!(
            bucket(BatchKind::Add, settled(30013, "full", false)),
            Bucket::Failed(_)
        ));
    }

    #[test]
    fn not_blocked_on_delete_is_unchanged_but_a_missing_account_is_not() {
        let not_blocked = settled(30001, "Err_SNS_BlackListDelete_Not_Exist", false);
        assert_eq!(bucket(BatchKind::Delete, not_blocked), Bucket::Unchanged);
        let missing = settled(30003, "Err_SNS_Account_Not_Exist", false);
        assert!(matches!(
            bucket(BatchKind::Delete, missing),
            Bucket::Failed(_)
        ));
        assert_eq!(
            bucket(BatchKind::Delete, settled(0, "", true)),
            Bucket::Succeeded
        );
    }
}
