//! Applying the log to the projections in chunks. Each chunk is one transaction that applies its
//! events to every projection still behind them and moves those projections' checkpoints, so an
//! event is applied exactly once however often the process stops, and a rebuild stopped midway
//! leaves every projection as it was at the end of a chunk. Checkpoints are read after the write
//! lock is taken, so two runners (or a runner and a rebuild) never apply the same event twice.
//!
//! Within a chunk each projection is folded in memory (see [`crate::stored`]): the stored rows its
//! events change are loaded first, with a query per table and a few hundred keys, then every event
//! is folded in, in position order, with no statement of its own, and what the chunk inserted and
//! changed is written once, with multi-row statements. The live runner and a rebuild run the same
//! fold and differ only in how many events a chunk holds.

use sql::{execute, Dialect};
use sqlx::{AnyConnection, Executor};

use crate::daily::DailyTotals;
use crate::log_read;
use crate::models::Fold;
use crate::rows::NewRows;
use crate::{ProjectionError, ProjectionName, RecordedEvent};

/// Events the live runner applies in one transaction at most: enough to share each commit's cost,
/// few enough that the write lock (which appends on SQLite wait for) is held for milliseconds, not
/// tenths of a second.
pub const BATCH_EVENTS_MAX: i64 = 250;

/// Events a rebuild applies in one transaction at most: large enough that each stored row is
/// loaded and written about once per chunk rather than per event, small enough that a chunk's
/// records, rows and folds take tens of megabytes, not the whole log's.
pub const REBUILD_CHUNK_EVENTS: i64 = 25_000;

/// What one chunk did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchOutcome {
    /// Events read from the log and applied (to at least one projection).
    pub applied: usize,
    /// The lowest checkpoint after the chunk.
    pub checkpoint: i64,
}

/// Every projection's checkpoint.
pub async fn checkpoints<'e, E>(executor: E) -> Result<Vec<(ProjectionName, i64)>, ProjectionError>
where
    E: Executor<'e, Database = sqlx::Any>,
{
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT name, position FROM projection_checkpoints ORDER BY name")
            .fetch_all(executor)
            .await?;
    rows.into_iter()
        .map(|(name, position)| Ok((name.parse().map_err(ProjectionError::Corrupt)?, position)))
        .collect()
}

/// Applies the next chunk of at most `events_max` events to every projection that is behind, in
/// one transaction.
pub async fn apply_chunk(
    connection: &mut AnyConnection,
    dialect: Dialect,
    events_max: i64,
) -> Result<BatchOutcome, ProjectionError> {
    execute(connection, dialect.begin_write()).await?;
    match apply_chunk_inside(connection, dialect, events_max).await {
        Ok(outcome) => {
            execute(connection, "COMMIT").await?;
            Ok(outcome)
        }
        Err(error) => {
            let _ = execute(connection, "ROLLBACK").await;
            Err(error)
        }
    }
}

async fn apply_chunk_inside(
    connection: &mut AnyConnection,
    dialect: Dialect,
    events_max: i64,
) -> Result<BatchOutcome, ProjectionError> {
    let lock = dialect.lock_rows_read();
    let sql = format!("SELECT name, position FROM projection_checkpoints ORDER BY name{lock}");
    let rows: Vec<(String, i64)> = sqlx::query_as(&sql).fetch_all(&mut *connection).await?;
    let mut behind = Vec::with_capacity(rows.len());
    for (name, position) in rows {
        behind.push((name.parse::<ProjectionName>().map_err(ProjectionError::Corrupt)?, position));
    }
    let low = behind.iter().map(|(_, position)| *position).min().unwrap_or(0);
    let records = log_read::records_after(connection, dialect, low, events_max).await?;
    let Some(last) = records.last().map(|(position, _)| *position) else {
        return Ok(BatchOutcome { applied: 0, checkpoint: low });
    };
    let events = records
        .iter()
        .map(|(position, body)| RecordedEvent::from_body(*position, body))
        .collect::<Result<Vec<_>, _>>()?;
    drop(records);
    let (mut rows, mut daily) = (NewRows::default(), DailyTotals::default());
    for (projection, checkpoint) in behind.iter().filter(|(_, checkpoint)| *checkpoint < last) {
        let unapplied = events.iter().filter(|event| event.position > *checkpoint);
        let mut fold = Fold::new(*projection);
        unapplied.clone().for_each(|event| fold.want(event));
        fold.load(connection, dialect).await?;
        unapplied.for_each(|event| fold.apply(event, &mut rows, &mut daily));
        fold.write(connection, dialect).await?;
    }
    rows.write(connection, dialect).await?;
    daily.write(connection, dialect).await?;
    sqlx::query("UPDATE projection_checkpoints SET position = $1 WHERE position < $1")
        .bind(last)
        .execute(&mut *connection)
        .await?;
    let checkpoint = behind.iter().map(|(_, position)| (*position).max(last)).min().unwrap_or(last);
    Ok(BatchOutcome { applied: events.len(), checkpoint })
}

/// Empties `projection`'s tables and sets its checkpoint to 0, in one transaction; the runner then
/// rebuilds it from position 1.
pub async fn reset(
    connection: &mut AnyConnection,
    dialect: Dialect,
    projection: ProjectionName,
) -> Result<(), ProjectionError> {
    execute(connection, dialect.begin_write()).await?;
    let result: Result<(), sqlx::Error> = async {
        // The checkpoints first, as a chunk locks them: a chunk that is applying now commits its
        // rows before this deletes them, never after.
        let lock = dialect.lock_rows_read();
        let sql = format!("SELECT name, position FROM projection_checkpoints ORDER BY name{lock}");
        sqlx::query(&sql).fetch_all(&mut *connection).await?;
        for table in projection.tables() {
            execute(connection, &format!("DELETE FROM {table}")).await?;
        }
        sqlx::query("DELETE FROM daily_totals WHERE projection = $1")
            .bind(projection.as_str())
            .execute(&mut *connection)
            .await?;
        sqlx::query("UPDATE projection_checkpoints SET position = 0 WHERE name = $1")
            .bind(projection.as_str())
            .execute(&mut *connection)
            .await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Ok(execute(connection, "COMMIT").await?),
        Err(error) => {
            let _ = execute(connection, "ROLLBACK").await;
            Err(error.into())
        }
    }
}

/// Vacuums every projection's tables and refreshes their planner statistics, after a catch-up that applied
/// many events (a rebuild, a first start): PostgreSQL plans the report's queries from them, and its
/// own autovacuum may not have caught up yet. SQLite's plans here do not depend on statistics.
pub async fn refresh_statistics(
    connection: &mut AnyConnection,
    dialect: Dialect,
) -> Result<(), ProjectionError> {
    if dialect == Dialect::Sqlite {
        return Ok(());
    }
    let mut tables: Vec<&str> =
        ProjectionName::ALL.iter().flat_map(|projection| projection.tables()).copied().collect();
    tables.push("daily_totals");
    tables.dedup();
    // VACUUM too: the per-day totals are upserted batch after batch, and a table left with its dead
    // versions (or without its visibility map) is read row by row instead of from its indexes.
    execute(connection, &format!("VACUUM (ANALYZE) {}", tables.join(", "))).await?;
    Ok(())
}
