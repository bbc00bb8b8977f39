//! The webhook token, the `Sign` algorithm and the [`Verifier`].

use std::fmt;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::WebhookError;
use crate::query::{CallbackQuery, param};

/// The freshness window used unless [`Verifier::with_window`] sets another: 60 seconds,
/// the window Tencent documents for its Live webhooks.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(60);

/// The webhook authentication token set in the Tencent Cloud Chat console.
///
/// It is a secret: `Debug` shows `Token([REDACTED])`, there is no `Display`, and the memory
/// is zeroed on drop.
///
/// ```
/// use im_webhook::Token;
///
/// let token = Token::new("xxxxyyyy");
/// assert_eq!(format!("{token:?}"), "Token([REDACTED])");
/// ```
#[derive(Clone)]
pub struct Token(SecretString);

impl Token {
    /// Wraps the token text as set in the console.
    pub fn new(token: impl Into<String>) -> Self {
        Token(SecretString::from(token.into()))
    }

    fn bytes(&self) -> &[u8] {
        self.0.expose_secret().as_bytes()
    }
}

impl From<&str> for Token {
    fn from(token: &str) -> Self {
        Token::new(token)
    }
}

impl From<String> for Token {
    fn from(token: String) -> Self {
        Token::new(token)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token([REDACTED])")
    }
}

/// The `Sign` Tencent sends for `request_time`: lowercase hex of SHA-256 over the token
/// followed by the decimal `RequestTime`.
///
/// This is a plain hash of the concatenation, not an HMAC, and it covers neither the body
/// nor the other query parameters.
///
/// ```
/// use im_webhook::{Token, sign};
///
/// // The example of Tencent's webhook documentation.
/// assert_eq!(
///     sign(&Token::new("xxxxyyyy"), 1_669_872_112),
///     "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061",
/// );
/// ```
pub fn sign(token: &Token, request_time: u64) -> String {
    let digest = digest(token, &request_time.to_string());
    let mut hex = String::with_capacity(digest.len() * 2);
    for byte in digest {
        hex.push(char::from(HEX_LOWER[usize::from(byte >> 4)]));
        hex.push(char::from(HEX_LOWER[usize::from(byte & 0x0f)]));
    }
    hex
}

const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

/// SHA-256 over the token followed by the `RequestTime` text as received.
fn digest(token: &Token, request_time: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(token.bytes());
    hasher.update(request_time.as_bytes());
    hasher.finalize().into()
}

/// Checks that a callback comes from Tencent for this application and is fresh.
///
/// [`verify`](Verifier::verify) runs these checks in order and stops at the first failure:
///
/// 1. `SdkAppid` is present, a number, and equal to the configured SDKAppID.
/// 2. With a token configured ([`Verifier::new`]): `Sign` and `RequestTime` are present,
///    `RequestTime` is decimal Unix seconds, `Sign` is 64 hexadecimal digits (either case)
///    and equals SHA-256 of the token followed by `RequestTime`, compared in constant time.
/// 3. With a token configured: `RequestTime` is within the window (default
///    [`DEFAULT_WINDOW`]) of `now`, in either direction; outside it the request is
///    [`Stale`](WebhookError::Stale) or [`FromTheFuture`](WebhookError::FromTheFuture).
///
/// The signature is checked before the time, so a tampered `RequestTime` is reported as
/// [`BadSignature`](WebhookError::BadSignature).
///
/// When webhook authentication is disabled in the console, Tencent sends neither `Sign` nor
/// `RequestTime`, and only the `SdkAppid` check is possible: build the verifier with
/// [`Verifier::without_signature`], an explicit opt-in. Such a verifier ignores `Sign` and
/// `RequestTime` when they are present.
///
/// `Debug` never shows the token.
///
/// ```
/// use im_webhook::{Token, Verifier};
///
/// let verifier = Verifier::new(1_400_000_000, Token::new("xxxxyyyy"));
/// assert_eq!(
///     format!("{verifier:?}"),
///     "Verifier { sdkappid: 1400000000, token: Some(\"[REDACTED]\"), window: 60s }",
/// );
/// ```
#[derive(Clone)]
pub struct Verifier {
    sdkappid: u64,
    token: Option<Token>,
    window: Duration,
}

impl Verifier {
    /// A verifier for application `sdkappid` with webhook authentication enabled.
    pub fn new(sdkappid: u64, token: impl Into<Token>) -> Self {
        Verifier {
            sdkappid,
            token: Some(token.into()),
            window: DEFAULT_WINDOW,
        }
    }

    /// A verifier for an application whose webhook authentication is disabled: it checks
    /// `SdkAppid` only, so anyone who knows the URL can send callbacks that pass.
    pub fn without_signature(sdkappid: u64) -> Self {
        Verifier {
            sdkappid,
            token: None,
            window: DEFAULT_WINDOW,
        }
    }

    /// Sets the freshness window; whole seconds count, the fraction is ignored.
    pub fn with_window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// The SDKAppID callbacks must carry.
    pub fn sdkappid(&self) -> u64 {
        self.sdkappid
    }

    /// The freshness window.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// Whether this verifier checks `Sign` and `RequestTime` (it was built with a token).
    pub fn checks_signature(&self) -> bool {
        self.token.is_some()
    }

    /// Checks a callback's query at time `now` (Unix seconds); see the type's documentation
    /// for the checks and their order.
    pub fn verify(&self, query: &CallbackQuery, now: u64) -> Result<(), WebhookError> {
        let found = parse_number(param::SDK_APPID, query.sdkappid.as_deref())?;
        if found != self.sdkappid {
            return Err(WebhookError::WrongApp {
                expected: self.sdkappid,
                found,
            });
        }
        let Some(token) = &self.token else {
            return Ok(());
        };
        let received = query
            .sign
            .as_deref()
            .ok_or(WebhookError::MissingParameter(param::SIGN))?;
        let time_text = query
            .request_time
            .as_deref()
            .ok_or(WebhookError::MissingParameter(param::REQUEST_TIME))?;
        let request_time = parse_number(param::REQUEST_TIME, Some(time_text))?;
        let received = decode_sign(received)?;
        // Tencent signs the RequestTime text it sends, so hash that text, not a re-rendering.
        let expected = digest(token, time_text);
        if !bool::from(received.ct_eq(&expected)) {
            return Err(WebhookError::BadSignature);
        }
        let window = self.window.as_secs();
        if now.saturating_sub(request_time) > window {
            return Err(WebhookError::Stale { request_time, now });
        }
        if request_time.saturating_sub(now) > window {
            return Err(WebhookError::FromTheFuture { request_time, now });
        }
        Ok(())
    }
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("sdkappid", &self.sdkappid)
            .field("token", &self.token.as_ref().map(|_| "[REDACTED]"))
            .field("window", &self.window)
            .finish()
    }
}

/// Parses a decimal parameter: ASCII digits only (no sign, no spaces), fitting in a `u64`.
fn parse_number(name: &'static str, value: Option<&str>) -> Result<u64, WebhookError> {
    let value = value.ok_or(WebhookError::MissingParameter(name))?;
    if value.is_empty() || !value.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(WebhookError::InvalidParameter {
            name,
            reason: "not a decimal number",
        });
    }
    value.parse().map_err(|_| WebhookError::InvalidParameter {
        name,
        reason: "number too large",
    })
}

/// Decodes a received `Sign` of 64 hexadecimal digits in either case.
fn decode_sign(text: &str) -> Result<[u8; 32], WebhookError> {
    const MALFORMED: WebhookError = WebhookError::InvalidParameter {
        name: param::SIGN,
        reason: "not 64 hexadecimal digits",
    };
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return Err(MALFORMED);
    }
    let mut out = [0_u8; 32];
    for (byte, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        let (Some(high), Some(low)) = (hex_value(pair[0]), hex_value(pair[1])) else {
            return Err(MALFORMED);
        };
        *byte = (high << 4) | low;
    }
    Ok(out)
}

/// The value of one hexadecimal digit, in either case.
const fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_plain_decimal() {
        assert_eq!(parse_number("RequestTime", Some("0042")).ok(), Some(42));
        for bad in ["", "+1", "-1", " 1", "1e3", "0x10", "１"] {
            assert!(
                matches!(
                    parse_number("RequestTime", Some(bad)),
                    Err(WebhookError::InvalidParameter { .. })
                ),
                "{bad:?} was accepted"
            );
        }
        assert!(matches!(
            parse_number("RequestTime", Some("18446744073709551616")),
            Err(WebhookError::InvalidParameter {
                reason: "number too large",
                ..
            })
        ));
    }

    #[test]
    fn sign_decoding_takes_either_case_and_nothing_else() {
        let lower = "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061";
        let upper = lower.to_ascii_uppercase();
        assert_eq!(
            decode_sign(lower).ok(),
            decode_sign(&upper).ok(),
            "case must not matter"
        );
        assert_eq!(decode_sign(lower).ok().map(|bytes| bytes[0]), Some(0x17));
        assert!(decode_sign(&lower[..62]).is_err());
        assert!(decode_sign(&format!("{lower}00")).is_err());
        assert!(decode_sign(&lower.replace('a', "g")).is_err());
    }
}
