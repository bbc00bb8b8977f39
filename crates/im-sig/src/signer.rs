//! A caching signer for an application's administrator.

use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use crate::clock::{Clock, SystemClock};
use crate::error::SigError;
use crate::generate::{SigParams, generate};
use crate::key::{SecretKey, UserSig};
use crate::private_map_key::PrivateMapKey;
use crate::verify::{Expected, SigDocument, verify};

/// The default validity of the administrator UserSig: one day.
///
/// The official libraries default to 180 days; a short validity limits what a leaked
/// UserSig is worth, and regeneration is cheap.
pub const DEFAULT_EXPIRE_SECS: u64 = 86_400;

/// Signs for one application: hands out a cached administrator UserSig and signs for
/// other users on request.
///
/// The administrator UserSig is generated on first use and reused until `expire - margin`
/// seconds after it was issued (by default a tenth of the validity before it expires, that
/// is 2.4 hours for the one-day default), or when the clock reads earlier than its issue
/// time. Call [`Signer::refresh`] when the server reports the UserSig expired (70001) or
/// invalidated (70052).
///
/// `Signer` is `Send + Sync`; share one instance as `Arc<Signer>`. Reading the cached
/// UserSig takes a read lock and clones a reference count. `Debug` shows the SDKAppID, the
/// identifier and the timing settings, never the key or a UserSig.
///
/// ```
/// use std::sync::Arc;
/// use im_sig::{ManualClock, SecretKey, Signer};
///
/// let clock = Arc::new(ManualClock::new(1_700_000_000));
/// let signer = Signer::new(1_400_000_000, "administrator", SecretKey::new("my-app-key"))
///     .with_expire(3_600)
///     .with_clock(clock.clone());
/// let first = signer.sig();
/// clock.advance(60);
/// assert_eq!(signer.sig().expose_secret(), first.expose_secret());
/// let doc = signer.verify(first.expose_secret(), "administrator")?;
/// assert_eq!(doc.time, 1_700_000_000);
/// # Ok::<(), im_sig::SigError>(())
/// ```
pub struct Signer {
    sdkappid: u64,
    identifier: String,
    key: SecretKey,
    expire: u64,
    refresh_margin: Option<u64>,
    clock: Arc<dyn Clock>,
    cached: RwLock<Option<CachedSig>>,
}

#[derive(Clone)]
struct CachedSig {
    sig: UserSig,
    issued_at: u64,
}

impl Signer {
    /// A signer for administrator `identifier` of application `sdkappid`, with the default
    /// validity ([`DEFAULT_EXPIRE_SECS`]), refresh margin and the system clock.
    pub fn new(sdkappid: u64, identifier: impl Into<String>, key: SecretKey) -> Self {
        Signer {
            sdkappid,
            identifier: identifier.into(),
            key,
            expire: DEFAULT_EXPIRE_SECS,
            refresh_margin: None,
            clock: Arc::new(SystemClock),
            cached: RwLock::new(None),
        }
    }

    /// Sets the validity of the administrator UserSig, in seconds.
    #[must_use]
    pub fn with_expire(mut self, secs: u64) -> Self {
        self.expire = secs;
        self.forget();
        self
    }

    /// Sets how long before expiry the administrator UserSig is replaced, in seconds.
    ///
    /// Defaults to a tenth of the validity. A margin at least as long as the validity makes
    /// every call to [`Signer::sig`] generate a new UserSig.
    #[must_use]
    pub fn with_refresh_margin(mut self, secs: u64) -> Self {
        self.refresh_margin = Some(secs);
        self.forget();
        self
    }

    /// Uses `clock` instead of the system clock.
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self.forget();
        self
    }

    /// The application's SDKAppID.
    pub fn sdkappid(&self) -> u64 {
        self.sdkappid
    }

    /// The administrator identifier.
    pub fn identifier(&self) -> &str {
        &self.identifier
    }

    /// The validity of the administrator UserSig, in seconds.
    pub fn expire(&self) -> u64 {
        self.expire
    }

    /// How long before expiry the administrator UserSig is replaced, in seconds (at most the
    /// validity).
    pub fn refresh_margin(&self) -> u64 {
        self.refresh_margin
            .unwrap_or(self.expire / 10)
            .min(self.expire)
    }

    /// The administrator UserSig: the cached one while it is fresh, otherwise a new one.
    pub fn sig(&self) -> UserSig {
        let now = self.clock.now();
        if let Some(cached) = self.read_cache()
            && self.is_fresh(&cached, now)
        {
            return cached.sig;
        }
        let mut slot = self.cached.write().unwrap_or_else(PoisonError::into_inner);
        // Another thread may have replaced it while this one waited for the lock.
        if let Some(cached) = slot.as_ref()
            && self.is_fresh(cached, now)
        {
            return cached.sig.clone();
        }
        let sig = self.admin_sig(now);
        *slot = Some(CachedSig {
            sig: sig.clone(),
            issued_at: now,
        });
        sig
    }

    /// Generates a new administrator UserSig now and caches it, whatever the state of the
    /// cached one.
    ///
    /// Generation is deterministic: if the clock has not moved since the cached UserSig
    /// was issued, the result is the same string.
    pub fn refresh(&self) -> UserSig {
        let now = self.clock.now();
        let sig = self.admin_sig(now);
        let mut slot = self.cached.write().unwrap_or_else(PoisonError::into_inner);
        *slot = Some(CachedSig {
            sig: sig.clone(),
            issued_at: now,
        });
        sig
    }

    /// Generates a UserSig for any `identifier` of this application, valid for `expire`
    /// seconds from now. Not cached.
    pub fn sig_for(&self, identifier: &str, expire: u64) -> UserSig {
        generate(
            &self.key,
            &SigParams::new(self.sdkappid, identifier, expire),
            self.clock.now(),
        )
    }

    /// Generates a UserSig for `identifier` with `userbuf` bound into its signature, valid
    /// for `expire` seconds from now. Not cached.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use im_sig::{ManualClock, SecretKey, Signer};
    ///
    /// let signer = Signer::new(1_400_000_000, "administrator", SecretKey::new("my-app-key"))
    ///     .with_clock(Arc::new(ManualClock::new(1_700_000_000)));
    /// let sig = signer.sig_with_userbuf("alice", 600, b"room 7");
    /// let doc = signer.verify_with_userbuf(sig.expose_secret(), "alice", b"room 7")?;
    /// assert_eq!(doc.userbuf.as_deref(), Some(&b"room 7"[..]));
    /// assert_eq!(sig.expires_at(), Some(1_700_000_600));
    /// # Ok::<(), im_sig::SigError>(())
    /// ```
    pub fn sig_with_userbuf(&self, identifier: &str, expire: u64, userbuf: &[u8]) -> UserSig {
        generate(
            &self.key,
            &SigParams::new(self.sdkappid, identifier, expire).with_userbuf(userbuf),
            self.clock.now(),
        )
    }

    /// Generates TRTC's privilege map key `map_key` for this application, issued now (see
    /// [`PrivateMapKey::generate`]).
    ///
    /// ```
    /// use im_sig::{PrivateMapKey, SecretKey, Signer};
    ///
    /// let signer = Signer::new(1_400_000_000, "administrator", SecretKey::new("my-app-key"));
    /// let map_key = signer.private_map_key(&PrivateMapKey::for_room_str("alice", "main-hall"))?;
    /// assert!(map_key.expires_at().is_some());
    /// # Ok::<(), im_sig::SigError>(())
    /// ```
    pub fn private_map_key(&self, map_key: &PrivateMapKey<'_>) -> Result<UserSig, SigError> {
        map_key.generate(&self.key, self.sdkappid, self.clock.now())
    }

    /// Verifies that `sig` is a UserSig of this application for `identifier`, signed with
    /// this key and not expired by this signer's clock (see [`verify`]).
    pub fn verify(&self, sig: &str, identifier: &str) -> Result<SigDocument, SigError> {
        verify(
            sig,
            &self.key,
            &Expected::new(self.sdkappid, identifier),
            self.clock.now(),
        )
    }

    /// As [`verify`](Self::verify), and the UserSig must carry exactly `userbuf`.
    pub fn verify_with_userbuf(
        &self,
        sig: &str,
        identifier: &str,
        userbuf: &[u8],
    ) -> Result<SigDocument, SigError> {
        verify(
            sig,
            &self.key,
            &Expected::new(self.sdkappid, identifier).with_userbuf(userbuf),
            self.clock.now(),
        )
    }

    fn admin_sig(&self, now: u64) -> UserSig {
        generate(
            &self.key,
            &SigParams::new(self.sdkappid, &self.identifier, self.expire),
            now,
        )
    }

    fn read_cache(&self) -> Option<CachedSig> {
        self.cached
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Fresh means issued no later than `now` and not yet within the refresh margin.
    fn is_fresh(&self, cached: &CachedSig, now: u64) -> bool {
        let renew_at = cached
            .issued_at
            .saturating_add(self.expire.saturating_sub(self.refresh_margin()));
        cached.issued_at <= now && now < renew_at
    }

    fn forget(&mut self) {
        *self
            .cached
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner) = None;
    }
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("sdkappid", &self.sdkappid)
            .field("identifier", &self.identifier)
            .field("expire", &self.expire)
            .field("refresh_margin", &self.refresh_margin())
            // The clock is any `Clock`, closures included, so it has no `Debug` to show.
            .finish_non_exhaustive()
    }
}
