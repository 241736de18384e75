//! The `aidledger` binary: parses the command line and hands it to the command it names.
//!
//! # Layout
//! - `main.rs`: the top-level options and the dispatch.
//! - [`commands`]: one file per subcommand, its `clap` arguments beside what it does and prints.
//! - [`key_options`]: where the checkpoint signing key lives (`serve`, `verify`, `export`,
//!   `backup`, `keygen`) and the verifier key derived from it.
//! - [`logging`]: the log on stderr, text on a terminal and JSON lines elsewhere.
//! - [`outcome`]: how `verify` and `backup` print a verification's outcome and its exit code.
//! - [`progress`]: progress bars on stderr, and bringing the projections up to date under one.
//! - [`shutdown`]: the signals that stop `serve` and `relay`.

mod commands;
mod key_options;
mod logging;
mod outcome;
mod progress;
mod shutdown;

use std::process::ExitCode;

use aidledger_server::db::DEFAULT_DATABASE_URL;
use clap::Parser;
use commands::Command;

/// aidledger: a tamper-evident ledger of a care bureau's work.
#[derive(Debug, Parser)]
#[command(name = "aidledger", version, about)]
struct Cli {
    /// Database URL: sqlite://FILE (created if missing) or postgres://… [default: sqlite://aidledger.db;
    /// for `bench`, a temporary SQLite file].
    #[arg(long, env = "DATABASE_URL", global = true)]
    database_url: Option<String>,
    /// How the log on stderr is written: text on a terminal and JSON lines otherwise (auto), or
    /// always text, or always JSON lines.
    #[arg(long, value_enum, env = "AIDLEDGER_LOG_FORMAT", global = true, default_value = "auto")]
    log_format: logging::LogFormat,
    /// What to do.
    #[command(subcommand)]
    command: Command,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let json_log = logging::init(cli.log_format);
    match run(cli).await {
        Ok(code) => code,
        Err(error) => {
            if json_log {
                tracing::error!(error = format!("{error:#}"), "the command failed");
            } else {
                eprintln!("error: {error:#}");
            }
            ExitCode::from(2)
        }
    }
}

/// Runs the command; the exit code is the command's own (verify's 1), errors are reported by `main`.
async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let given_url = cli.database_url;
    let url = given_url.clone().unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
    match cli.command {
        Command::Serve(args) => commands::serve::run(&url, args).await?,
        Command::Migrate => commands::migrate::run(&url).await?,
        Command::Token { command } => commands::token::run(&url, command).await?,
        Command::Verify(args) => return commands::verify::run(&url, args).await,
        Command::Export(args) => commands::export::run(&url, args).await?,
        Command::Import(args) => return commands::import::run(&url, args).await,
        Command::Backup(args) => return commands::backup::run(&url, args).await,
        Command::Keygen(args) => commands::keygen::run(&url, args).await?,
        Command::Report(args) => return commands::report::run(&url, args).await,
        Command::Rebuild(args) => commands::rebuild::run(&url, args).await?,
        Command::Demo(args) => commands::demo::run(&url, args).await?,
        Command::Bench(args) => commands::bench::run(given_url.as_deref(), args).await?,
        Command::Copy(args) => commands::copy::run(args).await?,
        Command::Witness { command } => commands::witness::run(given_url.as_deref(), command).await?,
    }
    Ok(ExitCode::SUCCESS)
}
