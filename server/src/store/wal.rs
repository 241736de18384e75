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
//!
//! The task also *scrubs* the WAL when asked (after a subject's key is destroyed, and once when it
//! starts): a `TRUNCATE` checkpoint copies every frame into the database file and empties the WAL
//! file, so that no earlier version of a page — one that held the destroyed key — is left in it. A
//! reader still on an older snapshot makes it fail; it is then tried again a moment later, each
//! attempt waiting for readers only [`SCRUB_BUSY_MS`] while it holds back writers.

use std::time::Duration;

use sqlx::AnyConnection;
use tokio::sync::{mpsc, oneshot, watch};

use crate::db::{Database, WriteTurns, SQLITE_BUSY_MS};

/// How long after a commit the checkpoint runs, so that it covers the commits of that while.
const CHECKPOINT_DELAY: Duration = Duration::from_millis(200);

/// The WAL size, in pages, past which the log is made to start over (about 32 MB).
pub(crate) const RESTART_PAGES: i64 = 8_000;

/// How long one scrub attempt waits for readers to leave older snapshots, holding back writers
/// meanwhile, before it gives up until the next attempt.
const SCRUB_BUSY_MS: u64 = 50;

/// The first pause between scrub attempts; it doubles up to [`SCRUB_RETRY_MAX`].
const SCRUB_RETRY_FIRST: Duration = Duration::from_millis(20);

/// The longest pause between scrub attempts.
const SCRUB_RETRY_MAX: Duration = Duration::from_secs(1);

/// A request to scrub the WAL, answered once it is empty.
pub(crate) type ScrubRequest = oneshot::Sender<()>;

/// Checkpoints the WAL of `database` after commits (as `head` reports them) and scrubs it when
/// `scrubs` asks (and once at the start) until the writer stops.
pub(crate) async fn run(
    database: Database,
    mut head: watch::Receiver<domain::Position>,
    mut scrubs: mpsc::Receiver<ScrubRequest>,
) {
    let mut connection = match database.connect_one().await {
        Ok(connection) => connection,
        Err(error) => {
            tracing::warn!(error = format!("{error:#}"), "no background WAL checkpoints");
            return;
        }
    };
    // A key destroyed just before a crash may still be in the WAL an earlier process left.
    scrub(&mut connection, &database.write_turns).await;
    loop {
        tokio::select! {
            changed = head.changed() => {
                if changed.is_err() {
                    return;
                }
                tokio::time::sleep(CHECKPOINT_DELAY).await;
                if let Err(error) = checkpoint(&mut connection, &database.write_turns).await {
                    tracing::warn!(%error, "a background WAL checkpoint failed");
                }
            }
            Some(request) = scrubs.recv() => {
                // Every request waiting now is answered by the same scrub.
                let mut waiting = vec![request];
                while let Ok(request) = scrubs.try_recv() {
                    waiting.push(request);
                }
                scrub(&mut connection, &database.write_turns).await;
                for request in waiting {
                    let _ = request.send(());
                }
            }
        }
    }
}

/// Empties the WAL into the database file, trying again until no reader is in the way.
async fn scrub(connection: &mut AnyConnection, write_turns: &WriteTurns) {
    let mut pause = SCRUB_RETRY_FIRST;
    loop {
        match truncate(connection, write_turns).await {
            Ok(true) => return,
            Ok(false) => {}
            Err(error) => tracing::warn!(%error, "a WAL scrub failed; trying again"),
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(SCRUB_RETRY_MAX);
    }
}

/// One `TRUNCATE` checkpoint, in turn with this process's writers; whether it emptied the WAL.
async fn truncate(connection: &mut AnyConnection, write_turns: &WriteTurns) -> Result<bool, sqlx::Error> {
    let _turn = write_turns.take().await;
    sqlx::query(&format!("PRAGMA busy_timeout = {SCRUB_BUSY_MS}")).execute(&mut *connection).await?;
    // (busy, pages in the WAL, pages checkpointed); busy is 1 when a reader or writer was in the way.
    let truncated = sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(TRUNCATE)")
        .fetch_one(&mut *connection)
        .await
        .map(|(busy, _, _)| busy == 0);
    sqlx::query(&format!("PRAGMA busy_timeout = {SQLITE_BUSY_MS}")).execute(&mut *connection).await?;
    truncated
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
