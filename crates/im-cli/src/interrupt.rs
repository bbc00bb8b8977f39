//! Ctrl-C for the long commands (imports and export): the first one asks the command to
//! stop after the calls in flight, a second one ends the process at once with exit 130.
//!
//! The handler is installed when [`Interrupt::watch`] is called, before the command reads
//! its input, so a Ctrl-C at any moment after that is seen: the command checks
//! [`Interrupt::is_set`] once it has finished and exits with 130, even when the Ctrl-C
//! came after the last item was read.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;

/// The exit code of an interrupted command.
pub(crate) const EXIT_CODE: u8 = 130;

/// Whether Ctrl-C was pressed, shared by the command's tasks.
#[derive(Clone, Debug)]
pub(crate) struct Interrupt {
    set: Arc<AtomicBool>,
    notify: Arc<Notify>,
}

impl Interrupt {
    /// Installs the handler; `in_flight` names what is finished after the first Ctrl-C
    /// ("calls", "users"). Must be called inside the runtime.
    pub(crate) fn watch(in_flight: &'static str) -> Interrupt {
        let interrupt = Interrupt {
            set: Arc::new(AtomicBool::new(false)),
            notify: Arc::new(Notify::new()),
        };
        match Signals::install() {
            Ok(signals) => {
                tokio::spawn(handle(signals, interrupt.clone(), in_flight));
            }
            Err(error) => {
                tracing::warn!(%error, "cannot handle Ctrl-C; it will end the command at once");
            }
        }
        interrupt
    }

    /// Whether Ctrl-C was pressed.
    pub(crate) fn is_set(&self) -> bool {
        self.set.load(Ordering::SeqCst)
    }

    /// Resolves once Ctrl-C was pressed.
    pub(crate) async fn wait(&self) {
        loop {
            let notified = self.notify.notified();
            if self.is_set() {
                return;
            }
            notified.await;
        }
    }

    fn set(&self) {
        self.set.store(true, Ordering::SeqCst);
        self.notify.notify_waiters();
    }
}

async fn handle(mut signals: Signals, interrupt: Interrupt, in_flight: &'static str) {
    if !signals.next().await {
        return;
    }
    interrupt.set();
    eprintln!("\nstopping after the {in_flight} in flight (Ctrl-C again to abort)...");
    if signals.next().await {
        eprintln!("aborted; run the same command again to resume");
        std::process::exit(i32::from(EXIT_CODE));
    }
}

/// The SIGINT (Ctrl-C) stream, registered at once so no signal is missed.
struct Signals {
    #[cfg(unix)]
    signal: tokio::signal::unix::Signal,
}

impl Signals {
    fn install() -> std::io::Result<Signals> {
        #[cfg(unix)]
        {
            let signal = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
            Ok(Signals { signal })
        }
        #[cfg(not(unix))]
        {
            Ok(Signals {})
        }
    }

    /// Waits for the next Ctrl-C; false when no more can come.
    async fn next(&mut self) -> bool {
        #[cfg(unix)]
        {
            self.signal.recv().await.is_some()
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c().await.is_ok()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn waiters_wake_when_it_is_set_and_later_ones_return_at_once() {
        let interrupt = Interrupt {
            set: Arc::new(AtomicBool::new(false)),
            notify: Arc::new(Notify::new()),
        };
        let waiter = tokio::spawn({
            let interrupt = interrupt.clone();
            async move { interrupt.wait().await }
        });
        tokio::task::yield_now().await;
        assert!(!interrupt.is_set());
        interrupt.set();
        waiter.await.expect("the waiter ends");
        interrupt.wait().await;
        assert!(interrupt.is_set());
    }
}
