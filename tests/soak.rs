//! The fault-injection soak: many users, a seeded mix of operations, and a model.
//!
//! [`run`] starts an emulator with seeded faults (HTTP 502, request-level and per-account
//! 30006/30007/30008, answers lost after the write was applied, truncated JSON, latency),
//! builds a [`Client`] against it with the default retry policy and pacer, and runs
//! [`SoakConfig::lanes`] workers at once. Each worker owns a disjoint set of users and runs
//! a seeded mix of operations on them: add (1 to 2500 accounts, with repeats), remove,
//! import (streams of pairs over several users), check (both modes) and list (the stream
//! and page by page). A model of every blocklist is updated only from what the SDK
//! reported:
//!
//! - an account in `succeeded` or `unchanged` of an add is blocked, of a remove is not;
//! - an add that failed with 30013 (the blocklist is full) did not block the account
//!   (`rejected_by_rule`, an expected failure that keeps the model exact);
//! - any other failed account may or may not have been applied, so the model reads the
//!   emulator's state for it (`failed_unknown`; with the default policy it stays rare).
//!
//! Since a worker owns its users, that read and every check see a state no other worker
//! changes. Checks and lists are compared with the model as they run; at the end every
//! user's blocklist in the emulator is compared with the model (`lost`: the model says
//! blocked, the emulator does not; `spurious`: the other way round), every input account
//! is checked to be in exactly one outcome bucket, and the request log is audited for the
//! per-API calls/s limit.
//!
//! ```no_run
//! # async fn soak() -> Result<(), tests::SoakError> {
//! let report = tests::soak::run(&tests::soak::SoakConfig::new(7, 20_000)).await?;
//! assert!(report.violations().is_empty(), "{report}");
//! # Ok(()) }
//! ```

mod lane;
mod report;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use im_emulator::{Emulator, Faults};
use tencent_im::protocol::Api;
use tencent_im::{Client, Endpoint, SecretKey};

use crate::SoakError;

pub use report::{Figures, SoakReport};

/// The SDKAppID of the emulated app.
const SDKAPPID: u64 = 1_400_000_000;
/// The key the emulated app and the client share.
const KEY: &str = "soak-test-key";

/// Which face of the emulator the client talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Face {
    /// The in-process transport: no sockets; works on a paused Tokio clock.
    InProcess,
    /// The HTTP server on loopback, through the SDK's hyper transport; real time only.
    Http,
}

/// What a soak runs: its seed, size, faults and face.
#[derive(Clone, Debug)]
pub struct SoakConfig {
    /// The seed of the operation mix (each worker derives its own from it).
    pub seed: u64,
    /// How many account operations to run, at least: accounts named in add, remove and
    /// check calls and pairs of imports, repeats included.
    pub operations: u64,
    /// How many users own blocklists.
    pub users: usize,
    /// How many other accounts exist to be blocked.
    pub accounts: usize,
    /// How many workers run at once, each owning `users / lanes` users.
    pub lanes: usize,
    /// The faults the emulator injects.
    pub faults: Faults,
    /// The emulator's limit in calls per second per API; the client paces at the same rate.
    pub rate_limit: u32,
    /// Which face of the emulator is used.
    pub face: Face,
    /// When set, each worker adds the account operations it has run, for progress output.
    pub progress: Option<Arc<AtomicU64>>,
}

impl SoakConfig {
    /// A soak of at least `operations` account operations with seed `seed`: 400 users,
    /// 20,000 other accounts, 16 workers, the [default faults](Self::default_faults),
    /// the documented limit of 200 calls/s, in process.
    pub fn new(seed: u64, operations: u64) -> Self {
        SoakConfig {
            seed,
            operations,
            users: 400,
            accounts: 20_000,
            lanes: 16,
            faults: Self::default_faults(seed),
            rate_limit: im_emulator::DEFAULT_RATE_LIMIT,
            face: Face::InProcess,
            progress: None,
        }
    }

    /// Every kind of fault at rates the default retry policy absorbs: 1% of requests each
    /// answered 502, failed with a request-level 30006/30007/30008, applied with the answer
    /// lost, or applied with the answer truncated; 1 account in 20,000 failed with a
    /// per-account 30006/30007/30008; 2 ms of latency plus up to 8 ms of jitter.
    pub fn default_faults(seed: u64) -> Faults {
        Faults::seeded(seed)
            .http_502(0.01)
            .request_error(0.01)
            .account_error(0.000_05)
            .lost_answer(0.01)
            .truncated_json(0.01)
            .latency(Duration::from_millis(2))
            .latency_jitter(Duration::from_millis(8))
    }

    /// The user names: `user0000`, `user0001`, ...
    fn user_names(&self) -> Vec<String> {
        (0..self.users.max(1))
            .map(|i| format!("user{i:04}"))
            .collect()
    }

    /// The other accounts: `acct00000`, `acct00001`, ...
    fn account_names(&self) -> Vec<String> {
        (0..self.accounts.max(1))
            .map(|i| format!("acct{i:05}"))
            .collect()
    }
}

/// Runs a soak to the end and reports its figures; see the module documentation.
///
/// With [`Face::InProcess`] it runs on whatever Tokio runtime calls it, including a
/// current-thread runtime with a paused clock; [`Face::Http`] needs real time.
pub async fn run(config: &SoakConfig) -> Result<SoakReport, SoakError> {
    let started_wall = std::time::Instant::now();
    let started = tokio::time::Instant::now();
    let emulator = Emulator::builder()
        .sdkappid(SDKAPPID)
        .key(SecretKey::from(KEY))
        .rate_limit(config.rate_limit)
        .faults(config.faults.clone())
        .build()
        .map_err(SoakError::Emulator)?;
    let users = config.user_names();
    let accounts: Arc<[String]> = config.account_names().into();
    emulator.import_accounts(&users);
    emulator.import_accounts(accounts.iter());

    let builder = Client::builder()
        .sdkappid(SDKAPPID)
        .key(KEY)
        .calls_per_second(config.rate_limit);
    let (client, server) = match config.face {
        Face::InProcess => {
            let endpoint = Endpoint::custom_insecure_http("http://emulator.invalid")
                .map_err(SoakError::Endpoint)?;
            let client = builder
                .endpoint(endpoint)
                .transport(emulator.transport())
                .build()
                .map_err(SoakError::Client)?;
            (client, None)
        }
        Face::Http => {
            let server = emulator
                .serve(SocketAddr::from(([127, 0, 0, 1], 0)))
                .await
                .map_err(SoakError::Emulator)?;
            let endpoint =
                Endpoint::custom_insecure_http(&server.base_url()).map_err(SoakError::Endpoint)?;
            let client = builder
                .endpoint(endpoint)
                .build()
                .map_err(SoakError::Client)?;
            (client, Some(server))
        }
    };

    let lanes = config.lanes.clamp(1, users.len());
    let quota = config.operations.div_ceil(lanes as u64);
    let mut workers = Vec::with_capacity(lanes);
    for index in 0..lanes {
        let lane_users: Vec<String> = users.iter().skip(index).step_by(lanes).cloned().collect();
        let lane = lane::Lane::new(
            config.seed,
            index,
            lane_users,
            Arc::clone(&accounts),
            quota,
            config.progress.clone(),
        );
        workers.push(tokio::spawn(lane.run(client.clone(), emulator.clone())));
    }
    let mut figures = Figures::default();
    let mut model: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for worker in workers {
        let (lane_figures, lane_model) = worker.await.map_err(SoakError::Worker)?;
        figures.merge(&lane_figures);
        model.extend(lane_model);
    }
    let elapsed = started.elapsed();
    let wall = started_wall.elapsed();
    if let Some(server) = server {
        server.shutdown().await;
    }

    for user in &users {
        let expected = model.get(user).cloned().unwrap_or_default();
        let actual: BTreeSet<String> = emulator
            .blocklist_of(user)
            .into_iter()
            .map(|(account, _)| account)
            .collect();
        figures.lost += expected.difference(&actual).count() as u64;
        figures.spurious += actual.difference(&expected).count() as u64;
    }
    Ok(SoakReport::new(
        config, figures, &emulator, lanes, elapsed, wall,
    ))
}

/// The blocklist APIs, for the per-API audit of the request log.
fn apis() -> &'static [Api] {
    Api::ALL
}
