//! `aidledger backup`: copies a SQLite ledger, consistently and while it is being served, into a new
//! file, then verifies the copy as `verify` does.

use std::path::PathBuf;
use std::process::ExitCode;

use aidledger_server::backup;
use clap::Args;

use crate::key_options::KeyOptions;
use crate::outcome::report_outcome;

/// The arguments of `aidledger backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
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
}

/// Backs the database `url` names up into `args.out` and verifies the copy.
pub async fn run(url: &str, args: BackupArgs) -> anyhow::Result<ExitCode> {
    let verifier = args.key.verifier(args.verifier_key.as_deref())?;
    backup::backup(url, &args.out).await?;
    eprintln!("copied the ledger to {}; verifying the copy", args.out.display());
    Ok(report_outcome(backup::verify_copy(&args.out, verifier.as_ref()).await?))
}
