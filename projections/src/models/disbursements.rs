//! The disbursements projection: `funds` (balances), `disbursements` (where each stands) and
//! `disbursement_movements` (each payment and reversal, with the amount and form it moved).

use domain::events::{DisbursementEvent as D, FundEvent as F};
use domain::Event;
use sql::bounded_add;
use sqlx::AnyConnection;

use crate::daily::DailyTotals;
use crate::figure::Figure;
use crate::rows::NewRows;
use crate::sql::{name_of, Param};
use crate::{ProjectionName, RecordedEvent};

const PROJECTION: ProjectionName = ProjectionName::Disbursements;

/// Gathers the rows `recorded` inserts: a fund, or a disbursement as requested.
pub fn rows(recorded: &RecordedEvent, rows: &mut NewRows) {
    let id = || Param::Text(recorded.stream_id.clone());
    match &recorded.event {
        Event::Fund(F::FundOpened(e)) => rows.add(
            "INSERT INTO funds (fund_id, name, currency, year, opened_position, opening_budget_minor, \
             adjustments_minor, requested_minor, approved_minor, paid_minor, reversed_minor)",
            vec![
                id(),
                Param::Text(e.name.as_str().to_owned()),
                Param::Text(e.currency.as_str().to_owned()),
                Param::int(e.year.map(|y| y.get())),
                Param::Int(recorded.position),
                Param::Int(e.budget_minor.get()),
                Param::Int(0),
                Param::Int(0),
                Param::Int(0),
                Param::Int(0),
                Param::Int(0),
            ],
        ),
        Event::Disbursement(D::DisbursementRequested(e)) => rows.add(
            "INSERT INTO disbursements (disbursement_id, beneficiary_id, fund_id, form, amount_minor, currency, \
             status, requested_position, requested_on, requested_by)",
            vec![
                id(),
                Param::Text(e.beneficiary_id.to_string()),
                Param::Text(e.fund_id.to_string()),
                Param::Text(name_of(&e.form)),
                Param::Int(e.amount_minor.get()),
                Param::Text(e.currency.as_str().to_owned()),
                Param::Text("requested".into()),
                Param::Int(recorded.position),
                Param::Text(recorded.date.clone()),
                Param::Text(recorded.actor.clone()),
            ],
        ),
        _ => {}
    }
}

/// Adds the disbursement's amount to one of its fund's running totals.
async fn add_to_fund(
    connection: &mut AnyConnection,
    disbursement_id: &str,
    column: &str,
) -> Result<(), sqlx::Error> {
    let sum = bounded_add(column, "(SELECT amount_minor FROM disbursements WHERE disbursement_id = $1)");
    let sql = format!(
        "UPDATE funds SET {column} = {sum} WHERE fund_id = (SELECT fund_id FROM disbursements WHERE disbursement_id = $1)"
    );
    sqlx::query(&sql).bind(disbursement_id).execute(&mut *connection).await?;
    Ok(())
}

/// Records a payment (`sign` 1) or reversal (`sign` −1) of the disbursement's whole amount, and
/// adds it to the day's paid totals.
async fn movement(
    connection: &mut AnyConnection,
    recorded: &RecordedEvent,
    daily: &mut DailyTotals,
    sign: i64,
) -> Result<(), sqlx::Error> {
    let (form, amount_minor): (String, i64) =
        sqlx::query_as("SELECT form, amount_minor FROM disbursements WHERE disbursement_id = $1")
            .bind(recorded.stream_id.as_str())
            .fetch_one(&mut *connection)
            .await?;
    sqlx::query(
        "INSERT INTO disbursement_movements (position, disbursement_id, movement, form, amount_minor, occurred_on) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(recorded.position)
    .bind(recorded.stream_id.as_str())
    .bind(if sign > 0 { "paid" } else { "reversed" })
    .bind(form.as_str())
    .bind(amount_minor)
    .bind(recorded.date.as_str())
    .execute(&mut *connection)
    .await?;
    let date = recorded.date.as_str();
    daily.add(PROJECTION, Figure::DisbursementsPaid, date, sign);
    let amount_figure = if form == "cash" { Figure::CashPaidMinor } else { Figure::InKindPaidMinor };
    daily.add(PROJECTION, amount_figure, date, sign * amount_minor);
    Ok(())
}

/// Applies what `recorded` changes in rows already written (statuses, fund totals, movements),
/// adding payments and reversals to the per-day totals in `daily`.
pub async fn changes(
    connection: &mut AnyConnection,
    recorded: &RecordedEvent,
    daily: &mut DailyTotals,
) -> Result<(), sqlx::Error> {
    let id = recorded.stream_id.as_str();
    match &recorded.event {
        Event::Fund(F::FundBudgetAdjusted(e)) => {
            let sum = bounded_add("adjustments_minor", "$2");
            sqlx::query(&format!("UPDATE funds SET adjustments_minor = {sum} WHERE fund_id = $1"))
                .bind(id)
                .bind(e.delta_minor.get())
                .execute(&mut *connection)
                .await?;
        }
        Event::Disbursement(D::DisbursementRequested(_)) => {
            add_to_fund(connection, id, "requested_minor").await?;
        }
        Event::Disbursement(D::DisbursementApproved(_)) | Event::Disbursement(D::DisbursementRejected(_)) => {
            let approved = matches!(recorded.event, Event::Disbursement(D::DisbursementApproved(_)));
            sqlx::query(
                "UPDATE disbursements SET status = $2, decided_position = $3, decided_by = $4 \
                 WHERE disbursement_id = $1",
            )
            .bind(id)
            .bind(if approved { "approved" } else { "rejected" })
            .bind(recorded.position)
            .bind(recorded.actor.as_str())
            .execute(&mut *connection)
            .await?;
            if approved {
                add_to_fund(connection, id, "approved_minor").await?;
            }
        }
        Event::Disbursement(D::DisbursementPaid(_)) => {
            sqlx::query(
                "UPDATE disbursements SET status = 'paid', paid_position = $2, paid_on = $3 WHERE disbursement_id = $1",
            )
            .bind(id)
            .bind(recorded.position)
            .bind(recorded.date.as_str())
            .execute(&mut *connection)
            .await?;
            movement(connection, recorded, daily, 1).await?;
            add_to_fund(connection, id, "paid_minor").await?;
        }
        Event::Disbursement(D::DisbursementReversed(_)) => {
            sqlx::query(
                "UPDATE disbursements SET status = 'reversed', reversed_position = $2, reversed_on = $3 \
                 WHERE disbursement_id = $1",
            )
            .bind(id)
            .bind(recorded.position)
            .bind(recorded.date.as_str())
            .execute(&mut *connection)
            .await?;
            movement(connection, recorded, daily, -1).await?;
            add_to_fund(connection, id, "reversed_minor").await?;
        }
        _ => {}
    }
    Ok(())
}
