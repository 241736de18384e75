//! The command line: one `clap` struct for every subcommand and option, and what each one does.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use domain::Role;
use indicatif::{ProgressBar, ProgressStyle};
use projections::queries::summary::{self, SummaryQuery};
use projections::queries::Period;
use projections::ProjectionName;
use tokio::net::TcpListener;

use crate::bench::BenchOptions;
use crate::checkpointer::Checkpointer;
use crate::db::{Database, DEFAULT_DATABASE_URL};
use crate::feed::Feed;
use crate::http::{self, AppState, Limits};
use crate::privacy::master_key::MasterKeyOptions;
use crate::projector::{catch_up, Projector};
use crate::signing::{key_file, NoteSigner, NoteVerifier, DEFAULT_LOG_ORIGIN};
use crate::store::Store;
use crate::verify::{Failure, Outcome};
use crate::{backup, export, token_commands, tokens, verify};

/// aidledger: a tamper-evident ledger of a care bureau's work.
#[derive(Debug, Parser)]
#[command(name = "aidledger", version, about)]
pub struct Cli {
    /// Database URL: sqlite://FILE (created if missing) or postgres://… [default: sqlite://aidledger.db;
    /// for `bench`, a temporary SQLite file].
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Where the key that signs checkpoints lives, and which log it signs for.
#[derive(Clone, Debug, Args)]
pub struct KeyOptions {
    /// The signing key's file (kept outside the database; `serve` creates it, owner-only, when missing).
    #[arg(long, env = "AIDLEDGER_KEY_FILE", default_value = "aidledger.key")]
    pub key_file: PathBuf,
    /// The log's origin, which is also the signing key's name [default: the key file's, or
    /// aidledger.local/log for a new key].
    #[arg(long, env = "AIDLEDGER_LOG_ORIGIN")]
    pub log_origin: Option<String>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database and serve the HTTP API.
    Serve {
        /// Address to listen on; port 0 picks a free port.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Do not apply migrations on start (for servers whose database role may not run DDL).
        #[arg(long)]
        no_migrate: bool,
        /// What one request and one connection may take.
        #[command(flatten)]
        limits: Limits,
        /// The checkpoint signing key.
        #[command(flatten)]
        key: KeyOptions,
        /// The master key that wraps every subject's key.
        #[command(flatten)]
        master_key: MasterKeyOptions,
    },
    /// Apply migrations and exit.
    Migrate,
    /// Manage API tokens.
    Token {
        /// What to do with tokens.
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Re-verify the hash chain, the Merkle tree and every signed checkpoint (or, with --export, an
    /// export offline): exit 0 when they verify, 1 (naming the first bad position) when not, 2 on any
    /// other error.
    Verify {
        /// Verify this export (and FILE.checkpoint beside it) instead of the database, which is then
        /// not opened.
        #[arg(long, value_name = "FILE")]
        export: Option<PathBuf>,
        /// The key that signs checkpoints, as the note verifier key
        /// `<name>+<key id>+<key>` (GET /v1/checkpoint/key) [default: derived from --key-file].
        #[arg(long)]
        verifier_key: Option<String>,
        /// The checkpoint signing key (to derive the verifier key from).
        #[command(flatten)]
        key: KeyOptions,
    },
    /// Write the records exactly as served, one per line, up to the latest signed checkpoint (signing
    /// one for the whole log first when the key file is at hand), and that checkpoint to FILE.checkpoint.
    Export {
        /// The file to write (JSON Lines).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The checkpoint signing key.
        #[command(flatten)]
        key: KeyOptions,
    },
    /// Copy a SQLite ledger, consistently and while it is being served, into a new file, then verify
    /// the copy like `verify` does (exit 0, 1 naming the first bad position, 2 on other errors). For
    /// PostgreSQL, use pg_dump or pg_basebackup (see the README).
    Backup {
        /// The file to create (never overwritten).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The key that signs checkpoints, as the note verifier key [default: derived from
        /// --key-file].
        #[arg(long)]
        verifier_key: Option<String>,
        /// The checkpoint signing key (to derive the verifier key from).
        #[command(flatten)]
        key: KeyOptions,
    },
    /// Create the checkpoint signing key (refusing to overwrite one) and print its verifier key.
    Keygen {
        /// Where to create it, and its name.
        #[command(flatten)]
        key: KeyOptions,
    },
    /// Print the summary report's figures for a period (after bringing the projections up to date).
    Report {
        /// First day of the period (YYYY-MM-DD).
        #[arg(long)]
        from: String,
        /// First day after the period (YYYY-MM-DD; exclusive).
        #[arg(long)]
        to: String,
        /// Only beneficiaries of this district (for the figures about beneficiaries).
        #[arg(long)]
        district: Option<String>,
        /// table, json or csv.
        #[arg(long, default_value = "table", value_parser = ["table", "json", "csv"])]
        format: String,
    },
    /// Rebuild one projection (or all) from position 1.
    Rebuild {
        /// The projection; all when omitted.
        name: Option<String>,
    },
    /// Append a realistic, deterministic synthetic year of a city's care work.
    Demo {
        /// How many events to append.
        #[arg(long, default_value_t = 10_000)]
        events: u64,
        /// The seed: the same seed gives the same events.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The year the events happen in.
        #[arg(long, default_value_t = 2022)]
        year: i32,
        /// The master key that wraps every subject's key.
        #[command(flatten)]
        master_key: MasterKeyOptions,
    },
    /// Measure appends, projection rebuild, verification, reports, audit trails and memory on a fresh
    /// database (a temporary SQLite file unless --database-url names an empty one) and print each
    /// figure beside its bound.
    Bench {
        /// How many events, in what batches, from how many clients.
        #[command(flatten)]
        options: BenchOptions,
    },
    /// Copy a whole ledger into an empty database (e.g. SQLite to PostgreSQL), verifying both sides.
    Copy {
        /// The ledger to copy.
        #[arg(long)]
        from: String,
        /// The empty (or new) database to copy it into.
        #[arg(long)]
        to: String,
    },
}

/// Token subcommands.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it as the last line of stdout.
    Create {
        /// staff, supervisor, auditor, analyst or admin.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The principal (`meta.actor` of what the token appends), e.g. zhao.min.
        #[arg(long)]
        name: String,
    },
    /// List every token, live and revoked: id, role, principal, created_at, revoked_at (never a
    /// secret or its hash).
    List {
        /// table or json.
        #[arg(long, default_value = "table", value_parser = ["table", "json"])]
        format: String,
    },
    /// Revoke a token by its id, or every live token of a principal; a revoked token authenticates
    /// nobody from the next request on.
    Revoke {
        /// The token's id (as `token list` shows it).
        #[arg(long, required_unless_present = "principal", conflicts_with = "principal")]
        id: Option<i64>,
        /// Revoke every live token of this principal instead.
        #[arg(long)]
        principal: Option<String>,
    },
}

fn parse_role(value: &str) -> Result<Role, String> {
    value.parse()
}

/// Runs `cli`; the exit code is the command's own (verify's 1), errors are the caller's to report.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let given_url = cli.database_url;
    let url = given_url.clone().unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
    match cli.command {
        Command::Serve { listen, no_migrate, limits, key, master_key } => {
            serve(&url, &listen, no_migrate, limits, &key, &master_key).await?;
        }
        Command::Migrate => {
            Database::open(&url).await?.migrate().await?;
            println!("migrations applied to {url}");
        }
        Command::Token { command } => token_commands::run(&url, command).await?,
        Command::Verify { export: Some(file), verifier_key, key } => {
            return verify_export(&file, verifier_key.as_deref(), &key);
        }
        Command::Verify { export: None, verifier_key, key } => {
            return verify_database(&url, verifier_key.as_deref(), &key).await;
        }
        Command::Export { out, key } => export(&url, &out, &key).await?,
        Command::Backup { out, verifier_key, key } => {
            let verifier = verifier(verifier_key.as_deref(), &key)?;
            backup::backup(&url, &out).await?;
            eprintln!("copied the ledger to {}; verifying the copy", out.display());
            return Ok(report_outcome(backup::verify_copy(&out, verifier.as_ref()).await?));
        }
        Command::Keygen { key } => keygen(&key)?,
        Command::Report { from, to, district, format } => report(&url, &from, &to, district, &format).await?,
        Command::Rebuild { name } => rebuild(&url, name.as_deref()).await?,
        Command::Demo { events, seed, year, master_key } => {
            demo(&url, events, seed, year, &master_key).await?
        }
        Command::Copy { from, to } => copy(&from, &to).await?,
        Command::Bench { options } => crate::bench::run(given_url.as_deref(), &options).await?,
    }
    Ok(ExitCode::SUCCESS)
}

async fn serve(
    url: &str,
    listen: &str,
    no_migrate: bool,
    limits: Limits,
    key: &KeyOptions,
    master_key: &MasterKeyOptions,
) -> anyhow::Result<()> {
    let (signer, created) = key_file::load_or_create(&key.key_file, key.log_origin.as_deref())?;
    if created {
        eprintln!(
            "created a checkpoint signing key in {} (keep it safe; it is never overwritten)",
            key.key_file.display()
        );
    }
    eprintln!("checkpoints are signed for the log {:?}; verifier key {}", signer.name(), signer.verifier());
    let database = Database::open(url).await?;
    if !no_migrate {
        database.migrate().await?;
    }
    if tokens::none_exist(&database.pool).await? {
        let secret = tokens::create(&database.pool, Role::Admin, "admin").await?;
        println!("no tokens yet: a one-time admin token (principal \"admin\") follows; store it now:");
        println!("{secret}");
    }
    let keyring = master_key.keyring()?;
    if let Some(file) = database.sqlite_file().await? {
        master_key.warn_if_beside(&file);
    }
    let store = Store::open(&database, Some(keyring.clone())).await?;
    let projector = Projector::start(&database, store.head()).await?;
    let checkpointer = Checkpointer::start(store.clone(), Arc::new(signer)).await?;
    let listener = TcpListener::bind(listen).await.with_context(|| format!("listening on {listen}"))?;
    println!("listening on http://{}", listener.local_addr()?);
    std::io::stdout().flush()?;
    let feed = Feed::start(store.pool().clone(), store.head()).await?;
    let state = AppState { store, projector, checkpointer, keyring, limits: Arc::new(limits), feed };
    http::serve(listener, state, shutdown_signal()).await.context("serving HTTP")
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(signal) => signal,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}

async fn open_existing(url: &str) -> anyhow::Result<Store> {
    let database = Database::open(url).await?;
    database.migrate().await?;
    Store::open(&database, None).await
}

/// The key to check checkpoints with: `--verifier-key`, else the key file's public half when there is
/// one; the key's name must be `--log-origin` when that is given.
fn verifier(verifier_key: Option<&str>, key: &KeyOptions) -> anyhow::Result<Option<NoteVerifier>> {
    let verifier = match verifier_key {
        Some(text) => NoteVerifier::parse(text).context("--verifier-key")?,
        None if key.key_file.exists() => key_file::load(&key.key_file, None)?.verifier(),
        None => return Ok(None),
    };
    if let Some(origin) = &key.log_origin {
        anyhow::ensure!(
            verifier.name() == origin,
            "the verifier key is for the log {:?}, not {origin:?}",
            verifier.name()
        );
    }
    Ok(Some(verifier))
}

fn report_outcome(outcome: Outcome) -> ExitCode {
    match outcome {
        Ok(verified) => {
            println!("ok: {verified}");
            ExitCode::SUCCESS
        }
        Err(failure) => {
            let checked = match &failure {
                Failure::Record { position, .. } => format!(" ({} records verified before it)", position - 1),
                Failure::Checkpoint { .. } => String::new(),
            };
            println!("FAILED at {failure}{checked}");
            ExitCode::from(1)
        }
    }
}

async fn verify_database(
    url: &str,
    verifier_key: Option<&str>,
    key: &KeyOptions,
) -> anyhow::Result<ExitCode> {
    let verifier = verifier(verifier_key, key)?;
    let database = Database::open(url).await?;
    database.migrate().await?;
    Ok(report_outcome(verify::database::verify(&database.pool, verifier.as_ref()).await?))
}

fn verify_export(file: &Path, verifier_key: Option<&str>, key: &KeyOptions) -> anyhow::Result<ExitCode> {
    let verifier = verifier(verifier_key, key)?.with_context(|| {
        format!(
            "no key to check the checkpoint with: give --verifier-key, or --key-file ({} does not exist)",
            key.key_file.display()
        )
    })?;
    let note_path = export::checkpoint_path(file);
    let note =
        std::fs::read_to_string(&note_path).with_context(|| format!("reading {}", note_path.display()))?;
    Ok(report_outcome(verify::export_file::verify(file, &note, &verifier)?))
}

async fn export(url: &str, out: &Path, key: &KeyOptions) -> anyhow::Result<()> {
    let signer: Option<NoteSigner> = if key.key_file.exists() {
        Some(key_file::load(&key.key_file, key.log_origin.as_deref())?)
    } else {
        None
    };
    let store = open_existing(url).await?;
    let exported = export::export(&store, signer.as_ref(), out).await?;
    eprintln!(
        "exported {} records to {} and their checkpoint to {}",
        exported.checkpoint.tree_size,
        out.display(),
        export::checkpoint_path(out).display()
    );
    if exported.left_out > 0 {
        eprintln!(
            "{} later records are not in the export: they are not covered by a checkpoint yet and there is no key \
             file ({}) to sign one",
            exported.left_out,
            key.key_file.display()
        );
    }
    Ok(())
}

fn keygen(key: &KeyOptions) -> anyhow::Result<()> {
    let origin = key.log_origin.as_deref().unwrap_or(DEFAULT_LOG_ORIGIN);
    let signer = key_file::create(&key.key_file, origin)?;
    eprintln!(
        "created the checkpoint signing key for {origin:?} in {}; its verifier key follows:",
        key.key_file.display()
    );
    println!("{}", signer.verifier());
    Ok(())
}

fn progress_bar(length: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(length);
    bar.set_style(
        ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(what.to_owned());
    bar
}

/// Brings every projection up to the log's head, with a progress bar.
async fn catch_up_with_progress(database: &Database) -> anyhow::Result<i64> {
    let mut connection = database.connect_for_projections().await?;
    let head = crate::store::writer::committed_head(&mut connection).await?;
    let checkpoints = projections::runner::checkpoints(&database.pool).await?;
    let low = checkpoints.iter().map(|(_, c)| *c).min().unwrap_or(0);
    let bar = progress_bar((head - low).max(0) as u64, "projecting");
    let reached = catch_up(&mut connection, &database.write_turns, |outcome| {
        bar.set_position((outcome.checkpoint - low).max(0) as u64)
    })
    .await?;
    bar.finish_and_clear();
    Ok(reached)
}

async fn report(
    url: &str,
    from: &str,
    to: &str,
    district: Option<String>,
    format: &str,
) -> anyhow::Result<()> {
    let period = Period::parse(from, to).map_err(anyhow::Error::msg)?;
    let database = Database::open(url).await?;
    database.migrate().await?;
    catch_up_with_progress(&database).await?;
    let query = SummaryQuery { period, district, currency: None };
    let summary = summary::summary(&database.pool, &query).await?;
    let table = summary::summary_table(&summary);
    match format {
        "json" => println!("{}", serde_json::to_string(&summary)?),
        "csv" => print!("{}", table.to_csv()),
        _ => {
            let district = query.district.as_deref().map(|d| format!(", {d}")).unwrap_or_default();
            println!("summary {from} .. {to} (to exclusive{district})");
            let single_currency = match summary::currencies(&database.pool).await?.as_slice() {
                [only] => Some(only.clone()),
                _ => None,
            };
            for row in &table.rows {
                let name = row[0].as_text().unwrap_or_default();
                let value = row[1].as_int().unwrap_or_default();
                let currency = match name.rsplit_once('.') {
                    Some((figure, currency)) if figure.ends_with("_minor") => Some(currency.to_owned()),
                    _ if name.ends_with("_minor") => single_currency.clone(),
                    _ => None,
                };
                match currency {
                    Some(currency) => {
                        println!("  {name:<28} {value:>14}  ({})", major_units(value, &currency))
                    }
                    None => println!("  {name:<28} {value:>14}"),
                }
            }
        }
    }
    Ok(())
}

/// An amount in minor units written in major units with its sign and currency: −50 fen is
/// "-0.50 CNY".
fn major_units(minor: i64, currency: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let size = minor.unsigned_abs();
    format!("{sign}{}.{:02} {currency}", size / 100, size % 100)
}

async fn rebuild(url: &str, name: Option<&str>) -> anyhow::Result<()> {
    let database = Database::open(url).await?;
    database.migrate().await?;
    let chosen: Vec<ProjectionName> = match name {
        Some(name) => vec![name.parse().map_err(anyhow::Error::msg)?],
        None => ProjectionName::ALL.to_vec(),
    };
    let started = std::time::Instant::now();
    let mut connection = database.connect_one().await?;
    for projection in &chosen {
        projections::runner::reset(&mut connection, *projection).await?;
    }
    let reached = catch_up_with_progress(&database).await?;
    let seconds = started.elapsed().as_secs_f64();
    let names: Vec<&str> = chosen.iter().map(|p| p.as_str()).collect();
    eprintln!(
        "rebuilt {} to position {reached} in {seconds:.2} s ({:.0} events/s)",
        names.join(", "),
        reached as f64 / seconds.max(1e-9)
    );
    Ok(())
}

async fn demo(
    url: &str,
    events: u64,
    seed: u64,
    year: i32,
    master_key: &MasterKeyOptions,
) -> anyhow::Result<()> {
    let database = Database::open(url).await?;
    database.migrate().await?;
    let store = Store::open(&database, Some(master_key.keyring()?)).await?;
    let bar = progress_bar(events, "appending");
    let started = std::time::Instant::now();
    let outcome = crate::demo::generate(&store, events, seed, year, |done| bar.set_position(done)).await?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "appended {} events ({} beneficiaries, year {year}, seed {seed}) in {seconds:.2} s ({:.0} events/s)",
        outcome.events,
        outcome.beneficiaries,
        outcome.events as f64 / seconds.max(1e-9)
    );
    Ok(())
}

async fn copy(from: &str, to: &str) -> anyhow::Result<()> {
    let bar = progress_bar(0, "copying");
    let started = std::time::Instant::now();
    let outcome = crate::copy::copy(from, to, |done, total| {
        bar.set_length(total.max(0) as u64);
        bar.set_position(done.max(0) as u64);
    })
    .await?;
    bar.finish_and_clear();
    eprintln!(
        "copied {} records in {:.2} s; both sides verify with the same head at position {}",
        outcome.records,
        started.elapsed().as_secs_f64(),
        outcome.head_position
    );
    Ok(())
}
