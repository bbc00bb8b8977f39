//! The error of the soak driver.

/// Why a soak could not run to the end. Violations of its checks are not errors: they are
/// figures of the [`SoakReport`](crate::soak::SoakReport).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SoakError {
    /// The emulator could not be built or served.
    #[error("the emulator could not be started")]
    Emulator(#[source] im_emulator::EmulatorError),
    /// The client could not be built.
    #[error("the client could not be built")]
    Client(#[source] tencent_im::BuildError),
    /// The emulator's address is not a valid endpoint.
    #[error("the emulator's address is not a valid endpoint")]
    Endpoint(#[source] tencent_im::protocol::Error),
    /// A worker of the soak panicked or was cancelled.
    #[error("a soak worker did not finish")]
    Worker(#[source] tokio::task::JoinError),
}
