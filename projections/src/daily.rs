//! Per-day totals of the summary report's figures (`daily_totals`), kept by the projections as they
//! apply events, so that a report over a year adds up a few hundred rows per figure instead of
//! scanning every visit, payment and hour behind it.
//!
//! A projection adds to a figure's total on a day while it applies a batch; the batch's additions are
//! summed in memory and written at the end of the batch, in the batch's transaction, with one upsert
//! per figure and day. Totals are kept within ±(2^53 − 1), so that no flood of events can overflow them. Each projection owns its figures' rows, and a reset deletes them with the rest
//! of its tables.

use std::collections::{HashMap, HashSet};

use sql::{bounded_add, clamp_figure, insert_rows, Dialect};
use sqlx::AnyConnection;

use crate::figure::Figure;
use crate::ProjectionName;

/// Figure-and-day totals per upsert statement at most (four parameters each).
const TOTALS_PER_UPSERT_MAX: usize = 250;

/// One batch's additions to the per-day totals, and the beneficiaries it marks as counted in a
/// month and a year, not yet written.
#[derive(Debug, Default)]
pub struct DailyTotals {
    additions: HashMap<(Figure, String), (ProjectionName, i64)>,
    marks: HashSet<(Figure, &'static str, String, String)>,
}

impl DailyTotals {
    /// Adds `amount` to `projection`'s `figure` on `day` (`YYYY-MM-DD`).
    pub fn add(&mut self, projection: ProjectionName, figure: Figure, day: &str, amount: i64) {
        let entry = self.additions.entry((figure, day.to_owned())).or_insert((projection, 0));
        entry.1 = clamp_figure(entry.1.saturating_add(amount));
    }

    /// Marks `beneficiary_id` as counted in `figure` in the month and the year of `day`
    /// (`YYYY-MM-DD`): a count of distinct beneficiaries over whole months or whole years is then a
    /// count over these marks (`beneficiary_marks`, owned by the beneficiaries projection).
    pub fn mark(&mut self, figure: Figure, day: &str, beneficiary_id: &str) {
        for (span, length) in [("month", 7), ("year", 4)] {
            let period = day.get(..length).unwrap_or(day).to_owned();
            self.marks.insert((figure, span, period, beneficiary_id.to_owned()));
        }
    }

    /// Writes every addition into `daily_totals`, and every mark into `beneficiary_marks`, and forgets
    /// them.
    pub async fn write(
        &mut self,
        connection: &mut AnyConnection,
        dialect: Dialect,
    ) -> Result<(), sqlx::Error> {
        let marks: Vec<_> = self.marks.drain().collect();
        let insert = "INSERT INTO beneficiary_marks (figure, span, period, beneficiary_id)";
        let tail = "ON CONFLICT (figure, span, period, beneficiary_id) DO NOTHING";
        insert_rows(connection, dialect, (insert, tail), 4, &marks, TOTALS_PER_UPSERT_MAX, |query, mark| {
            let (figure, span, period, beneficiary_id) = mark;
            Ok::<_, sqlx::Error>(
                query
                    .bind(figure.name().into_owned())
                    .bind(*span)
                    .bind(period.as_str())
                    .bind(beneficiary_id.as_str()),
            )
        })
        .await?;
        let additions: Vec<_> = self.additions.drain().filter(|(_, (_, amount))| *amount != 0).collect();
        let insert = "INSERT INTO daily_totals (projection, figure, day, total)";
        let tail = format!(
            "ON CONFLICT (figure, day) DO UPDATE SET total = {}",
            bounded_add("daily_totals.total", "excluded.total")
        );
        insert_rows(
            connection,
            dialect,
            (insert, &tail),
            4,
            &additions,
            TOTALS_PER_UPSERT_MAX,
            |query, addition| {
                let ((figure, day), (projection, amount)) = addition;
                Ok::<_, sqlx::Error>(
                    query
                        .bind(projection.as_str())
                        .bind(figure.name().into_owned())
                        .bind(day.as_str())
                        .bind(*amount),
                )
            },
        )
        .await?;
        Ok(())
    }
}
