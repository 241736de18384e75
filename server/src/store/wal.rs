//! SQLite's write-ahead log, checkpointed mostly in the background.
//!
//! By default SQLite checkpoints inside the COMMIT that takes the WAL past 1 000 pages: the appending
//! connection copies the changed pages back into the database file and syncs it before it can
//! acknowledge, which at a million events took four tenths of an append's time (the log's indexes
//! take their keys at random places, so almost every commit changes pages all over them). The writer
//! and the projector checkpoint by themselves only past 25 000 pages (about 100 MB of WAL, so a page
//! changed many times is copied once), and this task, on a connection of its own, runs a `PASSIVE`
//! checkpoint a moment after commits — one that never waits for, nor blocks, the writer or any reader
//! — so that what is left for the committing connection to copy is small. Durability is unchanged: a
//! commit is durable once its WAL frames are synced, checkpointed or not.

use std::time::Duration;

use tokio::sync::watch;

use crate::db::Database;

/// How long after a commit the checkpoint runs, so that it covers the commits of that while.
const CHECKPOINT_DELAY: Duration = Duration::from_millis(200);

/// Checkpoints the WAL of `database` after commits (as `head` reports them) until the writer stops.
pub async fn run(database: Database, mut head: watch::Receiver<i64>) {
    let mut connection = match database.connect_one().await {
        Ok(connection) => connection,
        Err(error) => {
            tracing::warn!(error = format!("{error:#}"), "no background WAL checkpoints");
            return;
        }
    };
    while head.changed().await.is_ok() {
        tokio::time::sleep(CHECKPOINT_DELAY).await;
        if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&mut connection).await {
            tracing::warn!(%error, "a background WAL checkpoint failed");
        }
    }
}
