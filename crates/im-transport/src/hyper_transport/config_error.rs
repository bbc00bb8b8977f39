//! Why a [`HyperTransportBuilder`](super::HyperTransportBuilder) refused its configuration.
//!
//! These are the causes (`source()`) of the `Other` [`TransportError`](crate::TransportError)
//! that `build` returns. No message holds a proxy URL, which may carry credentials.

/// A configuration the transport cannot be built with.
#[derive(Debug, thiserror::Error)]
pub(super) enum ConfigError {
    /// The proxy URL cannot be used; the text says why, never what the URL was.
    #[cfg(feature = "proxy")]
    #[error("invalid proxy URL: {0}")]
    ProxyUrl(&'static str),
    /// A PEM bundle of root certificates is malformed.
    #[error("a PEM bundle of root certificates could not be parsed")]
    Pem(#[source] rustls::pki_types::pem::Error),
    /// A PEM bundle of root certificates has no `CERTIFICATE` section.
    #[error("a PEM bundle of root certificates holds no CERTIFICATE section")]
    NoCertificateInPem,
    /// A certificate of a PEM bundle cannot serve as a root (trust anchor).
    #[error("a certificate of a PEM bundle cannot be used as a root certificate")]
    BadRootCertificate(#[source] rustls::Error),
    /// The operating system's root certificates were asked for and none could be loaded.
    #[cfg(feature = "rustls-native-certs")]
    #[error("no root certificate could be loaded from the operating system")]
    NoNativeRoots(#[source] Option<rustls_native_certs::Error>),
    /// Nothing would be trusted.
    #[error("no root certificates: the webpki roots are off and no other roots were given")]
    NoRoots,
    /// Root options given together with a configuration of the application's own.
    #[error(
        "tls_config replaces the root certificate options (webpki_roots, native_roots, \
         add_root_certificates_pem): put the roots in that configuration instead"
    )]
    CustomConfigWithRoots,
    /// rustls refused the configuration.
    #[error("the TLS configuration could not be built")]
    Tls(#[source] rustls::Error),
}
