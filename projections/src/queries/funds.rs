//! Fund balances and the read-model rows that audit trails show beside the records.

use serde::Serialize;
use sql::bounded_add;
use sqlx::AnyPool;

use crate::table::{Cell, Kind, Table};
use crate::ProjectionError;

/// `GET /v1/funds/{id}`: amounts in minor units.
// Fields in name order: the order the answer has always been served in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", schema(as = Fund))]
pub struct FundBalance {
    /// The sum of adjustments.
    pub adjustments_minor: i64,
    /// Approved.
    pub approved_minor: i64,
    /// The opening budget plus every adjustment.
    pub budget_minor: i64,
    /// Its currency.
    pub currency: String,
    /// The fund's id.
    pub fund_id: String,
    /// Its name.
    pub name: String,
    /// Paid.
    pub paid_minor: i64,
    /// budget − paid + reversed.
    pub remaining_minor: i64,
    /// Requested from it.
    pub requested_minor: i64,
    /// Reversed after payment.
    pub reversed_minor: i64,
    /// Its year, when it has one.
    pub year: Option<i64>,
}

impl FundBalance {
    /// The balance in the first row of `table`, as [`fund`] reads it; `None` when it has no row.
    pub fn from_table(table: &Table) -> Option<FundBalance> {
        let row = table.rows.first()?;
        let cell =
            |name: &str| table.columns.iter().position(|column| column == name).and_then(|at| row.get(at));
        let int = |name: &str| cell(name).and_then(Cell::as_int).unwrap_or(0);
        let text = |name: &str| cell(name).and_then(Cell::as_text).unwrap_or_default().to_owned();
        Some(FundBalance {
            adjustments_minor: int("adjustments_minor"),
            approved_minor: int("approved_minor"),
            budget_minor: int("budget_minor"),
            currency: text("currency"),
            fund_id: text("fund_id"),
            name: text("name"),
            paid_minor: int("paid_minor"),
            remaining_minor: int("remaining_minor"),
            requested_minor: int("requested_minor"),
            reversed_minor: int("reversed_minor"),
            year: cell("year").and_then(Cell::as_int),
        })
    }
}

/// The columns of a fund's balance, in the order its CSV gives them.
const FUND_COLUMNS: &[(&str, Kind)] = &[
    ("fund_id", Kind::Text),
    ("name", Kind::Text),
    ("currency", Kind::Text),
    ("year", Kind::Int),
    ("budget_minor", Kind::Int),
    ("adjustments_minor", Kind::Int),
    ("requested_minor", Kind::Int),
    ("approved_minor", Kind::Int),
    ("paid_minor", Kind::Int),
    ("reversed_minor", Kind::Int),
    ("remaining_minor", Kind::Int),
];

/// One fund's balance: `{fund_id, name, currency, budget_minor, adjustments_minor, requested_minor,
/// approved_minor, paid_minor, reversed_minor, remaining_minor}` where `budget_minor` is the opening
/// budget plus every adjustment and remaining = budget − paid + reversed. Empty when unknown.
pub async fn fund(pool: &AnyPool, fund_id: &str) -> Result<Table, ProjectionError> {
    // Each column lies within ±(2^53 − 1), so these sums cannot overflow; they are clamped back.
    let budget = bounded_add("opening_budget_minor", "adjustments_minor");
    let remaining = bounded_add(&budget, "reversed_minor - paid_minor");
    let sql = format!(
        "SELECT fund_id, name, currency, year, {budget}, adjustments_minor, requested_minor, approved_minor, \
         paid_minor, reversed_minor, {remaining} FROM funds WHERE fund_id = $1"
    );
    let rows = sqlx::query(&sql).bind(fund_id).fetch_all(pool).await?;
    Ok(Table::from_rows(FUND_COLUMNS, &rows)?)
}

const DISBURSEMENT_COLUMNS: &[(&str, Kind)] = &[
    ("disbursement_id", Kind::Text),
    ("beneficiary_id", Kind::Text),
    ("fund_id", Kind::Text),
    ("form", Kind::Text),
    ("amount_minor", Kind::Int),
    ("currency", Kind::Text),
    ("status", Kind::Text),
    ("requested_position", Kind::Int),
    ("requested_on", Kind::Text),
    ("paid_on", Kind::Text),
];

const DISBURSEMENT_SELECT: &str =
    "SELECT disbursement_id, beneficiary_id, fund_id, form, amount_minor, currency, \
     status, requested_position, requested_on, paid_on FROM disbursements";

/// One disbursement's standing (empty when unknown).
pub async fn disbursement(pool: &AnyPool, disbursement_id: &str) -> Result<Table, ProjectionError> {
    let sql = format!("{DISBURSEMENT_SELECT} WHERE disbursement_id = $1");
    let rows = sqlx::query(&sql).bind(disbursement_id).fetch_all(pool).await?;
    Ok(Table::from_rows(DISBURSEMENT_COLUMNS, &rows)?)
}

/// Every disbursement to one beneficiary, in request order.
pub async fn disbursements_of(pool: &AnyPool, beneficiary_id: &str) -> Result<Table, ProjectionError> {
    let sql = format!("{DISBURSEMENT_SELECT} WHERE beneficiary_id = $1 ORDER BY requested_position");
    let rows = sqlx::query(&sql).bind(beneficiary_id).fetch_all(pool).await?;
    Ok(Table::from_rows(DISBURSEMENT_COLUMNS, &rows)?)
}

/// One beneficiary's non-personal standing (empty when unknown).
pub async fn beneficiary(pool: &AnyPool, beneficiary_id: &str) -> Result<Table, ProjectionError> {
    let rows = sqlx::query(
        "SELECT beneficiary_id, district, category, party_member, registered_position, registered_on, forgotten \
         FROM beneficiaries WHERE beneficiary_id = $1",
    )
    .bind(beneficiary_id)
    .fetch_all(pool)
    .await?;
    Ok(Table::from_rows(
        &[
            ("beneficiary_id", Kind::Text),
            ("district", Kind::Text),
            ("category", Kind::Text),
            ("party_member", Kind::Bool),
            ("registered_position", Kind::Int),
            ("registered_on", Kind::Text),
            ("forgotten", Kind::Bool),
        ],
        &rows,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fund_balance_serializes_as_its_table_row_does() {
        let mut table = Table::new(&FUND_COLUMNS.iter().map(|(name, _)| *name).collect::<Vec<_>>());
        let mut next = 0;
        let row = FUND_COLUMNS.iter().map(|(name, kind)| {
            next += 1;
            match kind {
                Kind::Int => Cell::Int(next),
                _ => Cell::Text(format!("{name}-{next}")),
            }
        });
        table.rows.push(row.collect());
        let balance = FundBalance::from_table(&table).expect("a row");
        assert_eq!(serde_json::to_value(&balance).unwrap(), table.to_json_rows()[0]);
        table.rows[0][3] = Cell::Null;
        let balance = FundBalance::from_table(&table).expect("a row");
        assert_eq!(serde_json::to_string(&balance).unwrap(), table.to_json_rows()[0].to_string());
    }
}
