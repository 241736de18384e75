//! The master key: 32 random bytes, base64 in a file of its own outside the database, created with
//! owner-only permissions when missing and never overwritten. Whoever holds the database without this
//! file holds no personal data.

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::Key;

/// The master key file's default path.
pub(crate) const DEFAULT_MASTER_KEY_FILE: &str = "aidledger.master.key";

/// Reads the master key at `path`, creating it first when it does not exist.
pub fn load_or_create(path: &Path) -> anyhow::Result<Key> {
    if !path.exists() {
        let mut bytes = [0_u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness for a master key: {e}"))?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file =
            options.open(path).with_context(|| format!("creating master key file {}", path.display()))?;
        writeln!(file, "{}", STANDARD.encode(bytes))?;
        file.sync_all()?;
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading master key file {}", path.display()))?;
    let bytes = STANDARD
        .decode(text.trim())
        .with_context(|| format!("master key file {} is not base64", path.display()))?;
    if bytes.len() != 32 {
        bail!("master key file {} must hold 32 bytes, not {}", path.display(), bytes.len());
    }
    Ok(*Key::from_slice(&bytes))
}

/// Where the master key lives (on every command that seals personal fields).
#[derive(Clone, Debug, clap::Args)]
pub struct MasterKeyOptions {
    /// The master key file (created, owner-only, when missing); keep it outside the database and its
    /// backups' storage: without it no personal field can be opened.
    #[arg(long = "master-key-file", env = "AIDLEDGER_MASTER_KEY_FILE", default_value = DEFAULT_MASTER_KEY_FILE)]
    pub path: std::path::PathBuf,
}

impl MasterKeyOptions {
    /// The keyring under this master key.
    pub fn keyring(&self) -> anyhow::Result<super::Keyring> {
        Ok(super::Keyring::new(load_or_create(&self.path)?))
    }

    /// Warns when the master key file sits in the directory of the database file `database_file`:
    /// whoever copies that directory has both the sealed fields and the key that opens them.
    pub fn warn_if_beside(&self, database_file: &Path) {
        let directory = |path: &Path| std::fs::canonicalize(path).ok()?.parent().map(Path::to_path_buf);
        let (Some(key_directory), Some(database_directory)) =
            (directory(&self.path), directory(database_file))
        else {
            return;
        };
        if key_directory == database_directory {
            tracing::warn!(
                master_key_file = %self.path.display(),
                database_file = %database_file.display(),
                "the master key file is in the same directory as the database: a copy of that directory (a \
                 backup, a snapshot, a synced folder) holds both the sealed personal fields and the key that \
                 opens them; move the key file to a directory of its own, outside the database's and its \
                 backups', and name it with --master-key-file or AIDLEDGER_MASTER_KEY_FILE"
            );
        }
    }
}
