//! `aidledger verify`: re-verifies the database's hash chain, Merkle tree and signed checkpoints, or
//! an export offline (the database is then not opened); exit 0, 1 naming the first bad position.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use aidledger_server::app::{open_database, Migrations};
use aidledger_server::signing::{cosignature, NoteVerifier, SignatureType};
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
    /// A witness key to check the log's cosignatures with, `<name>+<key id>+<key>` (type 0x04, as
    /// `aidledger witness keygen` prints it); repeat it for each witness you trust.
    #[arg(long = "witness-key", value_name = "VKEY")]
    witness_keys: Vec<String>,
    /// How many of the --witness-key witnesses must have cosigned a checkpoint [default: all of them].
    #[arg(long, value_name = "K", requires = "witness_keys")]
    witnesses_required: Option<usize>,
    /// The checkpoint signing key (to derive the verifier key from).
    #[command(flatten)]
    key: KeyOptions,
}

/// Verifies the export `args` names, else the database `url` names; then, when witness keys are
/// given, that the policy "at least K of them cosigned" holds.
pub async fn run(url: &str, args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let policy = WitnessPolicy::from_args(&args.witness_keys, args.witnesses_required)?;
    match &args.export {
        Some(file) => verify_export(file, args.verifier_key.last().map(String::as_str), &args.key, &policy),
        None => {
            let code = verify_database(url, &args.verifier_key, &args.key).await?;
            if code != ExitCode::SUCCESS || policy.witnesses.is_empty() {
                return Ok(code);
            }
            let database = open_database(url, Migrations::Apply).await?;
            let witnessed =
                verify::cosignatures::verify(&database.pool, &policy.witnesses, policy.required).await?;
            Ok(match witnessed {
                Ok(witnessed) => {
                    println!("ok: {witnessed}");
                    ExitCode::SUCCESS
                }
                Err(failure) => {
                    println!("FAILED at {failure}");
                    ExitCode::from(1)
                }
            })
        }
    }
}

/// The witnesses an auditor trusts and how many of them must cosign.
struct WitnessPolicy {
    witnesses: Vec<NoteVerifier>,
    required: usize,
}

impl WitnessPolicy {
    fn from_args(keys: &[String], required: Option<usize>) -> anyhow::Result<WitnessPolicy> {
        let witnesses = keys
            .iter()
            .map(|key| NoteVerifier::parse_as(key, SignatureType::CosignatureV1).context("--witness-key"))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let required = required.unwrap_or(witnesses.len());
        anyhow::ensure!(
            required <= witnesses.len(),
            "--witnesses-required {required} is more than the {} --witness-key given",
            witnesses.len()
        );
        Ok(WitnessPolicy { witnesses, required })
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

fn verify_export(
    file: &Path,
    verifier_key: Option<&str>,
    key: &KeyOptions,
    policy: &WitnessPolicy,
) -> anyhow::Result<ExitCode> {
    let verifier = key.verifier(verifier_key)?.with_context(|| {
        format!(
            "no key to check the checkpoint with: give --verifier-key, or --key-file ({} does not exist)",
            key.key_file.display()
        )
    })?;
    let note_path = export::checkpoint_path(file);
    let note =
        std::fs::read_to_string(&note_path).with_context(|| format!("reading {}", note_path.display()))?;
    let code = report_outcome(verify::export_file::verify(file, &note, &verifier)?);
    if code != ExitCode::SUCCESS || policy.witnesses.is_empty() {
        return Ok(code);
    }
    Ok(match cosignature::check_policy(&note, &policy.witnesses, policy.required) {
        Ok(cosigned) => {
            let names: Vec<&str> = cosigned.iter().map(|c| c.witness.as_str()).collect();
            println!(
                "ok: the checkpoint is cosigned by {} of the given witnesses ({})",
                names.len(),
                names.join(", ")
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            println!("FAILED at the checkpoint's cosignatures: {error}");
            ExitCode::from(1)
        }
    })
}
