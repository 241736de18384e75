//! Reading a batch of the log for the projections: the records after a position, in position order.
//!
//! A rebuild reads batches of hundreds of records, so each is read as one packed row where it can be
//! (see [`sql::packed`]), and row by row otherwise.

use sql::{Dialect, PackedQuery};
use sqlx::AnyConnection;

/// The log's records as a packed page reads them: position and body.
const RECORDS: PackedQuery<1> =
    PackedQuery { table: "events", key: "position", columns: ["body"], equal: None };

/// Up to `limit` records after `after`, as (position, canonical body), in position order.
pub async fn records_after(
    connection: &mut AnyConnection,
    dialect: Dialect,
    after: i64,
    limit: i64,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let first = after.saturating_add(1);
    let packed = RECORDS.read(&mut *connection, dialect, first..first.saturating_add(limit)).await?;
    if let Some(packed) = packed {
        return Ok(packed.rows().map(|(position, [body])| (position, body.to_owned())).collect());
    }
    sqlx::query_as("SELECT position, body FROM events WHERE position > $1 ORDER BY position LIMIT $2")
        .bind(after)
        .bind(limit)
        .fetch_all(&mut *connection)
        .await
}
