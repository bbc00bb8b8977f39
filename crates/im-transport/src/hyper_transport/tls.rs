//! The rustls client configuration: which crypto provider, which root certificates.

use std::fmt;
use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls::{ClientConfig, RootCertStore};

use super::config_error::ConfigError;

#[cfg(not(any(feature = "hyper", feature = "aws-lc-rs")))]
compile_error!(
    "im-transport: enable the `hyper` feature (rustls on ring) or the `aws-lc-rs` feature, \
     not `__hyper` alone"
);

/// The name of the crypto provider this build uses.
#[cfg(feature = "aws-lc-rs")]
const PROVIDER: &str = "aws-lc-rs";
#[cfg(not(feature = "aws-lc-rs"))]
const PROVIDER: &str = "ring";

/// The crypto provider of this build: aws-lc-rs when its feature is on (even if `hyper`
/// brought ring too), ring otherwise.
fn provider() -> CryptoProvider {
    #[cfg(feature = "aws-lc-rs")]
    {
        rustls::crypto::aws_lc_rs::default_provider()
    }
    #[cfg(not(feature = "aws-lc-rs"))]
    {
        rustls::crypto::ring::default_provider()
    }
}

/// What the TLS configuration is made of, as the builder collected it.
#[derive(Clone)]
pub(super) struct TlsOptions {
    pub(super) webpki_roots: bool,
    #[cfg(feature = "rustls-native-certs")]
    pub(super) native_roots: bool,
    /// PEM bundles of extra root certificates, parsed when the transport is built.
    pub(super) extra_pem: Vec<Vec<u8>>,
    /// A configuration of the application's own, used instead of all the options above.
    pub(super) custom: Option<ClientConfig>,
}

impl Default for TlsOptions {
    fn default() -> Self {
        Self {
            webpki_roots: true,
            #[cfg(feature = "rustls-native-certs")]
            native_roots: false,
            extra_pem: Vec::new(),
            custom: None,
        }
    }
}

/// A `Debug`-friendly digest of [`TlsOptions`].
#[derive(Clone, Copy)]
pub(super) struct TlsSummary {
    provider: &'static str,
    webpki_roots: bool,
    native_roots: bool,
    pem_bundles: usize,
    custom_config: bool,
}

impl fmt::Debug for TlsSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tls")
            .field("provider", &self.provider)
            .field("webpki_roots", &self.webpki_roots)
            .field("native_roots", &self.native_roots)
            .field("pem_bundles", &self.pem_bundles)
            .field("custom_config", &self.custom_config)
            .finish()
    }
}

impl TlsOptions {
    pub(super) fn summary(&self) -> TlsSummary {
        let custom_config = self.custom.is_some();
        TlsSummary {
            provider: if custom_config { "custom" } else { PROVIDER },
            webpki_roots: self.webpki_roots,
            native_roots: self.native_roots(),
            pem_bundles: self.extra_pem.len(),
            custom_config,
        }
    }

    fn native_roots(&self) -> bool {
        #[cfg(feature = "rustls-native-certs")]
        {
            self.native_roots
        }
        #[cfg(not(feature = "rustls-native-certs"))]
        {
            false
        }
    }

    /// Builds the client configuration, without ALPN (the connector sets it).
    pub(super) fn client_config(&self) -> Result<ClientConfig, ConfigError> {
        if let Some(custom) = &self.custom {
            if !self.webpki_roots || self.native_roots() || !self.extra_pem.is_empty() {
                return Err(ConfigError::CustomConfigWithRoots);
            }
            let mut config = custom.clone();
            config.alpn_protocols.clear();
            return Ok(config);
        }

        let roots = self.root_store()?;
        let config = ClientConfig::builder_with_provider(Arc::new(provider()))
            .with_safe_default_protocol_versions()
            .map_err(ConfigError::Tls)?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(config)
    }

    fn root_store(&self) -> Result<RootCertStore, ConfigError> {
        let mut roots = RootCertStore::empty();
        if self.webpki_roots {
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        }
        #[cfg(feature = "rustls-native-certs")]
        if self.native_roots {
            add_native_roots(&mut roots)?;
        }
        for pem in &self.extra_pem {
            add_pem_roots(&mut roots, pem)?;
        }
        if roots.is_empty() {
            return Err(ConfigError::NoRoots);
        }
        Ok(roots)
    }
}

impl fmt::Debug for TlsOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A custom configuration is not printed: it may hold a client key.
        self.summary().fmt(f)
    }
}

/// Adds every `CERTIFICATE` of a PEM bundle; other sections (a key, say) are skipped.
fn add_pem_roots(roots: &mut RootCertStore, pem: &[u8]) -> Result<(), ConfigError> {
    let mut added = 0_usize;
    for certificate in CertificateDer::pem_slice_iter(pem) {
        let certificate = certificate.map_err(ConfigError::Pem)?;
        roots
            .add(certificate)
            .map_err(ConfigError::BadRootCertificate)?;
        added += 1;
    }
    if added == 0 {
        return Err(ConfigError::NoCertificateInPem);
    }
    Ok(())
}

/// Adds the operating system's root certificates; fails when none could be loaded.
#[cfg(feature = "rustls-native-certs")]
fn add_native_roots(roots: &mut RootCertStore) -> Result<(), ConfigError> {
    let mut found = rustls_native_certs::load_native_certs();
    let (added, _unparsable) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        let first_error = (!found.errors.is_empty()).then(|| found.errors.swap_remove(0));
        return Err(ConfigError::NoNativeRoots(first_error));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A self-signed CA certificate (`rcgen`), so these tests need no files.
    fn ca_pem() -> String {
        let params = rcgen::CertificateParams::new(vec!["ca.example.test".to_owned()]).unwrap();
        let key = rcgen::KeyPair::generate().unwrap();
        params.self_signed(&key).unwrap().pem()
    }

    #[test]
    fn the_default_trusts_the_webpki_roots() {
        let options = TlsOptions::default();
        assert_eq!(
            options.root_store().unwrap().len(),
            webpki_roots::TLS_SERVER_ROOTS.len()
        );
    }

    #[test]
    fn pem_roots_add_every_certificate_of_a_bundle() {
        let bundle = format!("{}{}", ca_pem(), ca_pem());
        let options = TlsOptions {
            webpki_roots: false,
            extra_pem: vec![bundle.into_bytes()],
            ..TlsOptions::default()
        };
        assert_eq!(options.root_store().unwrap().len(), 2);
    }

    #[test]
    fn a_pem_without_a_certificate_is_refused() {
        let key = rcgen::KeyPair::generate().unwrap().serialize_pem();
        for pem in [key.as_bytes(), b"not pem at all".as_slice(), b""] {
            let options = TlsOptions {
                extra_pem: vec![pem.to_vec()],
                ..TlsOptions::default()
            };
            let error = options.client_config().unwrap_err();
            assert!(
                matches!(error, ConfigError::NoCertificateInPem),
                "{error:?}"
            );
        }
    }

    #[test]
    fn a_garbled_pem_is_refused() {
        let pem = "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
        let options = TlsOptions {
            extra_pem: vec![pem.as_bytes().to_vec()],
            ..TlsOptions::default()
        };
        let error = options.client_config().unwrap_err();
        assert!(
            matches!(
                error,
                ConfigError::Pem(_) | ConfigError::BadRootCertificate(_)
            ),
            "{error:?}"
        );
    }

    #[test]
    fn no_roots_at_all_is_refused() {
        let options = TlsOptions {
            webpki_roots: false,
            ..TlsOptions::default()
        };
        assert!(matches!(
            options.client_config().unwrap_err(),
            ConfigError::NoRoots
        ));
    }

    #[test]
    fn a_custom_config_loses_its_alpn_and_refuses_other_root_options() {
        let mut custom = ClientConfig::builder_with_provider(Arc::new(provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(RootCertStore::empty())
            .with_no_client_auth();
        custom.alpn_protocols = vec![b"h3".to_vec()];

        let options = TlsOptions {
            custom: Some(custom.clone()),
            ..TlsOptions::default()
        };
        // hyper-rustls panics on a configuration that already has ALPN protocols.
        assert!(options.client_config().unwrap().alpn_protocols.is_empty());

        let options = TlsOptions {
            custom: Some(custom),
            extra_pem: vec![ca_pem().into_bytes()],
            ..TlsOptions::default()
        };
        assert!(matches!(
            options.client_config().unwrap_err(),
            ConfigError::CustomConfigWithRoots
        ));
    }

    #[test]
    fn the_provider_follows_the_features() {
        // Only aws-lc-rs offers the post-quantum hybrid key exchange by default.
        let hybrid = provider()
            .kx_groups
            .iter()
            .any(|group| group.name() == rustls::NamedGroup::X25519MLKEM768);
        assert_eq!(hybrid, cfg!(feature = "aws-lc-rs"));
        assert_eq!(TlsOptions::default().summary().provider, PROVIDER);
    }
}
