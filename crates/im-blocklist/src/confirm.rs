//! Settling the ambiguous 30001: the FAQ (document 1047/34457) answers both "already in
//! that state" and a bad parameter with per-item 30001, and the "not blocked" text is not
//! documented. Accounts whose 30001 the text does not explain are checked (`Single`)
//! before they are called failed.

use std::collections::HashMap;

use im_protocol::{CheckType, Relation};

use crate::client::Blocklist;
use crate::rules::{Bucket, Change, settle};

impl Blocklist {
    /// Settles every [`Bucket::Unsettled`] in `buckets` (by position in `accounts`) with one
    /// check of `from`'s blocklist. When the check itself fails, the 30001 stands.
    pub(crate) async fn confirm_unsettled(
        &self,
        change: Change,
        from: &str,
        accounts: &[String],
        buckets: Vec<Bucket>,
    ) -> Vec<Bucket> {
        let unsettled: Vec<&str> = accounts
            .iter()
            .zip(&buckets)
            .filter(|(_, bucket)| matches!(bucket, Bucket::Unsettled { .. }))
            .map(|(account, _)| account.as_str())
            .collect();
        if unsettled.is_empty() {
            return buckets;
        }
        let relations: HashMap<String, Relation> = match self
            .check(from, unsettled, CheckType::Single)
            .await
        {
            Ok(outcome) => outcome
                .results
                .into_iter()
                .map(|result| (result.account, result.relation))
                .collect(),
            Err(error) => {
                tracing::warn!(error = %error.report(), "could not confirm 30001 answers with a check");
                HashMap::new()
            }
        };
        accounts
            .iter()
            .zip(buckets)
            .map(|(account, bucket)| settle(change, bucket, relations.get(account).copied()))
            .collect()
    }
}
