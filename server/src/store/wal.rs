//! SQLite's write-ahead log, checkpointed in the background.
//!
//! By default SQLite checkpoints inside the COMMIT that takes the WAL past 1 000 pages: the appending
//! connection copies the changed pages back into the database file and syncs it before it can
//! acknowledge, which at a million events took four tenths of an append's time and put a stall of a
//! tenth of a second into every few thousand appends. The writer and the projector here checkpoint by
//! themselves only as a last resort; this task, on a connection of its own, runs a `PASSIVE`
//! checkpoint a moment after commits — one that never waits for, nor blocks, the writer or any reader
//! — and, once the WAL has grown past [`RESTART_PAGES`], a `RESTART` checkpoint, which holds new
//! writes back only while it copies the few pages the passive ones have not yet copied, so that the
//! WAL starts over from its beginning. Durability is unchanged: a commit is durable once its WAL
//! frames are synced, checkpointed or not.

use std::time::Duration;

use sqlx::AnyConnection;
use tokio::sync::watch;

use crate::db::{Database, WriteTurns};

/// How long after a commit the checkpoint runs, so that it covers the commits of that while.
const CHECKPOINT_DELAY: Duration = Duration::from_millis(200);

/// The WAL size, in pages, past which the log is made to start over (about 32 MB).
pub const RESTART_PAGES: i64 = 8_000;

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
        if let Err(error) = checkpoint(&mut connection, &database.write_turns).await {
            tracing::warn!(%error, "a background WAL checkpoint failed");
        }
    }
}

/// One passive checkpoint, then a restarting one when the WAL has grown past [`RESTART_PAGES`].
async fn checkpoint(connection: &mut AnyConnection, write_turns: &WriteTurns) -> Result<(), sqlx::Error> {
    // (busy, pages in the WAL, pages checkpointed)
    let (_, pages, _): (i64, i64, i64) =
        sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(&mut *connection).await?;
    if pages >= RESTART_PAGES {
        // It takes the write lock: in turn with the writer and the projector.
        let _turn = write_turns.take().await;
        sqlx::query("PRAGMA wal_checkpoint(RESTART)").execute(&mut *connection).await?;
    }
    Ok(())
}
