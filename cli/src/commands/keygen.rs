//! `aidledger keygen`: creates the checkpoint signing key (refusing to overwrite one) and prints its
//! verifier key; with `--rotate`, replaces the key with a new one of the same name, after recording
//! the old key's public half in the log's key history, so that the checkpoints it signed still
//! verify.

use aidledger_server::app::{open_database, Migrations};
use aidledger_server::signing::{key_file, key_history, DEFAULT_LOG_ORIGIN};
use clap::Args;

use crate::key_options::KeyOptions;

/// The arguments of `aidledger keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Where to create it, and its name.
    #[command(flatten)]
    key: KeyOptions,
    /// Replace the existing key with a new one (the log's database keeps the old public key; restart
    /// `serve` to sign with the new one).
    #[arg(long)]
    rotate: bool,
}

/// Creates (or rotates) the key `args` names; the verifier key goes to stdout, the rest to stderr.
pub async fn run(url: &str, args: KeygenArgs) -> anyhow::Result<()> {
    let key = args.key;
    if args.rotate {
        let database = open_database(url, Migrations::Apply).await?;
        let old = key_file::load(&key.key_file, key.log_origin.as_deref())?.verifier();
        let tree_size = aidledger_server::store::read::committed_head(&database.pool).await?;
        // The old key first: a log that never recorded it still has every checkpoint it signed.
        key_history::record(&database.pool, &old, u64::try_from(tree_size)?).await?;
        let (_, signer) = key_file::rotate(&key.key_file)?;
        key_history::record(&database.pool, &signer.verifier(), u64::try_from(tree_size)?).await?;
        eprintln!(
            "rotated the checkpoint signing key in {}: {old} signed up to {tree_size} records and is kept as a \
             public key; restart serve to sign with the new key, whose verifier key follows:",
            key.key_file.display()
        );
        println!("{}", signer.verifier());
        return Ok(());
    }
    let origin = key.log_origin.as_deref().unwrap_or(DEFAULT_LOG_ORIGIN);
    let signer = key_file::create(&key.key_file, origin)?;
    eprintln!(
        "created the checkpoint signing key for {origin:?} in {}; its verifier key follows:",
        key.key_file.display()
    );
    println!("{}", signer.verifier());
    Ok(())
}
