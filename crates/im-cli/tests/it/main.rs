//! `imctl` run as a process: exit codes, JSON output, standard error.

mod support;

mod blocklist;
mod commands;
mod import;
mod input;
mod sig;
