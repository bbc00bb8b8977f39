//! The query parameters Tencent appends to the callback URL.

use std::fmt;

use crate::error::WebhookError;
use crate::sign::{Token, sign};

/// The names of the callback query parameters, with their documented casing.
pub mod param {
    /// The application's SDKAppID.
    pub const SDK_APPID: &str = "SdkAppid";
    /// The callback command, such as `Sns.CallbackBlackListAdd`.
    pub const CALLBACK_COMMAND: &str = "CallbackCommand";
    /// The body's format; always `json`.
    pub const CONTENT_TYPE: &str = "contenttype";
    /// The IP address of the client that caused the event.
    pub const CLIENT_IP: &str = "ClientIP";
    /// The platform of the client that caused the event, such as `RESTAPI` or `Android`.
    pub const OPT_PLATFORM: &str = "OptPlatform";
    /// The signature: lowercase hex of SHA-256 over the token followed by `RequestTime`.
    pub const SIGN: &str = "Sign";
    /// The time the callback was sent, in Unix seconds.
    pub const REQUEST_TIME: &str = "RequestTime";
}

/// The query parameters of a callback request, percent-decoded and otherwise as received.
///
/// Parsing only splits and decodes: every parameter is optional here, and
/// [`Verifier::verify`](crate::Verifier::verify) decides which ones must be present and
/// what they must hold. Parameter names are matched with their documented casing
/// (`SdkAppid`, `CallbackCommand`, `contenttype`, `ClientIP`, `OptPlatform`, `Sign`,
/// `RequestTime`); other parameters are ignored. A known parameter given twice is
/// rejected, so a verifier and the code behind it can never read different values.
///
/// `Debug` does not show `Sign`: within the freshness window it is a credential.
///
/// Senders build one with [`CallbackQuery::new`] and [`CallbackQuery::signed`]:
///
/// ```
/// use im_webhook::{CallbackQuery, Token};
///
/// let query = CallbackQuery::new(1_400_000_000, "Sns.CallbackBlackListAdd")
///     .with_client_ip("127.0.0.1")
///     .with_platform("RESTAPI")
///     .signed(&Token::new("xxxxyyyy"), 1_669_872_112);
/// let text = query.to_query_string();
/// assert!(text.starts_with("SdkAppid=1400000000&CallbackCommand=Sns.CallbackBlackListAdd&contenttype=json"));
/// assert_eq!(CallbackQuery::parse(&text)?, query);
/// # Ok::<(), im_webhook::WebhookError>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallbackQuery {
    /// `SdkAppid`: the application's SDKAppID, as text.
    pub sdkappid: Option<String>,
    /// `CallbackCommand`: which event the body describes.
    pub callback_command: Option<String>,
    /// `contenttype`: the body's format, documented as `json`.
    pub content_type: Option<String>,
    /// `ClientIP`: the IP address of the client that caused the event.
    pub client_ip: Option<String>,
    /// `OptPlatform`: the platform of that client (an open set of names).
    pub opt_platform: Option<String>,
    /// `Sign`: present when webhook authentication is enabled in the console.
    pub sign: Option<String>,
    /// `RequestTime`: Unix seconds as text, present when webhook authentication is enabled.
    pub request_time: Option<String>,
}

impl CallbackQuery {
    /// Parses a raw query string (the part after `?`, without the `?`).
    ///
    /// Names and values are decoded as `application/x-www-form-urlencoded` (`%XX` escapes,
    /// `+` for a space). Fails with [`WebhookError::InvalidParameter`] when a known
    /// parameter is given twice or its value is not valid percent-encoded UTF-8.
    pub fn parse(query: &str) -> Result<Self, WebhookError> {
        let mut parsed = CallbackQuery::default();
        for segment in query.split('&').filter(|segment| !segment.is_empty()) {
            let (raw_name, raw_value) = segment.split_once('=').unwrap_or((segment, ""));
            let Some(name) = percent_decode(raw_name) else {
                // A name that does not decode cannot be one of ours.
                continue;
            };
            let Some((name, slot)) = parsed.slot(&name) else {
                continue;
            };
            if slot.is_some() {
                return Err(WebhookError::InvalidParameter {
                    name,
                    reason: "given more than once",
                });
            }
            let value = percent_decode(raw_value).ok_or(WebhookError::InvalidParameter {
                name,
                reason: "not valid percent-encoded UTF-8",
            })?;
            *slot = Some(value);
        }
        Ok(parsed)
    }

    /// The query of a callback for `command` to application `sdkappid`, with
    /// `contenttype=json` and nothing else: add [`with_client_ip`](Self::with_client_ip),
    /// [`with_platform`](Self::with_platform) and [`signed`](Self::signed) as needed.
    pub fn new(sdkappid: u64, command: impl Into<String>) -> Self {
        CallbackQuery {
            sdkappid: Some(sdkappid.to_string()),
            callback_command: Some(command.into()),
            content_type: Some("json".to_owned()),
            ..CallbackQuery::default()
        }
    }

    /// Sets `ClientIP`.
    pub fn with_client_ip(mut self, client_ip: impl Into<String>) -> Self {
        self.client_ip = Some(client_ip.into());
        self
    }

    /// Sets `OptPlatform`.
    pub fn with_platform(mut self, platform: impl Into<String>) -> Self {
        self.opt_platform = Some(platform.into());
        self
    }

    /// Sets `RequestTime` to `request_time` and `Sign` to [`sign`]`(token, request_time)`,
    /// as Tencent does when webhook authentication is enabled.
    pub fn signed(mut self, token: &Token, request_time: u64) -> Self {
        self.sign = Some(sign(token, request_time));
        self.request_time = Some(request_time.to_string());
        self
    }

    /// Encodes the present parameters in the documented order, percent-encoding every byte
    /// outside `A-Z a-z 0-9 - . _ ~`.
    pub fn to_query_string(&self) -> String {
        let mut out = String::new();
        for (name, value) in self.pairs() {
            if let Some(value) = value {
                if !out.is_empty() {
                    out.push('&');
                }
                out.push_str(name);
                out.push('=');
                percent_encode_into(value, &mut out);
            }
        }
        out
    }

    /// Whether `contenttype` is absent or `json` in any letter case.
    pub fn is_json(&self) -> bool {
        self.content_type
            .as_deref()
            .is_none_or(|content_type| content_type.eq_ignore_ascii_case("json"))
    }

    /// The parameters in the documented order, with their names.
    fn pairs(&self) -> [(&'static str, Option<&str>); 7] {
        [
            (param::SDK_APPID, self.sdkappid.as_deref()),
            (param::CALLBACK_COMMAND, self.callback_command.as_deref()),
            (param::CONTENT_TYPE, self.content_type.as_deref()),
            (param::CLIENT_IP, self.client_ip.as_deref()),
            (param::OPT_PLATFORM, self.opt_platform.as_deref()),
            (param::SIGN, self.sign.as_deref()),
            (param::REQUEST_TIME, self.request_time.as_deref()),
        ]
    }

    /// The field that holds the parameter called `name`, with the name as a constant.
    fn slot(&mut self, name: &str) -> Option<(&'static str, &mut Option<String>)> {
        let found = match name {
            param::SDK_APPID => (param::SDK_APPID, &mut self.sdkappid),
            param::CALLBACK_COMMAND => (param::CALLBACK_COMMAND, &mut self.callback_command),
            param::CONTENT_TYPE => (param::CONTENT_TYPE, &mut self.content_type),
            param::CLIENT_IP => (param::CLIENT_IP, &mut self.client_ip),
            param::OPT_PLATFORM => (param::OPT_PLATFORM, &mut self.opt_platform),
            param::SIGN => (param::SIGN, &mut self.sign),
            param::REQUEST_TIME => (param::REQUEST_TIME, &mut self.request_time),
            _ => return None,
        };
        Some(found)
    }
}

impl fmt::Debug for CallbackQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackQuery")
            .field("sdkappid", &self.sdkappid)
            .field("callback_command", &self.callback_command)
            .field("content_type", &self.content_type)
            .field("client_ip", &self.client_ip)
            .field("opt_platform", &self.opt_platform)
            .field("sign", &self.sign.as_ref().map(|_| "[REDACTED]"))
            .field("request_time", &self.request_time)
            .finish()
    }
}

/// Decodes `application/x-www-form-urlencoded` text; `None` for a broken `%` escape or
/// bytes that are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        match byte {
            b'%' => {
                let high = hex_value(*bytes.get(index + 1)?)?;
                let low = hex_value(*bytes.get(index + 2)?)?;
                out.push((high << 4) | low);
                index += 3;
            }
            b'+' => {
                out.push(b' ');
                index += 1;
            }
            _ => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// The value of one hexadecimal digit, in either case.
pub(crate) const fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// Appends `text` to `out`, percent-encoding every byte outside the unreserved set.
fn percent_encode_into(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_escapes_and_plus() {
        assert_eq!(percent_decode("a%2Fb+c%c3%a9").as_deref(), Some("a/b cé"));
        assert_eq!(percent_decode("100%"), None);
        assert_eq!(percent_decode("%4"), None);
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%ff"), None);
    }

    #[test]
    fn encoding_round_trips_through_decoding() {
        let text = "a b/c&d=e+é~";
        let mut encoded = String::new();
        percent_encode_into(text, &mut encoded);
        assert_eq!(encoded, "a%20b%2Fc%26d%3De%2B%C3%A9~");
        assert_eq!(percent_decode(&encoded).as_deref(), Some(text));
    }
}
