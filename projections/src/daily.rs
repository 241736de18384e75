//! Per-day totals of the summary report's figures (`daily_totals`), kept by the projections as they
//! apply events, so that a report over a year adds up a few hundred rows per figure instead of
//! scanning every visit, payment and hour behind it.
//!
//! A projection adds to a figure's total on a day while it applies a batch; the batch's additions are
//! summed in memory and written at the end of the batch, in the batch's transaction, with one upsert
//! per figure and day. Each projection owns its figures' rows, and a reset deletes them with the rest
//! of its tables.

use std::collections::HashMap;

use sqlx::AnyConnection;

use crate::sql::values_list;
use crate::ProjectionName;

/// Figure-and-day totals per upsert statement at most (four parameters each).
const TOTALS_PER_UPSERT_MAX: usize = 250;

/// One batch's additions to the per-day totals, not yet written.
#[derive(Debug, Default)]
pub struct DailyTotals {
    additions: HashMap<(&'static str, String), (ProjectionName, i64)>,
}

impl DailyTotals {
    /// Adds `amount` to `projection`'s `figure` on `day` (`YYYY-MM-DD`).
    pub fn add(&mut self, projection: ProjectionName, figure: &'static str, day: &str, amount: i64) {
        let entry = self.additions.entry((figure, day.to_owned())).or_insert((projection, 0));
        entry.1 += amount;
    }

    /// Writes every addition into `daily_totals` and forgets them.
    pub async fn write(&mut self, connection: &mut AnyConnection) -> Result<(), sqlx::Error> {
        let additions: Vec<_> = self.additions.drain().filter(|(_, (_, amount))| *amount != 0).collect();
        for chunk in additions.chunks(TOTALS_PER_UPSERT_MAX) {
            let sql = format!(
                "INSERT INTO daily_totals (projection, figure, day, total) VALUES {} \
                 ON CONFLICT (figure, day) DO UPDATE SET total = daily_totals.total + excluded.total",
                values_list(connection, chunk.len(), 4)
            );
            let mut query = sqlx::query(&sql);
            for ((figure, day), (projection, amount)) in chunk {
                query = query.bind(projection.as_str()).bind(*figure).bind(day.as_str()).bind(*amount);
            }
            query.execute(&mut *connection).await?;
        }
        Ok(())
    }
}
