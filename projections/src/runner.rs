//! Applying the log to the projections in batches. Each batch is one transaction that applies its
//! events to every projection still behind them and moves those projections' checkpoints, so an
//! event is applied exactly once however often the process stops. Checkpoints are read after the
//! write lock is taken, so two runners (or a runner and a rebuild) never apply the same event twice.

use sql::{execute, Dialect};
use sqlx::{AnyConnection, Executor};

use crate::daily::DailyTotals;
use crate::log_read;
use crate::rows::NewRows;
use crate::{ProjectionError, ProjectionName, RecordedEvent};

/// Events applied in one transaction at most: enough to share each commit's cost, few enough that the
/// write lock (which appends on SQLite wait for) is held for milliseconds, not tenths of a second.
pub const BATCH_EVENTS_MAX: i64 = 250;

/// What one batch did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchOutcome {
    /// Events read from the log and applied (to at least one projection).
    pub applied: usize,
    /// The lowest checkpoint after the batch.
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

/// Applies the next batch of events to every projection that is behind.
pub async fn apply_batch(
    connection: &mut AnyConnection,
    dialect: Dialect,
) -> Result<BatchOutcome, ProjectionError> {
    execute(connection, dialect.begin_write()).await?;
    match apply_batch_inside(connection, dialect).await {
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

async fn apply_batch_inside(
    connection: &mut AnyConnection,
    dialect: Dialect,
) -> Result<BatchOutcome, ProjectionError> {
    let lock = dialect.lock_rows_read();
    let sql = format!("SELECT name, position FROM projection_checkpoints ORDER BY name{lock}");
    let rows: Vec<(String, i64)> = sqlx::query_as(&sql).fetch_all(&mut *connection).await?;
    let mut behind = Vec::with_capacity(rows.len());
    for (name, position) in rows {
        behind.push((name.parse::<ProjectionName>().map_err(ProjectionError::Corrupt)?, position));
    }
    let low = behind.iter().map(|(_, position)| *position).min().unwrap_or(0);
    let records = log_read::records_after(connection, dialect, low, BATCH_EVENTS_MAX).await?;
    let Some(last) = records.last().map(|(position, _)| *position) else {
        return Ok(BatchOutcome { applied: 0, checkpoint: low });
    };
    let events = records
        .iter()
        .map(|(position, body)| RecordedEvent::from_body(*position, body))
        .collect::<Result<Vec<_>, _>>()?;
    let behind_at = |position: i64| behind.iter().filter(move |(_, checkpoint)| *checkpoint < position);
    // Every row the batch inserts first, then every change in event order (see `rows` for why).
    let (mut rows, mut daily) = (NewRows::default(), DailyTotals::default());
    for event in &events {
        for (projection, _) in behind_at(event.position) {
            projection.rows(event, &mut rows, &mut daily);
        }
    }
    rows.write(connection, dialect).await?;
    for event in &events {
        for (projection, _) in behind_at(event.position) {
            projection.apply_changes(connection, event, &mut daily).await?;
        }
    }
    daily.write(connection, dialect).await?;
    sqlx::query("UPDATE projection_checkpoints SET position = $1 WHERE position < $1")
        .bind(last)
        .execute(&mut *connection)
        .await?;
    let checkpoint = behind.iter().map(|(_, position)| (*position).max(last)).min().unwrap_or(last);
    Ok(BatchOutcome { applied: records.len(), checkpoint })
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
