//! One worker of the soak: its users, its share of the model, and its operations.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use futures_util::{TryStreamExt as _, stream};
use im_emulator::Emulator;
use tencent_im::blocklist::PageRequest;
use tencent_im::{CheckType, Client, ErrorCode, Outcome, Relation};

use super::report::Figures;

/// The most entries a blocklist holds; the emulator refuses more with 30013.
const BLOCKLIST_LIMIT: usize = 1000;
/// The most accounts one add, remove, check or import of the soak names.
const MAX_BATCH: usize = 2500;

/// A worker: it owns `users`, so nothing else changes their blocklists while it runs.
pub(crate) struct Lane {
    rng: fastrand::Rng,
    users: Vec<String>,
    accounts: Arc<[String]>,
    /// The blocklist of each user, as the SDK's reports say it is.
    model: BTreeMap<String, BTreeSet<String>>,
    quota: u64,
    progress: Option<Arc<AtomicU64>>,
    figures: Figures,
}

/// Whether an operation blocks or unblocks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Block,
    Unblock,
}

impl Lane {
    pub(crate) fn new(
        seed: u64,
        index: usize,
        users: Vec<String>,
        accounts: Arc<[String]>,
        quota: u64,
        progress: Option<Arc<AtomicU64>>,
    ) -> Self {
        let lane_seed = seed ^ (index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        Lane {
            rng: fastrand::Rng::with_seed(lane_seed),
            model: users
                .iter()
                .map(|user| (user.clone(), BTreeSet::new()))
                .collect(),
            users,
            accounts,
            quota,
            progress,
            figures: Figures::default(),
        }
    }

    /// Runs operations until the quota of account operations is spent; returns the
    /// figures and the model of this worker's users.
    pub(crate) async fn run(
        mut self,
        client: Client,
        emulator: Emulator,
    ) -> (Figures, BTreeMap<String, BTreeSet<String>>) {
        while self.figures.account_operations < self.quota {
            let before = self.figures.account_operations;
            self.step(&client, &emulator).await;
            if let Some(progress) = &self.progress {
                progress.fetch_add(self.figures.account_operations - before, Ordering::Relaxed);
            }
        }
        (self.figures, self.model)
    }

    /// Runs one operation, chosen at random, on one of the worker's users.
    async fn step(&mut self, client: &Client, emulator: &Emulator) {
        let user = self.pick_user();
        let nearly_full = self.blocked(&user).len() >= BLOCKLIST_LIMIT * 9 / 10;
        // Weights of add, remove, import, check and list; a nearly full list is drained.
        let weights: [u32; 5] = if nearly_full {
            [15, 50, 5, 20, 10]
        } else {
            [35, 20, 10, 25, 10]
        };
        let mut roll = self.rng.u32(..weights.iter().sum::<u32>());
        let mut choice = 0;
        for (index, weight) in weights.iter().enumerate() {
            if roll < *weight {
                choice = index;
                break;
            }
            roll -= weight;
        }
        match choice {
            0 => {
                let size = self.batch_size();
                let accounts = self.pick_targets(&user, size, 10);
                self.update(client, emulator, &user, accounts, Direction::Block)
                    .await;
            }
            1 => {
                let size = self.batch_size();
                let accounts = self.pick_targets(&user, size, 70);
                self.update(client, emulator, &user, accounts, Direction::Unblock)
                    .await;
            }
            2 => self.import(client, emulator).await,
            3 => {
                let size = self.batch_size();
                let accounts = self.pick_targets(&user, size, 40);
                let check_type = if self.rng.bool() {
                    CheckType::Single
                } else {
                    CheckType::Both
                };
                self.check(client, &user, accounts, check_type).await;
            }
            _ => self.list(client, &user).await,
        }
    }

    fn pick_user(&mut self) -> String {
        let index = self.rng.usize(..self.users.len());
        self.users[index].clone()
    }

    fn blocked(&self, user: &str) -> &BTreeSet<String> {
        static EMPTY: BTreeSet<String> = BTreeSet::new();
        self.model.get(user).unwrap_or(&EMPTY)
    }

    fn set_blocked(&mut self, user: &str, account: &str, blocked: bool) {
        let list = self.model.entry(user.to_owned()).or_default();
        if blocked {
            list.insert(account.to_owned());
        } else {
            list.remove(account);
        }
    }

    /// A batch size: mostly small, sometimes one request's worth, sometimes several.
    fn batch_size(&mut self) -> usize {
        match self.rng.u32(..100) {
            0..60 => self.rng.usize(1..=50),
            60..85 => self.rng.usize(51..=BLOCKLIST_LIMIT),
            _ => self.rng.usize(BLOCKLIST_LIMIT + 1..=MAX_BATCH),
        }
    }

    /// `count` accounts for an operation on `user`: about `blocked_percent`% taken from
    /// its blocklist (each at most once), 3% repeats of accounts already picked, 3% other
    /// users of this worker (never `user` itself), the rest from the pool of accounts.
    fn pick_targets(&mut self, user: &str, count: usize, blocked_percent: u32) -> Vec<String> {
        let mut blocked: Vec<&String> = self.model.get(user).into_iter().flatten().collect();
        self.rng.shuffle(&mut blocked);
        let mut blocked = blocked.into_iter();
        let mates: Vec<&String> = self.users.iter().filter(|mate| *mate != user).collect();
        let mut picked: Vec<String> = Vec::with_capacity(count);
        for _ in 0..count {
            let roll = self.rng.u32(..100);
            let account = if roll < 3 && !picked.is_empty() {
                Some(picked[self.rng.usize(..picked.len())].clone())
            } else if roll < 3 + blocked_percent {
                blocked.next().cloned()
            } else if roll < 6 + blocked_percent && !mates.is_empty() {
                Some(mates[self.rng.usize(..mates.len())].clone())
            } else {
                None
            };
            let account = account
                .unwrap_or_else(|| self.accounts[self.rng.usize(..self.accounts.len())].clone());
            picked.push(account);
        }
        picked
    }

    /// An add or a remove, and the model updated from its outcome.
    async fn update(
        &mut self,
        client: &Client,
        emulator: &Emulator,
        user: &str,
        accounts: Vec<String>,
        direction: Direction,
    ) {
        self.figures.account_operations += accounts.len() as u64;
        let distinct: BTreeSet<String> = accounts.iter().cloned().collect();
        self.figures.duplicates += (accounts.len() - distinct.len()) as u64;
        let result = match direction {
            Direction::Block => {
                self.figures.call("add");
                client.blocklist().add(user, accounts).await
            }
            Direction::Unblock => {
                self.figures.call("remove");
                client.blocklist().remove(user, accounts).await
            }
        };
        let outcome = match result {
            Ok(outcome) => outcome,
            Err(_) => {
                // Every request failed: any of them may have been applied.
                self.figures.call_errors += 1;
                for account in &distinct {
                    self.figures.failed_unknown += 1;
                    let truth = emulator.is_blocked(user, account);
                    self.set_blocked(user, account, truth);
                }
                return;
            }
        };
        if !holds_each_once(&outcome, &distinct) {
            self.figures.bucket_violations += 1;
        }
        let settled = direction == Direction::Block;
        for account in outcome.succeeded.iter().chain(&outcome.unchanged) {
            self.set_blocked(user, account, settled);
        }
        self.figures.succeeded += outcome.succeeded.len() as u64;
        self.figures.unchanged += outcome.unchanged.len() as u64;
        for failure in &outcome.failed {
            if direction == Direction::Block && failure.code() == Some(ErrorCode::BLOCKLIST_FULL) {
                // The list was full when the account came up: it was not blocked.
                self.figures.rejected_by_rule += 1;
                self.set_blocked(user, &failure.account, false);
            } else {
                self.figures.failed_unknown += 1;
                let truth = emulator.is_blocked(user, &failure.account);
                self.set_blocked(user, &failure.account, truth);
            }
        }
    }

    /// An import of pairs over several of this worker's users, in runs per user (a user
    /// may get more than one run), and the model updated from its outcome.
    async fn import(&mut self, client: &Client, emulator: &Emulator) {
        let total = self.batch_size();
        let runs = self.rng.usize(2..=6);
        let mut pairs: Vec<(String, String)> = Vec::with_capacity(total);
        for run in 0..runs {
            let user = self.pick_user();
            let size = (total / runs + usize::from(run < total % runs)).max(1);
            for account in self.pick_targets(&user, size, 10) {
                pairs.push((user.clone(), account));
            }
        }
        self.figures.account_operations += pairs.len() as u64;
        self.figures.call("import");
        let outcome = client
            .blocklist()
            .import(stream::iter(pairs.clone()), |_| {})
            .await;

        let accounted = outcome.succeeded
            + outcome.unchanged
            + outcome.duplicates
            + outcome.failed.len() as u64;
        if outcome.pairs != pairs.len() as u64 || accounted != outcome.pairs {
            self.figures.bucket_violations += 1;
        }
        self.figures.succeeded += outcome.succeeded;
        self.figures.unchanged += outcome.unchanged;
        self.figures.duplicates += outcome.duplicates;

        // A pair that failed only with 30013 is not blocked: lists only grow during an
        // import, so no group found room for it after one found the list full, and a group
        // that had blocked it earlier would have made the others answer "already blocked".
        // A pair with any other failure is unknown. Every other pair is blocked; repeats
        // within a group are sent once and counted as duplicates, not reported one by one.
        let occurrences: HashSet<(&str, &str)> = pairs
            .iter()
            .map(|(from, to)| (from.as_str(), to.as_str()))
            .collect();
        // For each failed pair: whether every failure was 30013.
        let mut failures: HashMap<(&str, &str), bool> = HashMap::new();
        for failure in &outcome.failed {
            let full = failure.code() == Some(ErrorCode::BLOCKLIST_FULL);
            if full {
                self.figures.rejected_by_rule += 1;
            }
            *failures
                .entry((failure.from.as_str(), failure.account.as_str()))
                .or_insert(true) &= full;
        }
        // A failure for a pair that was not in the input breaks the outcome's promise.
        if failures.keys().any(|pair| !occurrences.contains(pair)) {
            self.figures.bucket_violations += 1;
        }
        let decided: Vec<(String, String, Option<bool>)> = occurrences
            .iter()
            .map(|&(from, to)| {
                let blocked = match failures.get(&(from, to)) {
                    None => Some(true),
                    Some(true) => Some(false),
                    Some(false) => None,
                };
                (from.to_owned(), to.to_owned(), blocked)
            })
            .collect();
        for (from, to, blocked) in decided {
            let blocked = blocked.unwrap_or_else(|| {
                self.figures.failed_unknown += 1;
                emulator.is_blocked(&from, &to)
            });
            self.set_blocked(&from, &to, blocked);
        }
    }

    /// A check, compared with the model.
    async fn check(
        &mut self,
        client: &Client,
        user: &str,
        accounts: Vec<String>,
        check_type: CheckType,
    ) {
        self.figures.account_operations += accounts.len() as u64;
        let distinct: BTreeSet<String> = accounts.iter().cloned().collect();
        self.figures.duplicates += (accounts.len() - distinct.len()) as u64;
        self.figures.call(match check_type {
            CheckType::Single => "check (single)",
            _ => "check (both)",
        });
        let outcome = match client.blocklist().check(user, accounts, check_type).await {
            Ok(outcome) => outcome,
            Err(_) => {
                self.figures.call_errors += 1;
                return;
            }
        };
        let mut seen: HashSet<&str> = HashSet::new();
        let mut each_once = outcome.results.len() + outcome.failed.len() == distinct.len();
        let answered = outcome
            .results
            .iter()
            .map(|result| result.account.as_str())
            .chain(
                outcome
                    .failed
                    .iter()
                    .map(|failure| failure.account.as_str()),
            );
        for account in answered {
            each_once &= distinct.contains(account) && seen.insert(account);
        }
        if !each_once {
            self.figures.bucket_violations += 1;
        }
        self.figures.check_failed += outcome.failed.len() as u64;
        for result in &outcome.results {
            if !self.relation_holds(user, &result.account, result.relation, check_type) {
                self.figures.check_mismatches += 1;
            }
        }
    }

    /// Whether a checked relation agrees with the model. The other direction is known for
    /// this worker's users and for pool accounts (which never block anyone); in single
    /// mode it is never reported.
    fn relation_holds(
        &self,
        user: &str,
        account: &str,
        relation: Relation,
        check_type: CheckType,
    ) -> bool {
        let forward = self.blocked(user).contains(account);
        if relation.from_blocks_to() != forward {
            return false;
        }
        let backward = match check_type {
            CheckType::Single => false,
            _ => self.blocked(account).contains(user),
        };
        relation.to_blocks_from() == backward
    }

    /// A whole list, as a stream or page by page with a random page size, compared with
    /// the model.
    async fn list(&mut self, client: &Client, user: &str) {
        let listed: Result<Vec<String>, tencent_im::Error> = if self.rng.bool() {
            self.figures.call("list");
            client
                .blocklist()
                .list(user)
                .map_ok(|entry| entry.account)
                .try_collect()
                .await
        } else {
            let size = self.rng.u32(1..=1000);
            self.list_pages(client, user, size).await
        };
        let listed = match listed {
            Ok(listed) => listed,
            Err(_) => {
                self.figures.call_errors += 1;
                return;
            }
        };
        self.figures.entries_listed += listed.len() as u64;
        let distinct: BTreeSet<String> = listed.iter().cloned().collect();
        if distinct.len() != listed.len() || &distinct != self.blocked(user) {
            self.figures.list_mismatches += 1;
        }
    }

    /// Reads a whole list with `list_page`, `size` entries at a time.
    async fn list_pages(
        &mut self,
        client: &Client,
        user: &str,
        size: u32,
    ) -> Result<Vec<String>, tencent_im::Error> {
        let mut listed = Vec::new();
        let mut start = 0;
        loop {
            self.figures.call("list_page");
            let request = PageRequest::of_size(size).starting_at(start);
            let page = client.blocklist().list_page(user, request).await?;
            listed.extend(page.entries.into_iter().map(|entry| entry.account));
            match page.next_start_index {
                Some(next) if next > start => start = next,
                Some(_) => {
                    // Paging that does not advance is a list that disagrees with the model.
                    self.figures.list_mismatches += 1;
                    return Ok(listed);
                }
                None => return Ok(listed),
            }
        }
    }
}

/// Whether `outcome` holds every account of `distinct` exactly once, and nothing else.
fn holds_each_once(outcome: &Outcome, distinct: &BTreeSet<String>) -> bool {
    if outcome.len() != distinct.len() {
        return false;
    }
    let mut seen: HashSet<&str> = HashSet::with_capacity(distinct.len());
    outcome
        .succeeded
        .iter()
        .chain(&outcome.unchanged)
        .chain(outcome.failed.iter().map(|failure| &failure.account))
        .all(|account| distinct.contains(account) && seen.insert(account))
}
