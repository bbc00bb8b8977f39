//! One module per subcommand.

pub(crate) mod account;
pub(crate) mod account_import;
pub(crate) mod blocklist;
pub(crate) mod demo;
pub(crate) mod export;
pub(crate) mod import;
pub(crate) mod serve;
pub(crate) mod shell;
pub(crate) mod sig;
pub(crate) mod webhook;
