//! Progress on stderr for the commands that take a while: a progress bar, and bringing every
//! projection up to the log's head under one (`report`, `rebuild`).

use aidledger_server::db::Database;
use aidledger_server::projector::catch_up;
use aidledger_server::store::writer::committed_head;
use projections::runner::REBUILD_CHUNK_EVENTS;

/// A progress bar on stderr (hidden when stderr is not a terminal), the benchmark's own.
pub use aidledger_bench::progress_bar;

/// Brings every projection up to the log's head, with a progress bar; answers the position reached.
pub async fn catch_up_with_progress(database: &Database) -> anyhow::Result<i64> {
    let mut connection = database.connect_for_projections().await?;
    let head = committed_head(&mut connection).await?.stored();
    let checkpoints = projections::runner::checkpoints(&database.pool).await?;
    let low = checkpoints.iter().map(|(_, c)| *c).min().unwrap_or(0);
    let bar = progress_bar((head - low).max(0) as u64, "projecting");
    let reached = catch_up(&mut connection, database, REBUILD_CHUNK_EVENTS, |outcome| {
        bar.set_position((outcome.checkpoint - low).max(0) as u64)
    })
    .await?;
    bar.finish_and_clear();
    Ok(reached)
}
