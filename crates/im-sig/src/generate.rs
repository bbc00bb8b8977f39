//! Generating a UserSig.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::codec::{SignedFields, USERSIG_BASE64, write_document, zlib_stored};
use crate::key::{SecretKey, UserSig};

/// What a UserSig is issued for: the application, the user, the validity, and an optional
/// userbuf.
///
/// ```
/// use im_sig::SigParams;
///
/// let params = SigParams::new(1_400_000_000, "administrator", 86_400);
/// assert_eq!(params.userbuf, None);
/// let with_buf = params.with_userbuf(b"abc");
/// assert_eq!(with_buf.userbuf, Some(&b"abc"[..]));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SigParams<'a> {
    /// The application's SDKAppID.
    pub sdkappid: u64,
    /// The user the UserSig authenticates (for REST calls, the app administrator).
    pub identifier: &'a str,
    /// How long the UserSig stays valid, in seconds from its issue time.
    pub expire: u64,
    /// Opaque bytes bound into the signature (TRTC's privilege map); REST calls use none.
    pub userbuf: Option<&'a [u8]>,
}

impl<'a> SigParams<'a> {
    /// Parameters without a userbuf.
    pub const fn new(sdkappid: u64, identifier: &'a str, expire: u64) -> Self {
        SigParams {
            sdkappid,
            identifier,
            expire,
            userbuf: None,
        }
    }

    /// The same parameters with `userbuf` bound into the signature.
    #[must_use]
    pub const fn with_userbuf(self, userbuf: &'a [u8]) -> Self {
        SigParams {
            userbuf: Some(userbuf),
            ..self
        }
    }

    /// The exact text that is signed for these parameters at time `now`.
    ///
    /// Not secret; useful to compare with other implementations.
    ///
    /// ```
    /// use im_sig::SigParams;
    ///
    /// let text = SigParams::new(1, "3", 1).content_to_sign(1_000_000_000);
    /// assert_eq!(text, "TLS.identifier:3\nTLS.sdkappid:1\nTLS.time:1000000000\nTLS.expire:1\n");
    /// ```
    pub fn content_to_sign(&self, now: u64) -> String {
        let userbuf_base64 = self.userbuf.map(|userbuf| STANDARD.encode(userbuf));
        let mut text = Vec::new();
        self.fields(now, userbuf_base64.as_deref())
            .write_content(|bytes| text.extend_from_slice(bytes));
        // Every piece is either ASCII or the UTF-8 identifier, so this conversion succeeds;
        // the lossy form only avoids a panic path.
        String::from_utf8_lossy(&text).into_owned()
    }

    fn fields<'b>(&'b self, now: u64, userbuf_base64: Option<&'b str>) -> SignedFields<'b> {
        SignedFields {
            identifier: self.identifier,
            sdkappid: self.sdkappid,
            time: now,
            expire: self.expire,
            userbuf_base64,
        }
    }
}

/// Generates a UserSig for `params`, issued at `now` (Unix seconds).
///
/// The result is valid until `now + params.expire` inclusive, which
/// [`UserSig::expires_at`] tells. The function is pure: the same
/// inputs always give the same string, and it reads no clock.
///
/// The document is written with compact JSON in the key order of the official Python library
/// and framed as a zlib stream of stored (uncompressed) blocks, which is what the official Go
/// library does by default. The server accepts any zlib stream; skipping the deflate encoder
/// makes a generation many times faster, for a string about a quarter longer (about 250
/// characters for an administrator UserSig).
///
/// ```
/// use im_sig::{SecretKey, SigParams, decode, generate};
///
/// let key = SecretKey::new("my-app-key");
/// let sig = generate(&key, &SigParams::new(1_400_000_000, "administrator", 86_400), 1_700_000_000);
/// let doc = decode(sig.expose_secret())?;
/// assert_eq!(doc.identifier, "administrator");
/// assert_eq!(doc.expires_at(), 1_700_086_400);
/// # Ok::<(), im_sig::SigError>(())
/// ```
pub fn generate(key: &SecretKey, params: &SigParams<'_>, now: u64) -> UserSig {
    let userbuf_base64 = params.userbuf.map(|userbuf| STANDARD.encode(userbuf));
    let fields = params.fields(now, userbuf_base64.as_deref());
    let signature = fields.signature(key);

    let mut document = Vec::with_capacity(
        192 + params.identifier.len() + userbuf_base64.as_ref().map_or(0, String::len),
    );
    write_document(&mut document, &fields, &signature);
    let mut stream = Vec::new();
    zlib_stored(&document, &mut stream);
    let mut text = String::new();
    USERSIG_BASE64.encode_string(&stream, &mut text);
    UserSig::generated(Arc::from(text), now.saturating_add(params.expire))
}
