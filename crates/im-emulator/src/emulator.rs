//! The emulator: its configuration, its state, and the direct methods tests use to set
//! state up and look at it.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

use im_protocol::{Api, ErrorCode};
use im_sig::{Clock, SecretKey, SystemClock};
use im_transport::Transport;
use im_webhook::Token;
use tokio::sync::Notify;

use crate::accounts::AccountProfile;
use crate::faults::FaultState;
use crate::log::{self, LoggedRequest, RateWindows, RequestLog};
use crate::state::{Rules, World};
use crate::webhook::{self, Callbacks, SentCallback, WebhookTarget};
use crate::{EmulatorError, EmulatorTransport, Faults};

/// The admin account an emulator accepts when none is configured.
pub const DEFAULT_ADMIN: &str = "administrator";

/// The documented frequency limit of the blocklist APIs, in calls per second. Each API of
/// the table has its own ([`Api::default_calls_per_second`]): 100 for `multiaccount_import`
/// and `account_check`.
pub const DEFAULT_RATE_LIMIT: u32 = 200;

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
        if let Err(failure) = state.world.check_from(from) {
            return failure.code;
        }
        let response = state.world.add_to_blocklist(
            from,
            &[to.to_owned()],
            now,
            config.rules,
            &mut |_: &str| None,
        );
        response
            .response
            .result_item
            .first()
            .map_or(ErrorCode::INVALID_PARAMETER, |item| item.result_code)
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

/// Settings of an [`Emulator`]; created by [`Emulator::builder`].
///
/// [`sdkappid`](Self::sdkappid) and [`key`](Self::key) are required. The defaults:
/// admin [`DEFAULT_ADMIN`], each API's documented frequency limit, no faults, the system
/// clock, blocking removes friendships, and "already in the blocklist" answered with 30001.
///
/// ```
/// use std::sync::Arc;
///
/// use im_emulator::{Emulator, Faults};
/// use im_protocol::ErrorCode;
/// use im_sig::{ManualClock, SecretKey};
///
/// let emulator = Emulator::builder()
///     .sdkappid(1_400_000_000)
///     .key(SecretKey::new("key"))
///     .admin("administrator")
///     .admin("ops")
///     .rate_limit(0)
///     .faults(Faults::seeded(7).http_502(0.1))
///     .clock(Arc::new(ManualClock::new(1_700_000_000)))
///     .remain_friends(true)
///     .already_exists_code(ErrorCode::BLOCKLIST_ALREADY_EXISTS)
///     .build()?;
/// assert_eq!(emulator.admins(), ["administrator", "ops"]);
/// assert_eq!(emulator.now(), 1_700_000_000);
/// # Ok::<(), im_emulator::EmulatorError>(())
/// ```
#[derive(Clone, Default)]
#[must_use]
pub struct EmulatorBuilder {
    sdkappid: Option<u64>,
    key: Option<SecretKey>,
    admins: Vec<String>,
    rate_limit: Option<u32>,
    faults: Faults,
    clock: Option<Arc<dyn Clock>>,
    remain_friends: bool,
    already_exists_code: Option<ErrorCode>,
    not_blocked_code: Option<ErrorCode>,
    webhook: Option<(String, Token)>,
    webhook_transport: Option<Arc<dyn Transport>>,
}

impl EmulatorBuilder {
    /// The SDKAppID of the emulated app (required).
    pub fn sdkappid(mut self, sdkappid: u64) -> Self {
        self.sdkappid = Some(sdkappid);
        self
    }

    /// The app's secret key, which UserSigs are verified with (required).
    pub fn key(mut self, key: SecretKey) -> Self {
        self.key = Some(key);
        self
    }

    /// Adds an admin account allowed as `identifier`; may be called several times.
    /// Without any, [`DEFAULT_ADMIN`] is the admin.
    pub fn admin(mut self, admin: impl Into<String>) -> Self {
        self.admins.push(admin.into());
        self
    }

    /// One frequency limit for every API, in calls per second, instead of each API's
    /// documented one ([`Api::default_calls_per_second`]); 0 means unlimited.
    pub fn rate_limit(mut self, calls_per_second: u32) -> Self {
        self.rate_limit = Some(calls_per_second);
        self
    }

    /// The faults to inject (none by default).
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// The clock for UserSig expiry and `AddBlackTimeStamp` (the system clock by default).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Whether blocking keeps friendships (the console's "Remain Friends" option);
    /// `false` by default: blocking removes the friendship both ways.
    pub fn remain_friends(mut self, remain: bool) -> Self {
        self.remain_friends = remain;
        self
    }

    /// The per-item code of an add for an account that is already blocked: 30001 by
    /// default, as in the documented sample; the live service has been seen to send 31307
    /// ([`ErrorCode::BLOCKLIST_ALREADY_EXISTS`]). The `ResultInfo` is
    /// `Err_SNS_BlackListAdd_Already_Exist` either way.
    pub fn already_exists_code(mut self, code: ErrorCode) -> Self {
        self.already_exists_code = Some(code);
        self
    }

    /// The per-item code of a delete for an account that is not blocked: 30001 by default,
    /// as the FAQ (document 1047/34457) describes, with `ResultInfo`
    /// `Err_SNS_BlackListDelete_Not_Exist`; `ErrorCode::OK` answers it as a success, as
    /// earlier versions of this emulator did.
    pub fn not_blocked_code(mut self, code: ErrorCode) -> Self {
        self.not_blocked_code = Some(code);
        self
    }

    /// Sends the blocklist webhooks to `url` (an absolute `http` or `https` URL), signed with
    /// `token`, as the service does once a callback URL and webhook authentication are set
    /// in the console. Off by default.
    ///
    /// After each `black_list_add` that added at least one account, and each
    /// `black_list_delete` that removed at least one, the emulator `POST`s one callback
    /// (`Sns.CallbackBlackListAdd` or `Sns.CallbackBlackListDelete`) whose `PairList` holds
    /// the pairs that request changed, with the query `SdkAppid`, `CallbackCommand`,
    /// `contenttype=json`, `ClientIP=127.0.0.1`, `OptPlatform=RESTAPI`, `RequestTime` (the
    /// emulator's clock) and `Sign`. It is sent in the background once the change is
    /// applied, even when an injected fault loses the answer, with a
    /// [`WEBHOOK_TIMEOUT`](crate::WEBHOOK_TIMEOUT) and no retry; a failure is logged at
    /// debug level and changes nothing else. [`Emulator::callbacks`] lists what was sent.
    pub fn webhook(mut self, url: impl Into<String>, token: Token) -> Self {
        self.webhook = Some((url.into(), token));
        self
    }

    /// The HTTP client webhook callbacks are sent with. By default an
    /// [`HyperTransport`](im_transport::HyperTransport) that allows plain `http` and waits
    /// [`WEBHOOK_TIMEOUT`](crate::WEBHOOK_TIMEOUT); tests can pass an in-process transport
    /// instead (on a paused Tokio clock they must, or the timeout fires at once). The client
    /// must do its own timing out.
    pub fn webhook_transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.webhook_transport = Some(transport);
        self
    }

    /// Builds the emulator; fails when the SDKAppID or the key is missing, or the webhook
    /// URL is invalid.
    pub fn build(mut self) -> Result<Emulator, EmulatorError> {
        let sdkappid = self
            .sdkappid
            .ok_or(EmulatorError::MissingSetting { name: "sdkappid" })?;
        let key = self
            .key
            .clone()
            .ok_or(EmulatorError::MissingSetting { name: "key" })?;
        let target = self
            .webhook
            .take()
            .map(|(url, token)| WebhookTarget::new(url, token))
            .transpose()?;
        Ok(self.into_emulator(sdkappid, key, target))
    }

    fn into_emulator(
        self,
        sdkappid: u64,
        key: SecretKey,
        target: Option<WebhookTarget>,
    ) -> Emulator {
        let admins = if self.admins.is_empty() {
            vec![DEFAULT_ADMIN.to_owned()]
        } else {
            self.admins
        };
        let config = Config {
            sdkappid,
            key,
            admins,
            rate_limit: self.rate_limit,
            clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
            rules: Rules {
                remain_friends: self.remain_friends,
                already_exists_code: self
                    .already_exists_code
                    .unwrap_or(ErrorCode::INVALID_PARAMETER),
                not_blocked_code: self
                    .not_blocked_code
                    .unwrap_or(ErrorCode::INVALID_PARAMETER),
            },
        };
        let state = State {
            world: World::default(),
            faults: FaultState::new(self.faults),
            windows: RateWindows::default(),
            log: RequestLog::default(),
            callbacks: Callbacks::new(target),
        };
        let webhook_client = self
            .webhook_transport
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
}

impl fmt::Debug for EmulatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorBuilder")
            .field("sdkappid", &self.sdkappid)
            .field("admins", &self.admins)
            .field("rate_limit", &self.rate_limit)
            .field("faults", &self.faults)
            .field("remain_friends", &self.remain_friends)
            .field("already_exists_code", &self.already_exists_code)
            .field("not_blocked_code", &self.not_blocked_code)
            .field("webhook", &self.webhook.as_ref().map(|(url, _)| url))
            .finish_non_exhaustive()
    }
}
