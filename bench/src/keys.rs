//! The keys of a run: a master key (the bench's store seals with it, and the `serve` child opens
//! with it) and the child's checkpoint signing key, in a temporary directory of their own that is
//! deleted afterwards — not the database's, beside which `serve` warns a key should not be.

use std::path::PathBuf;

use anyhow::Context;

use aidledger_server::privacy::master_key;
use aidledger_server::privacy::Keyring;

/// The run's key files.
pub(crate) struct RunKeys {
    dir: tempfile::TempDir,
    /// The keyring under the master key.
    pub keyring: Keyring,
}

impl RunKeys {
    /// A fresh random master key in a new temporary directory.
    pub(crate) fn create() -> anyhow::Result<RunKeys> {
        let dir = tempfile::Builder::new()
            .prefix("aidledger-bench-keys-")
            .tempdir()
            .context("creating a directory for the bench's keys")?;
        let keyring = Keyring::new(master_key::load_or_create(&dir.path().join(MASTER_KEY_FILE))?);
        Ok(RunKeys { dir, keyring })
    }

    /// The master key's file.
    pub(crate) fn master_key_file(&self) -> PathBuf {
        self.dir.path().join(MASTER_KEY_FILE)
    }

    /// The checkpoint signing key's file (`serve` creates it).
    pub(crate) fn signing_key_file(&self) -> PathBuf {
        self.dir.path().join("aidledger.key")
    }
}

const MASTER_KEY_FILE: &str = "aidledger.master.key";
