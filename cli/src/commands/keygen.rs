//! `aidledger keygen`: creates the checkpoint signing key (refusing to overwrite one) and prints its
//! verifier key.

use aidledger_server::signing::{key_file, DEFAULT_LOG_ORIGIN};
use clap::Args;

use crate::key_options::KeyOptions;

/// The arguments of `aidledger keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Where to create it, and its name.
    #[command(flatten)]
    key: KeyOptions,
}

/// Creates the key `args` names; the verifier key goes to stdout, the rest to stderr.
pub fn run(args: KeygenArgs) -> anyhow::Result<()> {
    let key = args.key;
    let origin = key.log_origin.as_deref().unwrap_or(DEFAULT_LOG_ORIGIN);
    let signer = key_file::create(&key.key_file, origin)?;
    eprintln!(
        "created the checkpoint signing key for {origin:?} in {}; its verifier key follows:",
        key.key_file.display()
    );
    println!("{}", signer.verifier());
    Ok(())
}
