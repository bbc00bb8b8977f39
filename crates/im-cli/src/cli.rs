//! The command-line grammar.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use im_server::ServerLimits;

/// What happens to calls when the shared Redis budget cannot be reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum RedisFallback {
    /// Pace in this process alone, with a warning, until Redis answers again.
    Local,
    /// Fail the calls.
    Fail,
}

/// imctl: manage Tencent Cloud Chat blocklists, sign and check UserSigs, run a local emulator.
#[derive(Debug, Parser)]
#[command(name = "imctl", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: Global,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Options accepted before or after any subcommand; each can come from the environment.
#[derive(Debug, Args)]
pub(crate) struct Global {
    /// Base URL of the service or an emulator (plain http only on loopback).
    #[arg(long, global = true, env = "TIM_ENDPOINT", conflicts_with = "region")]
    pub(crate) endpoint: Option<String>,
    /// Region of the app: china, singapore, seoul, tokyo, frankfurt, silicon-valley, jakarta.
    #[arg(long, global = true, env = "TIM_REGION")]
    pub(crate) region: Option<String>,
    /// The app's SDKAppID (a positive number: 0 is no app).
    #[arg(long, global = true, env = "TIM_SDKAPPID", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) sdkappid: Option<u64>,
    /// The app's secret key. Prefer TIM_SECRET_KEY or --key-file: other users of the
    /// machine can read command-line arguments.
    #[arg(long, global = true, env = "TIM_SECRET_KEY", hide_env_values = true)]
    pub(crate) key: Option<String>,
    /// Read the app's secret key from this file (its first line), or `-` for standard
    /// input; it takes precedence over TIM_SECRET_KEY.
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) key_file: Option<PathBuf>,
    /// Set when the key was given as a command-line argument (not from the environment).
    #[arg(skip)]
    pub(crate) key_on_command_line: bool,
    /// The app admin account requests are made as.
    #[arg(
        long,
        global = true,
        env = "TIM_ADMIN",
        default_value = "administrator"
    )]
    pub(crate) admin: String,
    /// Calls per second per API [default: each API's documented limit: 200, and 100 for
    /// bulk account import and account check].
    #[arg(long, global = true, env = "TIM_RATE")]
    pub(crate) rate: Option<u32>,
    /// Share the calls/s budget with other processes through this Redis
    /// (`redis://[:password@]host:port[/db]`).
    #[arg(long, global = true, env = "TIM_REDIS_URL", hide_env_values = true)]
    pub(crate) redis: Option<String>,
    /// What to do when Redis cannot be reached: `local` paces in this process alone (with a
    /// warning), `fail` stops the calls.
    #[arg(long, global = true, value_enum, default_value_t = RedisFallback::Local)]
    pub(crate) redis_unavailable: RedisFallback,
    /// Print results as JSON on standard output.
    #[arg(long, global = true)]
    pub(crate) json: bool,
    /// Log what happens on standard error (RUST_LOG refines it).
    #[arg(long, short, global = true)]
    pub(crate) verbose: bool,
}

impl Global {
    /// The calls/s of the blocklist APIs: `--rate`, or their documented limit.
    pub(crate) fn blocklist_rate(&self) -> u32 {
        self.rate
            .unwrap_or_else(|| tencent_im::protocol::Api::BlackListAdd.default_calls_per_second())
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run a realistic story end to end against an embedded emulator.
    #[command(after_help = "Example:\n  imctl demo")]
    Demo,
    /// Run the emulator as an HTTP server on loopback.
    #[command(
        after_help = "Example:\n  imctl serve --addr 127.0.0.1:8080 --faults 502=0.05,account=0.3,seed=7"
    )]
    Serve(ServeArgs),
    /// Make and check UserSigs.
    #[command(subcommand)]
    #[command(after_help = "Example:\n  imctl sig gen --identifier alice --expire 86400")]
    Sig(SigCommand),
    /// Change, read and check blocklists.
    #[command(subcommand)]
    #[command(after_help = "Example:\n  imctl blocklist add --from alice --to bob carol")]
    Blocklist(BlocklistCommand),
    /// Import, check and delete accounts.
    #[command(subcommand)]
    #[command(after_help = "Example:\n  imctl account import --file accounts.csv")]
    Account(AccountCommand),
    /// Receive and verify blocklist webhooks (callbacks).
    #[command(subcommand)]
    #[command(
        after_help = "Example:\n  TIM_WEBHOOK_TOKEN=... imctl webhook listen --addr 127.0.0.1:8081 --json"
    )]
    Webhook(WebhookCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) to standard
    /// output.
    #[command(
        after_help = "Example:\n  imctl completions bash > ~/.local/share/bash-completion/completions/imctl"
    )]
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) to standard output.
    #[command(after_help = "Example:\n  imctl man > imctl.1 && man ./imctl.1")]
    Man,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on (loopback).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub(crate) addr: SocketAddr,
    /// Faults to inject, e.g. `502=0.05,account=0.3,lost=0.1,truncated=0.01,latency=50ms,seed=7`.
    #[arg(long)]
    pub(crate) faults: Option<String>,
    /// A file naming accounts to import first: one per line, or `from,to` pairs.
    #[arg(long)]
    pub(crate) accounts: Option<PathBuf>,
    /// Send signed blocklist webhooks (callbacks) to this URL after each change.
    #[arg(long, value_name = "URL")]
    pub(crate) webhook: Option<String>,
    /// The token webhooks are signed with (prefer the environment variable).
    #[arg(long, env = "TIM_WEBHOOK_TOKEN", hide_env_values = true)]
    pub(crate) webhook_token: Option<String>,
    /// Allow `--webhook` to send plain `http` to a host that is not loopback (the
    /// callbacks, with their pairs and `Sign`, then cross the network unencrypted).
    #[arg(long)]
    pub(crate) allow_insecure_webhook: bool,
    #[command(flatten)]
    pub(crate) limits: ServerLimitArgs,
}

/// How long `serve` and `webhook listen` wait for a client, and how many they serve at once.
#[derive(Debug, Args)]
pub(crate) struct ServerLimitArgs {
    /// Seconds a client may take to send a request's head; also how long a kept-alive
    /// connection may sit idle.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = ServerLimits::DEFAULT_HEADER_READ_TIMEOUT.as_secs(),
        value_parser = clap::value_parser!(u64).range(1..),
    )]
    pub(crate) header_timeout: u64,
    /// Seconds reading a request's body and answering it may take.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = ServerLimits::DEFAULT_REQUEST_TIMEOUT.as_secs(),
        value_parser = clap::value_parser!(u64).range(1..),
    )]
    pub(crate) request_timeout: u64,
    /// Connections served at once; further clients wait until one closes.
    #[arg(
        long,
        value_name = "N",
        default_value_t = ServerLimits::DEFAULT_MAX_CONNECTIONS as u64,
        value_parser = clap::value_parser!(u64).range(1..),
    )]
    pub(crate) max_connections: u64,
}

impl ServerLimitArgs {
    /// The limits these arguments ask for.
    pub(crate) fn limits(&self) -> ServerLimits {
        ServerLimits::default()
            .with_header_read_timeout(Duration::from_secs(self.header_timeout))
            .with_request_timeout(Duration::from_secs(self.request_timeout))
            .with_max_connections(usize::try_from(self.max_connections).unwrap_or(usize::MAX))
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum WebhookCommand {
    /// Serve HTTP on loopback, verify callbacks on any path and print each event; rejected
    /// requests go to standard error. Ctrl-C stops it.
    #[command(
        after_help = "Example:\n  TIM_WEBHOOK_TOKEN=... imctl webhook listen --addr 127.0.0.1:8081 --json"
    )]
    Listen(ListenArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ListenArgs {
    /// Address to listen on (loopback; port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8081")]
    pub(crate) addr: SocketAddr,
    /// The webhook token set in the console (prefer the environment variable: arguments
    /// are visible to others).
    #[arg(long, env = "TIM_WEBHOOK_TOKEN", hide_env_values = true)]
    pub(crate) token: Option<String>,
    /// How far `RequestTime` may be from now, in seconds, either way.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub(crate) window: u64,
    #[command(flatten)]
    pub(crate) limits: ServerLimitArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum SigCommand {
    /// Print a new UserSig for an identifier.
    #[command(
        after_help = "Example:\n  TIM_SDKAPPID=1400000000 TIM_SECRET_KEY=... imctl sig gen --identifier alice --expire 86400"
    )]
    Gen {
        /// The UserID to sign for.
        #[arg(long)]
        identifier: String,
        /// Validity in seconds (at least 1).
        #[arg(long, default_value_t = 86_400, value_parser = clap::value_parser!(u64).range(1..))]
        expire: u64,
    },
    /// Check a UserSig: exit 0 when valid, 1 with the reason otherwise.
    #[command(after_help = "Example:\n  imctl sig verify --identifier alice \"$SIG\"")]
    Verify {
        /// The UserID the sig must be for.
        #[arg(long)]
        identifier: String,
        /// The UserSig.
        sig: String,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum BlocklistCommand {
    /// Block accounts.
    #[command(
        after_help = "Example:\n  imctl blocklist add --from alice --to bob carol   # or --to-file ids.txt"
    )]
    Add(UpdateArgs),
    /// Unblock accounts.
    #[command(after_help = "Example:\n  imctl blocklist remove --from alice --to bob")]
    Remove(UpdateArgs),
    /// List a user's blocklist.
    #[command(after_help = "Example:\n  imctl blocklist list --from alice --json")]
    List {
        /// The user whose blocklist is listed.
        #[arg(long)]
        from: String,
    },
    /// Check accounts against a user's blocklist (both ways unless --single).
    #[command(
        after_help = "Example:\n  imctl blocklist check --from alice --to bob carol --single"
    )]
    Check {
        #[command(flatten)]
        target: Targets,
        /// Only look at the From user's own blocklist.
        #[arg(long)]
        single: bool,
    },
    /// Block many (from, to) pairs from a file of `from,to` lines.
    #[command(
        after_help = "Example:\n  imctl blocklist import --file pairs.csv --checkpoint import.ckpt"
    )]
    Import {
        /// The file of `from,to` pairs (CSV, optional `from,to` header, `#` comments in the
        /// first column), or `-` for standard input.
        #[arg(long)]
        file: PathBuf,
        /// Record progress here; a rerun with the same file resumes after the finished part.
        #[arg(long)]
        checkpoint: Option<PathBuf>,
    },
    /// Write every entry of users' blocklists to a file, as the `from,to` pairs `import` reads.
    #[command(
        after_help = "Example:\n  imctl blocklist export --users users.txt --out pairs.csv --checkpoint export.ckpt"
    )]
    Export(ExportArgs),
}

/// How `blocklist export` writes the entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ExportFormat {
    /// `from,to` lines, the input of `blocklist import`.
    Pairs,
    /// One JSON object per line: `{"from":..,"to":..,"added_at":..}` (Unix seconds).
    Jsonl,
}

#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// A file of UserIDs, one per line (CSV, as for --to-file), or `-` for standard input.
    #[arg(long, required_unless_present = "user", conflicts_with = "user")]
    pub(crate) users: Option<PathBuf>,
    /// UserIDs whose blocklists are exported, repeatable.
    #[arg(long, num_args = 1..)]
    pub(crate) user: Vec<String>,
    /// The file to write. It is written beside, as `<file>.part`, and renamed to this name
    /// once every user was exported.
    #[arg(long)]
    pub(crate) out: PathBuf,
    /// The format of the file.
    #[arg(long, value_enum, default_value_t = ExportFormat::Pairs)]
    pub(crate) format: ExportFormat,
    /// Record progress here; a rerun with the same users and file resumes after the
    /// finished users, without writing any entry twice.
    #[arg(long)]
    pub(crate) checkpoint: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct UpdateArgs {
    #[command(flatten)]
    pub(crate) target: Targets,
}

/// The From user and the accounts to act on.
#[derive(Debug, Args)]
pub(crate) struct Targets {
    /// The user whose blocklist is used.
    #[arg(long)]
    pub(crate) from: String,
    /// Accounts, one per argument (spaces around removed; a comma is refused: a UserID with
    /// a comma goes in --to-file, quoted).
    #[arg(long = "to", required_unless_present = "to_file", conflicts_with = "to_file", num_args = 1..)]
    pub(crate) to: Vec<String>,
    /// A file of UserIDs, one per line (CSV, optional `UserID` header, `#` comments in the
    /// first column), or `-` for standard input.
    #[arg(long)]
    pub(crate) to_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AccountCommand {
    /// Import accounts from a file of `UserID[,Nick[,FaceUrl]]` lines (CSV); existing
    /// accounts get the nickname and avatar given.
    #[command(
        after_help = "Example:\n  imctl account import --file accounts.csv --checkpoint accounts.ckpt"
    )]
    Import {
        /// The accounts file, or `-` for standard input.
        #[arg(long)]
        file: PathBuf,
        /// Record progress here; a rerun with the same file resumes after the finished part.
        #[arg(long)]
        checkpoint: Option<PathBuf>,
    },
    /// Tell, for each account, whether it was imported.
    #[command(
        after_help = "Example:\n  imctl account check --file ids.txt --json   # or --id alice bob"
    )]
    Check(AccountIds),
    /// Delete accounts; accounts that do not exist are reported as such.
    #[command(after_help = "Example:\n  imctl account delete --id alice bob")]
    Delete(AccountIds),
}

/// The accounts a check or delete acts on.
#[derive(Debug, Args)]
pub(crate) struct AccountIds {
    /// Accounts, one per argument (spaces around removed; a comma is refused).
    #[arg(long = "id", required_unless_present = "file", conflicts_with = "file", num_args = 1..)]
    pub(crate) ids: Vec<String>,
    /// A file of UserIDs, one per line (CSV, as for --to-file), or `-` for standard input.
    #[arg(long)]
    pub(crate) file: Option<PathBuf>,
}
