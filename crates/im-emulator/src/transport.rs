//! The in-process face: a [`Transport`] that hands requests straight to the emulator.

use std::io;

use async_trait::async_trait;
use bytes::Bytes;
use im_transport::{Transport, TransportError};

use crate::Emulator;
use crate::replies::Reply;

/// A [`Transport`] served by an [`Emulator`] in the same process: no sockets, no TLS.
///
/// The request URI may name any scheme and host; only its path and query are read. Requests
/// are handled exactly as the [HTTP server](Emulator::serve) handles them. When an injected
/// fault loses the answer, `send` fails with a body error
/// ([`TransportError::is_body`]), as a client whose connection closed mid-exchange would.
///
/// ```
/// use std::sync::Arc;
///
/// use im_emulator::{Emulator, EmulatorTransport};
/// use im_sig::SecretKey;
/// use im_transport::Transport;
///
/// let emulator = Emulator::new(1_400_000_000, SecretKey::new("key"));
/// let transport: Arc<dyn Transport> = Arc::new(EmulatorTransport::new(&emulator));
/// # let _ = transport;
/// ```
#[derive(Clone, Debug)]
pub struct EmulatorTransport {
    emulator: Emulator,
}

impl EmulatorTransport {
    /// A transport served by `emulator` (sharing its state).
    pub fn new(emulator: &Emulator) -> Self {
        EmulatorTransport {
            emulator: emulator.clone(),
        }
    }

    /// The emulator behind this transport.
    pub fn emulator(&self) -> &Emulator {
        &self.emulator
    }
}

#[async_trait]
impl Transport for EmulatorTransport {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        let (parts, body) = request.into_parts();
        match self.emulator.handle(&parts.method, &parts.uri, &body).await {
            Reply::Answer(response) => Ok(response),
            Reply::Lost => Err(TransportError::body(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed before the answer",
            ))),
        }
    }
}
