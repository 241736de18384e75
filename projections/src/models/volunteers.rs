//! The volunteers projection: `volunteers` and `volunteer_hours`.

use domain::events::VolunteerEvent as V;
use domain::Event;
use sqlx::AnyConnection;

use crate::daily::DailyTotals;
use crate::figure::Figure;
use crate::rows::NewRows;
use crate::sql::{name_of, Param};
use crate::{ProjectionName, RecordedEvent};

const PROJECTION: ProjectionName = ProjectionName::Volunteers;

/// Gathers the rows `recorded` inserts, adding logged hours to the per-day totals in `daily` on the
/// day worked (voided entries are subtracted by the report, which knows the period's end).
pub fn rows(recorded: &RecordedEvent, rows: &mut NewRows, daily: &mut DailyTotals) {
    let Event::Volunteer(event) = &recorded.event else { return };
    let id = || Param::Text(recorded.stream_id.clone());
    match event {
        V::VolunteerEnrolled(e) => rows.add(
            "INSERT INTO volunteers (volunteer_id, unit, enrolled_position, enrolled_on)",
            vec![
                id(),
                Param::text(e.unit.as_ref().map(|u| u.as_str())),
                Param::Int(recorded.position),
                Param::Text(recorded.date.clone()),
            ],
        ),
        V::VolunteerHoursLogged(e) => {
            let worked_on = e.date.to_string();
            rows.add(
                "INSERT INTO volunteer_hours (volunteer_id, entry_id, activity_kind, activity_id, worked_on, minutes, \
                 logged_position, logged_by)",
                vec![
                    id(),
                    Param::Text(e.entry_id.to_string()),
                    Param::Text(name_of(&e.activity_kind)),
                    Param::text(e.activity_id.map(|a| a.to_string())),
                    Param::Text(worked_on.clone()),
                    Param::Int(e.minutes.get()),
                    Param::Int(recorded.position),
                    Param::Text(recorded.actor.clone()),
                ],
            );
            daily.add(PROJECTION, Figure::VolunteerEntries, &worked_on, 1);
            daily.add(PROJECTION, Figure::VolunteerMinutes, &worked_on, e.minutes.get());
        }
        _ => {}
    }
}

/// Applies what `recorded` changes in rows already written.
pub async fn changes(connection: &mut AnyConnection, recorded: &RecordedEvent) -> Result<(), sqlx::Error> {
    let Event::Volunteer(event) = &recorded.event else { return Ok(()) };
    let id = recorded.stream_id.as_str();
    match event {
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
        _ => {}
    }
    Ok(())
}
