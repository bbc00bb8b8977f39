//! The settings of an [`Emulator`] and how it is built from them.

use std::fmt;
use std::sync::Arc;

use im_protocol::ErrorCode;
use im_sig::{Clock, SecretKey, SystemClock};
use im_transport::Transport;
use im_webhook::Token;

use crate::emulator::{Config, Rules, State};
use crate::faults::FaultState;
use crate::log::{RateWindows, RequestLog};
use crate::state::World;
use crate::webhook::{Callbacks, WebhookTarget};
use crate::{Emulator, EmulatorError, Faults};

/// The admin account an emulator accepts when none is configured.
pub const DEFAULT_ADMIN: &str = "administrator";

/// The documented frequency limit of the blocklist APIs, in calls per second. Each API of
/// the table has its own ([`Api::default_calls_per_second`]): 100 for
/// `multiaccount_import` and `account_check`.
///
/// [`Api::default_calls_per_second`]: im_protocol::Api::default_calls_per_second
pub const DEFAULT_RATE_LIMIT: u32 = 200;

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
    ///
    /// [`Api::default_calls_per_second`]: im_protocol::Api::default_calls_per_second
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

    pub(crate) fn into_emulator(
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
        Emulator::assemble(config, state, self.webhook_transport)
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
