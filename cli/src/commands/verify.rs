//! `aidledger verify`: re-verifies the database's hash chain, Merkle tree and signed checkpoints, or
//! an export offline (the database is then not opened); exit 0, 1 naming the first bad position.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use aidledger_server::app::{open_database, Migrations};
use aidledger_server::{export, verify};
use anyhow::Context;
use clap::Args;

use crate::key_options::KeyOptions;
use crate::outcome::report_outcome;

/// The arguments of `aidledger verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Verify this export (and FILE.checkpoint beside it) instead of the database, which is then
    /// not opened.
    #[arg(long, value_name = "FILE")]
    export: Option<PathBuf>,
    /// A key that signs checkpoints, as the note verifier key `<name>+<key id>+<key>` (GET
    /// /v1/checkpoint/key; after rotations, every one GET /v1/checkpoint/keys lists that you trust:
    /// repeat it). Only these keys are then trusted [default: the key file's, and the keys the log
    /// records as its earlier ones].
    #[arg(long)]
    verifier_key: Vec<String>,
    /// The checkpoint signing key (to derive the verifier key from).
    #[command(flatten)]
    key: KeyOptions,
}

/// Verifies the export `args` names, else the database `url` names.
pub async fn run(url: &str, args: VerifyArgs) -> anyhow::Result<ExitCode> {
    match &args.export {
        Some(file) => verify_export(file, args.verifier_key.last().map(String::as_str), &args.key),
        None => verify_database(url, &args.verifier_key, &args.key).await,
    }
}

async fn verify_database(url: &str, verifier_keys: &[String], key: &KeyOptions) -> anyhow::Result<ExitCode> {
    if verifier_keys.is_empty() {
        let verifier = key.verifier(None)?;
        let database = open_database(url, Migrations::Apply).await?;
        return Ok(report_outcome(verify::database::verify(&database, verifier.as_ref()).await?));
    }
    let mut trusted = Vec::new();
    for text in verifier_keys {
        trusted.extend(key.verifier(Some(text))?);
    }
    let database = open_database(url, Migrations::Apply).await?;
    Ok(report_outcome(verify::database::verify_with_keys(&database, &trusted).await?))
}

fn verify_export(file: &Path, verifier_key: Option<&str>, key: &KeyOptions) -> anyhow::Result<ExitCode> {
    let verifier = key.verifier(verifier_key)?.with_context(|| {
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
