//! The volunteers projection: `volunteers` and `volunteer_hours`.

use domain::events::VolunteerEvent as V;
use domain::Event;
use sqlx::AnyConnection;

use crate::daily::DailyTotals;
use crate::sql::name_of;
use crate::{ProjectionName, RecordedEvent};

const PROJECTION: ProjectionName = ProjectionName::Volunteers;

/// Applies one event, adding logged hours to the per-day totals in `daily` on the day worked (voided
/// entries are subtracted by the report, which knows the period's end).
pub async fn apply(
    connection: &mut AnyConnection,
    recorded: &RecordedEvent,
    daily: &mut DailyTotals,
) -> Result<(), sqlx::Error> {
    let Event::Volunteer(event) = &recorded.event else { return Ok(()) };
    let id = recorded.stream_id.as_str();
    match event {
        V::VolunteerEnrolled(e) => {
            sqlx::query(
                "INSERT INTO volunteers (volunteer_id, unit, enrolled_position, enrolled_on) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(e.unit.as_ref().map(|u| u.as_str().to_owned()))
            .bind(recorded.position)
            .bind(recorded.date.as_str())
            .execute(&mut *connection)
            .await?;
        }
        V::VolunteerHoursLogged(e) => {
            sqlx::query(
                "INSERT INTO volunteer_hours (volunteer_id, entry_id, activity_kind, activity_id, worked_on, minutes, \
                 logged_position, logged_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(e.entry_id.to_string())
            .bind(name_of(&e.activity_kind))
            .bind(e.activity_id.map(|a| a.to_string()))
            .bind(e.date.to_string())
            .bind(e.minutes.get())
            .bind(recorded.position)
            .bind(recorded.actor.as_str())
            .execute(&mut *connection)
            .await?;
            let worked_on = e.date.to_string();
            daily.add(PROJECTION, "volunteer_entries", &worked_on, 1);
            daily.add(PROJECTION, "volunteer_minutes", &worked_on, e.minutes.get());
        }
        V::VolunteerHoursVerified(e) => {
            sqlx::query(
                "UPDATE volunteer_hours SET verified_position = $3 WHERE volunteer_id = $1 AND entry_id = $2",
            )
            .bind(id)
            .bind(e.entry_id.to_string())
            .bind(recorded.position)
            .execute(&mut *connection)
            .await?;
        }
        V::VolunteerHoursVoided(e) => {
            sqlx::query(
                "UPDATE volunteer_hours SET voided_position = $3, voided_on = $4 \
                 WHERE volunteer_id = $1 AND entry_id = $2",
            )
            .bind(id)
            .bind(e.entry_id.to_string())
            .bind(recorded.position)
            .bind(recorded.date.as_str())
            .execute(&mut *connection)
            .await?;
        }
    }
    Ok(())
}
