//! The emulator: its configuration, its state, and the direct methods tests use to set
//! state up and look at it. [`EmulatorBuilder`] builds it.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

use im_protocol::{Api, ErrorCode};
use im_sig::{Clock, SecretKey};
use im_transport::Transport;
use im_webhook::Token;
use tokio::sync::Notify;

use crate::faults::FaultState;
use crate::log::{self, LoggedRequest, RateWindows, RequestLog};
use crate::state::{AccountProfile, World};
use crate::webhook::{self, Callbacks, SentCallback, WebhookTarget};
use crate::{EmulatorBuilder, EmulatorError, EmulatorTransport, Faults, handlers, replies};

/// An in-memory Tencent Cloud Chat service for one app, serving the blocklist and account
/// APIs.
///
/// Cloning is cheap: clones share one state, so a test can keep a clone to set state up and
/// look at it while a client talks to the [`transport`](Self::transport) or to a
/// [server](Self::serve). See the crate documentation for what is emulated.
///
/// ```
/// use im_emulator::Emulator;
/// use im_sig::SecretKey;
///
/// let emulator = Emulator::new(1_400_000_000, SecretKey::new("key"));
/// emulator.import_accounts(["alice", "bob"]);
/// emulator.make_friends("alice", "bob");
/// assert!(emulator.are_friends("alice", "bob"));
/// assert_eq!(emulator.block("alice", "bob"), im_protocol::ErrorCode::OK);
/// assert!(emulator.is_blocked("alice", "bob"));
/// // Blocking removed the friendship both ways.
/// assert!(!emulator.has_friend("bob", "alice"));
/// ```
#[derive(Clone)]
pub struct Emulator {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    state: Mutex<State>,
    /// The HTTP client callbacks are sent with, built when the first one is sent unless the
    /// builder was given one.
    webhook_client: OnceLock<Option<Arc<dyn Transport>>>,
    /// Woken each time a callback gets its outcome.
    callback_finished: Notify,
}

/// What does not change after the emulator is built.
pub(crate) struct Config {
    pub(crate) sdkappid: u64,
    pub(crate) key: SecretKey,
    pub(crate) admins: Vec<String>,
    /// One frequency limit for every API instead of the documented ones.
    pub(crate) rate_limit: Option<u32>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) rules: Rules,
}

impl Config {
    /// The frequency limit of `api` in calls per second (0: unlimited).
    pub(crate) fn rate_limit_of(&self, api: Api) -> u32 {
        self.rate_limit
            .unwrap_or_else(|| api.default_calls_per_second())
    }
}

/// The rules that differ between apps (console settings) or between observations.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rules {
    /// Keep friendships when blocking (console option "Remain Friends").
    pub(crate) remain_friends: bool,
    /// The per-item code of an add for an account already in the blocklist.
    pub(crate) already_exists_code: ErrorCode,
    /// The per-item code of a delete for an account not in the blocklist.
    pub(crate) not_blocked_code: ErrorCode,
}

/// Everything that changes, behind one lock.
pub(crate) struct State {
    pub(crate) world: World,
    pub(crate) faults: FaultState,
    pub(crate) windows: RateWindows,
    pub(crate) log: RequestLog,
    pub(crate) callbacks: Callbacks,
}

impl Emulator {
    /// An emulator of app `sdkappid` signed with `key`, with the defaults of
    /// [`EmulatorBuilder`].
    pub fn new(sdkappid: u64, key: SecretKey) -> Self {
        EmulatorBuilder::default().into_emulator(sdkappid, key, None)
    }

    /// A builder for an emulator with other settings.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// The SDKAppID of the emulated app.
    pub fn sdkappid(&self) -> u64 {
        self.inner.config.sdkappid
    }

    /// The admin accounts allowed as `identifier`.
    pub fn admins(&self) -> &[String] {
        &self.inner.config.admins
    }

    /// The frequency limit of `api`, in calls per second (0: unlimited).
    pub fn rate_limit(&self, api: Api) -> u32 {
        self.inner.config.rate_limit_of(api)
    }

    /// The current time of the emulator's clock, in Unix seconds.
    pub fn now(&self) -> u64 {
        self.inner.config.clock.now()
    }

    /// An in-process [`Transport`] that serves requests from this emulator, without sockets.
    pub fn transport(&self) -> Arc<dyn Transport> {
        Arc::new(EmulatorTransport::new(self))
    }

    /// Imports accounts, as `account_import` does (without a nickname or avatar). Accounts
    /// the service would reject
    /// (empty, longer than 32 bytes, or with a character outside printable ASCII: see
    /// [`im_protocol::validate_user_id`]) are skipped; the result counts the others,
    /// including accounts that already existed.
    pub fn import_accounts<I>(&self, accounts: I) -> usize
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        // Collected first, so that the caller's iterator never runs under the lock.
        let accounts: Vec<I::Item> = accounts.into_iter().collect();
        let mut state = self.lock();
        accounts
            .iter()
            .filter(|account| state.world.import(account.as_ref()).is_ok())
            .count()
    }

    /// Whether `account` has been imported (and not deleted since).
    pub fn account_exists(&self, account: &str) -> bool {
        self.lock().world.exists(account)
    }

    /// The nickname and avatar URL of an imported account, as the last import that gave
    /// them set them; `None` when the account does not exist.
    pub fn account_profile(&self, account: &str) -> Option<AccountProfile> {
        self.lock().world.profile(account).cloned()
    }

    /// How many accounts exist.
    pub fn account_count(&self) -> usize {
        self.lock().world.account_count()
    }

    /// Makes `a` and `b` friends of each other, ignoring blocklists and without checking
    /// that the accounts exist.
    pub fn make_friends(&self, a: &str, b: &str) {
        let mut state = self.lock();
        state.world.befriend(a, b);
        state.world.befriend(b, a);
    }

    /// Whether `a` and `b` are friends of each other (both directions).
    pub fn are_friends(&self, a: &str, b: &str) -> bool {
        let state = self.lock();
        state.world.has_friend(a, b) && state.world.has_friend(b, a)
    }

    /// Whether `friend` is in `owner`'s friend list (one direction).
    pub fn has_friend(&self, owner: &str, friend: &str) -> bool {
        self.lock().world.has_friend(owner, friend)
    }

    /// Blocks `to` for `from` as one `black_list_add` would, without faults, the frequency
    /// limit, the log or a webhook callback, and returns the per-item code (0 on success).
    ///
    /// `from` must exist, else the code is 30003.
    pub fn block(&self, from: &str, to: &str) -> ErrorCode {
        let config = &self.inner.config;
        let now = config.clock.now();
        let mut state = self.lock();
        if let Err(failure) = handlers::check_from(&state.world, from) {
            return failure.code;
        }
        let outcomes = state.world.add_to_blocklist(
            from,
            &[to.to_owned()],
            now,
            config.rules.remain_friends,
            &mut |_: &str| None,
        );
        outcomes
            .first()
            .map_or(ErrorCode::INVALID_PARAMETER, |item| {
                replies::blocklist::added(item.outcome, &config.rules).0
            })
    }

    /// Whether `to` is in `from`'s blocklist.
    pub fn is_blocked(&self, from: &str, to: &str) -> bool {
        self.lock().world.is_blocked(from, to)
    }

    /// `user`'s blocklist in the order entries were added, with their `AddBlackTimeStamp`.
    pub fn blocklist_of(&self, user: &str) -> Vec<(String, u64)> {
        self.lock().world.blocklist_of(user)
    }

    /// The sequence of `user`'s blocklist: 0 at first, plus one for each request that
    /// changed the list.
    pub fn sequence_of(&self, user: &str) -> u64 {
        self.lock().world.sequence_of(user)
    }

    /// Replaces the injected faults and reseeds the random generator with their seed.
    pub fn set_faults(&self, faults: Faults) {
        self.lock().faults = FaultState::new(faults);
    }

    /// The requests received since the start or the last [`clear_log`](Self::clear_log),
    /// in arrival order: all of them, or the most recent
    /// [log capacity](Self::set_log_capacity) when more arrived
    /// ([`request_totals`](Self::request_totals) counts them all).
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.lock().log.to_vec()
    }

    /// Empties the request log and its totals. The frequency-limit windows are kept.
    pub fn clear_log(&self) {
        self.lock().log.clear();
    }

    /// The most calls to `api` in the log that arrived within any span of `window`
    /// (calls refused by the frequency limit are not counted), over the requests the log
    /// holds; [`RequestTotals::max_calls_per_second`](crate::RequestTotals::max_calls_per_second)
    /// covers every request.
    ///
    /// With a one-second window this is what the service's per-API limit looks at.
    pub fn max_calls_in_window(&self, api: Api, window: Duration) -> usize {
        log::max_calls_in_window(&self.lock().log, api, window)
    }

    /// Sends the blocklist webhooks to `url`, signed with `token`, from now on; `None`
    /// stops them. Fails, changing nothing, when the URL is not an absolute `http` or
    /// `https` URL.
    ///
    /// See [`EmulatorBuilder::webhook`] for what is sent.
    pub fn set_webhook(&self, webhook: Option<(String, Token)>) -> Result<(), EmulatorError> {
        let target = webhook
            .map(|(url, token)| WebhookTarget::new(url, token))
            .transpose()?;
        self.lock().callbacks.target = target;
        Ok(())
    }

    /// The URL the blocklist webhooks are sent to, when they are.
    pub fn webhook_url(&self) -> Option<String> {
        self.lock()
            .callbacks
            .target
            .as_ref()
            .map(|target| target.url().to_owned())
    }

    /// Every webhook callback sent so far, in the order of the changes that caused them.
    ///
    /// A callback is listed as soon as its change is applied; it is sent in the background,
    /// so its [`outcome`](SentCallback::outcome) may still be
    /// [`Pending`](crate::CallbackOutcome::Pending).
    pub fn callbacks(&self) -> Vec<SentCallback> {
        self.lock().callbacks.sent()
    }

    /// Waits until every callback sent so far has its outcome, and returns them all, as
    /// [`callbacks`](Self::callbacks) does.
    ///
    /// With the default client each callback finishes within
    /// [`WEBHOOK_TIMEOUT`](crate::WEBHOOK_TIMEOUT); with a client given to
    /// [`EmulatorBuilder::webhook_transport`], wrap the wait in a timeout.
    pub async fn wait_for_callbacks(&self) -> Vec<SentCallback> {
        loop {
            let notified = self.inner.callback_finished.notified();
            let mut notified = std::pin::pin!(notified);
            // Registered before the check, so an outcome recorded in between still wakes us.
            notified.as_mut().enable();
            let callbacks = self.callbacks();
            if callbacks.iter().all(SentCallback::is_finished) {
                return callbacks;
            }
            notified.await;
        }
    }

    /// An emulator of `config` starting from `state`; callbacks are sent with
    /// `webhook_transport`, or with a client built on first use.
    pub(crate) fn assemble(
        config: Config,
        state: State,
        webhook_transport: Option<Arc<dyn Transport>>,
    ) -> Emulator {
        let webhook_client = webhook_transport
            .map_or_else(OnceLock::new, |transport| OnceLock::from(Some(transport)));
        Emulator {
            inner: Arc::new(Inner {
                config,
                state: Mutex::new(state),
                webhook_client,
                callback_finished: Notify::new(),
            }),
        }
    }

    pub(crate) fn notify_callback_finished(&self) {
        self.inner.callback_finished.notify_waiters();
    }

    pub(crate) fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The client for webhook callbacks, built on first use.
    pub(crate) fn webhook_client(&self) -> Option<Arc<dyn Transport>> {
        self.inner
            .webhook_client
            .get_or_init(webhook::default_client)
            .clone()
    }

    /// Locks the state. A panic while it was held cannot leave it half-updated in a way
    /// that matters to a test double, so a poisoned lock is used as it is.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let config = &self.inner.config;
        f.debug_struct("Emulator")
            .field("sdkappid", &config.sdkappid)
            .field("admins", &config.admins)
            .field("rate_limit", &config.rate_limit)
            .field("remain_friends", &config.rules.remain_friends)
            .field("already_exists_code", &config.rules.already_exists_code)
            .field("not_blocked_code", &config.rules.not_blocked_code)
            .finish_non_exhaustive()
    }
}
