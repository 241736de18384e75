//! Fund balances and the read-model rows that audit trails show beside the records.

use sql::bounded_add;
use sqlx::AnyPool;

use crate::table::{Kind, Table};
use crate::ProjectionError;

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
    Ok(Table::from_rows(
        &[
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
        ],
        &rows,
    )?)
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
