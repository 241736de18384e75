//! The beneficiaries projection: `beneficiaries`, `visits`, `concerns`, `hardship_assessments` and
//! `pairings`.

use domain::events::BeneficiaryEvent as B;
use domain::Event;
use sqlx::AnyConnection;

use crate::daily::DailyTotals;
use crate::figure::Figure;
use crate::rows::NewRows;
use crate::sql::{name_of, Param};
use crate::{ProjectionName, RecordedEvent};

const PROJECTION: ProjectionName = ProjectionName::Beneficiaries;

/// Gathers the rows `recorded` inserts, adding them to the per-day totals in `daily`.
pub fn rows(recorded: &RecordedEvent, rows: &mut NewRows, daily: &mut DailyTotals) {
    let Event::Beneficiary(event) = &recorded.event else { return };
    let id = || Param::Text(recorded.stream_id.clone());
    let date = || Param::Text(recorded.date.clone());
    match event {
        B::BeneficiaryRegistered(e) => rows.add(
            "INSERT INTO beneficiaries (beneficiary_id, district, category, party_member, registered_position, \
             registered_on, forgotten)",
            vec![
                id(),
                Param::Text(e.district.as_str().to_owned()),
                Param::Text(name_of(&e.category)),
                Param::Int(i64::from(e.party_member)),
                Param::Int(recorded.position),
                date(),
                Param::Int(0),
            ],
        ),
        B::HardshipAssessed(e) => {
            rows.add(
                "INSERT INTO hardship_assessments (position, beneficiary_id, cause, severity, occurred_on)",
                vec![
                    Param::Int(recorded.position),
                    id(),
                    Param::Text(name_of(&e.cause)),
                    Param::Int(e.severity.get()),
                    date(),
                ],
            );
            daily.mark(Figure::HardshipCases, &recorded.date, &recorded.stream_id);
        }
        B::VisitRecorded(e) => {
            rows.add(
                "INSERT INTO visits (position, beneficiary_id, visit_kind, staff, duration_minutes, occurred_on)",
                vec![
                    Param::Int(recorded.position),
                    id(),
                    Param::Text(name_of(&e.visit_kind)),
                    Param::Text(e.staff.as_str().to_owned()),
                    Param::Int(e.duration_minutes.get()),
                    date(),
                ],
            );
            daily.add(PROJECTION, Figure::visits(e.visit_kind), &recorded.date, 1);
            daily.add(PROJECTION, Figure::VisitsTotal, &recorded.date, 1);
            daily.mark(Figure::BeneficiariesVisited, &recorded.date, &recorded.stream_id);
        }
        B::ConcernRaised(e) => {
            rows.add(
                "INSERT INTO concerns (beneficiary_id, concern_id, category, raised_position, raised_on)",
                vec![
                    id(),
                    Param::Text(e.concern_id.to_string()),
                    Param::Text(e.category.as_str().to_owned()),
                    Param::Int(recorded.position),
                    date(),
                ],
            );
            daily.add(PROJECTION, Figure::ConcernsRaised, &recorded.date, 1);
        }
        _ => {}
    }
}

/// Applies what `recorded` changes in rows already written, adding to the per-day totals in `daily`.
pub async fn changes(
    connection: &mut AnyConnection,
    recorded: &RecordedEvent,
    daily: &mut DailyTotals,
) -> Result<(), sqlx::Error> {
    let Event::Beneficiary(event) = &recorded.event else { return Ok(()) };
    let id = recorded.stream_id.as_str();
    let date = recorded.date.as_str();
    match event {
        B::BeneficiaryDetailsCorrected(e) => {
            sqlx::query(
                "UPDATE beneficiaries SET district = COALESCE($2, district), category = COALESCE($3, category), \
                 party_member = COALESCE($4, party_member) WHERE beneficiary_id = $1",
            )
            .bind(id)
            .bind(e.district.as_ref().map(|d| d.as_str().to_owned()))
            .bind(e.category.as_ref().map(name_of))
            .bind(e.party_member.map(i64::from))
            .execute(&mut *connection)
            .await?;
        }
        B::PairingAssigned(e) => {
            // An upsert replaces the earlier pairing, so it runs in event order with the updates.
            sqlx::query(
                "INSERT INTO pairings (beneficiary_id, staff, call_every_days, visit_every_days, assigned_position, \
                 assigned_on) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (beneficiary_id) DO UPDATE SET \
                 staff = excluded.staff, call_every_days = excluded.call_every_days, \
                 visit_every_days = excluded.visit_every_days, assigned_position = excluded.assigned_position, \
                 assigned_on = excluded.assigned_on",
            )
            .bind(id)
            .bind(e.staff.as_str())
            .bind(e.call_every_days.get())
            .bind(e.visit_every_days.get())
            .bind(recorded.position)
            .bind(date)
            .execute(&mut *connection)
            .await?;
        }
        B::ConcernResolved(e) => {
            let (raised_on,): (String,) = sqlx::query_as(
                "SELECT raised_on FROM concerns WHERE beneficiary_id = $1 AND concern_id = $2",
            )
            .bind(id)
            .bind(e.concern_id.to_string())
            .fetch_one(&mut *connection)
            .await?;
            let resolved =
                if e.on_site { Figure::ConcernsResolvedOnSite } else { Figure::ConcernsResolvedLater };
            daily.add(PROJECTION, resolved, date, 1);
            // Open on a day: raised before it and not closed before it, where a concern counts as
            // closed no earlier than it was raised (a resolution may carry an earlier date).
            daily.add(PROJECTION, Figure::ConcernsClosed, raised_on.as_str().max(date), 1);
            sqlx::query(
                "UPDATE concerns SET resolved_position = $3, resolved_on = $4, on_site = $5 \
                 WHERE beneficiary_id = $1 AND concern_id = $2",
            )
            .bind(id)
            .bind(e.concern_id.to_string())
            .bind(recorded.position)
            .bind(date)
            .bind(i64::from(e.on_site))
            .execute(&mut *connection)
            .await?;
        }
        B::BeneficiaryForgotten(_) => {
            sqlx::query("UPDATE beneficiaries SET forgotten = 1 WHERE beneficiary_id = $1")
                .bind(id)
                .execute(&mut *connection)
                .await?;
        }
        _ => {}
    }
    Ok(())
}
