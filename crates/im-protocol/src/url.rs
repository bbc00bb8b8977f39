//! Request URLs: `{base}/{path}?sdkappid=..&identifier=..&usersig=..&random=..&contenttype=json`.
//!
//! The URL carries the UserSig, a credential, so [`RequestUrl`] shows it only through
//! [`RequestUrl::as_str`]; its `Debug` output and [`RequestUrl::redacted`] hide it.

use std::fmt;

use crate::{Api, query};

/// The query parameters every request carries.
///
/// Its `Debug` output hides the UserSig.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct QueryParams<'a> {
    /// The app's SDKAppID.
    pub sdkappid: u64,
    /// The app admin account the UserSig was made for.
    pub identifier: &'a str,
    /// The UserSig of `identifier`.
    pub usersig: &'a str,
    /// A random number identifying the request; any `u32` value is fine.
    pub random: u32,
}

impl fmt::Debug for QueryParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueryParams")
            .field("sdkappid", &self.sdkappid)
            .field("identifier", &self.identifier)
            .field("usersig", &REDACTED)
            .field("random", &self.random)
            .finish()
    }
}

/// What replaces the UserSig in logs.
const REDACTED: &str = "<redacted>";

/// A complete request URL. It holds the UserSig: [`RequestUrl::as_str`] is for the HTTP
/// client only; `Debug` and [`RequestUrl::redacted`] are safe to log.
///
/// There is deliberately no `Display`, so `to_string()` cannot leak the UserSig or
/// silently produce a redacted URL that would then be sent.
#[derive(Clone, PartialEq, Eq)]
pub struct RequestUrl(String);

impl RequestUrl {
    /// The full URL, including the UserSig. Do not log it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The full URL, including the UserSig. Do not log it.
    pub fn into_string(self) -> String {
        self.0
    }

    /// The URL with the `usersig` value replaced by `<redacted>`, for logs.
    pub fn redacted(&self) -> String {
        redact_usersig(&self.0)
    }
}

impl fmt::Debug for RequestUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RequestUrl").field(&self.redacted()).finish()
    }
}

/// Builds the URL of a request to `path` (an [`Api`], or any API's path such as
/// `v4/openim/sendmsg`) below `base`, e.g. `https://console.tim.qq.com` (a trailing slash
/// on `base` and a leading one on `path` are ignored).
///
/// Parameters come in the documented order: `sdkappid`, `identifier`, `usersig`, `random`,
/// `contenttype=json`. Values are percent-encoded by [`query::encode`]: the RFC 3986
/// unreserved characters `A-Z a-z 0-9 - . _ ~` stay as they are, and so does `*`, which is
/// legal in a query and part of the UserSig alphabet (`*`, `-`, `_`); the official SDKs
/// send the UserSig unencoded. Everything else becomes `%XX`.
///
/// ```
/// use im_protocol::{request_url, Api, QueryParams};
///
/// let params = QueryParams {
///     sdkappid: 1400000000,
///     identifier: "admin",
///     usersig: "eJw*sig-_",
///     random: 99999999,
/// };
/// let url = request_url("https://console.tim.qq.com", Api::BlackListAdd, &params);
/// assert_eq!(
///     url.as_str(),
///     "https://console.tim.qq.com/v4/sns/black_list_add?sdkappid=1400000000\
///      &identifier=admin&usersig=eJw*sig-_&random=99999999&contenttype=json"
/// );
/// assert!(!format!("{url:?}").contains("eJw"));
/// ```
pub fn request_url(base: &str, path: impl AsRef<str>, params: &QueryParams<'_>) -> RequestUrl {
    let base = base.trim_end_matches('/');
    let path = path.as_ref();
    let path = path.strip_prefix('/').unwrap_or(path);
    let mut url = String::with_capacity(
        base.len() + path.len() + params.identifier.len() + params.usersig.len() + 96,
    );
    url.push_str(base);
    url.push('/');
    url.push_str(path);
    url.push_str("?sdkappid=");
    url.push_str(&params.sdkappid.to_string());
    url.push_str("&identifier=");
    query::encode_into(&mut url, params.identifier);
    url.push_str("&usersig=");
    query::encode_into(&mut url, params.usersig);
    url.push_str("&random=");
    url.push_str(&params.random.to_string());
    url.push_str("&contenttype=json");
    RequestUrl(url)
}

/// An API stands for its path, so [`request_url`] takes an [`Api`] or any path.
impl AsRef<str> for Api {
    fn as_ref(&self) -> &str {
        self.path()
    }
}

/// Replaces the value of every `usersig` query parameter (name compared without regard
/// to case) with `<redacted>`; the rest of `url` is kept.
///
/// `im_transport::redact_uri` applies the same rule to the `http::Uri` a transport sees
/// (the two leaf crates share no code; a workspace test keeps them alike).
///
/// ```
/// use im_protocol::redact_usersig;
///
/// assert_eq!(
///     redact_usersig("https://h/p?sdkappid=1&usersig=secret&random=7"),
///     "https://h/p?sdkappid=1&usersig=<redacted>&random=7"
/// );
/// ```
pub fn redact_usersig(url: &str) -> String {
    let Some((head, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let (query, fragment) = match query.split_once('#') {
        Some((query, fragment)) => (query, Some(fragment)),
        None => (query, None),
    };
    let mut out = String::with_capacity(url.len());
    out.push_str(head);
    out.push('?');
    for (index, pair) in query.split('&').enumerate() {
        if index > 0 {
            out.push('&');
        }
        let name = pair.split_once('=').map_or(pair, |(name, _)| name);
        if name.eq_ignore_ascii_case("usersig") {
            out.push_str(name);
            out.push('=');
            out.push_str(REDACTED);
        } else {
            out.push_str(pair);
        }
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_handles_edge_positions() {
        assert_eq!(redact_usersig("https://h/p"), "https://h/p");
        assert_eq!(
            redact_usersig("https://h/p?usersig=abc"),
            "https://h/p?usersig=<redacted>"
        );
        assert_eq!(
            redact_usersig("https://h/p?UserSig=abc&x=1#frag"),
            "https://h/p?UserSig=<redacted>&x=1#frag"
        );
        assert_eq!(
            redact_usersig("https://h/p?a=1&usersig&b=2"),
            "https://h/p?a=1&usersig=<redacted>&b=2"
        );
    }
}
