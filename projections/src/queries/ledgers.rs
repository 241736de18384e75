//! Ledgers for the people who follow up: concerns and where each stands, and pairings whose call or
//! visit is overdue.

use domain::values::Date;
use sqlx::AnyPool;
use time::Duration;

use crate::table::{Cell, Kind, Table};
use crate::ProjectionError;

/// Which concerns to list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConcernStatus {
    /// Raised and not resolved.
    Open,
    /// Resolved.
    Resolved,
    /// Both.
    All,
}

/// The concern ledger, in the order concerns were raised.
pub async fn concerns(pool: &AnyPool, status: ConcernStatus) -> Result<Table, ProjectionError> {
    let filter = match status {
        ConcernStatus::Open => " WHERE c.resolved_position IS NULL",
        ConcernStatus::Resolved => " WHERE c.resolved_position IS NOT NULL",
        ConcernStatus::All => "",
    };
    let sql = format!(
        "SELECT c.concern_id, c.beneficiary_id, b.district, c.category, c.raised_position, c.raised_on, \
         CASE WHEN c.resolved_position IS NULL THEN 'open' ELSE 'resolved' END, c.resolved_position, c.resolved_on, \
         c.on_site FROM concerns c JOIN beneficiaries b ON b.beneficiary_id = c.beneficiary_id{filter} \
         ORDER BY c.raised_position"
    );
    let rows = sqlx::query(&sql).fetch_all(pool).await?;
    Ok(Table::from_rows(
        &[
            ("concern_id", Kind::Text),
            ("beneficiary_id", Kind::Text),
            ("district", Kind::Text),
            ("category", Kind::Text),
            ("raised_position", Kind::Int),
            ("raised_on", Kind::Text),
            ("status", Kind::Text),
            ("resolved_position", Kind::Int),
            ("resolved_on", Kind::Text),
            ("on_site", Kind::Bool),
        ],
        &rows,
    )?)
}

fn add_days(date: &str, days: i64) -> Option<String> {
    let start = Date::parse(date).ok()?;
    start.0.checked_add(Duration::days(days)).map(|d| Date(d).to_string())
}

/// Pairings whose call or visit is overdue on `as_of`: the last contact (any visit or call) or the
/// last in-person visit (home, hospital, group), or the assignment when later, plus the pairing's
/// interval, falls before `as_of`. Forgotten beneficiaries are left out.
pub async fn overdue_pairings(pool: &AnyPool, as_of: &Date) -> Result<Table, ProjectionError> {
    let rows = sqlx::query(
        "SELECT p.beneficiary_id, b.district, p.staff, p.call_every_days, p.visit_every_days, p.assigned_on, \
         (SELECT MAX(v.occurred_on) FROM visits v WHERE v.beneficiary_id = p.beneficiary_id), \
         (SELECT MAX(v.occurred_on) FROM visits v WHERE v.beneficiary_id = p.beneficiary_id \
          AND v.visit_kind <> 'phone') \
         FROM pairings p JOIN beneficiaries b ON b.beneficiary_id = p.beneficiary_id WHERE b.forgotten = 0 \
         ORDER BY p.beneficiary_id",
    )
    .fetch_all(pool)
    .await?;
    let raw = Table::from_rows(
        &[
            ("beneficiary_id", Kind::Text),
            ("district", Kind::Text),
            ("staff", Kind::Text),
            ("call_every_days", Kind::Int),
            ("visit_every_days", Kind::Int),
            ("assigned_on", Kind::Text),
            ("last_contact_on", Kind::Text),
            ("last_visit_on", Kind::Text),
        ],
        &rows,
    )?;
    let mut table = Table::new(&[
        "beneficiary_id",
        "district",
        "staff",
        "call_every_days",
        "visit_every_days",
        "last_contact_on",
        "last_visit_on",
        "call_due_on",
        "visit_due_on",
        "call_overdue",
        "visit_overdue",
    ]);
    let today = as_of.to_string();
    for row in raw.rows {
        let assigned = row[5].as_text().unwrap_or_default().to_owned();
        let since = |cell: &Cell| {
            cell.as_text().map_or(assigned.clone(), |last| last.max(assigned.as_str()).to_owned())
        };
        let call_due = add_days(&since(&row[6]), row[3].as_int().unwrap_or(0)).unwrap_or_default();
        let visit_due = add_days(&since(&row[7]), row[4].as_int().unwrap_or(0)).unwrap_or_default();
        let (call_overdue, visit_overdue) = (call_due < today, visit_due < today);
        if call_overdue || visit_overdue {
            let mut cells: Vec<Cell> = row[..5].to_vec();
            cells.extend([
                row[6].clone(),
                row[7].clone(),
                Cell::Text(call_due),
                Cell::Text(visit_due),
                Cell::Bool(call_overdue),
                Cell::Bool(visit_overdue),
            ]);
            table.rows.push(cells);
        }
    }
    Ok(table)
}
