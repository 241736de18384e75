//! The activities projection: `activities`.

use domain::events::activity::ActivityKind;
use domain::events::ActivityEvent as A;
use domain::Event;
use sqlx::AnyConnection;

use crate::daily::DailyTotals;
use crate::sql::name_of;
use crate::{ProjectionName, RecordedEvent};

const PROJECTION: ProjectionName = ProjectionName::Activities;

/// The per-day figure counting activities of `kind`.
fn activities_of_kind(kind: ActivityKind) -> &'static str {
    match kind {
        ActivityKind::Lecture => "activities.lecture",
        ActivityKind::CivilityClass => "activities.civility_class",
        ActivityKind::Training => "activities.training",
        ActivityKind::Outreach => "activities.outreach",
        ActivityKind::Ceremony => "activities.ceremony",
        ActivityKind::StudyTour => "activities.study_tour",
    }
}

/// Applies one event, adding it to the per-day totals in `daily` on the day it was held.
pub async fn apply(
    connection: &mut AnyConnection,
    recorded: &RecordedEvent,
    daily: &mut DailyTotals,
) -> Result<(), sqlx::Error> {
    let Event::Activity(A::ActivityHeld(e)) = &recorded.event else { return Ok(()) };
    let materials = e.materials.as_ref();
    sqlx::query(
        "INSERT INTO activities (activity_id, kind, title, held_on, location, attendees, brochures, books, \
         goods_value_minor, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(recorded.stream_id.as_str())
    .bind(name_of(&e.kind))
    .bind(e.title.as_str())
    .bind(e.date.to_string())
    .bind(e.location.as_ref().map(|l| l.as_str().to_owned()))
    .bind(e.attendees.get())
    .bind(materials.and_then(|m| m.brochures).map(|c| c.get()))
    .bind(materials.and_then(|m| m.books).map(|c| c.get()))
    .bind(materials.and_then(|m| m.goods_value_minor).map(|v| v.get()))
    .bind(recorded.position)
    .execute(&mut *connection)
    .await?;
    let held_on = e.date.to_string();
    daily.add(PROJECTION, activities_of_kind(e.kind), &held_on, 1);
    daily.add(PROJECTION, "activity_attendees", &held_on, e.attendees.get());
    daily.add(PROJECTION, "brochures", &held_on, materials.and_then(|m| m.brochures).map_or(0, |c| c.get()));
    daily.add(PROJECTION, "books", &held_on, materials.and_then(|m| m.books).map_or(0, |c| c.get()));
    Ok(())
}
