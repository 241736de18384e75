//! `aidledger backup`: a consistent copy of a live SQLite ledger, taken while `serve` keeps
//! appending.
//!
//! The copy is SQLite's `VACUUM INTO`, which reads the whole database inside one read transaction:
//! under WAL that is a snapshot of one instant, so the copy holds every commit up to that instant
//! and none after (records, tree nodes, checkpoints, tokens and read models alike) while the writer
//! goes on undisturbed. The file is then flushed to disk before the command answers, and the caller
//! verifies it like any ledger. PostgreSQL has tools of its own for this, which the error names.

use std::fs::{File, OpenOptions};
use std::path::Path;

use anyhow::Context;
use sql::Dialect;

use crate::db::{Database, DatabaseUrl};
use crate::signing::NoteVerifier;
use crate::verify::{self, Outcome};

/// What `backup` answers for a PostgreSQL ledger.
const POSTGRES_ADVICE: &str = "aidledger backup copies SQLite ledgers; back up PostgreSQL with its own tools: \
     `pg_dump --format=custom` (restored with `pg_restore` into an empty database), or `pg_basebackup` with WAL \
     archiving for point-in-time recovery, then `aidledger verify` the restored database (see the README's \
     \"Backups and restore\")";

/// The SQLite URL of a backup file.
pub fn sqlite_url(file: &Path) -> String {
    format!("sqlite://{}", file.display())
}

/// Verifies the backup in `file` like `aidledger verify` does (chain, tree, checkpoints with
/// `verifier`), leaving it as it was: no migration runs on it, and it is closed cleanly.
pub async fn verify_copy(file: &Path, verifier: Option<&NoteVerifier>) -> anyhow::Result<Outcome> {
    let database = Database::open_url(DatabaseUrl::parse(&sqlite_url(file))?.existing_only()).await?;
    let outcome = verify::database::verify(&database, verifier).await;
    database.pool.close().await;
    outcome
}

/// Copies the SQLite ledger at `url` into the new file `out`, consistently, while it may be in use;
/// refuses to overwrite anything, and leaves no partial file behind when the copy fails.
pub async fn backup(url: &str, out: &Path) -> anyhow::Result<()> {
    let url = DatabaseUrl::parse(url)?;
    if url.dialect() == Dialect::Postgres {
        anyhow::bail!(POSTGRES_ADVICE);
    }
    let target = out.to_str().with_context(|| format!("{} is not a UTF-8 path", out.display()))?;
    let database = Database::open_url(url.existing_only()).await?;
    // Claiming the name first makes "never overwrite" race-free: VACUUM INTO accepts an empty file.
    if let Err(error) = OpenOptions::new().write(true).create_new(true).open(out) {
        database.pool.close().await;
        if error.kind() == std::io::ErrorKind::AlreadyExists {
            anyhow::bail!(
                "{} exists, and a backup never overwrites a file: choose a new name",
                out.display()
            );
        }
        return Err(error).with_context(|| format!("creating {}", out.display()));
    }
    let copied = async {
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&database.pool)
            .await
            .context("copying the ledger")?;
        flush_to_disk(out)
    }
    .await;
    database.pool.close().await;
    if let Err(error) = copied {
        let _ = std::fs::remove_file(out);
        return Err(error.context(format!("backing up to {}", out.display())));
    }
    Ok(())
}

/// `VACUUM INTO` leaves its output to the operating system's cache: sync the file, and the
/// directory that names it, so that the backup survives a power cut right after the command.
fn flush_to_disk(file: &Path) -> anyhow::Result<()> {
    File::open(file).and_then(|f| f.sync_all()).with_context(|| format!("flushing {}", file.display()))?;
    #[cfg(unix)]
    {
        let directory = match file.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        File::open(directory)
            .and_then(|d| d.sync_all())
            .with_context(|| format!("flushing {}", directory.display()))?;
    }
    Ok(())
}
