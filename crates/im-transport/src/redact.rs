//! Hiding the credential a request URI carries, for logs.

use std::fmt::Write as _;

use http::Uri;

#[cfg(any(feature = "tower", feature = "reqwest"))]
use crate::error::BoxError;
#[cfg(any(feature = "tower", feature = "reqwest"))]
use std::error::Error as StdError;

/// What replaces a hidden value.
const REDACTED: &str = "<redacted>";

/// The query parameter that carries the credential (compared without regard to case).
const SECRET_PARAMETER: &str = "usersig";

/// The URI as text for a log line, with the value of every `usersig` query parameter (name
/// compared without regard to case) and any user information before the host replaced by
/// `<redacted>`.
///
/// **A request URI carries a secret.** The engine signs each request with the admin UserSig in
/// its query string, and whoever holds it can act as the app's administrator until it
/// expires. A transport, a tower layer or a proxy log must never print `request.uri()`
/// as it is: tower-http's `TraceLayer`, for one, records the full URI in its default span.
/// Log this instead, for example with
/// `TraceLayer::new_for_http().make_span_with(|request: &http::Request<_>| tracing::debug_span!("http", uri = %redact_uri(request.uri())))`.
///
/// ```
/// use im_transport::redact_uri;
///
/// let uri: http::Uri =
///     "https://adminapisgp.im.qcloud.com/v4/sns/black_list_add?sdkappid=1400000000&identifier=admin&usersig=eJw*secret&random=7"
///         .parse()?;
/// assert_eq!(
///     redact_uri(&uri),
///     "https://adminapisgp.im.qcloud.com/v4/sns/black_list_add?sdkappid=1400000000&identifier=admin&usersig=<redacted>&random=7"
/// );
/// # Ok::<(), http::uri::InvalidUri>(())
/// ```
pub fn redact_uri(uri: &Uri) -> String {
    let mut out = String::with_capacity(uri.path().len() + 64);
    if let Some(scheme) = uri.scheme_str() {
        out.push_str(scheme);
        out.push_str("://");
    }
    if let Some(authority) = uri.authority() {
        match authority.as_str().rsplit_once('@') {
            Some((_user_info, host)) => {
                let _ = write!(out, "{REDACTED}@{host}");
            }
            None => out.push_str(authority.as_str()),
        }
    }
    out.push_str(uri.path());
    if let Some(query) = uri.query() {
        out.push('?');
        for (index, pair) in query.split('&').enumerate() {
            if index > 0 {
                out.push('&');
            }
            let name = pair.split_once('=').map_or(pair, |(name, _)| name);
            if name.eq_ignore_ascii_case(SECRET_PARAMETER) {
                let _ = write!(out, "{name}={REDACTED}");
            } else {
                out.push_str(pair);
            }
        }
    }
    out
}

/// `error` itself, unless its text (`Display` of any cause, or `Debug`) quotes a UserSig: then
/// an error with the same text, the UserSig values hidden. Foreign HTTP clients often put the
/// request URL in their errors, and the engine logs an error's causes.
#[cfg(any(feature = "tower", feature = "reqwest"))]
pub(crate) fn redact_error(error: BoxError) -> BoxError {
    let mut causes = Vec::new();
    let mut leaked = redact_text(&format!("{error:?}")).is_some();
    let mut current: Option<&(dyn StdError + 'static)> = Some(&*error);
    while let Some(cause) = current {
        let text = cause.to_string();
        match redact_text(&text) {
            Some(redacted) => {
                leaked = true;
                causes.push(redacted);
            }
            None => causes.push(text),
        }
        current = cause.source();
    }
    if leaked {
        Box::new(Redacted(causes.join(": ")))
    } else {
        error
    }
}

/// The text of an error whose original quoted a UserSig, with the UserSig hidden.
#[cfg(any(feature = "tower", feature = "reqwest"))]
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Redacted(String);

/// `text` with the value after every `usersig=` (any case) replaced by `<redacted>`, or
/// `None` when it holds none. For error messages of foreign clients, which may quote the URL
/// anywhere in a sentence: the value ends at the first character that cannot be part of a
/// UserSig (whose alphabet is `A-Z a-z 0-9 * - _`, or `%XX` when percent-encoded).
#[cfg(any(feature = "tower", feature = "reqwest"))]
pub(crate) fn redact_text(text: &str) -> Option<String> {
    let needle = "usersig=";
    let lower = text.to_ascii_lowercase();
    if !lower.contains(needle) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    while let Some(found) = lower[rest..].find(needle) {
        let value_start = rest + found + needle.len();
        let value_len = text[value_start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '*' | '-' | '_' | '%')))
            .unwrap_or(text.len() - value_start);
        out.push_str(&text[rest..value_start]);
        out.push_str(REDACTED);
        rest = value_start + value_len;
    }
    out.push_str(&text[rest..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redact(uri: &str) -> String {
        redact_uri(&uri.parse().expect("a valid URI"))
    }

    #[test]
    fn only_the_usersig_value_is_hidden() {
        assert_eq!(
            redact(
                "https://h/v4/x?sdkappid=1&identifier=admin&usersig=eJw*a-b_c&random=9&contenttype=json"
            ),
            "https://h/v4/x?sdkappid=1&identifier=admin&usersig=<redacted>&random=9&contenttype=json"
        );
    }

    #[test]
    fn any_case_any_position_and_an_empty_value_are_hidden() {
        assert_eq!(
            redact("https://h/p?UserSig=abc"),
            "https://h/p?UserSig=<redacted>"
        );
        assert_eq!(
            redact("https://h/p?a=1&USERSIG&b=2"),
            "https://h/p?a=1&USERSIG=<redacted>&b=2"
        );
        assert_eq!(
            redact("https://h/p?usersig=a&usersig=b"),
            "https://h/p?usersig=<redacted>&usersig=<redacted>"
        );
    }

    #[test]
    fn uris_without_a_query_or_scheme_are_kept() {
        assert_eq!(redact("https://h:8443/p"), "https://h:8443/p");
        assert_eq!(redact("/v4/x?usersig=s"), "/v4/x?usersig=<redacted>");
        assert_eq!(redact("https://h/p?usersigx=1"), "https://h/p?usersigx=1");
    }

    #[test]
    fn user_information_before_the_host_is_hidden() {
        assert_eq!(
            redact("http://user:password@127.0.0.1:8080/p?q=1"),
            "http://<redacted>@127.0.0.1:8080/p?q=1"
        );
    }

    #[cfg(any(feature = "tower", feature = "reqwest"))]
    #[test]
    fn text_redaction_finds_the_sig_inside_a_sentence() {
        assert_eq!(
            redact_text(
                "error sending request for url (http://h/p?a=1&UserSig=eJw*x-_%2A&random=2)"
            )
            .as_deref(),
            Some("error sending request for url (http://h/p?a=1&UserSig=<redacted>&random=2)")
        );
        assert_eq!(
            redact_text("usersig=a usersig=b").as_deref(),
            Some("usersig=<redacted> usersig=<redacted>")
        );
        assert_eq!(redact_text("connection refused"), None);
    }

    #[cfg(any(feature = "tower", feature = "reqwest"))]
    #[test]
    fn errors_quoting_a_sig_are_replaced_and_others_kept() {
        #[derive(Debug, thiserror::Error)]
        #[error("request to http://h/p?usersig=topsecret&random=1 failed")]
        struct Quoting(#[source] std::io::Error);

        let quoting: BoxError = Box::new(Quoting(std::io::Error::other("reset")));
        let redacted = redact_error(quoting);
        let text = format!("{redacted} {redacted:?}");
        assert!(!text.contains("topsecret"), "{text}");
        assert_eq!(
            redacted.to_string(),
            "request to http://h/p?usersig=<redacted>&random=1 failed: reset"
        );

        let plain: BoxError = Box::new(std::io::Error::other("reset"));
        assert!(redact_error(plain).is::<std::io::Error>());
    }
}
