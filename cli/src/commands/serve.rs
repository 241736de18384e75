//! `aidledger serve`: opens (and migrates) the database, prints a one-time admin token while no
//! token exists, starts the app on the listening address and serves until interrupted or terminated.

use std::io::Write;
use std::sync::Arc;

use aidledger_server::app::{open_database, App, AppSettings, Migrations};
use aidledger_server::cosigning::WitnessEndpoint;
use aidledger_server::http::Limits;
use aidledger_server::privacy::master_key::MasterKeyOptions;
use aidledger_server::signing::key_file;
use aidledger_server::tokens;
use anyhow::Context;
use clap::Args;
use domain::Role;
use tokio::net::TcpListener;

use crate::key_options::KeyOptions;
use crate::shutdown::shutdown_signal;

/// The arguments of `aidledger serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// Do not apply migrations on start (for servers whose database role may not run DDL).
    #[arg(long)]
    no_migrate: bool,
    /// Serve /metrics without a token even on a listener that is not a loopback address (on a
    /// loopback one it is always open).
    #[arg(long)]
    metrics_open: bool,
    /// What one request and one connection may take.
    #[command(flatten)]
    limits: Limits,
    /// The checkpoint signing key.
    #[command(flatten)]
    key: KeyOptions,
    /// The master key that wraps every subject's key.
    #[command(flatten)]
    master_key: MasterKeyOptions,
    /// A witness to submit each new checkpoint to, `<name>=<verifier key>@<url>` (the key as
    /// `aidledger witness keygen` prints it, the URL its submission prefix); repeat it for each.
    #[arg(long = "witness", value_name = "NAME=VKEY@URL")]
    witnesses: Vec<WitnessEndpoint>,
}

/// Serves the database `url` names until a shutdown signal.
pub async fn run(url: &str, args: ServeArgs) -> anyhow::Result<()> {
    let ServeArgs { listen, no_migrate, metrics_open, limits, key, master_key, witnesses } = args;
    let (signer, created) = key_file::load_or_create(&key.key_file, key.log_origin.as_deref())?;
    if created {
        tracing::info!(
            key_file = %key.key_file.display(),
            "created a checkpoint signing key (keep it safe; it is never overwritten)"
        );
    }
    tracing::info!(log = signer.name(), verifier_key = %signer.verifier(), "checkpoints are signed for the log");
    let migrations = if no_migrate { Migrations::Skip } else { Migrations::Apply };
    let database = open_database(url, migrations).await?;
    if tokens::none_exist(&database.pool).await? {
        let secret = tokens::create(&database.pool, Role::Admin, "admin").await?;
        println!("no tokens yet: a one-time admin token (principal \"admin\") follows; store it now:");
        println!("{secret}");
    }
    let keyring = master_key.keyring()?;
    if let Some(file) = database.sqlite_file().await? {
        master_key.warn_if_beside(&file);
    }
    let listener = TcpListener::bind(&listen).await.with_context(|| format!("listening on {listen}"))?;
    let settings = AppSettings { keyring, signer: Arc::new(signer), limits, witnesses, metrics_open };
    let app = App::start(&database, settings, listener).await?;
    println!("listening on http://{}", app.address());
    std::io::stdout().flush()?;
    app.serve_until(shutdown_signal()).await
}
