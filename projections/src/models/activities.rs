//! The activities projection: `activities`.

use domain::events::ActivityEvent as A;
use domain::Event;

use crate::daily::DailyTotals;
use crate::figure::Figure;
use crate::rows::NewRows;
use crate::sql::{name_of, Param};
use crate::{ProjectionName, RecordedEvent};

const PROJECTION: ProjectionName = ProjectionName::Activities;

/// Folds `recorded` in: the row it inserts (into `rows`), added to the per-day totals in `daily` on
/// the day it was held. (An activity is never changed afterwards, so this projection has no stored
/// rows to load.)
pub fn apply(recorded: &RecordedEvent, rows: &mut NewRows, daily: &mut DailyTotals) {
    let Event::Activity(A::ActivityHeld(e)) = &recorded.event else { return };
    let materials = e.materials.as_ref();
    let brochures = materials.and_then(|m| m.brochures).map(|c| c.get());
    let books = materials.and_then(|m| m.books).map(|c| c.get());
    let held_on = e.date.to_string();
    rows.add(
        "INSERT INTO activities (activity_id, kind, title, held_on, location, attendees, brochures, books, \
         goods_value_minor, position)",
        vec![
            Param::Text(recorded.stream_id.clone()),
            Param::Text(name_of(&e.kind)),
            Param::Text(e.title.as_str().to_owned()),
            Param::Text(held_on.clone()),
            Param::text(e.location.as_ref().map(|l| l.as_str())),
            Param::Int(e.attendees.get()),
            Param::int(brochures),
            Param::int(books),
            Param::int(materials.and_then(|m| m.goods_value_minor).map(|v| v.get())),
            Param::Int(recorded.position),
        ],
    );
    daily.add(PROJECTION, Figure::ActivitiesOf(e.kind), &held_on, 1);
    daily.add(PROJECTION, Figure::ActivityAttendees, &held_on, e.attendees.get());
    daily.add(PROJECTION, Figure::Brochures, &held_on, brochures.unwrap_or(0));
    daily.add(PROJECTION, Figure::Books, &held_on, books.unwrap_or(0));
}
