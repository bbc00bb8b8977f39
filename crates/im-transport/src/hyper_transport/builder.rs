//! The settings of a [`HyperTransport`] and how it is assembled from them.

use std::fmt;
use std::time::Duration;

use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

#[cfg(feature = "proxy")]
use super::proxy::{ProxyConnector, ProxyOptions};
use super::tls::{TlsOptions, TlsSummary};
use super::{HyperTransport, connect};
use crate::TransportError;

/// Configures a [`HyperTransport`]; created by [`HyperTransport::builder`].
///
/// Every option has a default that suits Tencent's REST API over the public internet; the
/// settings are checked, and PEM data parsed, when [`build`](Self::build) is called. `Debug`
/// shows the settings, never proxy credentials or a custom TLS configuration.
#[derive(Clone, Default)]
#[must_use]
pub struct HyperTransportBuilder {
    settings: Settings,
    tls: TlsOptions,
    #[cfg(feature = "proxy")]
    proxy: ProxyOptions,
}

/// The plain settings, kept by the transport for `Debug` and for each request.
#[derive(Clone, Copy, Debug)]
pub(super) struct Settings {
    pub(super) timeout: Duration,
    pub(super) connect_timeout: Duration,
    pub(super) max_response_bytes: usize,
    pub(super) pool_idle_timeout: Duration,
    pub(super) pool_max_idle_per_host: usize,
    pub(super) allow_plain_http: bool,
    pub(super) http2: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(3),
            max_response_bytes: 4 * 1024 * 1024,
            pool_idle_timeout: Duration::from_secs(60),
            pool_max_idle_per_host: 256,
            allow_plain_http: false,
            http2: true,
        }
    }
}

/// What a built transport shows of its TLS and proxy options in `Debug`; no secrets.
#[derive(Clone)]
pub(super) struct Summary {
    tls: TlsSummary,
    #[cfg(feature = "proxy")]
    proxy: ProxyOptions,
}

impl Summary {
    /// Adds the summary's fields to a `Debug` output.
    pub(super) fn fields(&self, debug: &mut fmt::DebugStruct<'_, '_>) {
        debug.field("tls", &self.tls);
        #[cfg(feature = "proxy")]
        debug.field("proxy", &self.proxy);
    }
}

impl fmt::Debug for HyperTransportBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("HyperTransportBuilder");
        debug
            .field("settings", &self.settings)
            .field("tls", &self.tls);
        #[cfg(feature = "proxy")]
        debug.field("proxy", &self.proxy);
        debug.finish()
    }
}

impl HyperTransportBuilder {
    /// The per-attempt deadline for connecting, sending the request and reading the whole
    /// response body. Default: 10 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings.timeout = timeout;
        self
    }

    /// The deadline for establishing a connection: DNS, TCP, the proxy tunnel and the TLS
    /// handshake. Default: 3 s.
    ///
    /// Keep it below [`timeout`](Self::timeout); otherwise a stalled connect surfaces as a
    /// timeout instead of a connect error.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.settings.connect_timeout = timeout;
        self
    }

    /// The largest response body accepted, in bytes; larger bodies fail with
    /// [`TransportErrorKind::TooLarge`](crate::TransportErrorKind::TooLarge). Default: 4 MiB.
    pub fn max_response_bytes(mut self, max: usize) -> Self {
        self.settings.max_response_bytes = max;
        self
    }

    /// How long an unused pooled connection is kept open. Default: 60 s.
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.settings.pool_idle_timeout = timeout;
        self
    }

    /// How many idle connections are kept per host. Default: 256, enough for HTTP/1.1 at a
    /// few hundred requests per second. `0` keeps none: every request opens a connection.
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.settings.pool_max_idle_per_host = max;
        self
    }

    /// Whether `http://` URIs are accepted. Default: `false`, so they fail with
    /// [`TransportErrorKind::InvalidRequest`](crate::TransportErrorKind::InvalidRequest)
    /// before anything is sent. Enable it only for servers on loopback, such as emulators.
    /// Plain `http` requests never go through a proxy.
    pub fn allow_plain_http(mut self, allow: bool) -> Self {
        self.settings.allow_plain_http = allow;
        self
    }

    /// Whether HTTP/2 is offered in the TLS handshake (ALPN). Default: `true`, so a server
    /// that speaks HTTP/2 gets it and the others HTTP/1.1; `false` offers HTTP/1.1 only.
    pub fn http2(mut self, enable: bool) -> Self {
        self.settings.http2 = enable;
        self
    }

    /// Whether the webpki root certificates (Mozilla's, compiled in) are trusted.
    /// Default: `true`. Turn them off to trust only the roots added with
    /// [`add_root_certificates_pem`](Self::add_root_certificates_pem) or `native_roots`.
    pub fn webpki_roots(mut self, trust: bool) -> Self {
        self.tls.webpki_roots = trust;
        self
    }

    /// Whether the operating system's root certificates are trusted (feature
    /// `rustls-native-certs`). Default: `false`. When asked for, at least one must load, or
    /// [`build`](Self::build) fails.
    #[cfg(feature = "rustls-native-certs")]
    pub fn native_roots(mut self, trust: bool) -> Self {
        self.tls.native_roots = trust;
        self
    }

    /// Also trusts the root certificates of a PEM bundle, such as a company's private CA.
    /// May be called more than once.
    ///
    /// Every `CERTIFICATE` section is added and other sections are skipped. A bundle
    /// without a certificate, or one that cannot be parsed, makes [`build`](Self::build)
    /// fail.
    ///
    /// ```no_run
    /// use im_transport::HyperTransport;
    ///
    /// let transport = HyperTransport::builder()
    ///     .add_root_certificates_pem(std::fs::read("/etc/company/ca.pem")?)
    ///     .build()?;
    /// # let _ = transport;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add_root_certificates_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.tls.extra_pem.push(pem.as_ref().to_vec());
        self
    }

    /// Uses a rustls client configuration of your own: its crypto provider, roots, client
    /// certificate, protocol versions. Its ALPN protocols are replaced by the transport's
    /// ([`http2`](Self::http2)). The root options ([`webpki_roots`](Self::webpki_roots),
    /// [`add_root_certificates_pem`](Self::add_root_certificates_pem), `native_roots`) do
    /// not apply to it: combining them makes [`build`](Self::build) fail.
    ///
    /// `im_transport::rustls` is the rustls this crate is built with.
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// use im_transport::HyperTransport;
    /// use im_transport::rustls::{ClientConfig, RootCertStore};
    ///
    /// # fn provider() -> im_transport::rustls::crypto::CryptoProvider {
    /// #     #[cfg(feature = "aws-lc-rs")] { im_transport::rustls::crypto::aws_lc_rs::default_provider() }
    /// #     #[cfg(not(feature = "aws-lc-rs"))] { im_transport::rustls::crypto::ring::default_provider() }
    /// # }
    /// let roots = RootCertStore::empty(); // add your roots here
    /// let config = ClientConfig::builder_with_provider(Arc::new(provider()))
    ///     .with_safe_default_protocol_versions()?
    ///     .with_root_certificates(roots)
    ///     .with_no_client_auth();
    /// let transport = HyperTransport::builder().tls_config(config).build()?;
    /// # let _ = transport;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn tls_config(mut self, config: rustls::ClientConfig) -> Self {
        self.tls.custom = Some(config);
        self
    }

    /// Sends `https` requests through the HTTP proxy at `url` (feature `proxy`), in a
    /// `CONNECT` tunnel, except to the hosts of [`no_proxy`](Self::no_proxy).
    ///
    /// `url` is `http://host:port`, optionally with credentials
    /// (`http://user:password@host:port`, percent-encoded), which are sent as
    /// `Proxy-Authorization: Basic` and never appear in `Debug` output or errors. A URL
    /// without a scheme means `http://`. `https://` (TLS to the proxy) and SOCKS proxies are
    /// not supported; [`build`](Self::build) refuses them, and any URL without a host.
    ///
    /// ```
    /// use im_transport::HyperTransport;
    ///
    /// let transport = HyperTransport::builder()
    ///     .proxy("http://proxy.corp.example:3128")
    ///     .no_proxy("localhost, .corp.example, 10.0.0.0/8")
    ///     .build()?;
    /// # let _ = transport;
    /// # Ok::<(), im_transport::TransportError>(())
    /// ```
    #[cfg(feature = "proxy")]
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy.set_url(url.into());
        self
    }

    /// The hosts reached without the proxy (feature `proxy`), in curl's `NO_PROXY` syntax:
    /// comma-separated domain names (each matches itself and its subdomains; a leading dot
    /// changes nothing), IP addresses, CIDR networks (`10.0.0.0/8`), or `*` for every host.
    /// Ports are ignored. Default: none.
    #[cfg(feature = "proxy")]
    pub fn no_proxy(mut self, hosts: impl Into<String>) -> Self {
        self.proxy.set_no_proxy(hosts.into());
        self
    }

    /// Takes the proxy from the environment (feature `proxy`), now: `HTTPS_PROXY` (else
    /// `https_proxy`) as [`proxy`](Self::proxy) and `NO_PROXY` (else `no_proxy`) as
    /// [`no_proxy`](Self::no_proxy), replacing both. An unset or empty `HTTPS_PROXY` means
    /// no proxy. `HTTP_PROXY` is not read: only `https` requests use a proxy.
    ///
    /// The environment is read only when this is called; a transport built without it
    /// connects directly whatever the environment says.
    ///
    /// ```
    /// use im_transport::HyperTransport;
    ///
    /// let transport = HyperTransport::builder().proxy_from_env().build()?;
    /// # let _ = transport;
    /// # Ok::<(), im_transport::TransportError>(())
    /// ```
    #[cfg(feature = "proxy")]
    pub fn proxy_from_env(mut self) -> Self {
        self.proxy = ProxyOptions::from_env();
        self
    }

    /// Builds the transport.
    ///
    /// Fails with an `Other` error, before anything is sent, when the configuration cannot
    /// be used: a PEM bundle without a valid certificate, no root certificate at all, root
    /// options together with [`tls_config`](Self::tls_config), or an unusable proxy URL.
    /// The error's `source()` says which.
    pub fn build(self) -> Result<HyperTransport, TransportError> {
        let settings = self.settings;
        let tls_config = self.tls.client_config().map_err(TransportError::other)?;

        let mut http = HttpConnector::new();
        // The scheme is checked by the TLS layer, which needs `https` URIs passed through.
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(settings.connect_timeout));
        #[cfg(feature = "proxy")]
        let tcp = ProxyConnector::new(http, self.proxy.route().map_err(TransportError::other)?);
        #[cfg(not(feature = "proxy"))]
        let tcp = http;

        let tls = hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(tls_config);
        let tls = if settings.allow_plain_http {
            tls.https_or_http()
        } else {
            tls.https_only()
        };
        let https = if settings.http2 {
            tls.enable_http1().enable_http2().wrap_connector(tcp)
        } else {
            tls.enable_http1().wrap_connector(tcp)
        };
        let connector = connect::ConnectTimeout {
            inner: https,
            timeout: settings.connect_timeout,
        };

        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(settings.pool_idle_timeout)
            .pool_max_idle_per_host(settings.pool_max_idle_per_host)
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .build(connector);

        Ok(HyperTransport {
            client,
            settings,
            summary: Summary {
                tls: self.tls.summary(),
                #[cfg(feature = "proxy")]
                proxy: self.proxy,
            },
        })
    }
}
