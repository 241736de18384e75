//! `aidledger export`: writes the records exactly as served, one per line, up to the latest signed
//! checkpoint (signing one for the whole log first when the key file is at hand), and that
//! checkpoint beside them.

use std::path::PathBuf;

use aidledger_server::app::{open_database, Migrations};
use aidledger_server::export;
use aidledger_server::signing::{key_file, NoteSigner};
use aidledger_server::store::Store;
use clap::Args;

use crate::key_options::KeyOptions;

/// The arguments of `aidledger export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The file to write (JSON Lines).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// The checkpoint signing key.
    #[command(flatten)]
    key: KeyOptions,
}

/// Exports the database `url` names to `args.out` and its checkpoint to `FILE.checkpoint`.
pub async fn run(url: &str, args: ExportArgs) -> anyhow::Result<()> {
    let ExportArgs { out, key } = args;
    let signer: Option<NoteSigner> = if key.key_file.exists() {
        Some(key_file::load(&key.key_file, key.log_origin.as_deref())?)
    } else {
        None
    };
    let database = open_database(url, Migrations::Apply).await?;
    let store = Store::open(&database, None).await?;
    let exported = export::export(&store, signer.as_ref(), &out).await?;
    eprintln!(
        "exported {} records to {} and their checkpoint to {}",
        exported.checkpoint.tree_size,
        out.display(),
        export::checkpoint_path(&out).display()
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
