//! What each fund has committed and paid, kept beside the log (`fund_movements`) by the writer in the
//! append's own transaction, so that an approval or payment is checked against the fund's budget
//! without folding every disbursement drawn on it.

use domain::events::fund::FundMovement;
use sql::bounded_sum;
use sqlx::AnyConnection;

/// What `fund_id` has committed and paid, as of this transaction: the sum of its movements.
pub async fn spent(connection: &mut AnyConnection, fund_id: &str) -> Result<FundMovement, sqlx::Error> {
    let sql = format!(
        "SELECT COALESCE({}, 0), COALESCE({}, 0) FROM fund_movements WHERE fund_id = $1",
        bounded_sum("committed_minor"),
        bounded_sum("paid_minor")
    );
    let (committed_minor, paid_minor): (i64, i64) =
        sqlx::query_as(&sql).bind(fund_id).fetch_one(&mut *connection).await?;
    Ok(FundMovement { committed_minor, paid_minor })
}

/// Records what the event at `position` moved in `fund_id`'s budget.
pub async fn record(
    connection: &mut AnyConnection,
    position: i64,
    fund_id: &str,
    movement: FundMovement,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO fund_movements (position, fund_id, committed_minor, paid_minor) VALUES ($1, $2, $3, $4)",
    )
    .bind(position)
    .bind(fund_id)
    .bind(movement.committed_minor)
    .bind(movement.paid_minor)
    .execute(&mut *connection)
    .await?;
    Ok(())
}
