//! The query parameters Tencent appends to the callback URL.

use std::fmt;

use im_protocol::query;

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
    /// Names and values are decoded by [`im_protocol::query::decode`], as
    /// `application/x-www-form-urlencoded` (`%XX` escapes, `+` for a space). Fails with
    /// [`WebhookError::InvalidParameter`] when a known parameter is given twice or its
    /// value is not valid percent-encoded UTF-8.
    pub fn parse(query: &str) -> Result<Self, WebhookError> {
        let mut parsed = CallbackQuery::default();
        for (raw_name, raw_value) in query::pairs(query) {
            let Ok(name) = query::decode(raw_name) else {
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
            let value = query::decode(raw_value).map_err(|_| WebhookError::InvalidParameter {
                name,
                reason: "not valid percent-encoded UTF-8",
            })?;
            *slot = Some(value.into_owned());
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

    /// Encodes the present parameters in the documented order, percent-encoding values with
    /// [`im_protocol::query::encode`] (every byte outside `A-Z a-z 0-9 - . _ ~ *`).
    pub fn to_query_string(&self) -> String {
        let mut out = String::new();
        for (name, value) in self.pairs() {
            if let Some(value) = value {
                if !out.is_empty() {
                    out.push('&');
                }
                out.push_str(name);
                out.push('=');
                query::encode_into(&mut out, value);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plus_is_a_space_and_an_escaped_plus_is_a_plus() {
        let query = CallbackQuery::parse("OptPlatform=Web+App&ClientIP=%2B1").expect("valid");
        assert_eq!(query.opt_platform.as_deref(), Some("Web App"));
        assert_eq!(query.client_ip.as_deref(), Some("+1"));
    }

    #[test]
    fn encoding_round_trips_through_parsing() {
        let query = CallbackQuery::new(1_400_000_000, "Sns.CallbackBlackListAdd")
            .with_platform("a b/c&d=e+é~*");
        let text = query.to_query_string();
        assert!(
            text.ends_with("&OptPlatform=a%20b%2Fc%26d%3De%2B%C3%A9~*"),
            "{text}"
        );
        assert_eq!(CallbackQuery::parse(&text).expect("valid"), query);
    }

    #[test]
    fn a_bad_name_is_ignored_but_a_bad_known_value_is_an_error() {
        let query = CallbackQuery::parse("%zz=1&Extra=%FF&ClientIP=::1").expect("valid");
        assert_eq!(query.client_ip.as_deref(), Some("::1"));
        assert!(matches!(
            CallbackQuery::parse("ClientIP=%C3"),
            Err(WebhookError::InvalidParameter {
                name: "ClientIP",
                ..
            })
        ));
    }
}
