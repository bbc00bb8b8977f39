//! HTTPS through an HTTP proxy (feature `proxy`): which requests use it, and the tunnel.
//!
//! Which destinations bypass the proxy follows curl's `NO_PROXY` rules as hyper-util's
//! `Matcher` implements them; the tunnel is hyper-util's `Tunnel` (`CONNECT host:port`, with
//! `Proxy-Authorization: Basic` when the proxy URL has credentials). Only `https`
//! destinations use the proxy: plain `http`, allowed only for loopback servers, always
//! connects directly.

use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::Uri;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::proxy::matcher::{Intercept, Matcher};
use tower_service::Service;

use super::BoxError;
use super::config_error::ConfigError;

/// The proxy settings the builder collected; checked when the transport is built.
#[derive(Clone, Default)]
pub(super) struct ProxyOptions {
    url: Option<String>,
    no_proxy: String,
}

impl ProxyOptions {
    /// Sends `https` requests through the proxy at `url`.
    pub(super) fn set_url(&mut self, url: String) {
        self.url = Some(url);
    }

    /// The destinations that bypass the proxy, in `NO_PROXY` syntax.
    pub(super) fn set_no_proxy(&mut self, no_proxy: String) {
        self.no_proxy = no_proxy;
    }

    /// The settings of the process environment (see [`from_lookup`](Self::from_lookup)).
    pub(super) fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// The settings that `lookup` gives for the variables `HTTPS_PROXY` (else `https_proxy`)
    /// and `NO_PROXY` (else `no_proxy`); an empty value counts as unset. `HTTP_PROXY` is
    /// not read: this transport sends only `https` through a proxy, and in CGI programs
    /// that variable can be set by a request's `Proxy` header.
    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let first = |names: [&str; 2]| {
            names
                .into_iter()
                .filter_map(&lookup)
                .find(|value| !value.trim().is_empty())
        };
        Self {
            url: first(["HTTPS_PROXY", "https_proxy"]),
            no_proxy: first(["NO_PROXY", "no_proxy"]).unwrap_or_default(),
        }
    }

    /// Checks the settings and builds the route; `None` when no proxy is set.
    pub(super) fn route(&self) -> Result<Option<ProxyRoute>, ConfigError> {
        let Some(url) = self.url.as_deref().map(str::trim) else {
            return Ok(None);
        };
        check_proxy_url(url)?;
        // The matcher silently drops a URL it cannot use: refuse it instead of connecting
        // directly behind the application's back.
        let probe = Matcher::builder().https(url).build();
        if probe
            .intercept(&Uri::from_static("https://example.com/"))
            .is_none()
        {
            return Err(ConfigError::ProxyUrl("not a usable http:// proxy URL"));
        }
        let matcher = Matcher::builder()
            .https(url)
            .no(self.no_proxy.as_str())
            .build();
        Ok(Some(ProxyRoute {
            matcher: Arc::new(matcher),
        }))
    }
}

impl fmt::Debug for ProxyOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Proxy")
            .field("url", &self.url.as_deref().map(redact))
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

/// Refuses proxy URLs this transport cannot use, without repeating the URL.
fn check_proxy_url(url: &str) -> Result<(), ConfigError> {
    let uri: Uri = url
        .parse()
        .map_err(|_| ConfigError::ProxyUrl("not a URL"))?;
    match uri.scheme_str() {
        None | Some("http") => {}
        Some("https") => {
            return Err(ConfigError::ProxyUrl(
                "https:// proxies (TLS to the proxy) are not supported; \
                 use http://, through which HTTPS is tunnelled with CONNECT",
            ));
        }
        Some(_) => {
            return Err(ConfigError::ProxyUrl("only http:// proxies are supported"));
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(ConfigError::ProxyUrl("the URL has no host"));
    }
    Ok(())
}

/// The proxy URL without its credentials: `http://***@proxy:3128`.
fn redact(url: &str) -> String {
    let Ok(uri) = url.trim().parse::<Uri>() else {
        return "<not a URL>".to_owned();
    };
    let Some(authority) = uri.authority().map(|authority| authority.as_str()) else {
        return "<no host>".to_owned();
    };
    let scheme = uri.scheme_str().unwrap_or("http");
    match authority.rsplit_once('@') {
        Some((_credentials, host)) => format!("{scheme}://***@{host}"),
        None => format!("{scheme}://{authority}"),
    }
}

/// Decides, per destination, whether the connection goes through the proxy.
#[derive(Clone)]
pub(super) struct ProxyRoute {
    matcher: Arc<Matcher>,
}

impl ProxyRoute {
    /// The proxy to tunnel through to `destination`, or `None` to connect directly.
    fn intercept(&self, destination: &Uri) -> Option<Intercept> {
        // Only an `https` proxy is configured, so other schemes are never intercepted.
        self.matcher.intercept(destination)
    }
}

/// The TCP layer under TLS: a direct connection, or a `CONNECT` tunnel through the proxy.
#[derive(Clone)]
pub(super) struct ProxyConnector {
    direct: HttpConnector,
    route: Option<ProxyRoute>,
}

impl ProxyConnector {
    /// Connects with `direct`, through the proxy where `route` says so.
    pub(super) fn new(direct: HttpConnector, route: Option<ProxyRoute>) -> Self {
        Self { direct, route }
    }
}

impl fmt::Debug for ProxyConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyConnector")
            .field("proxy", &self.route.is_some())
            .finish_non_exhaustive()
    }
}

type Stream = <HttpConnector as Service<Uri>>::Response;

impl Service<Uri> for ProxyConnector {
    type Response = Stream;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Stream, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.direct.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, destination: Uri) -> Self::Future {
        let Some(intercept) = self.route.as_ref().and_then(|r| r.intercept(&destination)) else {
            let connecting = self.direct.call(destination);
            return Box::pin(async move { connecting.await.map_err(Into::into) });
        };
        let mut tunnel = Tunnel::new(intercept.uri().clone(), self.direct.clone());
        if let Some(authorization) = intercept.basic_auth() {
            tunnel = tunnel.with_auth(authorization.clone());
        }
        Box::pin(async move {
            poll_fn(|cx| tunnel.poll_ready(cx)).await?;
            Ok(tunnel.call(destination).await?)
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn options(url: &str, no_proxy: &str) -> ProxyOptions {
        let mut options = ProxyOptions::default();
        options.set_url(url.to_owned());
        options.set_no_proxy(no_proxy.to_owned());
        options
    }

    /// Whether a request to `destination` goes through the proxy.
    fn proxied(route: &ProxyRoute, destination: &str) -> bool {
        route.intercept(&destination.parse().unwrap()).is_some()
    }

    fn env(pairs: &[(&str, &str)]) -> ProxyOptions {
        let vars: HashMap<String, String> = pairs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect();
        ProxyOptions::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn the_environment_upper_case_wins_and_empty_counts_as_unset() {
        let both = env(&[
            ("HTTPS_PROXY", "http://upper:3128"),
            ("https_proxy", "http://lower:3128"),
            ("NO_PROXY", "upper.example"),
            ("no_proxy", "lower.example"),
        ]);
        assert_eq!(both.url.as_deref(), Some("http://upper:3128"));
        assert_eq!(both.no_proxy, "upper.example");

        let lower = env(&[
            ("HTTPS_PROXY", " "),
            ("https_proxy", "http://lower:3128"),
            ("no_proxy", "lower.example"),
        ]);
        assert_eq!(lower.url.as_deref(), Some("http://lower:3128"));
        assert_eq!(lower.no_proxy, "lower.example");

        // HTTP_PROXY is not an HTTPS proxy.
        let none = env(&[("HTTP_PROXY", "http://plain:3128"), ("HTTPS_PROXY", "")]);
        assert_eq!(none.url, None);
        assert!(none.route().unwrap().is_none());
    }

    #[test]
    fn no_proxy_follows_curls_rules() {
        let no_proxy = "localhost, .internal.example,example.org ,10.0.0.0/8,192.168.1.7,::1";
        let route = options("http://proxy.corp:3128", no_proxy)
            .route()
            .unwrap()
            .unwrap();

        // A domain matches itself and its subdomains, in any case, on any port.
        for direct in [
            "https://example.org/v4/x",
            "https://api.example.org/v4/x",
            "https://API.Example.ORG:8443/v4/x",
            "https://internal.example/",
            "https://deep.sub.internal.example/",
            "https://localhost:8443/",
            "https://10.1.2.3/",
            "https://192.168.1.7:8443/",
            "https://[::1]:8443/",
        ] {
            assert!(!proxied(&route, direct), "{direct} should bypass the proxy");
        }
        // ... but not a name that merely ends with the same letters, nor other addresses.
        for through in [
            "https://notexample.org/",
            "https://example.org.evil.test/",
            "https://adminapisgp.im.qcloud.com/v4/x",
            "https://11.0.0.1/",
            "https://192.168.1.8/",
            "https://[::2]/",
        ] {
            assert!(proxied(&route, through), "{through} should use the proxy");
        }
    }

    #[test]
    fn a_star_bypasses_every_host_and_plain_http_never_uses_the_proxy() {
        let route = options("http://proxy:3128", "*").route().unwrap().unwrap();
        assert!(!proxied(&route, "https://adminapisgp.im.qcloud.com/"));

        let route = options("http://proxy:3128", "").route().unwrap().unwrap();
        assert!(proxied(&route, "https://adminapisgp.im.qcloud.com/"));
        assert!(!proxied(&route, "http://127.0.0.1:8080/"));
    }

    #[test]
    fn credentials_become_a_basic_proxy_authorization() {
        let route = options("http://alice:p%40ss@proxy:3128", "")
            .route()
            .unwrap()
            .unwrap();
        let intercept = route
            .intercept(&"https://example.com/".parse().unwrap())
            .unwrap();
        // base64("alice:p@ss")
        assert_eq!(intercept.basic_auth().unwrap(), "Basic YWxpY2U6cEBzcw==");
        assert!(intercept.basic_auth().unwrap().is_sensitive());
        assert_eq!(intercept.uri().host(), Some("proxy"));
        assert_eq!(intercept.uri().port_u16(), Some(3128));
    }

    #[test]
    fn a_proxy_url_without_scheme_is_http() {
        let route = options("proxy.corp:3128", "").route().unwrap().unwrap();
        let intercept = route
            .intercept(&"https://example.com/".parse().unwrap())
            .unwrap();
        assert_eq!(intercept.uri().scheme_str(), Some("http"));
        assert_eq!(intercept.uri().host(), Some("proxy.corp"));
    }

    #[test]
    fn unusable_proxy_urls_are_refused_without_being_repeated() {
        for url in [
            "https://user:secret@proxy:3128",
            "socks5://user:secret@proxy:1080",
            "http://user:secret@",
            "http://user:secret@proxy:3128:99",
            "http://",
            "",
            "not a url, user:secret",
        ] {
            let error = options(url, "").route().err();
            let Some(error) = error else {
                panic!("{url:?} should be refused");
            };
            let text = format!("{error} {error:?}");
            assert!(text.starts_with("invalid proxy URL"), "{text}");
            assert!(!text.contains("secret"), "{text}");
        }
    }

    #[test]
    fn debug_hides_the_credentials() {
        let debug = format!("{:?}", options("http://alice:s3cret@proxy:3128", "a.test"));
        assert!(debug.contains("http://***@proxy:3128"), "{debug}");
        assert!(debug.contains("a.test"), "{debug}");
        assert!(
            !debug.contains("alice") && !debug.contains("s3cret"),
            "{debug}"
        );

        let debug = format!("{:?}", options("user:s3cret@@proxy", ""));
        assert!(!debug.contains("s3cret"), "{debug}");
    }
}
