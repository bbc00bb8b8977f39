//! An emulator of the test app, and account clients talking to it in-process.

use im_account::{Accounts, AccountsBuilder, RetryPolicy};
use im_emulator::{Emulator, EmulatorBuilder, Faults, LoggedRequest};
use im_protocol::{Api, Endpoint, Region};
use im_sig::{SecretKey, Signer};

/// The app key every test signs with.
pub(crate) const KEY: &str = "k3y-5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";
/// The SDKAppID of the tests.
pub(crate) const APP: u64 = 1_400_000_000;

/// The emulator of the test app, with `configure` applied.
pub(crate) fn emulator_with(
    configure: impl FnOnce(EmulatorBuilder) -> EmulatorBuilder,
) -> Emulator {
    configure(Emulator::builder().sdkappid(APP).key(SecretKey::new(KEY)))
        .build()
        .unwrap()
}

/// The emulator of the test app with the documented limits and no faults.
pub(crate) fn emulator() -> Emulator {
    emulator_with(|builder| builder)
}

/// The emulator of the test app injecting `faults`.
pub(crate) fn faulty(faults: Faults) -> Emulator {
    emulator_with(|builder| builder.faults(faults))
}

/// A client builder talking to `emulator` in-process, paced at the documented rates by a
/// pacer of its own: the process-wide pacer would be shared with the tests running beside
/// it, each on its own paused clock.
pub(crate) fn builder(emulator: &Emulator) -> AccountsBuilder {
    let signer = Signer::new(APP, "administrator", SecretKey::from(KEY));
    Accounts::builder(
        signer,
        emulator.transport(),
        Endpoint::region(Region::Singapore),
    )
    .rate_limiter(std::sync::Arc::new(im_account::AdaptivePacer::documented()))
}

/// A client with the default settings talking to `emulator`.
pub(crate) fn client(emulator: &Emulator) -> Accounts {
    builder(emulator).build()
}

/// A client that gives up after a few attempts, for services that keep failing.
pub(crate) fn impatient(emulator: &Emulator) -> Accounts {
    builder(emulator)
        .retry_policy(RetryPolicy::default().with_max_attempts(3))
        .build()
}

/// `n` distinct, valid account names with a prefix.
pub(crate) fn names(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i:05}")).collect()
}

/// The logged requests to `api`.
pub(crate) fn requests_to(emulator: &Emulator, api: Api) -> Vec<LoggedRequest> {
    emulator
        .requests()
        .into_iter()
        .filter(|request| request.api == Some(api))
        .collect()
}
