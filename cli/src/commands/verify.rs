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
    /// The key that signs checkpoints, as the note verifier key
    /// `<name>+<key id>+<key>` (GET /v1/checkpoint/key) [default: derived from --key-file].
    #[arg(long)]
    verifier_key: Option<String>,
    /// The checkpoint signing key (to derive the verifier key from).
    #[command(flatten)]
    key: KeyOptions,
}

/// Verifies the export `args` names, else the database `url` names.
pub async fn run(url: &str, args: VerifyArgs) -> anyhow::Result<ExitCode> {
    match &args.export {
        Some(file) => verify_export(file, args.verifier_key.as_deref(), &args.key),
        None => verify_database(url, args.verifier_key.as_deref(), &args.key).await,
    }
}

async fn verify_database(
    url: &str,
    verifier_key: Option<&str>,
    key: &KeyOptions,
) -> anyhow::Result<ExitCode> {
    let verifier = key.verifier(verifier_key)?;
    let database = open_database(url, Migrations::Apply).await?;
    Ok(report_outcome(verify::database::verify(&database, verifier.as_ref()).await?))
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
