//! Where the key that signs checkpoints lives and which log it signs for, as the commands that sign
//! or check checkpoints take it, and the verifier key a check uses.

use std::path::PathBuf;

use aidledger_server::signing::{key_file, NoteVerifier};
use anyhow::Context;
use clap::Args;

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

impl KeyOptions {
    /// The key to check checkpoints with: `verifier_key` (the `--verifier-key` text), else the key
    /// file's public half when there is one; the key's name must be `--log-origin` when that is given.
    pub fn verifier(&self, verifier_key: Option<&str>) -> anyhow::Result<Option<NoteVerifier>> {
        let verifier = match verifier_key {
            Some(text) => NoteVerifier::parse(text).context("--verifier-key")?,
            None if self.key_file.exists() => key_file::load(&self.key_file, None)?.verifier(),
            None => return Ok(None),
        };
        if let Some(origin) = &self.log_origin {
            anyhow::ensure!(
                verifier.name() == origin,
                "the verifier key is for the log {:?}, not {origin:?}",
                verifier.name()
            );
        }
        Ok(Some(verifier))
    }
}
