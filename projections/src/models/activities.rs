//! The activities projection: `activities`.

use domain::events::ActivityEvent as A;
use domain::Event;
use sqlx::AnyConnection;

use crate::sql::name_of;
use crate::RecordedEvent;

/// Applies one event.
pub async fn apply(connection: &mut AnyConnection, recorded: &RecordedEvent) -> Result<(), sqlx::Error> {
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
    Ok(())
}
