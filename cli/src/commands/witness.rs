//! `aidledger witness`: a C2SP `tlog-witness` of other logs. `keygen` makes its cosigning key
//! (Ed25519, signature type 0x04) and prints its verifier key; `serve` cosigns the checkpoints of the
//! logs given with `--log`, each only if it extends the last one cosigned for that log.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

use aidledger_server::signing::{key_file, NoteVerifier, SignatureType};
use aidledger_server::witness::state::WitnessState;
use aidledger_server::witness::{self, Witness};
use anyhow::Context;
use clap::{Args, Subcommand};
use tokio::net::TcpListener;

use crate::shutdown::shutdown_signal;

/// What to do as a witness.
#[derive(Debug, Subcommand)]
pub enum WitnessCommand {
    /// Create the witness's cosigning key (refusing to overwrite one) and print its verifier key.
    Keygen(KeygenArgs),
    /// Serve `POST /add-checkpoint` (C2SP tlog-witness) for the logs given with --log.
    Serve(ServeArgs),
}

/// The arguments of `aidledger witness keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Where to create the key (owner-only; never overwritten).
    #[arg(long)]
    key_file: PathBuf,
    /// The witness's name, a schema-less URL such as `witness.example.org/w1`.
    #[arg(long)]
    name: String,
}

/// The arguments of `aidledger witness serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8090")]
    listen: String,
    /// The witness's cosigning key (made by `aidledger witness keygen`).
    #[arg(long)]
    key_file: PathBuf,
    /// A log to witness, `<origin>=<verifier key>` (the log's GET /v1/checkpoint/key); repeat it for
    /// each log, or for each key of one log.
    #[arg(long = "log", value_name = "ORIGIN=VKEY", required = true)]
    logs: Vec<String>,
}

/// Runs the witness command; `url` is the witness's own database (`--database-url`, which `serve`
/// requires: a witness never shares the log's default database).
pub async fn run(url: Option<&str>, command: WitnessCommand) -> anyhow::Result<()> {
    match command {
        WitnessCommand::Keygen(args) => {
            let signer = key_file::create_as(&args.key_file, &args.name, SignatureType::CosignatureV1)?;
            eprintln!(
                "created the witness key {:?} in {}; its verifier key follows:",
                args.name,
                args.key_file.display()
            );
            println!("{}", signer.verifier());
            Ok(())
        }
        WitnessCommand::Serve(args) => {
            let url = url.context(
                "witness serve needs --database-url (or DATABASE_URL): the witness's own database",
            )?;
            serve(url, args).await
        }
    }
}

/// Parses the `--log` arguments into the keys trusted for each origin.
fn trusted_logs(logs: &[String]) -> anyhow::Result<HashMap<String, Vec<NoteVerifier>>> {
    let mut trusted: HashMap<String, Vec<NoteVerifier>> = HashMap::new();
    for text in logs {
        let (origin, key) = text.split_once('=').context("--log takes <origin>=<verifier key>")?;
        let verifier = NoteVerifier::parse(key).with_context(|| format!("the log key of {origin:?}"))?;
        anyhow::ensure!(verifier.name() == origin, "the key {verifier} is not named {origin:?}");
        trusted.entry(origin.to_owned()).or_default().push(verifier);
    }
    Ok(trusted)
}

async fn serve(url: &str, args: ServeArgs) -> anyhow::Result<()> {
    let signer = key_file::load_as(&args.key_file, SignatureType::CosignatureV1)?;
    let logs = trusted_logs(&args.logs)?;
    let state = WitnessState::open(url).await?;
    let listener =
        TcpListener::bind(&args.listen).await.with_context(|| format!("listening on {}", args.listen))?;
    eprintln!("witness {:?} cosigns as {}", signer.name(), signer.verifier());
    println!("listening on http://{}", listener.local_addr()?);
    std::io::stdout().flush()?;
    witness::serve(listener, Witness { signer, logs, state }, shutdown_signal()).await.context("serving HTTP")
}
