//! The beneficiaries projection: `beneficiaries`, `visits`, `concerns`, `hardship_assessments` and
//! `pairings`.

use domain::events::beneficiary::VisitKind;
use domain::events::BeneficiaryEvent as B;
use domain::Event;
use sqlx::AnyConnection;

use crate::daily::DailyTotals;
use crate::sql::name_of;
use crate::{ProjectionName, RecordedEvent};

const PROJECTION: ProjectionName = ProjectionName::Beneficiaries;

/// The per-day figure counting visits of `kind`.
fn visits_of_kind(kind: &VisitKind) -> &'static str {
    match kind {
        VisitKind::Home => "visits_home",
        VisitKind::Phone => "visits_phone",
        VisitKind::Hospital => "visits_hospital",
        VisitKind::Group => "visits_group",
    }
}

/// Applies one event, adding to the per-day totals in `daily`.
pub async fn apply(
    connection: &mut AnyConnection,
    recorded: &RecordedEvent,
    daily: &mut DailyTotals,
) -> Result<(), sqlx::Error> {
    let Event::Beneficiary(event) = &recorded.event else { return Ok(()) };
    let id = recorded.stream_id.as_str();
    let date = recorded.date.as_str();
    match event {
        B::BeneficiaryRegistered(e) => {
            sqlx::query(
                "INSERT INTO beneficiaries (beneficiary_id, district, category, party_member, registered_position, \
                 registered_on, forgotten) VALUES ($1, $2, $3, $4, $5, $6, 0)",
            )
            .bind(id)
            .bind(e.district.as_str())
            .bind(name_of(&e.category))
            .bind(i64::from(e.party_member))
            .bind(recorded.position)
            .bind(date)
            .execute(&mut *connection)
            .await?;
        }
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
        B::HardshipAssessed(e) => {
            sqlx::query(
                "INSERT INTO hardship_assessments (position, beneficiary_id, cause, severity, occurred_on) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(recorded.position)
            .bind(id)
            .bind(name_of(&e.cause))
            .bind(e.severity.get())
            .bind(date)
            .execute(&mut *connection)
            .await?;
        }
        B::PairingAssigned(e) => {
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
        B::VisitRecorded(e) => {
            sqlx::query(
                "INSERT INTO visits (position, beneficiary_id, visit_kind, staff, duration_minutes, occurred_on) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(recorded.position)
            .bind(id)
            .bind(name_of(&e.visit_kind))
            .bind(e.staff.as_str())
            .bind(e.duration_minutes.get())
            .bind(date)
            .execute(&mut *connection)
            .await?;
            daily.add(PROJECTION, visits_of_kind(&e.visit_kind), date, 1);
            daily.add(PROJECTION, "visits_total", date, 1);
        }
        B::ConcernRaised(e) => {
            sqlx::query(
                "INSERT INTO concerns (beneficiary_id, concern_id, category, raised_position, raised_on) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(e.concern_id.to_string())
            .bind(e.category.as_str())
            .bind(recorded.position)
            .bind(date)
            .execute(&mut *connection)
            .await?;
            daily.add(PROJECTION, "concerns_raised", date, 1);
        }
        B::ConcernResolved(e) => {
            let (raised_on,): (String,) = sqlx::query_as(
                "SELECT raised_on FROM concerns WHERE beneficiary_id = $1 AND concern_id = $2",
            )
            .bind(id)
            .bind(e.concern_id.to_string())
            .fetch_one(&mut *connection)
            .await?;
            let resolved = if e.on_site { "concerns_resolved_on_site" } else { "concerns_resolved_later" };
            daily.add(PROJECTION, resolved, date, 1);
            // Open on a day: raised before it and not closed before it, where a concern counts as
            // closed no earlier than it was raised (a resolution may carry an earlier date).
            daily.add(PROJECTION, "concerns_closed", raised_on.as_str().max(date), 1);
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
    }
    Ok(())
}
