//! Seeded fault injection: which failures the emulator injects, and how often.

use std::collections::BTreeMap;
use std::time::Duration;

use tokio::time::Instant;

use im_protocol::ErrorCode;

/// The failures the emulator injects into the blocklist and account APIs, with their
/// probabilities.
///
/// Every probability is a number in `0.0..=1.0` (values outside are clamped, NaN reads as 0)
/// and is drawn independently for each request (or, for [`account_error`](Self::account_error),
/// for each account) from a random generator seeded with [`seed`](Self::seed). The same seed
/// and the same sequence of requests give the same faults, so a failing run can be replayed.
/// Concurrent requests are served in arrival order, which the caller may not control.
///
/// When several faults are drawn for one request, the first in this list wins, except that
/// per-account errors combine with a lost or truncated answer:
///
/// 1. [`http_502`](Self::http_502): HTTP 502 with an HTML body; nothing is applied.
/// 2. [`request_error`](Self::request_error): a request-level 30006, 30007 or 30008
///    (chosen at random) in an envelope with `ActionStatus` `FAIL`; nothing is applied.
/// 3. [`account_error`](Self::account_error): each account independently gets a per-item
///    30006, 30007 or 30008 and is not applied; the others are.
/// 4. [`lost_answer`](Self::lost_answer): the request is applied, then the answer is lost:
///    the in-process transport returns a body [`TransportError`](im_transport::TransportError)
///    and the HTTP server closes the connection without writing a response.
/// 5. [`truncated_json`](Self::truncated_json): the request is applied and the answer is cut
///    to its first half, so it does not parse.
///
/// [`account_code`](Self::account_code) is not drawn: it gives a chosen code to a chosen
/// account in every request that names it, and the account is not applied. It ranks with
/// `account_error` and wins over a drawn per-account error; the code is answered as given,
/// with the catalog's meaning as `ResultInfo`.
///
/// [`unavailable`](Self::unavailable) comes before all of them: for a while after the first
/// request, every blocklist or account request is answered with HTTP 503 and a
/// `Retry-After` header, as a gateway in front of a service that is restarting would.
///
/// [`latency`](Self::latency) plus a random share of [`latency_jitter`](Self::latency_jitter)
/// is slept (with `tokio::time::sleep`, so paused-time tests do not wait) before every answer
/// of a blocklist or account API that passed the request checks.
///
/// In the account APIs the drawn 30006, 30007 and 30008 become the account service's 70500,
/// 70169 and 70202. Faults never touch the setup APIs (friend import, add and check), nor
/// [`Emulator::import_accounts`](crate::Emulator::import_accounts), so tests can always set
/// state up.
///
/// ```
/// use std::time::Duration;
///
/// use im_emulator::Faults;
///
/// let faults = Faults::seeded(42)
///     .http_502(0.3)
///     .account_error(0.05)
///     .latency(Duration::from_millis(20));
/// assert_eq!(faults.http_502, 0.3);
/// assert!(!faults.is_none());
/// assert!(Faults::none().is_none());
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Faults {
    /// The seed of the random generator that draws the faults.
    pub seed: u64,
    /// The probability that a request is answered with HTTP 502 and not applied.
    pub http_502: f64,
    /// The probability that a request fails as a whole with 30006, 30007 or 30008.
    pub request_error: f64,
    /// The probability that one account of a request fails with 30006, 30007 or 30008.
    pub account_error: f64,
    /// The probability that a request is applied and its answer lost.
    pub lost_answer: f64,
    /// The probability that a request is applied and its answer cut in half.
    pub truncated_json: f64,
    /// The delay added before every answer.
    pub latency: Duration,
    /// The most extra delay added on top of [`latency`](Self::latency), drawn uniformly.
    pub latency_jitter: Duration,
    /// How long after the first request the service answers HTTP 503 to every blocklist
    /// or account request (zero: never).
    pub unavailable_for: Duration,
    /// The `Retry-After` of those 503 answers, in whole seconds.
    pub retry_after_secs: u64,
    /// The per-item code each named account always gets (see
    /// [`account_code`](Self::account_code)).
    pub account_codes: BTreeMap<String, ErrorCode>,
}

impl Faults {
    /// No faults and no latency.
    pub fn none() -> Self {
        Faults::default()
    }

    /// No faults yet, with the random generator seeded with `seed`.
    pub fn seeded(seed: u64) -> Self {
        Faults {
            seed,
            ..Faults::default()
        }
    }

    /// Sets [`http_502`](Self::http_502).
    #[must_use]
    pub fn http_502(mut self, probability: f64) -> Self {
        self.http_502 = clamp(probability);
        self
    }

    /// Sets [`request_error`](Self::request_error).
    #[must_use]
    pub fn request_error(mut self, probability: f64) -> Self {
        self.request_error = clamp(probability);
        self
    }

    /// Sets [`account_error`](Self::account_error).
    #[must_use]
    pub fn account_error(mut self, probability: f64) -> Self {
        self.account_error = clamp(probability);
        self
    }

    /// Sets [`lost_answer`](Self::lost_answer).
    #[must_use]
    pub fn lost_answer(mut self, probability: f64) -> Self {
        self.lost_answer = clamp(probability);
        self
    }

    /// Sets [`truncated_json`](Self::truncated_json).
    #[must_use]
    pub fn truncated_json(mut self, probability: f64) -> Self {
        self.truncated_json = clamp(probability);
        self
    }

    /// Sets [`latency`](Self::latency).
    #[must_use]
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Sets [`latency_jitter`](Self::latency_jitter).
    #[must_use]
    pub fn latency_jitter(mut self, jitter: Duration) -> Self {
        self.latency_jitter = jitter;
        self
    }

    /// Sets [`unavailable_for`](Self::unavailable_for) and
    /// [`retry_after_secs`](Self::retry_after_secs): HTTP 503 with `Retry-After` for
    /// `period` after the first request.
    #[must_use]
    pub fn unavailable(mut self, period: Duration, retry_after_secs: u64) -> Self {
        self.unavailable_for = period;
        self.retry_after_secs = retry_after_secs;
        self
    }

    /// Gives `account` the per-item result `code` in every blocklist or account request that
    /// names it (as the target of an add, delete or check, or in an account request); the
    /// account is not applied. Deterministic: no random draw decides it.
    ///
    /// ```
    /// use im_emulator::Faults;
    /// use im_protocol::ErrorCode;
    ///
    /// let faults = Faults::none().account_code("carol", 30006);
    /// assert_eq!(faults.account_codes["carol"], ErrorCode::INTERNAL_ERROR);
    /// assert!(!faults.is_none());
    /// ```
    #[must_use]
    pub fn account_code(mut self, account: impl Into<String>, code: impl Into<ErrorCode>) -> Self {
        self.account_codes.insert(account.into(), code.into());
        self
    }

    /// Whether this injects nothing at all: no fault and no latency.
    pub fn is_none(&self) -> bool {
        [
            self.http_502,
            self.request_error,
            self.account_error,
            self.lost_answer,
            self.truncated_json,
        ]
        .iter()
        .all(|&p| clamp(p) == 0.0)
            && self.latency.is_zero()
            && self.latency_jitter.is_zero()
            && self.unavailable_for.is_zero()
            && self.account_codes.is_empty()
    }
}

/// A fault the emulator injected into one request, as recorded in the request log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FaultKind {
    /// The request was answered with HTTP 502 and not applied.
    Http502,
    /// The request failed as a whole with 30006, 30007 or 30008 and was not applied.
    RequestError,
    /// At least one account got a per-item 30006, 30007 or 30008 and was not applied.
    AccountError,
    /// The request was applied and its answer lost.
    LostAnswer,
    /// The request was applied and its answer cut in half.
    TruncatedJson,
    /// The answer was delayed.
    Latency,
    /// The request was answered with HTTP 503 and `Retry-After`, and not applied.
    Unavailable,
}

/// A per-account failure the emulator injects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AccountFault {
    /// Drawn by [`Faults::account_error`]: 30006, 30007 or 30008, which the account APIs
    /// translate into their own codes.
    Drawn(ErrorCode),
    /// Chosen with [`Faults::account_code`]: answered as given.
    Chosen(ErrorCode),
}

impl AccountFault {
    /// The result code and info to answer: `drawn` describes a drawn code in the API's
    /// words; a chosen code gets the catalog's meaning.
    pub(crate) fn answer(
        self,
        drawn: impl FnOnce(ErrorCode) -> (ErrorCode, String),
    ) -> (ErrorCode, String) {
        match self {
            AccountFault::Drawn(code) => drawn(code),
            AccountFault::Chosen(code) => (code, code.meaning().unwrap_or_default().to_owned()),
        }
    }
}

/// The transient codes injected by [`Faults::request_error`] and [`Faults::account_error`].
const TRANSIENT_CODES: [ErrorCode; 3] = [
    ErrorCode::INTERNAL_ERROR,
    ErrorCode::NETWORK_TIMEOUT,
    ErrorCode::WRITE_CONFLICT,
];

fn clamp(probability: f64) -> f64 {
    if probability.is_nan() {
        0.0
    } else {
        probability.clamp(0.0, 1.0)
    }
}

/// The faults drawn for one request before it is executed.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct FaultPlan {
    pub(crate) http_502: bool,
    pub(crate) request_error: Option<ErrorCode>,
    pub(crate) lost_answer: bool,
    pub(crate) truncated_json: bool,
    pub(crate) latency: Duration,
}

/// The configured faults together with their random generator.
#[derive(Debug)]
pub(crate) struct FaultState {
    faults: Faults,
    rng: fastrand::Rng,
    /// When the first request arrived.
    first_request: Option<Instant>,
}

impl FaultState {
    pub(crate) fn new(faults: Faults) -> Self {
        FaultState {
            rng: fastrand::Rng::with_seed(faults.seed),
            faults,
            first_request: None,
        }
    }

    /// The `Retry-After` (in seconds) to answer a request arriving at `now` with, while
    /// the service is unavailable; `None` otherwise.
    pub(crate) fn unavailable(&mut self, now: Instant) -> Option<u64> {
        let first = *self.first_request.get_or_insert(now);
        (now.saturating_duration_since(first) < self.faults.unavailable_for)
            .then_some(self.faults.retry_after_secs)
    }

    /// Draws the request-level faults of one request, always in the same order.
    pub(crate) fn plan(&mut self) -> FaultPlan {
        let http_502 = self.chance(self.faults.http_502);
        let request_error = self
            .chance(self.faults.request_error)
            .then(|| self.transient_code());
        let lost_answer = self.chance(self.faults.lost_answer);
        let truncated_json = self.chance(self.faults.truncated_json);
        let latency = self.latency();
        FaultPlan {
            http_502,
            request_error,
            lost_answer,
            truncated_json,
            latency,
        }
    }

    /// Whether `account` fails, and with which code: its chosen code if it has one, else a
    /// random draw. The draw is made either way, so choosing a code for one account does not
    /// change the faults the others get.
    pub(crate) fn account_fault(&mut self, account: &str) -> Option<AccountFault> {
        let drawn = self.account_error();
        match self.faults.account_codes.get(account) {
            Some(&code) => Some(AccountFault::Chosen(code)),
            None => drawn.map(AccountFault::Drawn),
        }
    }

    /// Draws whether one account fails, and with which code.
    fn account_error(&mut self) -> Option<ErrorCode> {
        self.chance(self.faults.account_error)
            .then(|| self.transient_code())
    }

    fn chance(&mut self, probability: f64) -> bool {
        let probability = clamp(probability);
        probability > 0.0 && self.rng.f64() < probability
    }

    fn transient_code(&mut self) -> ErrorCode {
        let index = self.rng.usize(..TRANSIENT_CODES.len());
        TRANSIENT_CODES
            .get(index)
            .copied()
            .unwrap_or(ErrorCode::INTERNAL_ERROR)
    }

    fn latency(&mut self) -> Duration {
        let jitter = self.faults.latency_jitter;
        let extra = if jitter.is_zero() {
            Duration::ZERO
        } else {
            let max = u64::try_from(jitter.as_nanos()).unwrap_or(u64::MAX);
            Duration::from_nanos(self.rng.u64(..=max))
        };
        self.faults.latency.saturating_add(extra)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probabilities_are_clamped() {
        let faults = Faults::none()
            .http_502(2.0)
            .lost_answer(-1.0)
            .truncated_json(f64::NAN);
        assert_eq!(faults.http_502, 1.0);
        assert_eq!(faults.lost_answer, 0.0);
        assert_eq!(faults.truncated_json, 0.0);
    }

    #[test]
    fn certain_faults_always_fire_and_absent_ones_never() {
        let mut state = FaultState::new(Faults::seeded(1).http_502(1.0).account_error(1.0));
        for _ in 0..100 {
            let plan = state.plan();
            assert!(plan.http_502);
            assert!(plan.request_error.is_none());
            assert!(!plan.lost_answer);
            let code = state.account_error();
            assert!(code.is_some_and(|code| TRANSIENT_CODES.contains(&code)));
        }
    }

    #[test]
    fn the_same_seed_draws_the_same_faults() {
        let faults = Faults::seeded(7)
            .http_502(0.3)
            .request_error(0.2)
            .account_error(0.1)
            .latency_jitter(Duration::from_millis(10));
        let draw = |faults: &Faults| {
            let mut state = FaultState::new(faults.clone());
            (0..50)
                .map(|_| {
                    let plan = state.plan();
                    (
                        plan.http_502,
                        plan.request_error,
                        plan.latency,
                        state.account_error(),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(&faults), draw(&faults));
        let other = Faults {
            seed: 8,
            ..faults.clone()
        };
        assert_ne!(draw(&faults), draw(&other));
    }

    #[test]
    fn a_chosen_code_goes_to_its_account_only_and_leaves_the_draws_alone() {
        let faults = Faults::seeded(5).account_error(0.5);
        let chosen = faults.clone().account_code("carol", 30006);
        let draw = |faults: &Faults, account: &str| {
            let mut state = FaultState::new(faults.clone());
            (0..50)
                .map(|_| state.account_fault(account))
                .collect::<Vec<_>>()
        };

        let carol = draw(&chosen, "carol");
        assert!(
            carol
                .iter()
                .all(|fault| *fault == Some(AccountFault::Chosen(ErrorCode::INTERNAL_ERROR)))
        );
        assert_eq!(draw(&chosen, "bob"), draw(&faults, "bob"));
    }

    #[test]
    fn jitter_stays_within_bounds() {
        let base = Duration::from_millis(5);
        let jitter = Duration::from_millis(3);
        let mut state = FaultState::new(Faults::seeded(3).latency(base).latency_jitter(jitter));
        for _ in 0..200 {
            let latency = state.plan().latency;
            assert!(latency >= base && latency <= base + jitter);
        }
    }
}
