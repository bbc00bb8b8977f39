//! What the engine needs to know of an API: its path, limits and retry safety.

use std::borrow::Cow;

use im_protocol::{Api, RetrySafety};

use crate::error::InvalidInput;

/// The frequency limit assumed for an API outside the spec: most REST APIs of the service
/// are limited to 200 calls per second per app.
pub const DEFAULT_CALLS_PER_SECOND: u32 = 200;

/// An API as the engine calls it: a path with its frequency limit, the most items one
/// request may carry, and whether a request may be repeated after an ambiguous attempt.
///
/// Every API of the spec converts from [`Api`]; any other endpoint is described with
/// [`ApiInfo::custom`], which assumes the worst about retries (`unsafe`) until told otherwise.
///
/// ```
/// use im_client::ApiInfo;
/// use im_protocol::{Api, RetrySafety};
///
/// let add = ApiInfo::from(Api::BlackListAdd);
/// assert_eq!(add.safety(), RetrySafety::Convergent);
///
/// let check = ApiInfo::custom("v4/im_open_login_svc/account_check")?
///     .with_safety(RetrySafety::Read)
///     .with_calls_per_second(100);
/// assert_eq!(check.path(), "v4/im_open_login_svc/account_check");
/// # Ok::<(), im_client::InvalidInput>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiInfo {
    path: Cow<'static, str>,
    name: Cow<'static, str>,
    calls_per_second: u32,
    max_items: usize,
    safety: RetrySafety,
}

impl From<Api> for ApiInfo {
    fn from(api: Api) -> Self {
        ApiInfo {
            path: Cow::Borrowed(api.path()),
            name: Cow::Borrowed(api.name()),
            calls_per_second: api.default_calls_per_second(),
            max_items: api.max_accounts(),
            safety: api.retry_safety(),
        }
    }
}

impl ApiInfo {
    /// The API at `path` (e.g. `v4/openim/sendmsg`, with or without a leading slash).
    ///
    /// A path of the spec gets its described limits and safety. Any other path is
    /// `unsafe`, limited to [`DEFAULT_CALLS_PER_SECOND`], with no item limit. A path with a
    /// query, a fragment, `..` or characters outside `[A-Za-z0-9_/.-]` is rejected.
    pub fn custom(path: &str) -> Result<ApiInfo, InvalidInput> {
        let path = path.strip_prefix('/').unwrap_or(path);
        if let Some(api) = Api::from_path(path) {
            return Ok(ApiInfo::from(api));
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '/' | '.' | '-');
        if path.is_empty() || path.contains("..") || !path.chars().all(allowed) {
            return Err(InvalidInput::ApiPath {
                path: path.chars().take(64).collect(),
            });
        }
        Ok(ApiInfo {
            path: Cow::Owned(path.to_owned()),
            name: Cow::Owned(path.to_owned()),
            calls_per_second: DEFAULT_CALLS_PER_SECOND,
            max_items: usize::MAX,
            safety: RetrySafety::Unsafe,
        })
    }

    /// The same API with another retry safety: say `read` or `convergent` only when a
    /// repeated request cannot act twice.
    #[must_use]
    pub fn with_safety(mut self, safety: RetrySafety) -> Self {
        self.safety = safety;
        self
    }

    /// The same API with another frequency limit (at least 1 call per second).
    #[must_use]
    pub fn with_calls_per_second(mut self, calls_per_second: u32) -> Self {
        self.calls_per_second = calls_per_second.max(1);
        self
    }

    /// The same API with another limit of items per request (at least 1).
    #[must_use]
    pub fn with_max_items(mut self, items: usize) -> Self {
        self.max_items = items.max(1);
        self
    }

    /// The path below the host, without a leading slash.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// A short name for logs and metrics: the spec's variant name, or the path.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The documented frequency limit, in calls per second per app.
    pub fn calls_per_second(&self) -> u32 {
        self.calls_per_second
    }

    /// The most items one request may carry.
    pub fn max_items(&self) -> usize {
        self.max_items
    }

    /// Whether a request may be repeated after an attempt that may have been applied.
    pub fn safety(&self) -> RetrySafety {
        self.safety
    }

    /// The name, shared rather than copied when it is the spec's.
    pub(crate) fn shared_name(&self) -> Cow<'static, str> {
        self.name.clone()
    }

    /// The retry safety in the spelling of `im-transport`, for the request's metadata.
    pub(crate) fn transport_safety(&self) -> im_transport::RetrySafety {
        match self.safety {
            RetrySafety::Convergent => im_transport::RetrySafety::Convergent,
            RetrySafety::Read => im_transport::RetrySafety::Read,
            // `Unsafe`, and any kind a later version adds: assume the worst.
            _ => im_transport::RetrySafety::Unsafe,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_paths_keep_their_description() {
        let described = ApiInfo::custom("/v4/sns/black_list_get").expect("valid");
        assert_eq!(described, ApiInfo::from(Api::BlackListGet));
        assert_eq!(described.safety(), RetrySafety::Read);
    }

    #[test]
    fn other_paths_are_unsafe_until_told_otherwise() {
        let send = ApiInfo::custom("v4/openim/sendmsg").expect("valid");
        assert_eq!(send.safety(), RetrySafety::Unsafe);
        assert_eq!(send.calls_per_second(), DEFAULT_CALLS_PER_SECOND);
        assert_eq!(send.name(), "v4/openim/sendmsg");
    }

    #[test]
    fn transports_read_the_same_retry_safety() {
        for safety in [
            RetrySafety::Convergent,
            RetrySafety::Read,
            RetrySafety::Unsafe,
        ] {
            let api = ApiInfo::custom("v4/x/y")
                .expect("valid")
                .with_safety(safety);
            let seen = api.transport_safety();
            assert_eq!(seen.as_str(), safety.as_str());
            assert_eq!(seen.repeat_is_harmless(), safety.repeat_is_harmless());
        }
    }

    #[test]
    fn paths_that_could_change_the_url_are_rejected() {
        for bad in [
            "",
            "v4/x?usersig=1",
            "v4/../admin",
            "v4/x#y",
            "v4/x y",
            "v4/é",
        ] {
            assert!(ApiInfo::custom(bad).is_err(), "{bad:?}");
        }
    }
}
