//! The error type of this crate.

use std::io;
use std::net::SocketAddr;

/// What can fail when building or starting an emulator.
///
/// Requests never fail with this type: the emulator answers them the way the service would,
/// with an error code in the response envelope.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmulatorError {
    /// A required builder setting was not given.
    #[error("emulator setting `{name}` is required")]
    MissingSetting {
        /// The name of the builder method that was not called, e.g. `"key"`.
        name: &'static str,
    },
    /// The HTTP server could not listen on the requested address.
    #[error("could not listen on {addr}")]
    Bind {
        /// The address that was asked for.
        addr: SocketAddr,
        /// Why binding failed.
        #[source]
        source: io::Error,
    },
    /// The webhook URL is not an absolute `http` or `https` URL.
    #[error("invalid webhook URL: {reason}")]
    InvalidWebhookUrl {
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl EmulatorError {
    pub(crate) fn bind(addr: SocketAddr, source: io::Error) -> Self {
        EmulatorError::Bind { addr, source }
    }

    pub(crate) fn invalid_webhook_url(reason: &'static str) -> Self {
        EmulatorError::InvalidWebhookUrl { reason }
    }
}
